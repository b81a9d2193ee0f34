"""Layer 1: errors, typed settings, country names and codes."""
