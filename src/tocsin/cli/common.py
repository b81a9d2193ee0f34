"""The root Typer app and what every command module shares: settings, one-line errors, consoles."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.status import Status

from tocsin.core.errors import TocsinError
from tocsin.core.settings import Settings

app = typer.Typer(help="Tocsin: early warning of mass atrocities.", no_args_is_help=True)


class StageConsole(Console):
    """A console whose `status(...)` spinner also leaves a plain line when its output is not a terminal:
    a spinner draws nothing into a log, so without the line a long stage would be silent there."""

    def status(self, status: Any, **kwargs: Any) -> Status:
        if not self.is_terminal:
            self.print(f"{status} ...", highlight=False, soft_wrap=True)
        return super().status(status, **kwargs)


console = Console()
err_console = StageConsole(stderr=True)


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




def progress_bar() -> Progress | PlainProgress:
    """Rich's live bar on a terminal; elsewhere (a log, a pipe, CI) plain lines that say the same."""
    if not err_console.is_terminal:
        return PlainProgress(err_console)
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err_console, transient=False)


# Seconds between two "n/m" lines of one task in a log: enough to show the command is alive, few enough to read.
PLAIN_INTERVAL = 20.0


@dataclass
class _PlainTask:
    description: str
    total: float | None
    completed: float = 0
    started: float = 0.0
    last_line: float = 0.0
    last_tenth: int = 0
    done: bool = False


class PlainProgress:
    """The calls of rich's Progress that Tocsin's commands use (`add_task`, `advance`, `update`, `tasks`), as
    plain lines: one when a stage starts or changes, "n/m" at each tenth done and at least every
    PLAIN_INTERVAL seconds, and one when it ends."""

    def __init__(self, out: Console, interval: float | None = None) -> None:
        self.out = out
        self.interval = PLAIN_INTERVAL if interval is None else interval
        self.tasks: list[_PlainTask] = []

    def __enter__(self) -> PlainProgress:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is None:
            for t in self.tasks:
                if not t.done:
                    self._line(t, "done")

    def add_task(self, description: str, total: float | None = None, completed: float = 0, **_: Any) -> int:
        now = time.monotonic()
        t = _PlainTask(description, total, completed, started=now, last_line=now)
        self.tasks.append(t)
        self._line(t, "started" if total is None else f"0/{total:g}")
        return len(self.tasks) - 1

    def advance(self, task_id: int, advance: float = 1) -> None:
        self.update(task_id, advance=advance)

    def update(self, task_id: int, *, description: str | None = None, total: float | None = None,
               completed: float | None = None, advance: float | None = None, **_: Any) -> None:
        t = self.tasks[task_id]
        if total is not None:
            t.total = total
        if completed is not None:
            t.completed = completed
        if advance:
            t.completed += advance
        if description is not None and description != t.description:
            t.description = description
            self._line(t, self._count(t))
            return
        # "done" waits for the end of the `with` block: reaching the total can mean the last step has started.
        tenth = int(10 * t.completed / t.total) if t.total else 0
        if tenth > t.last_tenth or time.monotonic() - t.last_line >= self.interval:
            self._line(t, self._count(t))
        t.last_tenth = max(t.last_tenth, tenth)

    @staticmethod
    def _count(t: _PlainTask) -> str:
        return f"{t.completed:g}/{t.total:g}" if t.total is not None else f"{t.completed:g} done"

    def _line(self, t: _PlainTask, what: str) -> None:
        now = time.monotonic()
        t.last_line = now
        if what == "done":
            t.done = True
            what = f"done{' ' + self._count(t) if t.total is not None else ''}"
        self.out.print(f"{t.description}: {what} ({now - t.started:.0f}s)", highlight=False, soft_wrap=True)


def warehouse(s: Settings):  # type: ignore[no-untyped-def]
    from tocsin.warehouse.store import Warehouse

    return Warehouse(s.warehouse_path)
