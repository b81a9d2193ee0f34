"""Web layer: the FastAPI app factory and its routers."""
