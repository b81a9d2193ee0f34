"""The root Typer app and what every command module shares: settings, one-line errors, consoles."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tocsin.core.errors import TocsinError
from tocsin.core.settings import Settings

app = typer.Typer(help="Tocsin: early warning of mass atrocities.", no_args_is_help=True)

console = Console()
err_console = Console(stderr=True)


def friendly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a TocsinError into one red line and exit code 1, instead of a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TocsinError as exc:
            err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            sys.exit(1)

    return wrapper


def settings() -> Settings:
    return Settings()




def progress_bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err_console, transient=False)


def warehouse(s: Settings):  # type: ignore[no-untyped-def]
    from tocsin.warehouse.store import Warehouse

    return Warehouse(s.warehouse_path)
