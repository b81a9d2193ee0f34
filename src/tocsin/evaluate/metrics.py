"""Scores for rare-event forecasts: discrimination (AUC, AP), accuracy (Brier, skill), and top-k recall."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from sklearn.metrics import average_precision_score, roc_auc_score

TOP_K: tuple[int, ...] = (10, 20, 30)


def brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2))


def topk_recall(frame: pd.DataFrame, k: int, rank_col: str = "rank") -> float:
    """Share of onsets whose forecast ranked inside that year's top k."""
    onsets = frame[frame["onset"] == 1]
    if onsets.empty:
        return float("nan")
    return float((onsets[rank_col] <= k).mean())


def score(frame: pd.DataFrame, prob_col: str = "prob", rank_col: str = "rank") -> dict[str, float]:
    """Metrics over rows with columns onset, prob (or prob_col) and rank (within year)."""
    f = frame.dropna(subset=[prob_col, "onset"])
    y = f["onset"].to_numpy(dtype=float)
    p = f[prob_col].to_numpy(dtype=float)
    out: dict[str, float] = {"rows": float(len(f)), "onsets": float(y.sum())}
    both = 0 < y.sum() < len(y)
    out["auc"] = float(roc_auc_score(y, p)) if both else float("nan")
    out["average_precision"] = float(average_precision_score(y, p)) if both else float("nan")
    out["brier"] = brier(y, p)
    base = y.mean() if len(y) else float("nan")
    out["base_rate"] = float(base)
    out["brier_base_rate"] = brier(y, np.full_like(y, base))
    out["brier_skill"] = 1.0 - out["brier"] / out["brier_base_rate"] if out["brier_base_rate"] > 0 else float("nan")
    for k in TOP_K:
        out[f"top{k}_recall"] = topk_recall(f, k, rank_col)
    return out


def score_by_year(frame: pd.DataFrame, prob_col: str = "prob", rank_col: str = "rank") -> pd.DataFrame:
    rows = []
    for year, g in frame.groupby("year"):
        s = score(g, prob_col, rank_col)
        rows.append({"year": int(year), **s})
    return pd.DataFrame(rows)


MetricFn = Callable[[np.ndarray, np.ndarray, np.ndarray], float]


def _auc(y: np.ndarray, p: np.ndarray, r: np.ndarray) -> float:
    """ROC AUC by the Mann-Whitney rank sum (ties count half), as roc_auc_score but without its input checks,
    which dominate the cost of a thousand bootstrap replicates."""
    pos = y == 1
    n1 = int(pos.sum())
    n0 = len(y) - n1
    ranks = rankdata(p)
    return float((ranks[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def _brier(y: np.ndarray, p: np.ndarray, r: np.ndarray) -> float:
    return brier(y, p)


def _topk(k: int) -> MetricFn:
    def fn(y: np.ndarray, p: np.ndarray, r: np.ndarray) -> float:
        return float((r[y == 1] <= k).mean())

    return fn


def _brier_skill(y: np.ndarray, p: np.ndarray, r: np.ndarray) -> float:
    base = brier(y, np.full_like(p, y.mean(), dtype=float))
    return 1.0 - brier(y, p) / base if base > 0 else float("nan")


BOOTSTRAP_METRICS: dict[str, MetricFn] = {"auc": _auc, "brier": _brier, "top30_recall": _topk(30),
                                          "brier_skill": _brier_skill}


class ClusterResampler:
    """Country-clustered (block) bootstrap: each replicate draws as many countries as there are, with
    replacement, and takes all of each drawn country's rows (all its years) together.

    A country's years are strongly correlated (the same regime, the same conflict), so resampling
    country-years one by one treats ~5,000 rows as independent and gives intervals that are too narrow.
    Replicates without both an onset and a non-onset are redrawn (AUC and recall need both).
    """

    def __init__(self, y: np.ndarray, groups: np.ndarray | None, seed: int = 0) -> None:
        self.y = np.asarray(y, dtype=int)
        g = np.arange(len(self.y)) if groups is None else np.asarray(groups)
        if len(g) != len(self.y):
            raise ValueError("groups must have one value per row")
        _, inverse = np.unique(g, return_inverse=True)
        order = np.argsort(inverse, kind="stable")
        bounds = np.flatnonzero(np.diff(inverse[order])) + 1
        self.blocks = np.split(order, bounds)
        self.rng = np.random.default_rng(seed)

    @property
    def n_clusters(self) -> int:
        return len(self.blocks)

    def draw(self) -> np.ndarray:
        while True:
            pick = self.rng.integers(0, len(self.blocks), len(self.blocks))
            idx = np.concatenate([self.blocks[i] for i in pick])
            yy = self.y[idx]
            if 0 < yy.sum() < len(yy):
                return idx


def bootstrap_difference(
    y: np.ndarray,
    a: tuple[np.ndarray, np.ndarray],
    b: tuple[np.ndarray, np.ndarray],
    *,
    groups: np.ndarray | None = None,
    metrics: Sequence[str] = ("auc", "top30_recall", "brier"),
    n_boot: int = 1000,
    seed: int = 0,
) -> dict[str, dict[str, float]]:
    """Difference a - b of each metric, with a 95% percentile interval from the country-clustered bootstrap.

    `groups` is each row's country (cluster); every caller in Tocsin passes it. Without it each row is its own
    cluster (an ordinary bootstrap, kept for callers outside Tocsin). `a` and `b` are (probabilities,
    within-year ranks) on the same rows; ranks stay as computed on the full data (recall is the share of the
    resample's onsets ranked inside the top k).
    """
    y = np.asarray(y, dtype=int)
    res = ClusterResampler(y, groups, seed)
    draws = {m: np.empty(n_boot) for m in metrics}
    for i in range(n_boot):
        idx = res.draw()
        yy = y[idx]
        for m in metrics:
            fn = BOOTSTRAP_METRICS[m]
            draws[m][i] = fn(yy, a[0][idx], a[1][idx]) - fn(yy, b[0][idx], b[1][idx])
    out: dict[str, dict[str, float]] = {}
    for m in metrics:
        fn = BOOTSTRAP_METRICS[m]
        point = fn(y, a[0], a[1]) - fn(y, b[0], b[1])
        lo, hi = np.nanpercentile(draws[m], [2.5, 97.5])
        out[m] = {"difference": float(point), "ci_low": float(lo), "ci_high": float(hi),
                  "clusters": float(res.n_clusters), "n_boot": float(n_boot)}
    return out


def bootstrap_intervals(
    y: np.ndarray,
    a: tuple[np.ndarray, np.ndarray],
    *,
    groups: np.ndarray | None = None,
    metrics: Sequence[str] = ("auc", "top30_recall", "brier", "brier_skill"),
    n_boot: int = 1000,
    seed: int = 0,
) -> dict[str, dict[str, float]]:
    """Each metric of one forecast with its 95% country-clustered percentile interval."""
    y = np.asarray(y, dtype=int)
    res = ClusterResampler(y, groups, seed)
    draws = {m: np.empty(n_boot) for m in metrics}
    for i in range(n_boot):
        idx = res.draw()
        for m in metrics:
            draws[m][i] = BOOTSTRAP_METRICS[m](y[idx], a[0][idx], a[1][idx])
    out: dict[str, dict[str, float]] = {}
    for m in metrics:
        lo, hi = np.nanpercentile(draws[m], [2.5, 97.5])
        out[m] = {"value": float(BOOTSTRAP_METRICS[m](y, a[0], a[1])), "ci_low": float(lo), "ci_high": float(hi)}
    return out
