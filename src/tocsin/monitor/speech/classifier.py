"""Hate / offensive / neutral classifiers, one per corpus, chosen by cross-validation on the training split.

Features (character n-grams, optionally word 1-2-grams), the SVM's strength and the decision thresholds are
chosen per corpus by cross-validation on its training split alone (tocsin.monitor.speech.selection); each
held-out split (published dev, published test, or the seeded split) is scored once, after training, and
reported beside the CV score. Probabilities are sigmoid-calibrated on the out-of-fold margins.

A language's main model has the language code as its key ("en", "am", ...); specialist models ("en-herdphobia")
apply only in their countries. Analysts' label corrections join the training split of the language's main
model. The trained model lives under $TOCSIN_HOME/models, never in the repository, and is swapped in with
one atomic rename so scoring never sees half a model.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.metrics import classification_report, f1_score

from tocsin.core.settings import Settings
from tocsin.monitor.errors import MonitorError, SpeechModelMissing
from tocsin.monitor.speech.corpora import CORPORA, LABELS, Corpus, EvalSplit, Split, load_split
from tocsin.monitor.speech.selection import (
    C_GRID,
    FEATURE_SETS,
    N_FOLDS,
    Featurizer,
    Variant,
    calibrated,
    choose,
    fit_svm,
    macro_f1_interval,
    platt,
    tune_offsets,
)
from tocsin.monitor.speech.text import detect_script, identify, normalise

__all__ = ["detect_script", "normalise"]  # re-exported: older callers import them from here

FORMAT_VERSION = 2


def model_path(settings: Settings) -> Path:
    return settings.home / "models" / "speech.joblib"


@dataclass
class LanguageModel:
    """A fitted model for one corpus: hashing features, TF-IDF, a linear SVM, thresholds and calibration."""

    language: str
    featurizer: Featurizer
    tfidf: TfidfTransformer
    coef: np.ndarray  # (n_classes, n_features) SVM weights, also used for explanations
    intercept: np.ndarray
    classes: list[str]
    offsets: np.ndarray  # added to the margins before argmax (zeros unless CV chose tuned thresholds)
    calibration: np.ndarray  # (n_classes, 2) sigmoid slope and intercept per class
    variant: Variant
    cv_macro_f1: float
    cv_scores: dict[str, float] = field(default_factory=dict)
    key: str = ""
    countries: tuple[str, ...] = ()
    n_train: int = 0
    n_corrections: int = 0

    def features(self, texts: list[str]) -> sparse.csr_matrix:
        return self.tfidf.transform(self.featurizer.counts(texts))

    def margins(self, texts: list[str], counts: sparse.csr_matrix | None = None) -> np.ndarray:
        """SVM margins; `counts` are the texts' raw features when already computed (models sharing features)."""
        x = self.tfidf.transform(counts) if counts is not None else self.features(texts)
        return np.asarray(x @ self.coef.T + self.intercept, dtype=np.float32)

    def predict(self, texts: list[str], counts: sparse.csr_matrix | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(index of the label, calibrated probabilities) per text.

        The label is the class-balanced SVM's decision with the CV-chosen thresholds (what macro-F1 rewards);
        the probabilities follow the training mix, so rare hate gets honest, lower numbers.
        """
        m = self.margins(texts, counts)
        return (m + self.offsets).argmax(axis=1), self.calibrated(m)

    def calibrated(self, margins: np.ndarray) -> np.ndarray:
        return calibrated(margins, self.calibration)


@dataclass
class Metric:
    language: str
    macro_f1: float
    n_test: int
    split: str
    per_class: dict[str, float]
    corpus: str
    licence: str
    citation: str
    key: str = ""
    cv_macro_f1: float = float("nan")
    variant: str = ""
    ci95: tuple[float, float] = (float("nan"), float("nan"))  # bootstrap over the split's texts


@dataclass
class SpeechModel:
    languages: dict[str, LanguageModel]  # by model key ("en", "am", "en-herdphobia", ...)
    trained_at: str
    sources: list[dict[str, str]]
    metrics: list[Metric]
    seed: int
    cap: int | None
    lexicon: list[Any] = field(default_factory=list)  # public lexicon Terms, fetched at training time
    corrections: dict[str, int] = field(default_factory=dict)  # corrections used, per model key
    training_seconds: float = 0.0
    format_version: int = FORMAT_VERSION

    def pick(self, text: str, language: str | None) -> str:
        """The language to score `text` as: the one given, else the one identified (never a fallback)."""
        return language.strip().lower() if language else identify(text)

    def main(self, language: str) -> LanguageModel | None:
        return self.languages.get(language)

    def specialists(self, language: str, country: str | None) -> list[LanguageModel]:
        """Models that apply to this language only in some countries (e.g. HERDPhobia in Nigeria)."""
        if country is None:
            return []
        return [
            lm
            for key, lm in self.languages.items()
            if key != language and lm.language == language and country in lm.countries
        ]


def fit_language(
    texts: list[str],
    labels: list[str],
    language: str,
    seed: int,
    key: str = "",
    countries: tuple[str, ...] = (),
    feature_sets: tuple[str, ...] = FEATURE_SETS,
    c_grid: tuple[float, ...] = C_GRID,
    n_corrections: int = 0,
) -> LanguageModel:
    """Choose a variant by CV on these (training) texts, then fit it on all of them."""
    classes = sorted(set(labels))
    if len(classes) < 2:
        raise MonitorError(f"training data for {key or language!r} has only the label(s) {classes}: need two")
    y = np.array([classes.index(label) for label in labels])
    choice = choose(texts, y, language, seed, feature_sets, c_grid)
    featurizer = Featurizer(language, choice.variant.features)
    counts = featurizer.counts(texts)
    tfidf = TfidfTransformer(sublinear_tf=True).fit(counts)
    svm = fit_svm(tfidf.transform(counts), y, choice.variant.c, seed)
    coef, intercept = svm.coef_, svm.intercept_
    if coef.shape[0] == 1:  # binary: one row, for the second class
        coef, intercept = np.vstack([-coef[0], coef[0]]), np.array([-intercept[0], intercept[0]])
    if choice.n_folds >= 2:
        oof = choice.oof_margins
    else:  # too few examples to cross-validate: calibrate on training margins (overconfident, but tiny data)
        oof = np.asarray(tfidf.transform(counts) @ coef.T + intercept, dtype=np.float32)
    offsets = tune_offsets(oof, y) if choice.variant.thresholds else np.zeros(len(classes), dtype=np.float32)
    return LanguageModel(
        language=language,
        featurizer=featurizer,
        tfidf=tfidf,
        coef=coef.astype(np.float32),
        intercept=intercept.astype(np.float32),
        classes=classes,
        offsets=offsets.astype(np.float32),
        calibration=platt(oof, y),
        variant=choice.variant,
        cv_macro_f1=choice.cv_macro_f1,
        cv_scores=choice.scores,
        key=key or language,
        countries=countries,
        n_train=len(texts),
        n_corrections=n_corrections,
    )


def _metric(lm: LanguageModel, split: EvalSplit, corpus: Corpus, seed: int) -> Metric:
    idx, _ = lm.predict(split.texts)
    pred = [lm.classes[i] for i in idx]
    labels = [c for c in LABELS if c in set(split.labels) | set(pred)]
    code = {c: i for i, c in enumerate(labels)}
    ci95 = macro_f1_interval(
        np.array([code[c] for c in split.labels]), np.array([code[c] for c in pred]), len(labels), seed
    )
    report = classification_report(split.labels, pred, labels=labels, output_dict=True, zero_division=0)
    return Metric(
        language=corpus.language,
        macro_f1=float(f1_score(split.labels, pred, labels=labels, average="macro", zero_division=0)),
        n_test=len(split.texts),
        split=split.name,
        per_class={c: round(float(report[c]["f1-score"]), 3) for c in labels},
        corpus=corpus.name,
        licence=corpus.licence,
        citation=corpus.citation,
        key=corpus.model_key,
        cv_macro_f1=lm.cv_macro_f1,
        variant=lm.variant.name,
        ci95=ci95,
    )


def _evaluate(lm: LanguageModel, split: Split, corpus: Corpus, seed: int) -> list[Metric]:
    return [_metric(lm, ev, corpus, seed) for ev in split.held_out()]


def _chosen(keys: list[str] | None) -> list[Corpus]:
    chosen = [c for c in CORPORA if keys is None or c.model_key in keys]
    if not chosen:
        known = ", ".join(c.model_key for c in CORPORA)
        raise MonitorError(f"no corpus for {keys} (known: {known})")
    return chosen


def train(
    settings: Settings,
    languages: list[str] | None = None,
    cap: int | None = None,
    log: Callable[[str], None] | None = None,
    corrections: list[tuple[str, str, str]] | None = None,
) -> SpeechModel:
    """Train one model per corpus (all, or those whose key is in `languages`) and score its held-out splits.

    `corrections` are (language, text, label) from analysts; each joins the training split of its
    language's main model, never a held-out split.
    """
    t_all = time.perf_counter()
    models, metrics, sources, used = {}, [], [], {}
    for corpus in _chosen(languages):
        t0 = time.perf_counter()
        split = load_split(corpus, settings, cap=cap)
        texts, labels = list(split.train_texts), list(split.train_labels)
        extra = [
            (t, lab)
            for lang, t, lab in corrections or []
            if lang == corpus.language and not corpus.key and lab in corpus.labels
        ]
        texts += [t for t, _ in extra]
        labels += [lab for _, lab in extra]
        lm = fit_language(
            texts,
            labels,
            corpus.language,
            settings.seed,
            key=corpus.model_key,
            countries=corpus.countries,
            n_corrections=len(extra),
        )
        models[corpus.model_key] = lm
        used[corpus.model_key] = len(extra)
        got = _evaluate(lm, split, corpus, settings.seed)
        metrics += got
        sources.append(
            {
                "key": corpus.model_key,
                "language": corpus.language,
                "name": corpus.name,
                "url": corpus.url,
                "licence": corpus.licence,
                "citation": corpus.citation,
            }
        )
        if log is not None:
            held = "; ".join(f"{m.macro_f1:.3f} on {m.split} (n={m.n_test})" for m in got)
            log(
                f"{corpus.model_key}: {len(texts)} training texts ({len(extra)} corrections), chose "
                f"({lm.variant.name}) by {N_FOLDS}-fold CV macro-F1 {lm.cv_macro_f1:.3f}; held-out macro-F1 "
                f"{held} ({time.perf_counter() - t0:.0f}s)"
            )
    return SpeechModel(
        models,
        datetime.now(UTC).isoformat(timespec="seconds"),
        sources,
        metrics,
        settings.seed,
        cap,
        corrections=used,
        training_seconds=round(time.perf_counter() - t_all, 1),
    )


def evaluate(model: SpeechModel, settings: Settings) -> list[Metric]:
    """Re-measure a saved model on the same held-out splits (same seed, same cap) it was trained beside."""
    out = []
    for corpus in CORPORA:
        if corpus.model_key in model.languages:
            split = load_split(corpus, settings, cap=model.cap)
            out += _evaluate(model.languages[corpus.model_key], split, corpus, model.seed)
    return out


def save(model: SpeechModel, path: Path) -> None:
    """Write aside, then one atomic rename: a scorer loading the old file keeps it, a new load gets the new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        joblib.dump(model, tmp, compress=3)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    from tocsin.monitor.speech import card  # card imports this module's types only to type-check

    card.write(model, path)


def load(path: Path) -> SpeechModel:
    if not path.is_file():
        raise SpeechModelMissing(f"no trained speech model at {path}: run `tocsin monitor train` first")
    try:
        model = joblib.load(path)
    except Exception as exc:  # a truncated or foreign file: say so in one line
        raise SpeechModelMissing(f"cannot read speech model {path} ({exc}); run `tocsin monitor train`") from exc
    if not isinstance(model, SpeechModel) or model.format_version != FORMAT_VERSION:
        raise SpeechModelMissing(f"speech model {path} is from another version: run `tocsin monitor train`")
    return model


_CACHE: dict[Path, tuple[tuple[int, int, int], SpeechModel]] = {}
_CACHE_LOCK = threading.Lock()


def load_cached(path: Path) -> SpeechModel:
    """The model at `path`, loaded again only when the file was replaced (a new training run swapped it in).

    The file is replaced by one rename, so a load reads either the whole old model or the whole new one;
    requests keep scoring with the model they hold while a new one is being trained or loaded.
    """
    try:
        st = path.stat()
    except FileNotFoundError:
        return load(path)  # raises the "run `tocsin monitor train`" error
    stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
    hit = _CACHE.get(path)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    with _CACHE_LOCK:  # one load per new file, not one per waiting request
        hit = _CACHE.get(path)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        model = load(path)
        _CACHE[path] = (stamp, model)
        return model
