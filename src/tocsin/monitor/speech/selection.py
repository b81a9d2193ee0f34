"""Choosing features, model strength and decision thresholds by cross-validation on the training split only.

The held-out (dev / test) splits never reach this module: `choose` sees training texts and labels, and
returns the variant with the best cross-validated macro-F1, the out-of-fold margins of that variant (used
to fit thresholds and probability calibration without touching held-out data) and every variant's CV score.

Decision thresholds are per-class offsets added to the SVM margins, tuned for macro-F1. Their CV score is
cross-fitted (offsets tuned on the other folds' out-of-fold margins, applied to this fold), so the score of
"tuned thresholds" is as honest as the score of "argmax".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, pairwise, repeat

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from tocsin.monitor.speech.rowstore import RowStore
from tocsin.monitor.speech.text import normalise

N_FOLDS = 3
C_GRID = (0.1, 0.3, 1.0)
FEATURE_SETS = ("char", "char+word")
OFFSET_GRID = np.round(np.arange(-1.0, 1.0001, 0.05), 2)


@dataclass(frozen=True)
class Variant:
    features: str  # "char" (character n-grams) or "char+word" (plus word 1-2-grams)
    c: float  # LinearSVC regularisation strength
    thresholds: bool = False  # per-class offsets tuned for macro-F1 (else argmax of the margins)

    @property
    def name(self) -> str:
        return f"{self.features}, C={self.c}, {'tuned thresholds' if self.thresholds else 'argmax'}"


# Ye Kyaw Thu's sylbreak (github.com/ye-kyaw-thu/sylbreak): a syllable starts at a consonant that is not
# stacked (after ္) and carries no asat (်) or stacker, or at an independent vowel, digit or symbol; a run of
# Latin letters or digits stays one unit.
_MY_SYLLABLE = re.compile(
    r"((?<!\u1039)[\u1000-\u1021](?![\u103a\u1039])"
    r"|[a-z0-9]+|[\u1023-\u1027\u1029\u102a\u103f\u104c-\u104f\u1040-\u1049\u104a\u104b!-/:-@\[-`{-~\s])"
)


def syllables(text: str) -> str:
    """Burmese text with a space before every syllable (lowercased, as the other analyzers see text)."""
    # A function, not the template r" \1": Python 3.11 expands a template in Python for every match, which
    # was a third of Burmese scoring time.
    return _MY_SYLLABLE.sub(_space_before, text.lower())


def _space_before(m: re.Match[str]) -> str:
    return " " + m.group(1)


@dataclass
class Featurizer:
    """Stateless hashing features: character n-grams within word boundaries, optionally word 1-2-grams."""

    language: str
    features: str

    def __post_init__(self) -> None:
        self.char = HashingVectorizer(
            analyzer="char_wb",
            # Each Ethiopic character is a syllable, so single characters carry meaning there.
            ngram_range=(1, 4) if self.language == "am" else (2, 4),
            n_features=2**20,
            alternate_sign=False,
            norm=None,
            lowercase=True,
            dtype=np.float32,
        )
        self.word = (
            HashingVectorizer(
                analyzer="word",
                # One-letter and one-syllable words count too. Burmese is written without spaces between
                # words: its "words" are syllables, split by Ye Kyaw Thu's sylbreak rule (see syllables()).
                token_pattern=r"\S+" if self.language == "my" else r"(?u)\b\w+\b",
                preprocessor=syllables if self.language == "my" else None,
                ngram_range=(1, 2),
                n_features=2**19,
                alternate_sign=False,
                norm=None,
                lowercase=True,
                dtype=np.float32,
            )
            if "word" in self.features
            else None
        )

    def counts(self, texts: list[str]) -> sparse.csr_matrix:
        clean = [normalise(t, self.language) for t in texts]
        x = self.char_counts(clean)
        if self.word is not None:
            x = sparse.hstack([x, self.word_counts(clean)], format="csr")
        return x

    def word_counts(self, clean: list[str]) -> sparse.csr_matrix:
        """Exactly `self.word.transform(clean)`: the same word 1-2-grams, hashed by the same hasher.

        scikit-learn's analyzer checks its options for every text; this one does the same splitting with
        one regex call and one join per bigram (a fifth of scoring time was spent there).
        """
        word = self.word
        assert word is not None and word.ngram_range == (1, 2) and word.stop_words is None
        # Unicode \w+ finds exactly the runs that \b\w+\b finds (a run of \w is bounded by non-word
        # characters), with no boundary test at every position.
        find = re.compile(r"\w+" if word.token_pattern == r"(?u)\b\w+\b" else word.token_pattern).findall
        prep = word.preprocessor if word.preprocessor is not None else str.lower
        if prep is syllables:
            # Syllable breaks never cross whitespace (see syllables()), so each whitespace-separated chunk is
            # broken once and cached: posts repeat words, and breaking was most of Burmese scoring time.
            cache: dict[str, list[str]] = self.__dict__.setdefault("_syllable_cache", {})
            if len(cache) > 500_000:  # bounded on endless streams
                cache.clear()

            def tokens(text: str) -> list[str]:
                out: list[str] = []
                for chunk in text.lower().split():
                    got = cache.get(chunk)
                    if got is None:
                        got = cache[chunk] = syllables(chunk).split()
                    out += got
                return out
        else:

            def tokens(text: str) -> list[str]:
                return find(prep(text))

        def grams(text: str) -> Iterator[tuple[str, int]]:
            toks = tokens(text)
            return zip(chain(toks, map(" ".join, pairwise(toks))), repeat(1))

        # (n-gram, 1) pairs are what the "string" input type makes of each n-gram, one generator step at a time.
        return FeatureHasher(
            n_features=word.n_features, input_type="pair", dtype=word.dtype, alternate_sign=word.alternate_sign
        ).transform(grams(t) for t in clean)

    def char_counts(self, clean: list[str]) -> sparse.csr_matrix:
        """Exactly `self.char.transform(clean)`, from a cache of each word's hashed n-grams.

        Character n-grams within word boundaries are the sum of each whitespace-separated word's own
        n-grams, and posts repeat words: hashing each distinct word once is most of scoring's speed.
        """
        store: RowStore | None = self.__dict__.get("_char_rows")
        if store is None:  # one store per featurizer, made once (setdefault keeps the first of racing threads)
            store = self.__dict__.setdefault("_char_rows", RowStore())
        words = [t.lower().split() for t in clean]
        indices, data, sizes = store.gather(list(chain.from_iterable(words)), self._hash_chunks)
        # Entries per text: the running total of each word's entries, read at the text boundaries.
        ends = np.concatenate([[0], np.cumsum(sizes)])
        bounds = np.concatenate([[0], np.cumsum([len(ws) for ws in words], dtype=np.int64)])
        return _summed(indices, data, np.diff(ends[bounds]), self.char.n_features)

    def _hash_chunks(self, chunks: list[str]) -> sparse.csr_matrix:
        """Exactly `self.char.transform(chunks)` for chunks without whitespace: the same n-grams (made by a
        comprehension rather than scikit-learn's loop) hashed by the same hasher."""
        char = self.char
        assert char.analyzer == "char_wb" and char.lowercase and char.preprocessor is None
        assert char.strip_accents is None and not char.binary and char.norm is None
        lo, hi = char.ngram_range
        return FeatureHasher(
            n_features=char.n_features, input_type="pair", dtype=char.dtype, alternate_sign=char.alternate_sign
        ).transform(zip(_char_wb_grams(chunk.lower(), lo, hi), repeat(1)) for chunk in chunks)

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}  # caches are not part of a model


