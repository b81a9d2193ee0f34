"""Subnational sources: admin-1 polygons, Syria NDVI by governorate, district rainfall/PDSI, UCDP GED (CAR).

Admin-1 polygons (one GeoJSON per ISO3, 251 files) are not loaded into the warehouse: `admin1()` fetches one
country's file on demand, verifies its pinned sha256 and caches the verified bytes under
`$TOCSIN_HOME/cache/admin1/`. The small tabular sources are in SOURCES, loaded by `tocsin data pull`.
"""

from __future__ import annotations

import hashlib
import io
import json
from functools import cache
from importlib import resources
from pathlib import Path

import geopandas as gpd
import pandas as pd

from tocsin.core.errors import DataError
from tocsin.sources.base import Parser, Schema, Source
from tocsin.sources.download import fetch
from tocsin.sources.parsers import excel_sheet_parser, rdata_parser

# ---- Natural Earth admin-1 (via Orange3-Geo) ---------------------------------------------------------
ADMIN1_BASE = (
    "https://raw.githubusercontent.com/biolab/orange3-geo/60c55557bf5f0ec3969592955ded0887b1162995/"
    "orangecontrib/geo/geojson/"
)
ADMIN1_PUBLISHER = "Natural Earth 1:10m admin-1, simplified (Orange3-Geo, Biolab)"
ADMIN1_LICENCE = "Public domain (Natural Earth)"
ADMIN1_CITATION = "Natural Earth admin-1 states/provinces, via biolab/orange3-geo (naturalearthdata.com)"

# Natural Earth puts a few internationally unrecognised entities in files of their own; UN membership and
# GAUL count them inside the state, so a country's unit set includes them (documented, not silent).
ADMIN1_EXTRA_FILES: dict[str, tuple[str, ...]] = {"SOM": ("SOL",), "CYP": ("CYN",)}


@cache
def _admin1_hashes() -> dict[str, str]:
    text = resources.files("tocsin.sources").joinpath("admin1_sha256.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def admin1_url(iso3: str) -> str:
    return f"{ADMIN1_BASE}admin1-{iso3.upper()}.json"


def admin1_available(iso3: str) -> bool:
    return iso3.upper() in _admin1_hashes()


def _admin1_bytes(iso3: str, mirror: Path | None, cache_dir: Path | None) -> bytes:
    iso3 = iso3.upper()
    hashes = _admin1_hashes()
    if iso3 not in hashes:
        raise DataError(f"admin1-{iso3}.json", "no Natural Earth admin-1 file for this ISO3 code")
    pinned = hashes[iso3]
    cached = cache_dir / f"admin1-{iso3}.json" if cache_dir else None
    if cached is not None and cached.is_file():
        content = cached.read_bytes()
        if hashlib.sha256(content).hexdigest() == pinned:
            return content  # a corrupt cache entry falls through to a fresh fetch
    content = fetch(admin1_url(iso3), mirror=mirror, sha256=pinned).content
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".part")
        tmp.write_bytes(content)
        tmp.replace(cached)
    return content


def _read_admin1(content: bytes, file: str, iso3: str) -> gpd.GeoDataFrame:
    try:
        frame = gpd.read_file(io.BytesIO(content))
    except Exception as exc:  # pyogrio raises several kinds on malformed GeoJSON
        raise DataError(file, f"not a readable GeoJSON ({exc})") from exc
    for col in ("name", "_id", "geometry"):
        if col not in frame.columns:
            raise DataError(file, "required property is missing", column=col)
    out = gpd.GeoDataFrame(
        {
            "code": frame["_id"].astype(str),
            "name": frame["name"].where(frame["name"].notna(), frame["_id"]).astype(str),
            "hasc": frame.get("hasc", pd.Series(pd.NA, index=frame.index)).astype("string"),
            "fips": frame.get("fips", pd.Series(pd.NA, index=frame.index)).astype("string"),
            "source_file": file,
            "iso3": iso3,
        },
        geometry=frame.geometry.values,
        crs=frame.crs or "EPSG:4326",
    )
    return out


def admin1(iso3: str, mirror: Path | None, cache_dir: Path | None = None) -> gpd.GeoDataFrame:
    """Admin-1 polygons of one country: code (Natural Earth id), name, hasc, fips, iso3, geometry (EPSG:4326).

    Includes the files listed in ADMIN1_EXTRA_FILES for the country (e.g. Somaliland for Somalia).
    """
    iso3 = iso3.upper()
    parts = []
    for code in (iso3, *ADMIN1_EXTRA_FILES.get(iso3, ())):
        content = _admin1_bytes(code, mirror, cache_dir)
        parts.append(_read_admin1(content, f"admin1-{code}.json", iso3))
    frame = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)
    return frame.to_crs("EPSG:4326")


