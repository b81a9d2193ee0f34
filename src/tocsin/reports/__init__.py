"""Layer 6: reports (HTML, PDF) and charts."""
