"""Climate sources: country x month precipitation, temperature and SPEI-1; country-year temperature anomalies;
EM-DAT drought impact (optional: its terms forbid redistribution).

The country x month files (Gortan, Testa et al., aggregated to GADM level-0 units) are wide: a `Date` column
like ``X190101`` and one column per GADM code (ISO3 for states; some codes are territories or GADM-only
units such as ``XKO`` Kosovo or ``Z01`` disputed areas). They are stored tidy: (iso3, year, month, value);
cells without a value are not stored (a missing month is an absent row).
"""

from __future__ import annotations

import io
import re

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from tocsin.core.errors import DataError, SchemaError
from tocsin.sources.base import Parser, Schema, Source, read_csv_strict

CLIMATE_REPO = "https://raw.githubusercontent.com/testalorenzo/climate_repository/55aeb1e14dab3a53ba1184d8626b8787a9dd26e3/"
OWID_REPO = "https://raw.githubusercontent.com/ddl0620/aEr/9c448f1c1baff443bbd214629a55fae4932598d6/data/"
EMDAT_REPO = (
    "https://raw.githubusercontent.com/open-numbers/ddf--open_numbers--em_dat_indicators/"
    "861e7c49caa87e699eedf9426647ee09ff7f4fee/"
)

GADM_PUBLISHER = (
    "Gortan, Testa et al. climate_repository (country aggregates of CRU TS 4.07, ERA5, SPEIbase v2.7)"
)
GADM_CITATION = (
    "Gortan M., Testa L., Fagiolo G., Lamperti F. (2024). A unified dataset for pre-processed climate "
    "indicators weighted by gridded economic activity. Scientific Data 11, 533. Underlying data: {underlying}"
)
CRU_CITE = (
    "Harris I. et al. (2020). Version 4 of the CRU TS monthly high-resolution gridded multivariate "
    "climate dataset. Scientific Data 7, 109"
)
ERA5_CITE = "Hersbach H. et al. (2020). The ERA5 global reanalysis. QJRMS 146, 1999-2049 (Copernicus C3S)"
SPEI_CITE = (
    "Vicente-Serrano S.M. et al. (2010). A multiscalar drought index sensitive to global warming: the "
    "Standardized Precipitation Evapotranspiration Index. J. Climate 23; SPEIbase v2.7 (CSIC)"
)

_DATE = re.compile(r"^X(\d{4})(\d{2})$")
_MONTHLY_SCHEMA = Schema({"iso3": "str", "year": "int", "month": "int", "value": "number"}, min_rows=100_000,
                         not_null=("iso3", "year", "month", "value"))


def wide_monthly_parser(content: bytes, file: str) -> pd.DataFrame:
    """Wide parquet (`Date` = X<YYYY><MM>, one column per GADM code) -> tidy (iso3, year, month, value)."""
    try:
        table = pq.read_table(io.BytesIO(content))
    except (pa.ArrowInvalid, pa.ArrowException, OSError) as exc:
        raise DataError(file, f"not a readable parquet file ({exc})") from exc
    wide = table.to_pandas()
    if "Date" not in wide.columns:
        raise SchemaError(file, "required column is missing", column="Date")
    parts = wide["Date"].astype(str).str.extract(_DATE)
    bad = parts[0].isna()
    if bad.any():
        example = wide["Date"][bad].iloc[0]
        raise SchemaError(file, f"{int(bad.sum())} date(s) not like X190101, e.g. {example!r}", column="Date")
    codes = [c for c in wide.columns if c != "Date"]
    non_numeric = [c for c in codes if not pd.api.types.is_numeric_dtype(wide[c])]
    if non_numeric:
        raise SchemaError(file, "expected numeric values", column=non_numeric[0])
    values = wide[codes].astype("float64")
    values.index = pd.MultiIndex.from_arrays([parts[0].astype(int), parts[1].astype(int)],
                                             names=["year", "month"])
    long = values.stack(future_stack=True).dropna().rename("value").reset_index()
    long = long.rename(columns={"level_2": "iso3"})
    bad_month = ~long["month"].between(1, 12)
    if bad_month.any():
        raise SchemaError(file, "month outside 1-12", column="Date")
    long["iso3"] = long["iso3"].astype(str)
    return long[["iso3", "year", "month", "value"]]