# ---- Syria: WFP/HDX NDVI and rainfall workbook --------------------------------------------------------
SYRIA_URL = (
    "https://raw.githubusercontent.com/khder90/syria-rainfall-ndvi-forecasting/"
    "065b59fbae11737e0a417ea158cd611b49e6564b/DATA.xlsx"
)
SYRIA_SHA256 = "85dc9d447cb5a99d257cc15aa51b2b883d4e60c1f9831279694f748082fe0fb9"
SYRIA_PUBLISHER = (
    "WFP / HDX Syria subnational NDVI and rainfall indicators (CHIRPS, MODIS), compiled by khder90"
)
SYRIA_LICENCE = "CC BY-IGO (HDX); cite WFP"
SYRIA_CITATION = (
    "World Food Programme (2025). Syria rainfall and NDVI subnational indicators, Humanitarian Data "
    "Exchange; compiled in khder90/syria-rainfall-ndvi-forecasting DATA.xlsx"
)

# OCHA COD-AB admin-1 P-codes, the coding WFP's HDX indicators use. The workbook's own Governorate column
# names these codes with FIPS 10-4 names instead; `tocsin.geo.hotspots` tests which labelling the data fit.
SYRIA_OCHA_PCODES: dict[str, str] = {
    "SY01": "Damascus", "SY02": "Aleppo", "SY03": "Rural Damascus", "SY04": "Homs", "SY05": "Hama",
    "SY06": "Lattakia", "SY07": "Idleb", "SY08": "Al-Hasakeh", "SY09": "Deir-ez-Zor", "SY10": "Tartous",
    "SY11": "Ar-Raqqa", "SY12": "Dar'a", "SY13": "As-Sweida", "SY14": "Quneitra",
}


def _with_year_month(parser: Parser) -> Parser:
    def parse(content: bytes, file: str) -> pd.DataFrame:
        frame = parser(content, file)
        if "Date" in frame.columns:
            dates = pd.to_datetime(frame["Date"], errors="coerce")
            if dates.isna().any():
                raise DataError(file, f"{int(dates.isna().sum())} unreadable date(s)", column="Date")
            frame["year"] = dates.dt.year.astype("int64")
            frame["month"] = dates.dt.month.astype("int64")
        return frame

    return parse


def _syria(name: str, sheet: str, schema: Schema, description: str, year_column: str | None) -> Source:
    return Source(
        name=name, url=SYRIA_URL, publisher=SYRIA_PUBLISHER, licence=SYRIA_LICENCE, citation=SYRIA_CITATION,
        parser=_with_year_month(excel_sheet_parser(sheet)), schema=schema, description=description,
        sha256=SYRIA_SHA256, family="climate", year_column=year_column, tags=("subnational",),
    )


# ---- HarvestChoice district rainfall (CRU TS 3.22) and PDSI, by GAUL district -------------------------
HC_BASE = (
    "https://raw.githubusercontent.com/harvestchoice/hc-shiny/e30decfc6c97be85faa826ce95167835360654b7/"
    "rainfall/data/rds/"
)
HC_PUBLISHER = "HarvestChoice (IFPRI): CRU TS 3.22 precipitation and NCAR PDSI by GAUL district"
HC_LICENCE = "GPL-3 repository; CRU data under the Open Government Licence; GAUL codes non-commercial"
HC_CITATION = (
    "HarvestChoice (2015). hc-shiny rainfall app data: CRU TS 3.22 (Harris et al. 2014) and PDSI "
    "(Dai 2011) summarised by FAO GAUL 2008 district. https://github.com/harvestchoice/hc-shiny"
)
# GAUL admin-0 codes of the five files, checked against ADM0_NAME inside each file by the parser.
HC_GAUL: dict[str, tuple[int, str]] = {
    "KEN": (133, "Kenya"), "ETH": (79, "Ethiopia"), "SOM": (226, "Somalia"), "SDN": (6, "Sudan"),
    "NGA": (182, "Nigeria"),
}
HC_SHA256: dict[str, str] = {
    "pre133": "6f8f214d7073eac22becc46a3e26a1d0e92fd026af4e10147f6821d9e9eb6d26",
    "pdsi133": "af93f4907f498edfee59b6464dcc275876d07f2b5c2a6034645546deecd25fc3",
    "pre79": "ffe118431a0d1c0a7c528aaa76745ad3783ac7e44ffa22de96ae266fbb956d6e",
    "pdsi79": "396dbb6dfa1cb9172975ce5decf54204c6bed7463379283d4fe5cee05df421df",
    "pre226": "12c6abc163a9a91743ec74093a37c1308829fe79e8431ea514308744ce78861c",
    "pdsi226": "064eb6bd42d6ffb43fc521136c3db4948f0f9ef2886f43259480c7f832371bdb",
    "pre6": "184d72ac0a2e89398ff9179cdb3e98d9491e531a8043a744ce999909dcc3f90a",
    "pdsi6": "42a18d47bcf190efd0d29882208ff74110c6c0af4856a86a1df15931a9651177",
    "pre182": "7511d5c6497cc3b5b9527f4cf761c0400187aed97714864e69eee6ef37af6093",
    "pdsi182": "0241ed78d5d53349296a57f37038e2589c7a527e5164f4337c3b94e4f004aa09",
}
HC_COLUMNS = {"ADM0_CODE", "ADM0_NAME", "ADM1_CODE", "ADM1_NAME", "ADM2_CODE", "ADM2_NAME", "month", "value"}


