"""Run the rebuild: inputs -> template -> predictors -> a panel shaped exactly like EWP's prepared file.

`load_rebuilt_panel` is what a model reads instead of `tocsin.features.panel.load_panel`; `rebuild` also
returns the full working frame (for the agreement check) and every input's vintage (for the run record).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tocsin.core.errors import WarehouseError
from tocsin.features.panel import build_panel
from tocsin.features.rebuild.compare import Agreement, compare_panels
from tocsin.features.rebuild.inputs import load_inputs
from tocsin.features.rebuild.predictors import build_predictors
from tocsin.features.rebuild.template import MK_COLUMNS, build_template, compare_template
from tocsin.sources.ewp import EWP_PREDICTORS, OUTCOMES
from tocsin.warehouse.store import Warehouse

KEY = ["ccode", "year"]
FIRST_PANEL_YEAR = 1960  # EWP's prepared file starts here
# EWP's prepared file's columns, in its order.
PREPARED_COLUMNS = ("ewp_name", "year", *(p for p in EWP_PREDICTORS if p != "year"), "mk_onset_1or2", "mk_onset",
                    "ccode", "mk_onset_1", "mk_onset_2")
# Columns of EWP's prepared file that are floats; every other predictor/outcome column is an integer there.
FLOAT_COLUMNS = frozenset({
    "freediscussion", "ses_power_dist", "popsize.log2", "gdppcgrowth", "un_imr_sqrt", "efindex", "discrimpop",
    "battledeaths.log2", "mk_ongoing_count_log2", "year_sq", "countryage.new.log2", "mk_onset_1", "mk_onset_2",
})


@dataclass
class Rebuild:
    """The rebuilt panel in three shapes, with the inputs' vintages."""

    full: pd.DataFrame  # every country-year from 1934 with EWP's working columns
    prepared: pd.DataFrame  # EWP's prepared-file columns and dtypes, from 1960 (a stand-in for ewp_panel)
    panel: pd.DataFrame  # what models read (tocsin.features.panel.build_panel of `prepared`)
    through: int
    vintages: dict[str, dict[str, object]] = field(default_factory=dict)


def default_through(tables: Mapping[str, pd.DataFrame]) -> int:
    """The last year V-Dem covers: EWP's yearly update is the year its V-Dem release reaches."""
    return int(pd.to_numeric(tables["ewp_in_vdem"]["year"], errors="coerce").max())


def prepared_frame(full: pd.DataFrame) -> pd.DataFrame:
    """EWP's prepared file from the working frame: its columns, in its order and dtypes, from 1960."""
    out = full[full["year"] >= FIRST_PANEL_YEAR].copy()
    missing = [c for c in PREPARED_COLUMNS if c not in out.columns]
    if missing:
        raise WarehouseError(f"rebuild produced no {missing}")
    out = out[list(PREPARED_COLUMNS)].reset_index(drop=True)
    for col in PREPARED_COLUMNS:
        if col == "ewp_name":
            continue
        if col in FLOAT_COLUMNS or out[col].isna().any():
            out[col] = out[col].astype("float64")  # a year not yet covered by an input leaves gaps
        else:
            # EWP's file writes 15 significant digits, so a product like 3/7*7 is stored as the integer.
            out[col] = out[col].round(9).astype("int64")
    out["ewp_name"] = out["ewp_name"].astype("str")
    return out


def rebuild_from_tables(tables: Mapping[str, pd.DataFrame], through: int | None = None) -> Rebuild:
    last = default_through(tables) if through is None else through
    template = build_template(dict(tables), last)
    full = build_predictors(template, tables)
    prepared = prepared_frame(full)
    return Rebuild(full=full, prepared=prepared, panel=build_panel({"ewp_panel": prepared}), through=last)


def rebuild(warehouse: Warehouse, inputs_dir: Path | None = None, through: int | None = None) -> Rebuild:
    tables, vintages = load_inputs(warehouse, inputs_dir)
    out = rebuild_from_tables(tables, through)
    out.vintages = vintages
    return out


def load_rebuilt_panel(warehouse: Warehouse, inputs_dir: Path | None = None, through: int | None = None
                       ) -> pd.DataFrame:
    """The panel rebuilt from the inputs, with the same columns, dtypes and keys as `load_panel`'s.

    The inputs' vintages are in `frame.attrs["vintages"]` (table -> origin, file, sha256, years).
    """
    out = rebuild(warehouse, inputs_dir, through)
    panel = out.panel
    panel.attrs["vintages"] = out.vintages
    panel.attrs["through"] = out.through
    return panel


@dataclass
class Check:
    """The rebuild beside EWP's own files: the prepared predictors, and the template beside the base data."""

    agreement: Agreement
    template: dict[str, object]
    outcomes: Agreement


def check_rebuild(warehouse: Warehouse, rb: Rebuild, years: tuple[int, int] = (1990, 2024)) -> Check:
    """Compare every cell of `rb` with EWP's prepared file (`ewp_panel`) and its template with the base data."""
    ewp = warehouse.read("ewp_panel")
    basedata = warehouse.read("ewp_basedata")
    tpl_cols = ["ccode", "year", "datastartyear", "independence_year", *MK_COLUMNS]
    return Check(
        agreement=compare_panels(rb.prepared, ewp, EWP_PREDICTORS, years=years),
        template=compare_template(rb.full[tpl_cols], basedata),
        outcomes=compare_panels(rb.prepared, ewp, OUTCOMES, years=years),
    )