def _char_wb_grams(word: str, lo: int, hi: int) -> list[str]:
    """scikit-learn's char_wb n-grams of one word: n = lo..hi within the word padded by a space each side;
    once the padded word is no longer than n, it is counted once and longer n-grams are not made."""
    w = f" {word} "
    size = len(w)
    out: list[str] = []
    for n in range(lo, hi + 1):
        out += [w[i : i + n] for i in range(max(size - n, 0) + 1)]
        if size <= n:
            break
    return out


def _summed(indices: np.ndarray, data: np.ndarray, row_sizes: Sequence[int] | np.ndarray, n: int) -> sparse.csr_matrix:
    """Rows of (column, value) entries, `row_sizes` entries each, as a CSR matrix with duplicates summed and
    columns sorted (what scikit-learn's hashers return)."""
    indptr = np.zeros(len(row_sizes) + 1, dtype=np.int64)
    np.cumsum(row_sizes, out=indptr[1:])
    out = sparse.csr_matrix((data, indices, indptr), shape=(len(row_sizes), n))
    out.sum_duplicates()
    return out


@dataclass
class Choice:
    variant: Variant
    cv_macro_f1: float
    oof_margins: np.ndarray  # out-of-fold SVM margins of the chosen features and C, (n, n_classes)
    scores: dict[str, float] = field(default_factory=dict)  # every variant's CV macro-F1, by name
    n_folds: int = N_FOLDS


