"""Charts as self-contained PNG data URIs (matplotlib, no network), so an HTML report is one file."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")  # headless: reports are built on servers and in CI
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure


def to_data_uri(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def top_n_bar(table: pd.DataFrame, risk_col: str, n: int = 30, title: str = "") -> Figure:
    top = table.nlargest(n, risk_col).iloc[::-1]
    fig, ax = plt.subplots(figsize=(7, max(3.0, 0.22 * len(top) + 0.8)))
    ax.barh(top["name"], top[risk_col] * 100, color="#b2182b")
    ax.set_xlabel("Forecast probability of a new mass-killing onset (%)")
    ax.set_title(title, fontsize=10)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(axis="x", alpha=0.3)
    return fig


def recall_by_year(per_year: pd.DataFrame, k: int = 30) -> Figure:
    """Cumulative share of onsets caught in the top k, ours against EWP's published forecasts."""
    py = per_year.sort_values("year")
    fig, ax = plt.subplots(figsize=(7, 3))
    for col, label, color in ((f"top{k}_recall", "Tocsin", "#b2182b"), (f"top{k}_recall_ewp", "EWP", "#4d4d4d")):
        caught = (py[col].fillna(0) * py["onsets"]).cumsum()
        total = py["onsets"].cumsum().replace(0, np.nan)
        ax.plot(py["year"], caught / total * 100, label=label, color=color)
    ax.set_ylabel(f"% of onsets in top {k} (cumulative)")
    ax.set_ylim(0, 100)
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return fig


def reliability(y: np.ndarray, p: np.ndarray, p_ref: np.ndarray | None = None, bins: int = 10) -> Figure:
    """Observed onset rate against forecast probability, in quantile bins (rare events need quantiles)."""
    fig, ax = plt.subplots(figsize=(4.6, 4.2))
    top = 0.0
    for probs, label, color in ((p, "Tocsin", "#b2182b"), (p_ref, "EWP published", "#4d4d4d")):
        if probs is None:
            continue
        frame = pd.DataFrame({"y": y, "p": probs}).dropna()
        frame["bin"] = pd.qcut(frame["p"].rank(method="first"), bins, labels=False)
        g = frame.groupby("bin").agg(p=("p", "mean"), y=("y", "mean"), n=("y", "size"))
        ax.plot(g["p"] * 100, g["y"] * 100, "o-", label=label, color=color, ms=4)
        top = max(top, float(g["p"].max()), float(g["y"].max()))
    lim = top * 100 * 1.1
    ax.plot([0, lim], [0, lim], ls="--", color="#999", lw=1, label="perfect calibration")
    ax.set_xlim(0, lim)
    ax.set_ylim(0, lim)
    ax.set_xlabel("Forecast probability (%)")
    ax.set_ylabel("Observed onset rate (%)")
    ax.legend(frameon=False, fontsize=8)
    ax.grid(alpha=0.3)
    return fig
