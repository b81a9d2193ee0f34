"""A content-addressed cache of walk-forward fits and of other pure stages of a run.

A member's forecast for year Y depends only on the model (name and hyper-parameters), the code that fits it,
the library versions, the rows it was trained on and the feature rows it scored. The key is a sha256 of all of
them, so unchanged data gives a hit and a new year of data misses only for the fits whose rows changed. Values
are written to a temporary name and renamed into place, so a crash or a concurrent run never leaves a half
file, and two runs computing the same key write identical bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")

# Libraries whose version can change a fitted model's output.
_FIT_LIBRARIES = ("glmnet-rs", "glum", "lightgbm", "scikit-learn", "numpy", "scipy", "pandas", "shap")


# The code a member's fit runs on the rows it is given: a change anywhere here invalidates cached fits. (Which
# rows a fit is given is not code but data in the key: the hashes of the training and feature rows.)
FIT_CODE = ("models",)
# Any code at all: for stages (scoring, explanations, evidence, charts) whose code is spread across layers.
ALL_CODE = ("",)


@lru_cache(maxsize=8)
def code_fingerprint(parts: tuple[str, ...] = FIT_CODE) -> str:
    """sha256 over the package version, the code under `parts` (sub-packages or modules of tocsin) and the
    fitting libraries' versions."""
    import tocsin

    root = Path(tocsin.__file__).parent
    h = hashlib.sha256(tocsin.__version__.encode())
    for sub in parts:
        target = root / sub
        for path in sorted(target.rglob("*.py")) if target.is_dir() else [target]:
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    for lib in _FIT_LIBRARIES:
        try:
            h.update(f"{lib}={metadata.version(lib)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{lib}=absent".encode())
    return h.hexdigest()


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """One uint64 per row over every column's value (and the column names), for keying subsets of rows."""
    salt = np.frombuffer(hashlib.sha256("\x1f".join(map(str, frame.columns)).encode()).digest()[:8], "<u8")[0]
    return pd.util.hash_pandas_object(frame, index=False).to_numpy(dtype=np.uint64) ^ salt


def frame_digest(frame: pd.DataFrame) -> str:
    """sha256 of a frame's values and column names (row order matters)."""
    return hashlib.sha256(row_hashes(frame).tobytes()).hexdigest()


def make_key(*parts: Any, arrays: Iterable[np.ndarray] = ()) -> str:
    h = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode())
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
        h.update(b"|")
    return h.hexdigest()


class FitCache:
    """Files under `root`, one per key: Parquet for frames, pickle for other values. `root=None` disables it."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.root is not None

    def _path(self, key: str, suffix: str) -> Path:
        assert self.root is not None
        return self.root / key[:2] / f"{key}{suffix}"

    def _write(self, path: Path, write: Callable[[Path], None]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        os.close(fd)
        try:
            write(Path(tmp))
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def frame(self, key: str, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """The cached frame, or compute and store it. The frame's attrs["cache"] says "hit" or "miss", so a
        parent process can count what its workers found (`note`)."""
        if self.root is None:
            return compute()
        path = self._path(key, ".parquet")
        if path.is_file():
            try:
                out = pd.read_parquet(path)
                out.attrs["cache"] = "hit"
                return out
            except (OSError, ValueError):
                pass  # unreadable (disk trouble): recompute and overwrite
        value = compute()
        self._write(path, lambda p: value.to_parquet(p, index=False))
        value.attrs["cache"] = "miss"
        return value

    def get_frame(self, key: str) -> pd.DataFrame | None:
        """The cached frame for `key`, or None (counted as a hit when found)."""
        if self.root is None:
            return None
        path = self._path(key, ".parquet")
        if not path.is_file():
            return None
        try:
            out = pd.read_parquet(path)
        except (OSError, ValueError):
            return None
        self.hits += 1
        return out

    def note(self, frames: list[pd.DataFrame]) -> None:
        """Count the hits and misses of frames returned by `frame`, wherever they were computed."""
        for f in frames:
            state = f.attrs.get("cache")
            self.hits += state == "hit"
            self.misses += state == "miss"

    def value(self, key: str, compute: Callable[[], T]) -> T:
        if self.root is None:
            return compute()
        path = self._path(key, ".pickle")
        if path.is_file():
            try:
                with path.open("rb") as fh:
                    out: T = pickle.load(fh)  # our own files, written by this code below
                self.hits += 1
                return out
            except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
                pass
        self.misses += 1
        value = compute()

        def dump(p: Path) -> None:
            with p.open("wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)

        self._write(path, dump)
        return value

    def size_bytes(self) -> int:
        if self.root is None or not self.root.is_dir():
            return 0
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())