def hc_table(variable: str, iso3: str) -> str:
    """Warehouse table name of a HarvestChoice file, e.g. `hc_pdsi_ken`."""
    return f"hc_{variable}_{iso3.lower()}"


def _as_str(col: pd.Series) -> pd.Series:
    """Strings from an R factor without converting row by row (categories are few, rows many)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        cats = pd.Series(col.cat.categories.astype(str))
        return pd.Series(cats.to_numpy()[col.cat.codes.to_numpy()], index=col.index, dtype="str")
    return col.astype(str)


def _hc_parser(gaul: int, country: str) -> Parser:
    base = rdata_parser()

    def parse(content: bytes, file: str) -> pd.DataFrame:
        raw = base(content, file)
        missing = HC_COLUMNS - set(raw.columns)
        if missing:
            raise DataError(file, "required column is missing", column=sorted(missing)[0])
        codes = set(pd.unique(raw["ADM0_CODE"]))
        if codes != {gaul}:
            raise DataError(file, f"expected GAUL country code {gaul} ({country}), found {sorted(codes)}",
                            column="ADM0_CODE")
        # Parse each distinct month once: the Nigeria files hold half a million rows.
        codes, uniques = pd.factorize(raw["month"].astype(object))
        parsed = pd.to_datetime(pd.Series(uniques).astype(str), errors="coerce")
        if parsed.isna().any() or (codes < 0).any():
            raise DataError(file, "unreadable or empty month value(s)", column="month")
        dates = pd.DatetimeIndex(parsed.to_numpy()[codes])
        return pd.DataFrame({
            "gaul0": raw["ADM0_CODE"].astype("int64"),
            "country": _as_str(raw["ADM0_NAME"]),
            "adm1_code": raw["ADM1_CODE"].astype("int64"),
            "adm1_name": _as_str(raw["ADM1_NAME"]),
            "adm2_code": raw["ADM2_CODE"].astype("int64"),
            "adm2_name": _as_str(raw["ADM2_NAME"]),
            "year": dates.year.astype("int64"),
            "month": dates.month.astype("int64"),
            "value": raw["value"].astype("float64"),
        })

    return parse


def _hc_source(variable: str, iso3: str) -> Source:
    gaul, country = HC_GAUL[iso3]
    key = f"{variable}{gaul}"
    what = "monthly precipitation (mm, CRU TS 3.22)" if variable == "pre" else "monthly PDSI (NCAR)"
    return Source(
        name=hc_table(variable, iso3), url=f"{HC_BASE}{key}.rds", publisher=HC_PUBLISHER, licence=HC_LICENCE,
        citation=HC_CITATION, parser=_hc_parser(gaul, country),
        schema=Schema({"adm1_name": "str", "adm2_name": "str", "adm2_code": "int", "year": "int",
                       "month": "int", "value": "any"}, min_rows=10_000,
                      not_null=("adm1_name", "adm2_name", "year", "month")),
        description=f"{country}: GAUL district {what}", sha256=HC_SHA256[key], family="climate",
        tags=("subnational",),
    )


# ---- UCDP GED 23.1, Central African Republic extract ---------------------------------------------------
GED_URL = (
    "https://raw.githubusercontent.com/optgeo/ucdp-23.1-482/be05b36cd56d147ca1d47bb392c186b6b7447d56/"
    "GEDEvent_v23_1.geojson"
)
GED_SHA256 = "50d8777d20bfae5be57e96dd49289483c70f8cbf6afd8d7962a8a6cb4c8d6bc0"
GED_PUBLISHER = "Uppsala Conflict Data Program, Georeferenced Event Dataset 23.1 (CAR extract by optgeo)"
GED_LICENCE = "CC BY 4.0 (UCDP); extract repository CC0"
GED_CITATION = (
    "Davies, Pettersson & Öberg (2023), Organized violence 1989-2022, Journal of Peace Research; "
    "Sundberg & Melander (2013), Introducing the UCDP Georeferenced Event Dataset, JPR 50(4)"
)
GED_KEEP = ("id", "year", "type_of_violence", "conflict_name", "dyad_name", "side_a", "side_b", "where_prec",
            "adm_1", "adm_2", "priogrid_gid", "country", "country_id", "date_start", "date_end",
            "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "high", "low")


def parse_ged_geojson(content: bytes, file: str) -> pd.DataFrame:
    """GED GeoJSON -> one row per event with `latitude`/`longitude` taken from the point geometry."""
    try:
        doc = json.loads(content)
        feats = doc["features"]
    except (ValueError, KeyError, TypeError) as exc:
        raise DataError(file, f"not a GeoJSON FeatureCollection ({exc})") from exc
    rows = []
    for i, feat in enumerate(feats):
        props = feat.get("properties") or {}
        geom = feat.get("geometry") or {}
        if geom.get("type") != "Point":
            raise DataError(file, f"feature {i} is not a point ({geom.get('type')})", column="geometry")
        lon, lat = geom["coordinates"][:2]
        rows.append({**{k: props.get(k) for k in GED_KEEP}, "latitude": float(lat), "longitude": float(lon)})
    frame = pd.DataFrame(rows)
    for col in ("id", "year", "type_of_violence", "where_prec", "priogrid_gid", "country_id", "best", "high",
                "low", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown"):
        if col in frame.columns:
            try:
                frame[col] = pd.to_numeric(frame[col], errors="raise").astype("Int64")
            except (ValueError, TypeError) as exc:
                raise DataError(file, f"expected whole numbers ({exc})", column=col) from exc
    return frame


GED_CAR = Source(
    name="ucdp_ged_car", url=GED_URL, publisher=GED_PUBLISHER, licence=GED_LICENCE, citation=GED_CITATION,
    parser=parse_ged_geojson,
    schema=Schema({"id": "int", "year": "int", "type_of_violence": "int", "priogrid_gid": "int",
                   "latitude": "number", "longitude": "number", "best": "int", "adm_1": "any"},
                  min_rows=1000, not_null=("year", "priogrid_gid", "latitude", "longitude")),
    description="UCDP GED 23.1 geolocated events, Central African Republic 1991-2022", sha256=GED_SHA256,
    family="traditional", tags=("subnational",),
)

SYRIA_SOURCES: list[Source] = [
    _syria("syria_ndvi_regional", "Regional_NDVI",
           Schema({"PCODE": "str", "Governorate": "str", "NDVI_Raw": "number",
                   "NDVI_Anomaly_Index_pct": "number", "Mean_Input_Pixels": "number",
                   "year": "int", "month": "int"}, min_rows=3000,
                  not_null=("PCODE", "NDVI_Raw")),
           "Syria monthly NDVI (raw and anomaly index) for 14 governorates, 2002-2025", "year"),
    _syria("syria_governorates", "Governorate_Map",
           Schema({"PCODE": "str", "Governorate": "str"}, min_rows=14, not_null=("PCODE",)),
           "Syria governorate codes as the workbook labels them", None),
    _syria("syria_national", "National_Final",
           Schema({"Year": "int", "Month": "int", "Rainfall_R1H_mm": "number", "SPI_3": "number",
                   "SPI_6": "number"}, min_rows=200),
           "Syria national monthly CHIRPS rainfall and SPI-3/6, 2002-2025", "Year"),
]

HC_SOURCES: list[Source] = [_hc_source(v, iso3) for iso3 in HC_GAUL for v in ("pre", "pdsi")]

SOURCES: list[Source] = [*SYRIA_SOURCES, *HC_SOURCES, GED_CAR]