def macro_f1(y: np.ndarray, pred: np.ndarray, k: int) -> float:
    """Macro-F1 over the classes present in y or pred (what sklearn's f1_score(average="macro") gives)."""
    conf = np.bincount(y * k + pred, minlength=k * k).reshape(k, k)
    tp = np.diag(conf).astype(float)
    support, predicted = conf.sum(axis=1), conf.sum(axis=0)
    present = (support + predicted) > 0
    denom = support + predicted
    f1 = np.divide(2 * tp, denom, out=np.zeros(k), where=denom > 0)
    return float(f1[present].mean()) if present.any() else 0.0


def macro_f1_interval(
    y: np.ndarray, pred: np.ndarray, k: int, seed: int, n_boot: int = 2000, level: float = 0.95
) -> tuple[float, float]:
    """Percentile bootstrap interval of macro-F1 over a fixed set of k labels, resampling texts.

    Texts are resampled independently: the corpora carry no author or thread to cluster on. F1 of a label
    absent from both a resample's truth and predictions counts as 0, as in sklearn's `f1_score(labels=...,
    zero_division=0)`, which is how the point estimate is computed.
    """
    n = len(y)
    if n == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_boot, n))
    cell = (y * k + pred)[idx] + (np.arange(n_boot) * k * k)[:, None]
    conf = np.bincount(cell.ravel(), minlength=n_boot * k * k).reshape(n_boot, k, k)
    tp = np.diagonal(conf, axis1=1, axis2=2).astype(float)
    denom = conf.sum(axis=2) + conf.sum(axis=1)
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0).mean(axis=1)
    tail = (1 - level) / 2 * 100
    lo, hi = np.percentile(f1, [tail, 100 - tail])
    return float(lo), float(hi)


def tune_offsets(margins: np.ndarray, y: np.ndarray, rounds: int = 2) -> np.ndarray:
    """Per-class offsets (class 0 fixed at 0) that maximise macro-F1 of argmax(margins + offsets)."""
    k = margins.shape[1]
    offsets = np.zeros(k, dtype=np.float32)
    best = macro_f1(y, margins.argmax(axis=1), k)
    for _ in range(rounds):
        for c in range(1, k):
            for v in OFFSET_GRID:
                trial = offsets.copy()
                trial[c] = v
                score = macro_f1(y, (margins + trial).argmax(axis=1), k)
                if score > best + 1e-9:
                    best, offsets = score, trial
    return offsets


def _margins(svm: LinearSVC, x: sparse.csr_matrix) -> np.ndarray:
    m = np.asarray(svm.decision_function(x), dtype=np.float32)
    return np.column_stack([-m, m]) if m.ndim == 1 else m


def fit_svm(x: sparse.csr_matrix, y: np.ndarray, c: float, seed: int) -> LinearSVC:
    return LinearSVC(C=c, class_weight="balanced", random_state=seed).fit(x, y)


