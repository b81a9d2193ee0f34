"""Early Warning Project inputs the panel rebuild needs beyond those in `ewp.py`: the state-system list.

EWP builds its country-year frame from the Gleditsch-Ward independent-states sheet of its events workbook
(`build_countryears_mkevents_2025.R`); the rebuild (tocsin.features.rebuild) reads it from this table.
"""

from __future__ import annotations

from tocsin.sources.base import Schema, Source
from tocsin.sources.ewp import CITATION, LICENCE, PUBLISHER, _url, pinned
from tocsin.sources.parsers import excel_sheet_parser

_WORKBOOK = "1.Buildcountryyears_and_mk_data/EWP mass killing events master list_2025.xlsx"

SOURCES: list[Source] = [
    Source(
        name="ewp_in_gw_states", url=_url(_WORKBOOK), publisher=PUBLISHER, licence=LICENCE, citation=CITATION,
        # The sheet's name starts with a space in the workbook.
        parser=excel_sheet_parser(" Gleditsch ind states"),
        schema=Schema({"COW_number": "int", "COW_name": "str", "entry_year": "int", "end_year_2017": "int"},
                      min_rows=150, not_null=("COW_number", "COW_name", "entry_year", "end_year_2017")),
        description="Gleditsch-Ward independent states (entry and end years) as EWP uses them",
        family="ewp", year_column="entry_year", **pinned(_WORKBOOK),
    ),
]