def _gadm(name: str, file: str, sha256: str, what: str, underlying: str, licence: str) -> Source:
    return Source(
        name=name, url=CLIMATE_REPO + "data/" + file, publisher=GADM_PUBLISHER, licence=licence,
        citation=GADM_CITATION.format(underlying=underlying), parser=wide_monthly_parser,
        schema=_MONTHLY_SCHEMA,
        description=what, sha256=sha256, family="climate", year_column="year",
    )


_CRU_LICENCE = "CRU TS: Open Government Licence v3 (cite Harris et al. 2020 and the aggregation's article)"
_SPEI_LICENCE = "SPEIbase: Open Database License (ODbL 1.0)"
_ERA5_LICENCE = "Copernicus C3S licence (cite ERA5)"

_MONTHLY: list[Source] = [
    _gadm("climate_cru_pre", "gadm0_cru_pre_un__monthly.parquet",
          "669f5fc5f03fde07281cc52d030320a52fdf3bbae591213bdd68145f69ca51e2",
          "Precipitation (mm/month), area mean by country, 1901-2022 (CRU TS 4.07)", CRU_CITE, _CRU_LICENCE),
    _gadm("climate_cru_pre_pop", "gadm0_cru_pre_pop_2015_monthly.parquet",
          "7d74e8a16e4202bfcf0c59b21572c56cc404b59ad94a774e6b42ba1b6082fc4d",
          "Precipitation (mm/month), weighted by 2015 population, 1901-2022 (CRU TS 4.07)", CRU_CITE,
          _CRU_LICENCE),
    _gadm("climate_cru_tmp", "gadm0_cru_tmp_un__monthly.parquet",
          "6d0d3e068246852bce88e3d0118d5d79fadaf904d29554e9bd6d18207d01b958",
          "Mean temperature (deg C), area mean by country, 1901-2022 (CRU TS 4.07)", CRU_CITE, _CRU_LICENCE),
    _gadm("climate_era5_pre", "gadm0_era_pre_un__monthly.parquet",
          "d29b86ce05ef1f560bafb7604743f1917377f2debdeaee168e7d36066d770921",
          "Precipitation, area mean by country, 1940-2022 (ERA5)", ERA5_CITE, _ERA5_LICENCE),
    _gadm("climate_spei1", "gadm0_spei_spei_un__monthly.parquet",
          "c8da546718f079c78e5efd892dc0eda3dc9a0c97e6bd463b465e5e9c9d66ff23",
          "SPEI-1 drought index, area mean by country, 1901-2020 (SPEIbase v2.7)", SPEI_CITE, _SPEI_LICENCE),
    _gadm("climate_spei1_pop", "gadm0_spei_spei_pop_2015_monthly.parquet",
          "b127aca1344b2eb4aaad5d9c04e67fd6ca58bafc06688a5f25031852cef98be4",
          "SPEI-1 drought index weighted by 2015 population, 1901-2020 (SPEIbase v2.7)", SPEI_CITE,
          _SPEI_LICENCE),
]

GADM_COUNTRIES = Source(
    name="climate_gadm_countries", url=CLIMATE_REPO + "poly/country_list.csv", publisher=GADM_PUBLISHER,
    licence="GADM terms (non-commercial use, attribution)",
    citation=GADM_CITATION.format(underlying="GADM 4.1"),
    parser=lambda content, file: read_csv_strict(content, file).rename(columns={"GID_0": "iso3",
                                                                                 "COUNTRY": "name"}),
    schema=Schema({"iso3": "str", "name": "str"}, min_rows=200, not_null=("iso3", "name")),
    description="GADM level-0 codes and names used by the climate aggregates (names the unmatched report)",
    sha256="74ac79890d44f16c2facb83d7a95ebd2a0b0f04923832c104200a63a23c4e2cd", family="climate",
    year_column=None,
)

OWID_PUBLISHER = "Our World in Data, from Copernicus Climate Change Service ERA5"
OWID_LICENCE = "CC BY 4.0 (Our World in Data); Copernicus C3S licence"
OWID_CITATION = (
    "Copernicus Climate Change Service (2025), ERA5 monthly averaged data; processed by Our World in Data, "
    "'Annual/monthly temperature anomalies' (vintage 2025-01)"
)


def _owid_annual(content: bytes, file: str) -> pd.DataFrame:
    frame = read_csv_strict(content, file)
    return frame.rename(columns={"Entity": "name", "Code": "iso3", "Year": "year",
                                 "Temperature_anomaly": "temp_anomaly"})


