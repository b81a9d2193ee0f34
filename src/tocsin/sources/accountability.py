"""Security-partner accountability sources: SIPRI arms transfers, US foreign assistance, the OFAC SDN list.

All three addresses are pinned to a commit, so each file's sha256 is pinned too (from the data MANIFEST).
"""

from __future__ import annotations

import io

import pandas as pd

from tocsin.core.errors import DataError
from tocsin.sources.base import Schema, Source, read_csv_strict

SIPRI_URL = ("https://raw.githubusercontent.com/360-info/report-arms-trade/"
             "e00d2d3e57d1d6dd409f60fc367e088cce34c86e/data/sipri-exports-processed.csv")
USAID_URL = ("https://raw.githubusercontent.com/mr-ffrancis/Us-Aid-Analysis/"
             "290ca5eb0ab6398e3b1c75c6ede67b2e14afbc75/Analysis/us_foreign_aid_country.csv")
SDN_URL = ("https://raw.githubusercontent.com/jackdwyer/specially-designated-nationals-list/"
           "a5ec3c5ee4aae1b36ba24897a051787ea5429d30/sdn.csv")

SIPRI_PUBLISHER = "Stockholm International Peace Research Institute (SIPRI), tidied by 360info"
SIPRI_LICENCE = "CC BY 4.0 (360info); SIPRI data: cite SIPRI"
SIPRI_CITATION = ("SIPRI Arms Transfers Database (trend-indicator values, millions), as processed by "
                  "360info, report-arms-trade (2022). https://www.sipri.org/databases/armstransfers")
USAID_PUBLISHER = "ForeignAssistance.gov (US government), compiled by mr-ffrancis/Us-Aid-Analysis"
USAID_LICENCE = "Public domain (US government work)"
USAID_CITATION = ("U.S. Agency for International Development and U.S. Department of State, "
                  "ForeignAssistance.gov, US foreign assistance by country and fiscal year, all sectors, "
                  "1946-2022. https://foreignassistance.gov")
SDN_PUBLISHER = "US Treasury Office of Foreign Assets Control (OFAC), daily scrape by jackdwyer"
SDN_LICENCE = "Public domain (US government work)"
SDN_CITATION = ("US Department of the Treasury, OFAC, Specially Designated Nationals and Blocked Persons "
                "List (legacy CSV), snapshot of 2024-05-03. https://ofac.treasury.gov/sanctions-list-service")
SDN_SNAPSHOT = "2024-05-03"

# The legacy SDN CSV has no header; OFAC documents these twelve fields, "-0-" meaning empty.
SDN_COLUMNS = ("ent_num", "sdn_name", "sdn_type", "program", "title", "call_sign", "vess_type", "tonnage",
               "grt", "vess_flag", "vess_owner", "remarks")


def _sipri(content: bytes, file: str) -> pd.DataFrame:
    frame = read_csv_strict(content, file)
    return frame.drop(columns=[c for c in frame.columns if c.endswith(("_lon", "_lat"))])


def _us_aid(content: bytes, file: str) -> pd.DataFrame:
    frame = read_csv_strict(content, file)
    if "fiscal_year" not in frame.columns:
        raise DataError(file, "required column is missing", column="fiscal_year")
    fy = frame["fiscal_year"].astype(str).str.strip()
    # "1976tq" is the 1976 transition quarter (the US fiscal year moved from July to October): kept, flagged.
    frame["transition_quarter"] = fy.str.lower().str.endswith("tq")
    digits = fy.str.extract(r"^(\d{4})", expand=False)
    if digits.isna().any():
        bad = fy[digits.isna()].iloc[0]
        raise DataError(file, f"unreadable fiscal year {bad!r}", column="fiscal_year")
    frame["year"] = digits.astype(int)
    return frame


def _sdn(content: bytes, file: str) -> pd.DataFrame:
    if not content.strip():
        raise DataError(file, "file is empty")
    try:
        frame = pd.read_csv(io.BytesIO(content), header=None, names=list(SDN_COLUMNS), encoding="latin-1",
                            dtype=str, keep_default_na=False, on_bad_lines="error")
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError(file, f"malformed SDN CSV ({str(exc).splitlines()[0]})") from exc
    frame = frame.apply(lambda s: s.str.strip())
    frame = frame.replace({"-0-": None, "": None})
    frame = frame[frame["sdn_name"].notna()].copy()
    frame["ent_num"] = pd.to_numeric(frame["ent_num"], errors="coerce")
    if frame["ent_num"].isna().any():
        raise DataError(file, "a row has no numeric entity number (not the legacy SDN layout?)",
                        column="ent_num")
    frame["ent_num"] = frame["ent_num"].astype(int)
    return frame.reset_index(drop=True)


SOURCES: list[Source] = [
    Source(
        name="sipri_arms_transfers", url=SIPRI_URL, publisher=SIPRI_PUBLISHER, licence=SIPRI_LICENCE,
        citation=SIPRI_CITATION, parser=_sipri,
        schema=Schema({"supplier": "str", "recipient": "str", "year": "int", "value": "number",
                       "supplier_cown": "any", "recipient_cown": "any"}, min_rows=10000,
                      not_null=("supplier", "recipient", "year", "value")),
        description="Supplier-recipient-year arms transfers, SIPRI trend-indicator values (TIV, millions), "
                    "1950-2021",
        sha256="07bb55395106ab6bda65d6379bef8ffbfbc036a8ce8e607f0759baf5496f1958", family="accountability",
    ),
    Source(
        name="us_foreign_aid", url=USAID_URL, publisher=USAID_PUBLISHER, licence=USAID_LICENCE,
        citation=USAID_CITATION, parser=_us_aid,
        schema=Schema({"country_code": "str", "country_name": "str", "transaction_type_name": "str",
                       "year": "int", "constant_amount": "number", "current_amount": "number"},
                      min_rows=10000, not_null=("country_name", "year", "transaction_type_name")),
        description="US foreign assistance by country and fiscal year (obligations, disbursements, "
                    "requests), all sectors, current and constant USD",
        sha256="f908f5b01cf7d1f074d2b3fc020109ef35b31702617bb37b34eb73633537993a", family="accountability",
    ),
    Source(
        name="ofac_sdn", url=SDN_URL, publisher=SDN_PUBLISHER, licence=SDN_LICENCE, citation=SDN_CITATION,
        parser=_sdn,
        schema=Schema({"ent_num": "int", "sdn_name": "str", "sdn_type": "any", "program": "any",
                       "remarks": "any"}, min_rows=5000, not_null=("ent_num", "sdn_name")),
        description=f"OFAC Specially Designated Nationals (legacy CSV), snapshot of {SDN_SNAPSHOT}",
        sha256="210ca6b4a8187a34e0850be69ecc6e918f23ad7778b8b5b2f9c9d5fbbaf4e0cb", family="accountability",
        year_column=None,
    ),
]
