"""Layer 2: public sources (download, verify, parse)."""
