"""Print the climate driver features for known droughts (Syria 2007-2010, Ethiopia 1984, Somalia 2010-2011)
with each value's percentile among the country's own observed years (1960-2020). A figure script, not a test.

Usage: TOCSIN_DATA_MIRROR=... python bench/drivers_drought_cases.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from tocsin.features.drivers import build_driver_features, required_tables
from tocsin.sources.catalog import all_sources
from tocsin.sources.download import fetch

COLS = ["spei_dry_months", "spei_severe_months", "spei12", "spei36", "spei_pop_dry_months", "precip_anom",
        "precip_pop_anom", "precip_era5_anom", "gs_precip_anom", "gs_dry_months", "gs_spei",
        "gs_era5_precip_anom", "gs_era5_dry_months", "heat_months"]
CASES = {652: ("Syria", [2007, 2008, 2009, 2010]), 530: ("Ethiopia", [1984]), 520: ("Somalia", [2010, 2011])}


def main() -> None:
    default = Path(__file__).resolve().parents[2] / "shared/data/mirror"
    mirror = Path(os.environ.get("TOCSIN_DATA_MIRROR", default))
    wanted = set(required_tables()) | {"ewp_panel"}
    tables = {}
    for src in all_sources():
        if src.name in wanted:
            f = fetch(src.url, mirror=mirror, sha256=src.sha256)
            tables[src.name] = src.parse(f.content, f.name)
    keys = tables["ewp_panel"][["ccode", "year"]].astype(int)
    drivers = build_driver_features(tables, keys).set_index(["ccode", "year"])
    pd.set_option("display.width", 200)
    for code, (name, years) in CASES.items():
        d = drivers.xs(code, level="ccode")
        d = d[(d["spei_missing"] == 0) & (d.index <= 2020)][COLS]
        pct = d.rank(pct=True)
        print(f"\n== {name}: values (median of its 1960-2020 years in the last row)")
        print(pd.concat([d.loc[years], d.median().to_frame("median").T]).round(2).T.to_string())
        print(f"-- {name}: percentile among its own years (high = many dry/hot months or a wet anomaly)")
        print(pct.loc[years].round(2).T.to_string())
    print("\nSources: CRU TS 4.07 (Harris et al. 2020), SPEIbase v2.7 (CSIC, ODbL), ERA5 (Copernicus C3S), "
          "aggregated by Gortan, Testa et al. (2024)")


if __name__ == "__main__":
    main()
