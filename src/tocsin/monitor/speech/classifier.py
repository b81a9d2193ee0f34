"""Hate / offensive / neutral classifier: character n-grams (language-agnostic) and a calibrated linear SVM.

One model per language, all with the same features, so a new language needs only labelled examples.
The trained model lives under $TOCSIN_HOME/models, never in the repository.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.metrics import classification_report, f1_score
from sklearn.svm import LinearSVC

from tocsin.core.settings import Settings
from tocsin.monitor.errors import MonitorError, SpeechModelMissing
from tocsin.monitor.speech.corpora import CORPORA, LABELS, Corpus, Split, load_split

FORMAT_VERSION = 1
# Ethiopic letters that sound alike and are used interchangeably; folding them is standard for Amharic.
_AMHARIC_FOLD = str.maketrans({"ሐ": "ሀ", "ኀ": "ሀ", "ኸ": "ሀ", "ሠ": "ሰ", "ዐ": "አ", "ፀ": "ጸ"})
_SCRIPTS = (("am", 0x1200, 0x139F), ("my", 0x1000, 0x109F), ("ar", 0x0600, 0x06FF))


def model_path(settings: Settings) -> Path:
    return settings.home / "models" / "speech.joblib"


def normalise(text: str, language: str) -> str:
    return text.translate(_AMHARIC_FOLD) if language == "am" else text


def detect_script(text: str) -> str | None:
    """Guess the language from its script (enough to pick among the trained models)."""
    counts = dict.fromkeys((s[0] for s in _SCRIPTS), 0)
    for ch in text[:200]:
        o = ord(ch)
        for lang, lo, hi in _SCRIPTS:
            if lo <= o <= hi:
                counts[lang] += 1
    lang, n = max(counts.items(), key=lambda kv: kv[1])
    return lang if n else None


def ngram_range(language: str) -> tuple[int, int]:
    """Character 2- to 4-grams; syllabic Ethiopic script also keeps single characters (each is a syllable)."""
    return (1, 4) if language == "am" else (2, 4)


def _vectorizer(language: str = "") -> HashingVectorizer:
    return HashingVectorizer(
        analyzer="char_wb",
        ngram_range=ngram_range(language),
        n_features=2**20,
        alternate_sign=False,
        norm=None,
        lowercase=True,
        dtype=np.float32,
    )


@dataclass
class LanguageModel:
    """A fitted model for one language."""

    language: str
    tfidf: TfidfTransformer
    clf: CalibratedClassifierCV
    coef: np.ndarray  # (n_classes, n_features) of the underlying SVM, for explanations
    classes: list[str]
    intercept: np.ndarray
    vectorizer: HashingVectorizer

    def features(self, texts: list[str]) -> sparse.csr_matrix:
        return self.tfidf.transform(self.vectorizer.transform([normalise(t, self.language) for t in texts]))

    def predict(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(index of the label, calibrated probabilities) per text.

        The label is the class-balanced SVM's decision (what macro-F1 rewards); the probabilities come
        from sigmoid calibration and follow the training mix, so rare hate gets honest, lower numbers.
        """
        x = self.features(texts)
        decision = np.asarray(x @ self.coef.T + self.intercept)
        return decision.argmax(axis=1), self.calibrated(decision)

    def calibrated(self, decision: np.ndarray) -> np.ndarray:
        """The calibrated probabilities from SVM margins already computed (what `clf.predict_proba` returns,
        without computing the margins a second time: half the cost of scoring a batch)."""
        cc = self.clf.calibrated_classifiers_[0]
        if len(self.classes) == 2:
            p = cc.calibrators[0].predict(decision[:, 1])
            return np.column_stack([1.0 - p, p])
        proba = np.column_stack([cal.predict(decision[:, k]) for k, cal in enumerate(cc.calibrators)])
        total = proba.sum(axis=1, keepdims=True)
        uniform = np.full_like(proba, 1.0 / proba.shape[1])
        proba = np.divide(proba, total, out=uniform, where=total > 0)
        return np.clip(proba, 0.0, 1.0)


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


