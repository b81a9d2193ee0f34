"""Small made-up data for unit tests: a panel shaped like EWP's, and CSV bytes for source tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tocsin.sources.ewp import EWP_PREDICTORS


def make_panel(n_countries: int = 30, start: int = 1960, end: int = 2024, seed: int = 0) -> pd.DataFrame:
    """A country-year panel with EWP's columns; onsets are rare and driven by two of the predictors."""
    rng = np.random.default_rng(seed)
    cols = [c for c in EWP_PREDICTORS if c != "year"]
    rows = []
    for c in range(n_countries):
        base = rng.normal(size=len(cols))
        for y in range(start, end + 1):
            vals = base + rng.normal(scale=0.5, size=len(cols))
            rows.append({"ccode": 100 + c, "year": y, "ewp_name": f"Country {c}",
                         **dict(zip(cols, vals, strict=True))})
    panel = pd.DataFrame(rows)
    panel["year_sq"] = panel["year"].astype(float) ** 2
    logit = -4.5 + 1.5 * panel["discrimpop"] + 1.0 * panel["coup.try.5yr"]
    panel["mk_onset"] = (rng.random(len(panel)) < 1 / (1 + np.exp(-logit))).astype(int)
    g = panel.groupby("ccode")["mk_onset"]
    panel["mk_onset_1"] = g.shift(-1).fillna(0).astype(int)
    panel["mk_onset_2"] = g.shift(-2).fillna(0).astype(int)
    panel["mk_onset_1or2"] = ((panel["mk_onset_1"] + panel["mk_onset_2"]) > 0).astype(int)
    return panel


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()
