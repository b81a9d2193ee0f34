"""Sparse rows kept by key in shared, growing arrays: the per-word feature cache behind fast featurisation.

A batch of texts gathers the rows of its words with a few numpy operations, instead of concatenating one
small array per word occurrence (which was a third of featurisation time).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
from scipy import sparse


class RowStore:
    """Each key's row (column indices and values), computed once and stored; cleared past `limit` keys.

    A loaded model is shared by the web app's request threads: one lock covers a whole gather, so no thread
    reads row positions while another clears or grows the arrays.
    """

    def __init__(self, limit: int = 500_000) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        self.ids: dict[str, int] = {}
        self._indices = np.zeros(1 << 16, dtype=np.int32)
        self._data = np.zeros(1 << 16, dtype=np.float32)
        self._start = np.zeros(1 << 12, dtype=np.int64)
        self._size = np.zeros(1 << 12, dtype=np.int64)
        self._used = 0

    def gather(
        self, keys: list[str], compute: Callable[[list[str]], sparse.csr_matrix]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(column indices, values, entries per key) of the keys' rows, one after another in key order.

        Rows not stored yet come from `compute(missing keys)`, a CSR matrix with one row per key.
        """
        with self._lock:
            missing = list(set(keys).difference(self.ids))
            if missing:
                if len(self.ids) + len(missing) > self.limit:  # bounded on endless streams
                    self.clear()
                    missing = list(set(keys))
                self._add(missing, compute(missing))
            ids = np.fromiter(map(self.ids.__getitem__, keys), dtype=np.int64, count=len(keys))
            sizes = self._size[ids]
            ends = np.cumsum(sizes)
            # Output position p of key j reads stored entry start[j] + (p - where key j's entries begin).
            src = np.arange(int(ends[-1]) if len(ends) else 0) + np.repeat(self._start[ids] - (ends - sizes), sizes)
            return self._indices[src], self._data[src], sizes  # copies: later additions cannot change them

    def _add(self, keys: list[str], rows: sparse.csr_matrix) -> None:
        assert rows.shape[0] == len(keys)
        base, nnz = len(self.ids), int(rows.indptr[-1])
        self._indices = _grown(self._indices, self._used + nnz)
        self._data = _grown(self._data, self._used + nnz)
        self._start = _grown(self._start, base + len(keys))
        self._size = _grown(self._size, base + len(keys))
        self._indices[self._used : self._used + nnz] = rows.indices[:nnz]
        self._data[self._used : self._used + nnz] = rows.data[:nnz]
        self._start[base : base + len(keys)] = self._used + rows.indptr[:-1]
        self._size[base : base + len(keys)] = np.diff(rows.indptr)
        self.ids.update(zip(keys, range(base, base + len(keys)), strict=True))
        self._used += nnz


def _grown(a: np.ndarray, needed: int) -> np.ndarray:
    """`a`, or a copy with at least twice the room when `needed` entries do not fit."""
    if needed <= len(a):
        return a
    out = np.zeros(max(needed, 2 * len(a)), dtype=a.dtype)
    out[: len(a)] = a
    return out