@dataclass
class SpeechModel:
    languages: dict[str, LanguageModel]
    trained_at: str
    sources: list[dict[str, str]]
    metrics: list[Metric]
    seed: int
    cap: int | None
    lexicon: list[Any] = field(default_factory=list)  # public lexicon Terms, fetched at training time
    format_version: int = FORMAT_VERSION

    def pick(self, text: str, language: str | None) -> str:
        if language in self.languages:
            return language  # type: ignore[return-value]
        guess = detect_script(text)
        if guess in self.languages:
            return guess  # type: ignore[return-value]
        return "en" if "en" in self.languages else next(iter(self.languages))


def fit_language(texts: list[str], labels: list[str], language: str, seed: int) -> LanguageModel:
    present = sorted(set(labels))
    if len(present) < 2:
        raise MonitorError(f"training data for {language!r} has only the label(s) {present}: need at least two")
    vec = _vectorizer(language)
    counts = vec.transform([normalise(t, language) for t in texts])
    tfidf = TfidfTransformer(sublinear_tf=True).fit(counts)
    x = tfidf.transform(counts)
    svm = LinearSVC(C=0.3, class_weight="balanced", random_state=seed)
    # Sigmoid calibration on 3 folds turns SVM margins into probabilities; small sets get fewer folds.
    min_count = min(labels.count(c) for c in present)
    cv = max(2, min(3, min_count))
    clf = CalibratedClassifierCV(svm, method="sigmoid", cv=cv, ensemble=False).fit(x, labels)
    svm_fit = clf.calibrated_classifiers_[0].estimator
    coef, intercept = svm_fit.coef_, svm_fit.intercept_
    if coef.shape[0] == 1:  # binary: one row, for the second class
        coef, intercept = np.vstack([-coef[0], coef[0]]), np.array([-intercept[0], intercept[0]])
    return LanguageModel(
        language, tfidf, clf, coef.astype(np.float32), list(clf.classes_), intercept.astype(np.float32), vec
    )


def _evaluate(lm: LanguageModel, split: Split, corpus: Corpus) -> Metric:
    idx, _ = lm.predict(split.test_texts)
    pred = [lm.classes[i] for i in idx]
    labels = [c for c in LABELS if c in set(split.test_labels) | set(pred)]
    report = classification_report(split.test_labels, pred, labels=labels, output_dict=True, zero_division=0)
    return Metric(
        language=split.language,
        macro_f1=float(f1_score(split.test_labels, pred, labels=labels, average="macro", zero_division=0)),
        n_test=len(split.test_texts),
        split=split.test_name,
        per_class={c: round(float(report[c]["f1-score"]), 3) for c in labels},
        corpus=corpus.name,
        licence=corpus.licence,
        citation=corpus.citation,
    )


def train(
    settings: Settings, languages: list[str] | None = None, cap: int | None = None, log: Any = None
) -> SpeechModel:
    """Train one model per corpus language on its training split and measure it on its held-out split."""
    chosen = [c for c in CORPORA if languages is None or c.language in languages]
    if not chosen:
        known = ", ".join(c.language for c in CORPORA)
        raise MonitorError(f"no corpus for language(s) {languages} (known: {known})")
    models, metrics, sources = {}, [], []
    for corpus in chosen:
        t0 = time.perf_counter()
        split = load_split(corpus, settings, cap=cap)
        lm = fit_language(split.train_texts, split.train_labels, corpus.language, settings.seed)
        models[corpus.language] = lm
        metrics.append(_evaluate(lm, split, corpus))
        sources.append(
            {
                "language": corpus.language,
                "name": corpus.name,
                "url": corpus.url,
                "licence": corpus.licence,
                "citation": corpus.citation,
            }
        )
        if log is not None:
            log(
                f"{corpus.language}: {len(split.train_texts)} training texts, macro-F1 "
                f"{metrics[-1].macro_f1:.3f} on {split.test_name} ({time.perf_counter() - t0:.1f}s)"
            )
    return SpeechModel(models, datetime.now(UTC).isoformat(timespec="seconds"), sources, metrics, settings.seed, cap)


def evaluate(model: SpeechModel, settings: Settings) -> list[Metric]:
    """Re-measure a saved model on the same held-out splits (same seed, same cap) it was trained beside."""
    out = []
    for corpus in CORPORA:
        if corpus.language in model.languages:
            split = load_split(corpus, settings, cap=model.cap)
            out.append(_evaluate(model.languages[corpus.language], split, corpus))
    return out


def save(model: SpeechModel, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    joblib.dump(model, tmp, compress=3)
    tmp.replace(path)  # atomic: a crash never leaves half a model


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
