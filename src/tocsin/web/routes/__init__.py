"""API routers; the app factory includes them from a list."""
