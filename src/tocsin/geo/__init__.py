"""Layer 3: subnational units, aggregation, gridded-product adapters, the vulnerability index, hotspots."""
