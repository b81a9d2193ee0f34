"""Layer 3: the country-year panel and the registry that describes every feature."""
