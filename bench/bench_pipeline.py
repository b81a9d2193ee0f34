"""Time the main job as whole commands: cold `make forecast` (fresh home: data pull + default forecast with
track record, explanations, hotspots, prevention evidence and report), then a warm `tocsin forecast` (same
data, cached fits), and the ewp backtest without a cache.

Usage: TOCSIN_DATA_MIRROR=../shared/data/mirror python bench/bench_pipeline.py [--runs 1] [--model ensemble]
Prints wall seconds per step (min/median/max over --runs). A timing is a figure to read, never a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def show(name: str, times: list[float]) -> None:
    print(f"{name:58s} min {min(times):7.1f} s  median {statistics.median(times):7.1f} s  max {max(times):7.1f} s",
          flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--model", default=None, help="Model to forecast with (default: the default model).")
    args = ap.parse_args()
    mirror = os.environ.get("TOCSIN_DATA_MIRROR") or str(ROOT.parent / "shared" / "data" / "mirror")
    tocsin = [sys.executable, "-m", "tocsin.cli.main"]
    fc = [*tocsin, "forecast", *(["--model", args.model] if args.model else [])]
    print(f"{os.cpu_count()} cores; {args.runs} run(s) per step; mirror {mirror}", flush=True)
    cold, warm, bt = [], [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as home:
            env = {**os.environ, "TOCSIN_HOME": home, "TOCSIN_DATA_MIRROR": mirror}
            cold.append(timed([*tocsin, "data", "pull"], env) + timed(fc, env))
            warm.append(timed(fc, env))
            bt.append(timed([*tocsin, "backtest", "--model", "ewp"], {**env, "TOCSIN_CACHE": "false"}))
    show("cold: data pull + forecast (fresh home, empty cache)", cold)
    show("warm: forecast again (same data, cached fits)", warm)
    show("backtest --model ewp 1994-2024 (no cache)", bt)


if __name__ == "__main__":
    main()
