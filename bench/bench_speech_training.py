"""Time to train the dangerous-speech classifier on a capped sample of one corpus; prints figures, never fails.

Usage: TOCSIN_DATA_MIRROR=... python bench/bench_speech_training.py [--language en] [--cap 6000] [--repeat 3]
Reads the corpus from the data mirror. This was a 30-second limit inside
tests/monitor/test_integration_mirror.py; a timing is a figure to watch, not a pass/fail test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from tocsin.core.settings import Settings
from tocsin.monitor.speech import classifier


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--language", default="en")
    ap.add_argument("--cap", type=int, default=6000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    mirror = os.environ.get("TOCSIN_DATA_MIRROR")
    if not mirror:
        raise SystemExit("set TOCSIN_DATA_MIRROR to the data mirror")
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=Path(home), data_mirror=Path(mirror))
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            model = classifier.train(settings, [args.language], cap=args.cap)
            times.append(time.perf_counter() - t0)
    (metric,) = model.metrics
    print(f"speech training, {args.language}, cap {args.cap} ({metric.n_test} held out, macro-F1 "
          f"{metric.macro_f1:.3f}): median {statistics.median(times):.2f}s, min {min(times):.2f}s, "
          f"max {max(times):.2f}s over {args.repeat} runs ({os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
