"""What each driver family adds: the same walk-forward backtest for the base model and base + each family.

All variants are scored on the same rows (those with EWP's published forecasts), and each difference from
the base has a 95% interval from the country-clustered bootstrap (tocsin.evaluate.metrics: countries are
resampled with all their years). The repression and conflict evidence family is measured without Fariss'
smoothed latent scores (`base+repression`) and with them (`base+repression+latent`); `base+all` takes every
family without them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from tocsin.evaluate.backtest import BacktestSpec, add_ranks, restrict_to, walk_forward
from tocsin.evaluate.metrics import bootstrap_difference, score
from tocsin.models.registry import make_model

REPRESSION = "repression and conflict evidence"
FAMILIES = ("climate", "inequality", "ethno-nationalism", "transnational", REPRESSION)


@dataclass(frozen=True)
class Variant:
    name: str
    families: tuple[str, ...]
    latent: bool = False  # with the smoothed latent scores of the repression family (Fariss)

    @property
    def feature_sets(self) -> tuple[str, ...]:
        def one(f: str) -> str:
            if f == REPRESSION:
                return "drivers-repression+latent" if self.latent else "drivers-repression"
            return f"drivers:{f}"

        return ("ewp", *[one(f) for f in self.families])


def _short(family: str) -> str:
    return "repression" if family == REPRESSION else family


def variants(families: tuple[str, ...] = FAMILIES) -> list[Variant]:
    out = [Variant("base", ()), *[Variant(f"base+{_short(f)}", (f,)) for f in families]]
    if REPRESSION in families:
        out.append(Variant("base+repression+latent", (REPRESSION,), latent=True))
    return [*out, Variant("base+all", families)]


@dataclass
class AblationResult:
    spec: BacktestSpec
    rows: int
    onsets: int
    table: pd.DataFrame  # variant, families, auc, top30_recall, brier, d_* and CI columns
    clusters: int = 0  # countries resampled by the bootstrap

    def to_json(self) -> dict[str, Any]:
        return {
            "spec": {"start": self.spec.start, "end": self.spec.end},
            "rows": self.rows, "onsets": self.onsets,
            "variants": [
                {"name": r["variant"], "driver_families": r["families"].split("+") if r["families"] else [],
                 "latent_scores": bool(r.get("latent", False)),
                 "metrics": {k: r[k] for k in ("auc", "top30_recall", "brier", "brier_skill")},
                 "difference_from_base": {
                     m: {"difference": r[f"d_{m}"], "ci_low": r[f"d_{m}_lo"], "ci_high": r[f"d_{m}_hi"]}
                     for m in ("auc", "top30_recall", "brier")}}
                for r in self.table.to_dict("records")
            ],
            "interval": "95% percentile, country-clustered bootstrap (countries resampled with all their years)",
            "clusters": self.clusters,
        }


def run_ablation(
    panel: pd.DataFrame,
    rows: pd.DataFrame,
    spec: BacktestSpec,
    *,
    families: tuple[str, ...] = FAMILIES,
    n_jobs: int = 1,
    seed: int = 0,
    n_boot: int = 1000,
    progress: Callable[[int], None] | None = None,
    model_params: dict[str, Any] | None = None,
) -> AblationResult:
    """`rows`: the (ccode, year) rows to score on (the foundation's: EWP's published forecasts)."""
    params = model_params or {}
    preds: dict[str, pd.DataFrame] = {}
    for v in variants(families):
        p = walk_forward(panel, lambda v=v: make_model("ewp+", feature_sets=v.feature_sets, **params), spec,
                         n_jobs=n_jobs, progress=progress)
        preds[v.name] = restrict_to(p, rows)
    # Score every variant on the rows all of them could forecast.
    common = preds["base"][["ccode", "year"]]
    for p in preds.values():
        common = common.merge(p[["ccode", "year"]], on=["ccode", "year"])
    aligned = {k: add_ranks(p.merge(common, on=["ccode", "year"]).sort_values(["year", "ccode"]))
               for k, p in preds.items()}
    base = aligned["base"]
    out = []
    for v in variants(families):
        a = aligned[v.name]
        s = score(a)
        d = bootstrap_difference(
            base["onset"].to_numpy(), (a["prob"].to_numpy(), a["rank"].to_numpy(dtype=float)),
            (base["prob"].to_numpy(), base["rank"].to_numpy(dtype=float)), groups=base["ccode"].to_numpy(),
            n_boot=n_boot, seed=seed)
        row = {"variant": v.name, "families": "+".join(v.families), "latent": v.latent, "auc": s["auc"],
               "top30_recall": s["top30_recall"], "brier": s["brier"], "brier_skill": s["brier_skill"]}
        for m, dd in d.items():
            row[f"d_{m}"], row[f"d_{m}_lo"], row[f"d_{m}_hi"] = dd["difference"], dd["ci_low"], dd["ci_high"]
        out.append(row)
    return AblationResult(spec, len(base), int(base["onset"].sum()), pd.DataFrame(out),
                          clusters=int(base["ccode"].nunique()))
