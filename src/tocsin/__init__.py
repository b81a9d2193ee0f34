"""Tocsin: early warning of mass atrocities."""

__version__ = "0.1.0"
