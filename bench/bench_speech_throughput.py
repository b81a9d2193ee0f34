"""Throughput of dangerous-speech scoring (texts per second) on one core; prints figures, never fails.

Usage: TOCSIN_DATA_MIRROR=... python bench/bench_speech_throughput.py [--n 20000] [--language en]
       [--corpus en-herdphobia --country NGA]
Needs a trained model (`tocsin monitor train`). Texts are the held-out split of the corpus (default: the
language's main corpus). Three passes: a cold word cache, a warm one, and a warm one where the language is
identified from each text (script, then CLD2) instead of given. Each pass includes the reasons and spans.
"""

from __future__ import annotations

import argparse
import os

# One core: pin BLAS/OpenMP threads before numpy loads, and the process to one CPU.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import time  # noqa: E402

from tocsin.core.settings import Settings  # noqa: E402
from tocsin.monitor.speech import classifier  # noqa: E402
from tocsin.monitor.speech.corpora import corpus_for, load_split  # noqa: E402
from tocsin.monitor.speech.scoring import Scorer  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--language", default="en")
    ap.add_argument("--corpus", default=None, help="model key of the corpus whose texts are scored")
    ap.add_argument("--country", default=None, help="ISO3 (applies that country's specialist models)")
    ap.add_argument("--batch", type=int, default=2048)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    settings = Settings()
    model = classifier.load(classifier.model_path(settings))
    split = load_split(corpus_for(args.corpus or args.language), settings)
    texts = (split.test_texts * (args.n // len(split.test_texts) + 1))[: args.n]
    scorer = Scorer(model, model.lexicon)
    for label, language in (
        ("cold word cache", args.language),
        ("warm word cache", args.language),
        ("warm, language identified", None),
    ):
        if label.startswith("cold"):
            scorer = Scorer(model, model.lexicon)
        t0, c0 = time.perf_counter(), time.process_time()
        unscored = 0
        for i in range(0, len(texts), args.batch):
            unscored += sum(
                s.score is None for s in scorer.score_many(texts[i : i + args.batch], language, args.country)
            )
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(
            f"{args.corpus or args.language} {label}: {len(texts)} texts in {dt:.2f}s = {len(texts) / dt:,.0f} "
            f"texts/s wall, {len(texts) / cpu:,.0f} per CPU-second (one core, batch {args.batch}, "
            f"mean {sum(map(len, texts)) / len(texts):.0f} chars"
            f"{', country ' + args.country if args.country else ''}; {unscored} not scored: no model for "
            f"the identified language)"
        )


if __name__ == "__main__":
    main()
