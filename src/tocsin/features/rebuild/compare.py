"""Cell-by-cell agreement between the rebuilt panel and EWP's prepared predictor file.

Two cells are equal when both are missing, or both are present and agree to the file's precision (EWP writes
15 significant digits; a relative or absolute difference under 1e-9 is taken as equal). Every other cell is a
disagreement, classified by what differs (present in one only, or a different value) and, where the rebuild
knows it, by a cause: by default the inputs the predictor is built from (tocsin.features.rebuild.registry), the
place to look first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tocsin.features.rebuild.registry import inputs_of

KEY = ["ccode", "year"]
RTOL = ATOL = 1e-9

Cause = Callable[[pd.DataFrame], pd.Series]


@dataclass
class Agreement:
    """Per predictor and per year: cells compared, equal, and the disagreements with their causes."""

    by_predictor: pd.DataFrame  # predictor, cells, nonmissing, equal, equal_nonmissing, share, share_nonmissing
    by_year: pd.DataFrame  # year, cells, equal, share
    disagreements: pd.DataFrame  # ccode, year, ewp_name, predictor, ewp, rebuilt, kind, cause
    rows_ewp_only: pd.DataFrame  # country-years in EWP's file that the rebuild lacks
    rows_rebuilt_only: pd.DataFrame
    years: tuple[int, int]
    causes: dict[str, int] = field(default_factory=dict)

    @property
    def cells(self) -> int:
        return int(self.by_predictor["cells"].sum())

    @property
    def equal(self) -> int:
        return int(self.by_predictor["equal"].sum())

    @property
    def nonmissing(self) -> int:
        return int(self.by_predictor["nonmissing"].sum())

    @property
    def equal_nonmissing(self) -> int:
        return int(self.by_predictor["equal_nonmissing"].sum())

    @property
    def share_nonmissing(self) -> float:
        return self.equal_nonmissing / self.nonmissing if self.nonmissing else float("nan")

    def to_json(self) -> dict[str, object]:
        return {
            "years": list(self.years), "cells": self.cells, "equal": self.equal, "nonmissing": self.nonmissing,
            "equal_nonmissing": self.equal_nonmissing, "share_nonmissing": self.share_nonmissing,
            "rows_ewp_only": len(self.rows_ewp_only), "rows_rebuilt_only": len(self.rows_rebuilt_only),
            "by_predictor": self.by_predictor.to_dict("records"), "by_year": self.by_year.to_dict("records"),
            "causes": self.causes,
            "disagreements": self.disagreements.astype({"ewp": object, "rebuilt": object})
            .where(self.disagreements.notna(), None).to_dict("records"),
        }


def equal_cells(a: pd.Series, b: pd.Series) -> pd.Series:
    x, y = a.astype(float).to_numpy(), b.astype(float).to_numpy()
    both_missing = np.isnan(x) & np.isnan(y)
    close = np.isclose(x, y, rtol=RTOL, atol=ATOL)
    return pd.Series(both_missing | close, index=a.index)


def compare_panels(
    rebuilt: pd.DataFrame,
    ewp: pd.DataFrame,
    predictors: Sequence[str],
    *,
    years: tuple[int, int] = (1990, 2024),
    causes: dict[str, Cause] | None = None,
) -> Agreement:
    """Compare the country-years both frames hold in `years`; rows held by one only are listed apart.

    `causes` maps a predictor to a function that, given the disagreeing rows (with the rebuild's working
    columns), returns each row's cause; rows it leaves empty are "unexplained".
    """
    lo, hi = years
    a = rebuilt[(rebuilt["year"] >= lo) & (rebuilt["year"] <= hi)]
    b = ewp[(ewp["year"] >= lo) & (ewp["year"] <= hi)].astype({"ccode": int, "year": int})
    m = b.merge(a, on=KEY, how="outer", suffixes=("_ewp", ""), indicator=True)
    both = m[m["_merge"] == "both"].reset_index(drop=True)
    per_pred, per_year, bad_frames = [], [], []
    eq_by_year = pd.DataFrame(index=both.index)  # predictor -> equal? (`year` is also a predictor)
    causes = causes or {}
    for p in predictors:
        # `year` is both a key and a predictor: equal by construction on matched rows.
        ours, theirs = both[p], both[p if p in KEY else f"{p}_ewp"]
        eq = equal_cells(ours, theirs)
        nonmissing = theirs.notna() | ours.notna()
        eq_by_year[p] = eq
        per_pred.append({
            "predictor": p, "cells": len(both), "equal": int(eq.sum()), "nonmissing": int(nonmissing.sum()),
            "equal_nonmissing": int((eq & nonmissing).sum()),
        })
        if (~eq).any():
            rows = both[~eq].copy()
            rows[f"{p}_ewp"] = theirs[~eq]
            kind = np.where(rows[p].isna(), "missing in rebuild",
                            np.where(rows[f"{p}_ewp"].isna(), "missing in EWP", "different value"))
            cause = causes[p](rows) if p in causes else pd.Series(f"inputs: {inputs_of(p)}", index=rows.index)
            bad_frames.append(pd.DataFrame({
                "ccode": rows["ccode"], "year": rows["year"], "ewp_name": rows.get("ewp_name_ewp", rows["ccode"]),
                "predictor": p, "ewp": rows[f"{p}_ewp"], "rebuilt": rows[p], "kind": kind,
                "cause": cause.fillna("").replace("", "unexplained"),
            }))
    bp = pd.DataFrame(per_pred)
    bp["share"] = bp["equal"] / bp["cells"]
    bp["share_nonmissing"] = bp["equal_nonmissing"] / bp["nonmissing"].where(bp["nonmissing"] > 0)
    for y, g in eq_by_year.groupby(both["year"]):
        cells = g.to_numpy()
        per_year.append({"year": int(y), "cells": int(cells.size), "equal": int(cells.sum())})
    by = pd.DataFrame(per_year)
    by["share"] = by["equal"] / by["cells"]
    bad = pd.concat(bad_frames, ignore_index=True) if bad_frames else pd.DataFrame(
        columns=["ccode", "year", "ewp_name", "predictor", "ewp", "rebuilt", "kind", "cause"])
    counts = bad.groupby(["predictor", "cause"]).size()
    return Agreement(
        by_predictor=bp, by_year=by, disagreements=bad.sort_values(["predictor", "ccode", "year"]),
        rows_ewp_only=m.loc[m["_merge"] == "left_only", KEY].reset_index(drop=True),
        rows_rebuilt_only=m.loc[m["_merge"] == "right_only", KEY].reset_index(drop=True),
        years=years, causes={f"{p}: {c}": int(n) for (p, c), n in counts.items()},
    )