def _owid_monthly(content: bytes, file: str) -> pd.DataFrame:
    """Wide (one column per year, one row per country x month) -> (name, iso3, year, month, temp_anomaly)."""
    frame = read_csv_strict(content, file)
    for col in ("Entity", "Code", "Year"):
        if col not in frame.columns:
            raise SchemaError(file, "required column is missing", column=col)
    year_cols = [c for c in frame.columns if str(c).isdigit()]
    if not year_cols:
        raise SchemaError(file, "no year columns (expected columns named like 1950)")
    long = frame.melt(id_vars=["Entity", "Code", "Year"], value_vars=year_cols, var_name="yr",
                      value_name="temp_anomaly").dropna(subset=["temp_anomaly"])
    long = long.rename(columns={"Entity": "name", "Code": "iso3", "Year": "month"})
    long["year"] = long.pop("yr").astype(int)
    if not long["month"].between(1, 12).all():
        raise SchemaError(file, "month outside 1-12", column="Year")
    return long[["name", "iso3", "year", "month", "temp_anomaly"]].reset_index(drop=True)


_OWID: list[Source] = [
    Source(
        name="climate_temp_anomaly",
        url=OWID_REPO + "annual-temperature-anomalies/annual-temperature-anomalies.csv",
        publisher=OWID_PUBLISHER, licence=OWID_LICENCE, citation=OWID_CITATION, parser=_owid_annual,
        schema=Schema({"name": "str", "iso3": "str", "year": "int", "temp_anomaly": "number"},
                      min_rows=10_000, not_null=("name", "year")),
        description="Annual surface temperature anomaly (deg C vs 1991-2020), country-year 1940-2024 (ERA5)",
        sha256="74723143f4a39d99bf1640167e7f6d74f77cae0f2d1aff229b23a71d4a715f01", family="climate",
    ),
    Source(
        name="climate_temp_anomaly_monthly",
        url=OWID_REPO + "monthly-surface-temperature-anomalies-by-year/"
        "monthly-surface-temperature-anomalies-by-year.csv",
        publisher=OWID_PUBLISHER, licence=OWID_LICENCE, citation=OWID_CITATION, parser=_owid_monthly,
        schema=Schema({"name": "str", "iso3": "str", "year": "int", "month": "int", "temp_anomaly": "number"},
                      min_rows=100_000, not_null=("name", "year", "month")),
        description="Monthly surface temperature anomaly (deg C), country x month 1950-2025 (ERA5)",
        sha256="98d8ceffe2d903f069ea2280651029558a5765a6dfe738f458c851ea7dc85c03", family="climate",
    ),
]

EMDAT_PUBLISHER = "EM-DAT, CRED / UCLouvain, via Open Numbers (Gapminder)"
EMDAT_LICENCE = (
    "EM-DAT terms: non-commercial use with attribution; redistribution of the data is forbidden "
    "(optional source: loaded only when TOCSIN_ENABLE_EMDAT=true)"
)
EMDAT_CITATION = "EM-DAT, CRED / UCLouvain, Brussels, Belgium - www.emdat.be; compiled by Open Numbers"


def _emdat_parser(column: str) -> Parser:
    def parse(content: bytes, file: str) -> pd.DataFrame:
        frame = read_csv_strict(content, file)
        return frame.rename(columns={"time": "year", column: "value"})

    return parse


_EMDAT: list[Source] = [
    Source(
        name=f"emdat_drought_{what}",
        url=EMDAT_REPO + f"ddf--datapoints--drought_{what}_annual_number--by--geo--time.csv",
        publisher=EMDAT_PUBLISHER, licence=EMDAT_LICENCE, citation=EMDAT_CITATION,
        parser=_emdat_parser(f"drought_{what}_annual_number"),
        schema=Schema({"geo": "str", "year": "int", "value": "number"}, min_rows=1000,
                      not_null=("geo", "year")),
        description=f"{label}, country-year (EM-DAT; geo = lower-case ISO3 or Gapminder id)",
        sha256=sha, family="climate", optional_setting="enable_emdat",
    )
    for what, label, sha in (
        ("affected", "People affected by drought",
         "9068f1d94d581c8f5f92ccfd8e3665df816dca4854e36a377ea0762d6d3f91a8"),
        ("deaths", "Deaths from drought", "f2b58e0807eb5a54f0e37108dbe919e212946940c34e2449bce5332de6c2017b"),
    )
]

SOURCES: list[Source] = [*_MONTHLY, GADM_COUNTRIES, *_OWID, *_EMDAT]
