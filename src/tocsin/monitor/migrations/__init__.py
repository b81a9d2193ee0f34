"""Alembic migrations of the monitoring database (run programmatically by tocsin.monitor.db)."""
