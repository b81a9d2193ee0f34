"""Score every model variant tried for issue 13 on EWP's 5,032 rows, with country-clustered 95% intervals.
A figure script, not a test.

Each stack is a `StackedEnsemble` of registered members, fitted on the panel as known at 2023 and read out
with `past_forecasts` (weights for year Y fitted only on earlier years' out-of-sample forecasts), the same
computation `tocsin backtest` runs for the ensemble. Member walk-forward fits (1980-2024) are cached by content
in --cache, so a member shared by several stacks is fitted once. Prints each variant's AUC, top-30 recall,
Brier, Brier skill (with its interval), differences from EWP's published forecasts and from today's
four-member ensemble (clustered 95% intervals).

Usage: TOCSIN_HOME=... python bench/repression_variants.py --cache DIR [--n-jobs 2] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from tocsin.core.settings import Settings
from tocsin.evaluate.backtest import BacktestSpec, HistoryRunner, add_ranks
from tocsin.evaluate.cache import FitCache
from tocsin.evaluate.metrics import bootstrap_difference, bootstrap_intervals
from tocsin.evaluate.track_record import score_track_record
from tocsin.features.build import load_features
from tocsin.features.panel import ewp_published
from tocsin.models.ensemble import StackedEnsemble
from tocsin.models.registry import make_model
from tocsin.warehouse.store import Warehouse

MEMBERS = ("ewp", "dynamic", "lgbm", "rf", "dynamic_rep", "lgbm_rep", "rf_rep", "lgbm_rep_latent")
TODAY = "today: ewp+dynamic+lgbm+rf"
# Fixed before any 1994-2024 score was seen: the a-priori protocol (the dynamic and tree members get the new
# family), the nested alternative (the stacker weighs old and new members on its own past), and the
# with-latent measurement.
STACKS = {
    TODAY: ("ewp", "dynamic", "lgbm", "rf"),
    "a priori: ewp+dynamic_rep+lgbm_rep+rf_rep": ("ewp", "dynamic_rep", "lgbm_rep", "rf_rep"),
    "nested: the seven old and _rep members": ("ewp", "dynamic", "lgbm", "rf", "dynamic_rep", "lgbm_rep", "rf_rep"),
    "with latent: ewp+dynamic_rep+lgbm_rep_latent+rf_rep": ("ewp", "dynamic_rep", "lgbm_rep_latent", "rf_rep"),
}
SEED = 20240


def _stack(panel: pd.DataFrame, members: tuple[str, ...], runner: HistoryRunner) -> StackedEnsemble:
    known = panel[panel["year"] <= 2023]
    model = StackedEnsemble(members=tuple((m, make_model(m)) for m in members), runner=runner)
    return model.fit(known, known["mk_onset_1"])


def _score(preds: pd.DataFrame, ewp: pd.DataFrame, name: str) -> tuple[dict, pd.DataFrame]:  # type: ignore[type-arg]
    tr = score_track_record(add_ranks(preds), ewp, name, BacktestSpec(1994, 2024), seed=SEED)
    s = tr.scored
    iv = bootstrap_intervals(s["onset"].to_numpy(), (s["prob"].to_numpy(), s["rank"].to_numpy(dtype=float)),
                             groups=s["ccode"].to_numpy(), seed=SEED)
    row = {"variant": name, **{k: tr.metrics[k] for k in ("rows", "onsets", "auc", "top30_recall", "brier",
                                                           "brier_skill")},
           "intervals": iv, "vs_ewp": tr.differences}
    return row, s


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--n-jobs", type=int, default=1)
    ap.add_argument("--members", default=",".join(MEMBERS))
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    panel = load_features(Warehouse(Settings().warehouse_path)).frame
    runner = HistoryRunner(FitCache(args.cache), args.n_jobs)
    truth = panel[["ccode", "year", "mk_onset"]].rename(columns={"mk_onset": "onset"})
    ewp = ewp_published(Warehouse(Settings().warehouse_path))
    rows, scored = [], {}
    chosen = args.members.split(",")
    members = _stack(panel, tuple(chosen), runner).history_
    for m in chosen:
        p = members[members["year"].between(1994, 2024)].rename(columns={f"p_{m}": "prob"})
        p = p.dropna(subset=["prob"])[["ccode", "year", "prob"]].merge(truth, on=["ccode", "year"], how="left")
        row, _ = _score(p, ewp, f"member {m}")
        rows.append(row)
    for name, stack in STACKS.items():
        if not all(m in chosen for m in stack):
            continue
        fitted = _stack(panel, stack, runner)
        preds = fitted.past_forecasts(1994, 2024).drop(columns="target").merge(truth, on=["ccode", "year"],
                                                                               how="left")
        row, scored[name] = _score(preds, ewp, name)
        row["weights"] = {2024: fitted.weights_}
        rows.append(row)
    if TODAY in scored:
        base = scored[TODAY].sort_values(["year", "ccode"])
        for row in rows:
            if row["variant"] not in scored:
                continue
            s = scored[row["variant"]].merge(base[["ccode", "year"]], on=["ccode", "year"]).sort_values(
                ["year", "ccode"])
            b = base.merge(s[["ccode", "year"]], on=["ccode", "year"]).sort_values(["year", "ccode"])
            row["vs_today"] = bootstrap_difference(
                s["onset"].to_numpy(), (s["prob"].to_numpy(), s["rank"].to_numpy(dtype=float)),
                (b["prob"].to_numpy(), b["rank"].to_numpy(dtype=float)), groups=s["ccode"].to_numpy(), seed=SEED)
    for r in rows:
        iv = r["intervals"]["brier_skill"]
        line = (f"{r['variant']:<55} AUC {r['auc']:.3f}  top-30 {r['top30_recall']:.0%}  Brier {r['brier']:.5f}  "
                f"skill {r['brier_skill']:+.3f} ({iv['ci_low']:+.3f}, {iv['ci_high']:+.3f})")
        for key in ("vs_ewp", "vs_today"):
            if key in r:
                d = r[key]
                line += f"\n{'':<8}{key}: " + "; ".join(
                    f"Δ{m} {d[m]['difference']:+.4f} ({d[m]['ci_low']:+.4f}, {d[m]['ci_high']:+.4f})"
                    for m in ("auc", "top30_recall", "brier"))
        print(line)
        if "weights" in r:
            print(f"{'':<8}stacker weights: " + "; ".join(
                f"{y}: " + ", ".join(f"{k} {v:.2f}" for k, v in w.items()) for y, w in r["weights"].items()))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, default=str))


if __name__ == "__main__":
    main()
