"""Rendering rich output as an 80-column terminal would show it, for the tests that check the CLI's width."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console


def render(items: list[Any], width: int = 80) -> list[str]:
    out = io.StringIO()
    con = Console(file=out, width=width, force_terminal=False, color_system=None)
    for item in items:
        con.print(item, highlight=False)
    return out.getvalue().splitlines()
