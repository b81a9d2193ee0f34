"""What changed between two forecast runs: rank moves, and the driver contributions behind each move."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from scipy.stats import spearmanr

from tocsin.core.errors import TocsinError
from tocsin.core.records import frame_records
from tocsin.evaluate.runs import Run


@dataclass
class RunDiff:
    a: str
    b: str
    moves: pd.DataFrame  # ccode, name, rank_a, rank_b, move, risk_a, risk_b, drivers (text), sorted by |move|
    spearman: float
    top30_overlap: int
    entered: list[str]
    left: list[str]
    driver_changes: pd.DataFrame  # ccode, feature, label, contribution_a, contribution_b, delta

    def to_json(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "spearman": self.spearman, "top30_overlap": self.top30_overlap,
                "entered_top30": self.entered, "left_top30": self.left, "moves": frame_records(self.moves),
                "driver_changes": frame_records(self.driver_changes)}


def _explanations(run: Run) -> pd.DataFrame:
    try:
        ex = run.store.explanations()
    except TocsinError:
        return pd.DataFrame(columns=["ccode", "feature", "label", "contribution"])
    return ex[["ccode", "feature", "label", "contribution"]]


def diff_runs(a: Run, b: Run, n_drivers: int = 3) -> RunDiff:
    """Compare two forecast runs country by country (the two-year risk and its rank)."""
    if a.kind != "forecast" or b.kind != "forecast":
        raise TocsinError("runs diff compares forecast runs")
    fa, fb = a.store.forecast(), b.store.forecast()
    cols = ["ccode", "name", "risk_2yr", "rank_2yr"]
    both = fa[cols].merge(fb[cols], on="ccode", suffixes=("_a", "_b"))
    both = both.rename(columns={"name_b": "name", "risk_2yr_a": "risk_a", "risk_2yr_b": "risk_b",
                                "rank_2yr_a": "rank_a", "rank_2yr_b": "rank_b"}).drop(columns="name_a")
    both["move"] = both["rank_a"] - both["rank_b"]  # positive: rose towards rank 1
    ea, eb = _explanations(a), _explanations(b)
    dc = ea.merge(eb, on=["ccode", "feature"], how="outer", suffixes=("_a", "_b"))
    dc["label"] = dc["label_b"].fillna(dc["label_a"]).fillna(dc["feature"])
    dc[["contribution_a", "contribution_b"]] = dc[["contribution_a", "contribution_b"]].fillna(0.0)
    dc["delta"] = dc["contribution_b"] - dc["contribution_a"]
    dc = dc[["ccode", "feature", "label", "contribution_a", "contribution_b", "delta"]]

    def drivers(ccode: int) -> str:
        d = dc[dc["ccode"] == ccode]
        d = d.reindex(d["delta"].abs().sort_values(ascending=False).index).head(n_drivers)
        d = d[d["delta"].abs() > 1e-9]
        return "; ".join(f"{r.label} {r.delta:+.2f}" for r in d.itertuples()) or "no explanation saved"

    # Biggest moves first; among equal moves, the higher-ranked country first (it matters more to a reader).
    both = both.assign(abs_move=both["move"].abs()).sort_values(["abs_move", "rank_b"], ascending=[False, True])
    both = both.drop(columns="abs_move").reset_index(drop=True)
    both["drivers"] = [drivers(int(c)) for c in both["ccode"]]
    rho = float(spearmanr(both["risk_a"], both["risk_b"]).statistic) if len(both) > 2 else float("nan")
    top_a = set(both.loc[both["rank_a"] <= 30, "name"])
    top_b = set(both.loc[both["rank_b"] <= 30, "name"])
    return RunDiff(a.id, b.id, both, rho, len(top_a & top_b), sorted(top_b - top_a), sorted(top_a - top_b),
                   dc.sort_values(["ccode", "delta"]).reset_index(drop=True))
