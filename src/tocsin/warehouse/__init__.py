"""Layer 2: the DuckDB warehouse and its provenance."""
