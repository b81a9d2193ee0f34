"""Score every PRIO-GRID cell (259,200) for one year of a made-up global grid; prints the time taken.

The grid is random (seeded), not data: 30 years of annual rainfall per cell give the drought hazard as a
past-only standardised anomaly for the scored year; vegetation, exposure and past violence are random, with
some cells and whole "countries" missing components so that reweighting is exercised. Components are
normalised within made-up countries (10 x 10 degree blocks). Run: python bench/bench_grid_scoring.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from tocsin.geo.units import NCELLS, all_cells
from tocsin.geo.vulnerability import past_anomaly, score

YEARS = 30
SCORED_YEAR = 2020


def made_up_grid(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    cells = all_cells()
    cells["country"] = (cells["row"] // 20) * 36 + cells["col"] // 20
    years = np.arange(SCORED_YEAR - YEARS + 1, SCORED_YEAR + 1)
    rain = pd.DataFrame({
        "gid": np.repeat(cells["gid"].to_numpy(), YEARS),
        "year": np.tile(years, NCELLS),
        "rain": rng.gamma(4.0, 150.0, NCELLS * YEARS),
    })
    n = NCELLS
    comps = pd.DataFrame({
        "gid": cells["gid"], "country": cells["country"],
        "vegetation": np.where(rng.random(n) < 0.1, np.nan, rng.normal(0, 1, n)),
        "exposure": np.where(rng.random(n) < 0.3, np.nan, rng.random(n)),
        "violence": np.where(cells["country"] % 3 == 0, np.nan, np.log1p(rng.poisson(0.3, n) * 10.0)),
    })
    return rain, comps


def main() -> None:
    rng = np.random.default_rng(20240)
    t0 = time.perf_counter()
    rain, comps = made_up_grid(rng)
    t1 = time.perf_counter()
    z = past_anomaly(rain, "rain", keys=("gid",), time="year", min_years=10)
    drought = -z[rain["year"] == SCORED_YEAR]
    comps["drought"] = drought.to_numpy()
    comps["year"] = SCORED_YEAR
    t2 = time.perf_counter()
    out = score(comps, group=("country", "year"))
    out["rank_in_country"] = out.groupby(comps["country"])["total"].rank(method="min", ascending=False)
    t3 = time.perf_counter()
    assert len(out) == NCELLS and out["total"].notna().all()
    print(f"cells scored: {len(out):,} ({comps['country'].nunique()} made-up countries, "
          f"{YEARS * NCELLS:,} cell-years of rainfall)")
    print(f"build made-up grid: {t1 - t0:.2f} s")
    print(f"drought anomaly vs past years: {t2 - t1:.2f} s")
    print(f"normalise + weight + rank: {t3 - t2:.2f} s")
    print(f"total (anomaly + scoring): {t3 - t1:.2f} s  (target < 30 s)")
    share = {c: f"{out['missing'].str.contains(c).mean():.0%}" for c in ("drought", "vegetation", "exposure",
                                                                          "violence", "exclusion")}
    print(f"mean coverage {out['coverage'].mean():.3f}; share of cells missing each component: {share}")


if __name__ == "__main__":
    main()
