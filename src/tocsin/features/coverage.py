"""Coverage of a table by year: the share of its country-years that hold a value, per column."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def coverage_by_year(frame: pd.DataFrame, key_cols: Sequence[str], value_cols: Sequence[str],
                     year_col: str = "year") -> pd.DataFrame:
    """One row per year: `n_keys` (distinct keys, e.g. country-years) and, per value column, the share of
    those keys with at least one non-missing value. Keys repeated (country x month rows) count once, with a
    value if any of their rows has one.

    >>> coverage_by_year(pd.DataFrame({"ccode": [1, 2], "year": [2000, 2000], "x": [1.0, None]}),
    ...                  ["ccode", "year"], ["x"]).to_dict("records")
    [{'year': 2000, 'n_keys': 2, 'x': 0.5}]
    """
    keys = list(key_cols)
    if year_col not in keys:
        raise ValueError(f"key_cols {keys} must include the year column {year_col!r}")
    missing = [c for c in [*keys, *value_cols] if c not in frame.columns]
    if missing:
        raise ValueError(f"frame lacks columns {missing}")
    has = frame[list(value_cols)].notna()
    per_key = pd.concat([frame[keys], has], axis=1).groupby(keys, dropna=False)[list(value_cols)].any()
    per_key = per_key.reset_index()
    out = per_key.groupby(year_col)[list(value_cols)].mean()
    out.insert(0, "n_keys", per_key.groupby(year_col).size())
    return out.reset_index()
