"""The rebuilt panel beside EWP's prepared file: cell agreement, the template, the withheld-2024 forecast test
and the `ewp` backtest on each panel. Prints figures only.

Needs `tocsin data pull` (the EWP sources, with `ewp_in_gw_states`). Run under nice with TOCSIN_N_JOBS=1:

    TOCSIN_HOME=... TOCSIN_DATA_MIRROR=... nice -n 10 python bench/rebuild_agreement.py [--no-backtest]
"""

from __future__ import annotations

import argparse
import time

import pandas as pd
from scipy.stats import spearmanr

from tocsin.core.settings import Settings
from tocsin.evaluate.backtest import BacktestSpec
from tocsin.evaluate.forecast import make_forecast
from tocsin.evaluate.track_record import run_track_record
from tocsin.features.panel import ewp_published, load_panel
from tocsin.features.rebuild.inputs import load_inputs
from tocsin.features.rebuild.panel import check_rebuild, rebuild, rebuild_from_tables
from tocsin.features.rebuild.template import build_template, compare_template
from tocsin.sources.ewp import EWP_PREDICTORS
from tocsin.warehouse.store import Warehouse


def agreement(wh: Warehouse) -> pd.DataFrame:
    t0 = time.perf_counter()
    rb = rebuild(wh)
    print(f"rebuild: {len(rb.prepared)} country-years 1960-{rb.through} in {time.perf_counter() - t0:.1f}s")
    chk = check_rebuild(wh, rb, (1990, 2024))
    ag = chk.agreement
    print(f"\nAgreement 1990-2024: {ag.equal_nonmissing}/{ag.nonmissing} non-missing cells equal "
          f"({ag.share_nonmissing:.4%}); all cells {ag.equal}/{ag.cells}; rows only in EWP's file "
          f"{len(ag.rows_ewp_only)}, only rebuilt {len(ag.rows_rebuilt_only)}")
    print(ag.by_predictor[["predictor", "nonmissing", "equal_nonmissing", "share_nonmissing"]].to_string(index=False))
    low = ag.by_predictor[ag.by_predictor["share_nonmissing"] < 0.99]
    print(f"predictors under 99%: {list(low['predictor']) or 'none'}; disagreement causes: {ag.causes or 'none'}")
    print(f"lowest year share: {ag.by_year['share'].min():.4%}; outcomes (mk_onset, _1, _2, _1or2) equal "
          f"{chk.outcomes.equal}/{chk.outcomes.cells}")
    whole = check_rebuild(wh, rb, (1960, 2024)).agreement
    print(f"Agreement 1960-2024: {whole.equal_nonmissing}/{whole.nonmissing} ({whole.share_nonmissing:.4%})")
    return rb.panel


def template(wh: Warehouse) -> None:
    tables, _ = load_inputs(wh)
    for legacy in (True, False):
        tpl = build_template(tables, 2024, legacy_membership=legacy)
        c = compare_template(tpl, tables["ewp_basedata"])
        label = "legacy membership years (from base data)" if legacy else "Gleditsch-Ward rules only"
        eq = {k: f"{v['equal']}/{v['cells']}" for k, v in c["variables"].items()}  # type: ignore[attr-defined]
        print(f"\nTemplate 1945-2024 vs basedata2025_4august2025.csv, {label}: rows in both {c['rows_both']}, "
              f"only rebuilt {c['rows_ours_only']}, only EWP {c['rows_ewp_only']}\n  equal: {eq}")
        if not legacy:
            print(f"  states with extra rows: {[(r['ccode'], r['min'], r['max']) for r in c['ours_only_by_state']]}")
            print(f"  states missing rows: {[(r['ccode'], r['min'], r['max']) for r in c['ewp_only_by_state']]}")


