"""Layer 7: the command-line interface (Typer), thin over the library. Nothing imports it."""
