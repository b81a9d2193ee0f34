"""Dangerous-speech scoring: a character n-gram classifier, lexicons, and hallmark rules that explain."""