def compare_forecasts(a: pd.DataFrame, b: pd.DataFrame, label: str) -> None:
    m = a[["ccode", "risk_2yr"]].merge(b[["ccode", "risk_2yr"]], on="ccode", suffixes=("_a", "_b"))
    rho = spearmanr(m["risk_2yr_a"], m["risk_2yr_b"]).statistic
    top_a = set(a.nsmallest(30, "rank_2yr")["ccode"])
    top_b = set(b.nsmallest(30, "rank_2yr")["ccode"])
    diff = (m["risk_2yr_a"] - m["risk_2yr_b"]).abs().max()
    print(f"{label}: {len(m)} states, Spearman {rho:.4f}, top-30 overlap {len(top_a & top_b)}/30, "
          f"largest risk difference {diff:.2e}")


def withheld_2024(wh: Warehouse, ewp_panel: pd.DataFrame, rebuilt: pd.DataFrame) -> None:
    """Forecast from 2024 rows rebuilt from the inputs alone vs from EWP's own 2024 rows."""
    print("\nWithheld 2024 (ewp model, risk of onset within 2 years from 2024 data):")
    # The rebuild never reads the prepared file; its 2024 rows come from the inputs only.
    mixed = pd.concat([ewp_panel[ewp_panel["year"] <= 2023], rebuilt[rebuilt["year"] == 2024]], ignore_index=True)
    ref = make_forecast(ewp_panel, "ewp", intervals=False).table
    compare_forecasts(make_forecast(mixed, "ewp", intervals=False).table, ref,
                      "EWP's file to 2023 + rebuilt 2024 rows vs EWP's file")
    compare_forecasts(make_forecast(rebuilt, "ewp", intervals=False).table, ref,
                      "rebuilt panel (all years) vs EWP's file")
    # Without any 2024 input (every input cut at 2023), 2024 is built by EWP's carry-forward rules alone.
    tables, _ = load_inputs(wh)
    cut = {}
    for name, t in tables.items():
        col = next((c for c in ("year", "Year") if c in t.columns), None)
        cut[name] = t if col is None or name in ("ewp_basedata",) else t[pd.to_numeric(t[col]) <= 2023]
    blind = rebuild_from_tables(cut, through=2024)
    last = blind.prepared[blind.prepared["year"] == 2024]
    gaps = {p: int(last[p].isna().sum()) for p in EWP_PREDICTORS if last[p].isna().any()}
    print(f"inputs cut at 2023, frame built to 2024: states with a missing 2024 predictor: "
          f"{int(last[list(EWP_PREDICTORS)].isna().any(axis=1).sum())}/{len(last)} ({gaps})")


def backtests(wh: Warehouse, ewp_panel: pd.DataFrame, rebuilt: pd.DataFrame, n_jobs: int) -> None:
    spec = BacktestSpec(start=1994, end=2024)
    pub = ewp_published(wh)
    print("\newp backtest 1994-2024 (walk-forward), scored on EWP's published rows:")
    for label, panel in (("EWP's prepared file", ewp_panel), ("rebuilt panel", rebuilt)):
        t0 = time.perf_counter()
        tr = run_track_record(panel, pub, "ewp", spec, n_jobs=n_jobs, seed=0, n_boot=200)
        m = tr.metrics
        print(f"  {label:20s}: rows {int(m['rows'])}, onsets {int(m['onsets'])}, AUC {m['auc']:.4f}, "
              f"AP {m['average_precision']:.4f}, top-30 recall {m['top30_recall']:.4f}, Brier {m['brier']:.5f} "
              f"({time.perf_counter() - t0:.0f}s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--no-backtest", action="store_true")
    args = ap.parse_args()
    s = Settings()
    wh = Warehouse(s.warehouse_path)
    rebuilt = agreement(wh)
    template(wh)
    ewp_panel = load_panel(wh)
    assert list(rebuilt.columns) == list(ewp_panel.columns)
    withheld_2024(wh, ewp_panel, rebuilt)
    if not args.no_backtest:
        backtests(wh, ewp_panel, rebuilt, s.n_jobs)


if __name__ == "__main__":
    main()
