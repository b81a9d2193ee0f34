"""Layer 4: forecasting models. Each follows scikit-learn's estimator contract and takes frames, never a store."""
