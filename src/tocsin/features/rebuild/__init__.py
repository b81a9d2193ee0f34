"""Rebuild of the EWP country-year panel from its raw inputs (see template, predictors, compare)."""
