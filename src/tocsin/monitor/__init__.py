"""Civic monitoring: incident log, people and permissions, audit log, dangerous-speech scoring, alerts."""
