"""Scores for rare-event forecasts: discrimination (AUC, AP), accuracy (Brier, skill), and top-k recall."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
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
    return float(roc_auc_score(y, p))


def _brier(y: np.ndarray, p: np.ndarray, r: np.ndarray) -> float:
    return brier(y, p)


def _topk(k: int) -> MetricFn:
    def fn(y: np.ndarray, p: np.ndarray, r: np.ndarray) -> float:
        return float((r[y == 1] <= k).mean())

    return fn


BOOTSTRAP_METRICS: dict[str, MetricFn] = {"auc": _auc, "brier": _brier, "top30_recall": _topk(30)}


def bootstrap_difference(
    y: np.ndarray,
    a: tuple[np.ndarray, np.ndarray],
    b: tuple[np.ndarray, np.ndarray],
    *,
    metrics: Sequence[str] = ("auc", "top30_recall", "brier"),
    n_boot: int = 1000,
    seed: int = 0,
) -> dict[str, dict[str, float]]:
    """Difference a - b of each metric, with a 95% percentile interval.

    Onsets and non-onsets are resampled separately (a stratified bootstrap), so every replicate keeps the
    observed number of onsets. `a` and `b` are (probabilities, within-year ranks) on the same rows; ranks
    stay as computed on the full data (recall is the share of onsets ranked inside the top k).
    """
    y = np.asarray(y, dtype=int)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    rng = np.random.default_rng(seed)
    out: dict[str, dict[str, float]] = {}
    draws = {m: np.empty(n_boot) for m in metrics}
    for i in range(n_boot):
        idx = np.concatenate([rng.choice(pos, len(pos)), rng.choice(neg, len(neg))])
        yy = y[idx]
        for m in metrics:
            fn = BOOTSTRAP_METRICS[m]
            draws[m][i] = fn(yy, a[0][idx], a[1][idx]) - fn(yy, b[0][idx], b[1][idx])
    for m in metrics:
        fn = BOOTSTRAP_METRICS[m]
        point = fn(y, a[0], a[1]) - fn(y, b[0], b[1])
        lo, hi = np.percentile(draws[m], [2.5, 97.5])
        out[m] = {"difference": float(point), "ci_low": float(lo), "ci_high": float(hi)}
    return out
