"""The one JSON-record cleaner: NaN, NA and NaT become None, NumPy scalars become Python ones, recursively."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def json_clean(value: Any) -> Any:
    """A value any JSON encoder accepts, with missing values as None (JSON has no NaN)."""
    if isinstance(value, dict):
        return {str(k): json_clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return [json_clean(v) for v in value.tolist()]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as cleaned dicts."""
    return [json_clean(r) for r in frame.astype(object).to_dict("records")]
