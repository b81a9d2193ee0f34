"""The rebuild's inputs: the warehouse's tables, each replaceable by a newer release dropped into a folder.

A file in the folder replaces a table when its name matches one of the table's patterns; it is parsed and
checked by the same parser and schema as the pulled source. Where several files match, the last in natural
order wins (`BattleDeaths_v26_1.csv` after `BattleDeaths_v25_1.csv`). Some publishers' own formats are
accepted too and turned into EWP's extract format here:

- World Bank WDI exports without EWP's `ccode` column, and UN WPP "Demographic Indicators" CSVs
  (`ISO3_code`, `Time`, `IMR`): codes from ISO3 with EWP's conventions (`ewp_ccode_from_iso3`);
- Powell & Thyne's `powell_thyne_coups_final.txt` (tab-separated, `coup` 1 failed, 2 successful);
- V-Dem's country-year CSV (`V-Dem-CY-*.csv`): its ordinal variables, transformed by `format_vdem`.

Every input's vintage (where it came from, its sha256, when it was retrieved) is recorded for the run.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tocsin.core import countries
from tocsin.core.errors import DataError, WarehouseError
from tocsin.sources.base import read_csv_strict
from tocsin.sources.catalog import get_source
from tocsin.warehouse.store import Warehouse


@dataclass(frozen=True)
class InputSpec:
    table: str
    what: str
    patterns: tuple[str, ...]  # EWP's file names (parsed by the pulled source's own parser)
    raw_patterns: tuple[str, ...] = ()  # the publisher's own format (converted here)


INPUTS: tuple[InputSpec, ...] = (
    InputSpec("ewp_events", "EWP mass-killing events master list",
              ("EWP mass killing events master list*.xlsx",)),
    InputSpec("ewp_in_gw_states", "Gleditsch-Ward independent states (EWP's sheet)",
              ("EWP mass killing events master list*.xlsx",)),
    InputSpec("ewp_basedata", "EWP base data (legacy membership years)", ("basedata*.csv",)),
    InputSpec("ewp_countrynames", "EWP country names", ("countrynamesheet_complete.csv",)),
    InputSpec("ewp_in_vdem", "V-Dem", ("vdem.Rdata",), ("V-Dem-CY-*.csv",)),
    InputSpec("ewp_in_wdi", "World Bank WDI", ("wdi.csv",), ("WDI*.csv",)),
    InputSpec("ewp_in_maddison", "Maddison Project", ("maddison.csv",)),
    InputSpec("ewp_in_hief_data", "Historical Index of Ethnic Fractionalization", ("HIEF_data.csv",)),
    InputSpec("ewp_in_epr", "Ethnic Power Relations (GROWup country-level)", ("epr-data.csv",)),
    InputSpec("ewp_in_regions", "EWP region sheet", ("reg-data.csv",)),
    InputSpec("ewp_in_iccpr", "ICCPR first optional protocol (EWP sheet)", ("iccpr-data.csv",)),
    InputSpec("ewp_in_ucdp_battledeaths", "UCDP battle-related deaths (dyadic)",
              ("BattleDeaths_v*.csv", "ucdp-brd-dyadic-*.csv")),
    InputSpec("ewp_in_coups_old", "Coups 1945-1949 (EWP, from Center for Systemic Peace)", ("old-coups.csv",)),
    InputSpec("ewp_in_coups_new", "Powell & Thyne coups", ("new-coups.csv",), ("powell_thyne_coups*.txt",)),
    InputSpec("ewp_in_un_imr", "UN World Population Prospects infant mortality", ("un_imr_clean.csv",),
              ("WPP*Demographic_Indicators*.csv",)),
)
TABLES = tuple(s.table for s in INPUTS)


def _natural(name: str) -> list[object]:
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", name)]


def _match(folder: Path, patterns: tuple[str, ...]) -> Path | None:
    hits = sorted({p for pat in patterns for p in folder.glob(pat) if p.is_file()}, key=lambda p: _natural(p.name))
    return hits[-1] if hits else None


def ewp_ccode_from_iso3(iso3: pd.Series, year: pd.Series) -> pd.Series:
    """Correlates of War codes for ISO3-keyed rows with EWP's conventions (Adding-in-new-data-2025.Rmd):
    Serbia is 345; CZE is Czechoslovakia (315) before 1993 and the Czech Republic (316) after; Slovakia 317
    from 1993; Kosovo 347 from 2008; YEM is South Yemen (680) 1967-1989 and Yemen (679) from 1990."""
    base = {}
    for code in iso3.dropna().unique():
        c = countries.by_iso3(str(code))
        base[code] = c.cowcode if c else np.nan
    out = iso3.map(base).astype(float)
    out[iso3 == "SRB"] = 345
    out[(iso3 == "CZE") & (year < 1993)] = 315
    out[(iso3 == "CZE") & (year >= 1993)] = 316
    out[(iso3 == "SVK") & (year >= 1993)] = 317
    out[(iso3 == "XKX")] = np.where(year[iso3 == "XKX"] >= 2008, 347, np.nan)
    out[(iso3 == "YEM") & (year >= 1967) & (year <= 1989)] = 680
    out[(iso3 == "YEM") & (year >= 1990)] = 679
    return out


def _raw_wdi(frame: pd.DataFrame) -> pd.DataFrame:
    names = {"NY.GDP.PCAP.KD.ZG": "wdi.gdppcgrow.new", "SP.POP.TOTL": "wdi.popsize.new"}
    f = frame.rename(columns=names)
    if "ccode" not in f.columns:
        f["ccode"] = ewp_ccode_from_iso3(f["iso3c"], f["year"])
    return f


def _raw_wpp(frame: pd.DataFrame) -> pd.DataFrame:
    f = frame.rename(columns={"ISO3_code": "iso3c", "Time": "year", "IMR": "un_imr"})
    f = f[f["iso3c"].notna() & (f["iso3c"] != "")][["iso3c", "year", "un_imr"]].copy()
    f["ccode"] = ewp_ccode_from_iso3(f["iso3c"], f["year"])
    return f


def _raw_coups(content: bytes, file: str) -> pd.DataFrame:
    try:
        f = pd.read_csv(io.BytesIO(content), sep="\t")
    except Exception as exc:  # a malformed file raises many kinds of parser errors
        raise DataError(file, f"not a readable tab-separated file ({exc})") from exc
    if not {"ccode", "year", "coup"} <= set(f.columns):
        raise DataError(file, "expected Powell & Thyne's columns ccode, year, coup")
    f["cou.any"] = f["coup"].isin([1, 2]).astype(int)
    return f[["ccode", "country", "year", "cou.any"]].drop_duplicates()


def _raw_vdem(content: bytes, file: str) -> pd.DataFrame:
    keep = ["COWcode", "country_name", "year", "v2clkill_ord", "v2clsocgrp_ord", "v2clrgunev_ord", "v2csreprss_ord",
            "v2pepwrsoc_ord", "v2psparban_ord", "v2jureform_ord", "v2clrelig_ord", "v2xcl_disc", "v2pepwrses",
            "v2csgender_ord", "v2mecenefm_ord"]
    f = pd.read_csv(io.BytesIO(content), usecols=lambda c: c in keep, low_memory=False)
    if missing := set(keep) - set(f.columns):
        raise DataError(file, f"V-Dem file lacks {sorted(missing)}")
    return f


def _read_file(spec: InputSpec, path: Path, content: bytes) -> pd.DataFrame:
    raw = any(path.match(p) for p in spec.raw_patterns) and not any(path.match(p) for p in spec.patterns)
    if raw and spec.table == "ewp_in_coups_new":
        return _raw_coups(content, path.name)
    if raw and spec.table == "ewp_in_vdem":
        return _raw_vdem(content, path.name)
    if raw and spec.table == "ewp_in_un_imr":
        return _raw_wpp(read_csv_strict(content, path.name))
    if spec.table == "ewp_in_wdi":
        return get_source(spec.table).parse(content, path.name) if not raw else _raw_wdi(
            read_csv_strict(content, path.name))
    return get_source(spec.table).parse(content, path.name)


def load_inputs(warehouse: Warehouse, inputs_dir: Path | None = None
                ) -> tuple[dict[str, pd.DataFrame], dict[str, dict[str, object]]]:
    """Every input table and its vintage; a matching file in `inputs_dir` replaces the warehouse's table."""
    tables: dict[str, pd.DataFrame] = {}
    vintages: dict[str, dict[str, object]] = {}
    prov = warehouse.provenance().set_index("source") if warehouse.exists() else pd.DataFrame()
    if inputs_dir is not None and not inputs_dir.is_dir():
        raise DataError(str(inputs_dir), "inputs folder does not exist")
    for spec in INPUTS:
        path = _match(inputs_dir, spec.patterns + spec.raw_patterns) if inputs_dir else None
        if path is not None:
            content = path.read_bytes()
            tables[spec.table] = _read_file(spec, path, content)
            vintages[spec.table] = {"input": spec.what, "origin": "folder", "file": str(path),
                                    "sha256": hashlib.sha256(content).hexdigest()}
            continue
        if not warehouse.has(spec.table):
            raise WarehouseError(f"input {spec.table} ({spec.what}) is neither in the warehouse nor in the inputs "
                                 "folder: run `tocsin data pull`")
        tables[spec.table] = warehouse.read(spec.table)
        p = prov.loc[spec.table]
        vintages[spec.table] = {"input": spec.what, "origin": f"warehouse ({p['origin']})", "file": p["address"],
                                "sha256": p["sha256"], "retrieved_at": str(p["retrieved_at"])[:19]}
    for spec in INPUTS:
        years = _years(tables[spec.table])
        if years:
            vintages[spec.table]["years"] = years
    return tables, vintages


def _years(frame: pd.DataFrame) -> list[int] | None:
    for col in ("year", "Year", "startyear"):
        if col in frame.columns:
            y = pd.to_numeric(frame[col], errors="coerce").dropna()
            if len(y):
                return [int(y.min()), int(y.max())]
    return None