def _n_folds(y: np.ndarray) -> int:
    return int(min(N_FOLDS, np.bincount(y).min()))


def choose(
    texts: list[str],
    y: np.ndarray,
    language: str,
    seed: int,
    feature_sets: tuple[str, ...] = FEATURE_SETS,
    c_grid: tuple[float, ...] = C_GRID,
) -> Choice:
    """Cross-validate every (features, C) with argmax and with tuned thresholds; keep the best by macro-F1.

    Ties go to the earlier (simpler) variant. With fewer than two examples of some class there is nothing to
    cross-validate: the middle of the grid is used and its CV score is NaN.
    """
    k = int(y.max()) + 1
    n_folds = _n_folds(y)
    if n_folds < 2:
        v = Variant(feature_sets[-1], c_grid[len(c_grid) // 2])
        return Choice(v, float("nan"), np.zeros((len(y), k), dtype=np.float32), {v.name: float("nan")}, 0)
    folds = list(StratifiedKFold(n_folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y))
    best: Choice | None = None
    scores: dict[str, float] = {}
    char_counts: sparse.csr_matrix | None = None
    for features in feature_sets:
        if char_counts is not None and features == "char+word":
            # The character block is the same: add only the word block.
            clean = [normalise(t, language) for t in texts]
            counts = sparse.hstack([char_counts, Featurizer(language, features).word_counts(clean)], format="csr")
        else:
            counts = Featurizer(language, features).counts(texts)
        if features == "char":
            char_counts = counts
        for c in c_grid:
            oof = np.zeros((len(y), k), dtype=np.float32)
            for train_idx, test_idx in folds:
                tfidf = TfidfTransformer(sublinear_tf=True).fit(counts[train_idx])
                svm = fit_svm(tfidf.transform(counts[train_idx]), y[train_idx], c, seed)
                oof[test_idx] = _margins(svm, tfidf.transform(counts[test_idx]))
            plain = Variant(features, c)
            scores[plain.name] = macro_f1(y, oof.argmax(axis=1), k)
            tuned = Variant(features, c, thresholds=True)
            scores[tuned.name] = _cross_fitted_threshold_f1(oof, y, folds, k)
            for v in (plain, tuned):
                if best is None or scores[v.name] > best.cv_macro_f1 + 1e-9:
                    best = Choice(v, scores[v.name], oof, {}, n_folds)
    assert best is not None
    best.scores = scores
    return best


def _cross_fitted_threshold_f1(
    oof: np.ndarray, y: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]], k: int
) -> float:
    pred = np.zeros(len(y), dtype=np.int64)
    for train_idx, test_idx in folds:
        offsets = tune_offsets(oof[train_idx], y[train_idx])
        pred[test_idx] = (oof[test_idx] + offsets).argmax(axis=1)
    return macro_f1(y, pred, k)


def platt(margins: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Sigmoid calibration per class (one-vs-rest) on out-of-fold margins: (n_classes, 2) of slope, intercept.

    The same method as scikit-learn's CalibratedClassifierCV(method="sigmoid"), fitted on margins the model
    did not see in training, so the probabilities are honest.
    """
    k = margins.shape[1]
    params = np.zeros((k, 2), dtype=np.float64)
    for c in range(k):
        target = (y == c).astype(int)
        if target.min() == target.max():  # a class absent from the folds: fall back to its base rate
            params[c] = (0.0, 10.0 if target[0] else -10.0)
            continue
        lr = LogisticRegression(C=1e4).fit(margins[:, [c]], target)
        params[c] = (lr.coef_[0, 0], lr.intercept_[0])
    return params


def calibrated(margins: np.ndarray, params: np.ndarray) -> np.ndarray:
    """Class probabilities from margins: each class's sigmoid, normalised to sum to one."""
    z = margins * params[:, 0].astype(np.float32) + params[:, 1].astype(np.float32)
    p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
    total = p.sum(axis=1, keepdims=True)
    return p / np.where(total > 0, total, 1.0)
