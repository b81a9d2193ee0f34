"""Layer 5: producing past forecasts (backtest), scoring them (metrics), explaining them."""
