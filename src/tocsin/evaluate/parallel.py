"""Where the heavy loops run: local worker processes, or a Dask cluster when TOCSIN_DASK_SCHEDULER names one.

Every walk-forward fit, bootstrap replicate and ablation variant goes through `run_tasks`, which keeps the
tasks' order, so results are identical whichever engine ran them (each task is deterministic on its own).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from joblib import Parallel, delayed, parallel_config

from tocsin.core.errors import TocsinError

SCHEDULER_ENV = "TOCSIN_DASK_SCHEDULER"


@contextlib.contextmanager
def _backend(scheduler: str | None) -> Iterator[None]:
    if not scheduler:
        yield
        return
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - distributed is a dependency
        raise TocsinError("TOCSIN_DASK_SCHEDULER is set but dask.distributed is not installed") from exc
    try:
        client = Client(scheduler, timeout="10s", set_as_default=False)
    except OSError as exc:
        raise TocsinError(f"cannot reach the Dask scheduler {scheduler!r}: {exc}") from exc
    try:
        with parallel_config(backend="dask", client=client):  # type: ignore[arg-type]
            yield
    finally:
        client.close()


def run_tasks(
    fn: Callable[..., Any],
    args: Sequence[tuple[Any, ...]],
    *,
    n_jobs: int = 1,
    scheduler: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Any]:
    """fn(*a) for each a in args, in order. Local processes by default; on Dask when a scheduler is named
    (argument, else the TOCSIN_DASK_SCHEDULER environment variable)."""
    scheduler = scheduler if scheduler is not None else os.environ.get(SCHEDULER_ENV) or None
    out: list[Any] = []
    if not args:
        return out
    if n_jobs == 1 and not scheduler:
        for a in args:
            out.append(fn(*a))
            if progress:
                progress(1)
        return out
    tasks: Iterable[Any] = (delayed(fn)(*a) for a in args)
    with _backend(scheduler):
        jobs = -1 if scheduler else n_jobs
        for value in Parallel(n_jobs=jobs, return_as="generator")(tasks):
            out.append(value)
            if progress:
                progress(1)
    return out
