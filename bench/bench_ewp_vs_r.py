"""The `ewp` walk-forward beside R's cv.glmnet doing the same walk-forward, timed in the same run.

For each forecast year 1994-2024 both fit EWP's elastic-net logit (alpha 0.5, 10-fold CV over 100 lambdas,
lambda.min) on the rows whose two-year outcome was known by the end of the year before, and score that
year's feature rows. R runs in one Rscript process (its usual single-threaded way); Tocsin runs
`walk_forward` with TOCSIN_N_JOBS workers and no cache (cold). Data loading is outside both timings.
Needs `tocsin data pull` in TOCSIN_HOME and R with glmnet (Debian: apt-get install r-cran-glmnet).

    python bench/bench_ewp_vs_r.py [--start 1994] [--end 2024] [--repeat 1]

Prints seconds per side, the ratio, and how closely the two sets of forecasts agree. Figures, not a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from tocsin.core.settings import Settings
from tocsin.evaluate.backtest import BacktestSpec, walk_forward
from tocsin.features.build import load_features
from tocsin.models.registry import make_model
from tocsin.sources.ewp import EWP_PREDICTORS
from tocsin.warehouse.store import Warehouse

R_SCRIPT = r"""
suppressMessages(library(glmnet))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], check.names = FALSE)
preds <- strsplit(readLines(args[2]), ",")[[1]]
start <- as.integer(args[3]); end <- as.integer(args[4]); out <- args[5]
set.seed(90035)
t0 <- proc.time()[["elapsed"]]
res <- list()
for (y in start:end) {
  tr <- d[d$year <= y - 3 & !is.na(d$mk_onset_1or2), c(preds, "mk_onset_1or2")]
  tr <- tr[complete.cases(tr), ]
  fe <- d[d$year == y - 1, c("ccode", preds)]
  fe <- fe[complete.cases(fe), ]
  fit <- cv.glmnet(as.matrix(tr[, preds]), tr$mk_onset_1or2, family = "binomial", alpha = 0.5, nfolds = 10)
  p <- predict(fit, as.matrix(fe[, preds]), s = "lambda.min", type = "response")
  res[[length(res) + 1]] <- data.frame(ccode = fe$ccode, year = y, prob = as.numeric(p))
}
elapsed <- proc.time()[["elapsed"]] - t0
write.csv(do.call(rbind, res), out, row.names = FALSE)
cat(sprintf("%.3f\n", elapsed))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--start", type=int, default=1994)
    ap.add_argument("--end", type=int, default=2024)
    ap.add_argument("--repeat", type=int, default=1, help="Times each side runs; the median is printed.")
    args = ap.parse_args()
    s = Settings()
    panel = load_features(Warehouse(s.warehouse_path), drivers=False).frame
    spec = BacktestSpec(start=args.start, end=args.end)
    rscript = shutil.which("Rscript")
    py_times, r_times = [], []
    ours = theirs = None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        ours = walk_forward(panel, partial(make_model, "ewp"), spec, n_jobs=s.n_jobs)
        py_times.append(time.perf_counter() - t0)
        if rscript:
            with tempfile.TemporaryDirectory() as tmp:
                data, cols, out = Path(tmp, "panel.csv"), Path(tmp, "preds.txt"), Path(tmp, "out.csv")
                keep = ["ccode", "year", "mk_onset_1or2", *[c for c in EWP_PREDICTORS if c != "year"], "year"]
                panel[list(dict.fromkeys(keep))].to_csv(data, index=False)
                cols.write_text(",".join(EWP_PREDICTORS))
                script = Path(tmp, "wf.R")
                script.write_text(R_SCRIPT)
                done = subprocess.run([rscript, str(script), str(data), str(cols), str(args.start), str(args.end),
                                       str(out)], capture_output=True, text=True, check=True)
                r_times.append(float(done.stdout.strip().splitlines()[-1]))
                theirs = pd.read_csv(out)
    print(f"{os.cpu_count()} cores; TOCSIN_N_JOBS={s.n_jobs}; {args.end - args.start + 1} forecast years; "
          f"{args.repeat} run(s) each, median shown")
    py = float(np.median(py_times))
    print(f"tocsin ewp walk-forward (glmnet-rs, {s.n_jobs} worker(s), cold): {py:7.1f} s")
    if not rscript:
        print("R not found (apt-get install r-cran-glmnet): no comparison")
        return
    r = float(np.median(r_times))
    print(f"R cv.glmnet walk-forward (one process):                  {r:7.1f} s")
    print(f"ratio tocsin / R: {py / r:.2f}")
    assert ours is not None and theirs is not None
    both = ours.merge(theirs, on=["ccode", "year"], suffixes=("", "_r")).dropna(subset=["prob", "prob_r"])
    rho = spearmanr(both["prob"], both["prob_r"]).statistic
    print(f"agreement on {len(both)} forecasts: Spearman {rho:.4f}, median |difference| "
          f"{np.median(np.abs(both['prob'] - both['prob_r'])):.2e} (folds differ: R draws its own)")


if __name__ == "__main__":
    main()
