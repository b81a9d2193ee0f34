"""Time the main job's steps as whole commands: data pull, the full ewp backtest, forecast.

Usage: TOCSIN_DATA_MIRROR=../shared/data/mirror python bench/bench_pipeline.py [--runs 3] [--ensemble]
Prints min/median/max wall seconds per step. A timing is a figure to read, never a pass/fail test.
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--ensemble", action="store_true", help="Also time the default (ensemble) forecast.")
    args = ap.parse_args()
    mirror = os.environ.get("TOCSIN_DATA_MIRROR") or str(ROOT.parent / "shared" / "data" / "mirror")
    tocsin = [sys.executable, "-m", "tocsin.cli.main"]
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "TOCSIN_HOME": home, "TOCSIN_DATA_MIRROR": mirror}
        steps = {
            "data pull": [*tocsin, "data", "pull"],
            "backtest --model ewp (1994-2024)": [*tocsin, "backtest", "--model", "ewp"],
            "forecast --model ewp (with track record)": [*tocsin, "forecast", "--model", "ewp"],
        }
        if args.ensemble:
            steps["forecast (ensemble, with track record)"] = [*tocsin, "forecast"]
        print(f"{os.cpu_count()} cores; {args.runs} runs per step; mirror {mirror}")
        for name, cmd in steps.items():
            times = [timed(cmd, env) for _ in range(args.runs)]
            print(f"{name:45s} min {min(times):7.1f} s  median {statistics.median(times):7.1f} s  "
                  f"max {max(times):7.1f} s")


if __name__ == "__main__":
    main()
