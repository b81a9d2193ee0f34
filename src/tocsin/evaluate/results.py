"""The artifacts of one run (forecast, track record, member history, explanations, ablation), by name.

A run's folder is written through this store while the run is made and read through it afterwards
(`tocsin.evaluate.runs`); readers (reports, web) never refit a model.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from tocsin.core.errors import WarehouseError
from tocsin.core.records import json_clean
from tocsin.evaluate.forecast import Forecast
from tocsin.evaluate.track_record import TrackRecord


class ResultsStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _write_parquet(self, frame: pd.DataFrame, name: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{name}.tmp"
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, self.root / name)  # readers never see a half-written file

    def _write_json(self, payload: dict[str, Any], name: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{name}.tmp"
        tmp.write_text(json.dumps(json_clean(payload), indent=1, default=str))
        os.replace(tmp, self.root / name)

    def _read_parquet(self, name: str) -> pd.DataFrame:
        path = self.root / name
        if not path.is_file():
            raise WarehouseError(f"no saved results {path}: run `tocsin forecast` first")
        return pd.read_parquet(path)

    # ---- forecast ----------------------------------------------------------------------------------
    def save_forecast(self, fc: Forecast) -> None:
        table = fc.table.copy()
        table["base_year"] = fc.base_year
        table["model"] = fc.model
        self._write_parquet(table, "forecast.parquet")
        self._write_json({"model": fc.model, "base_year": fc.base_year, "spearman_vs_ewp": fc.spearman_vs_ewp,
                          "n_compared": fc.n_compared}, "forecast.json")

    def forecast(self) -> pd.DataFrame:
        """ccode, iso3, name, risk_1yr, risk_2yr, rank_1yr, rank_2yr, ewp_risk_2yr, ewp_rank_2yr, base_year, model."""
        return self._read_parquet("forecast.parquet")

    def forecast_meta(self) -> dict[str, Any]:
        return json.loads((self.root / "forecast.json").read_text())

    # ---- track record ------------------------------------------------------------------------------
    def save_track_record(self, tr: TrackRecord) -> None:
        self._write_parquet(tr.predictions, f"backtest_{tr.model}.parquet")
        self._write_parquet(tr.scored, f"scored_{tr.model}.parquet")
        payload = tr.to_json()
        payload.pop("predictions")
        payload.pop("scored_rows")
        self._write_json(payload, f"track_record_{tr.model}.json")

    def track_record(self, model: str) -> dict[str, Any]:
        path = self.root / f"track_record_{model}.json"
        if not path.is_file():
            raise WarehouseError(f"no saved track record for {model!r}: run `tocsin forecast` first")
        return json.loads(path.read_text())

    def backtest_predictions(self, model: str) -> pd.DataFrame:
        """Every past forecast: ccode, year, prob, rank, onset."""
        return self._read_parquet(f"backtest_{model}.parquet")

    def scored(self, model: str) -> pd.DataFrame:
        """The rows scored beside EWP: ccode, year, prob, rank, onset, ewp_name, ewp_prob, ewp_rank."""
        return self._read_parquet(f"scored_{model}.parquet")

    # ---- composite models' member history ----------------------------------------------------------
    def save_member_history(self, model: str, wide: pd.DataFrame) -> None:
        self._write_parquet(wide, f"members_{model}.parquet")

    def member_history(self, model: str) -> pd.DataFrame | None:
        path = self.root / f"members_{model}.parquet"
        return pd.read_parquet(path) if path.is_file() else None

    # ---- driver ablation ---------------------------------------------------------------------------
    def save_ablation(self, payload: dict[str, Any]) -> None:
        self._write_json(payload, "ablation.json")

    def ablation(self) -> dict[str, Any] | None:
        path = self.root / "ablation.json"
        return json.loads(path.read_text()) if path.is_file() else None

    # ---- explanations ------------------------------------------------------------------------------
    def save_explanations(self, frame: pd.DataFrame) -> None:
        self._write_parquet(frame, "explanations.parquet")

    def explanations(self) -> pd.DataFrame:
        return self._read_parquet("explanations.parquet")
