"""Income inequality: the Standardized World Income Inequality Database (SWIID) summary, country-year Gini of
disposable and market income with standard errors (the mean and sd of SWIID's 100 imputations)."""

from __future__ import annotations

from tocsin.sources.base import Schema, Source
from tocsin.sources.parsers import csv_parser

SWIID = Source(
    name="swiid_summary",
    url="https://raw.githubusercontent.com/fsolt/swiid/d644379bdf8cfaf1616155077c0ebb83fc9e93b3/data/swiid_summary.csv",
    publisher="Standardized World Income Inequality Database (Frederick Solt)",
    licence="Free for research use with citation (Solt 2020); see fsolt/swiid",
    citation=(
        "Solt, Frederick (2020). Measuring Income Inequality Across Countries and Over Time: The "
        "Standardized World Income Inequality Database. Social Science Quarterly 101(3):1183-1199. "
        "SWIID Version 9.x"
    ),
    parser=csv_parser(),
    schema=Schema({"country": "str", "year": "int", "gini_disp": "number", "gini_disp_se": "number",
                   "gini_mkt": "number", "gini_mkt_se": "number"}, min_rows=5000,
                  not_null=("country", "year")),
    description="Gini of disposable and market income (0-100) with standard errors, country-year 1960-2025",
    sha256="d300669bf91f25f272ed100422fd381eab8125868fb73cba68fc4fda5212affd",
    family="inequality",
)

SOURCES: list[Source] = [SWIID]
