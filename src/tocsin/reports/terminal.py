"""Terminal rendering (rich) of the driver ablation, so `tocsin drivers` stays thin and fits 80 columns: each
metric is one column whose cell stacks the value, the difference from the base and its interval."""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.table import Table


def _cell(value: float, diff: float, lo: float, hi: float, fmt: str, base: bool) -> str:
    shown = format(value, fmt.lstrip("+"))
    if base:  # no difference from itself to show
        return shown
    return f"{shown}\n{diff:{fmt}}\n({lo:{fmt}}, {hi:{fmt}})"


def ablation(table: pd.DataFrame, *, rows: int, onsets: int, clusters: int, start: int, end: int) -> list[Any]:
    t = Table(title=f"What each driver family adds ({rows} country-years, {onsets} onsets, {start}-{end})",
              caption=f"Each cell: the variant's score, its difference from the base, and that difference's 95% "
                      f"interval (bootstrap over {clusters} countries, all their years together).",
              show_lines=True)
    t.add_column("variant")
    for col in ("AUC", "top-30 recall", "Brier"):
        t.add_column(col, justify="right", no_wrap=True)
    for r in table.itertuples():
        b = r.variant == "base"
        # "base+ethno-nationalism" breaks after "base" rather than inside a family's name.
        t.add_row(str(r.variant).replace("+", " +"),
                  _cell(r.auc, r.d_auc, r.d_auc_lo, r.d_auc_hi, "+.3f", b),
                  _cell(r.top30_recall, r.d_top30_recall, r.d_top30_recall_lo, r.d_top30_recall_hi, "+.0%", b),
                  _cell(r.brier, r.d_brier, r.d_brier_lo, r.d_brier_hi, "+.5f", b))
    return [t]
