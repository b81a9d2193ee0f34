"""How well a score's reasons agree with the words human annotators marked, on HateXplain's rationales.

Measured as HateXplain (Mathew et al. 2021) reports plausibility, on the posts annotated hate or offensive
that carry at least one rationale token:

- token F1: per post, F1 between the tokens our reasons highlight and the annotators' tokens; averaged.
- AUPRC: per post, average precision of a per-token score against the annotators' tokens; averaged.

"Reasons" are what `monitor score` shows (the model's top words, hallmark rules and lexicon terms, merged);
their per-token score is the model's attribution towards the post's most likely harmful class, scaled to
[0, 1] within the post, plus 1 where a lexicon term matched and ½ inside a hallmark rule's match (a rule
matches a phrase, coarser than a word). These weights were fixed before any measurement. The lexicon-only
baseline highlights, and scores 1, exactly the tokens a lexicon term matched.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from sklearn.metrics import average_precision_score

from tocsin.core.settings import Settings
from tocsin.monitor.speech.classifier import LanguageModel, SpeechModel
from tocsin.monitor.speech.corpora import corpus_for, hatexplain_rows
from tocsin.monitor.speech.lexicons import Lexicon, Term
from tocsin.monitor.speech.scoring import Scorer, SpeechScore
from tocsin.monitor.speech.text import word_spans
from tocsin.sources.download import fetch

RULE_WEIGHT = 0.5


@dataclass(frozen=True)
class Post:
    tokens: list[str]
    mask: list[int]  # 1 where annotators marked the token as a reason
    label: str


@dataclass(frozen=True)
class Agreement:
    method: str
    token_f1: float
    auprc: float
    n_posts: int


def _offsets(tokens: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """The post as one string (tokens joined by spaces) and each token's character range in it."""
    spans, pos = [], 0
    for t in tokens:
        spans.append((pos, pos + len(t)))
        pos += len(t) + 1
    return " ".join(tokens), spans


def _to_tokens(ranges: list[tuple[int, int, float]], tok_spans: list[tuple[int, int]]) -> np.ndarray:
    """Per-token score: the largest score of a character range overlapping the token."""
    out = np.zeros(len(tok_spans))
    for start, end, score in ranges:
        for i, (a, b) in enumerate(tok_spans):
            if a < end and start < b:
                out[i] = max(out[i], score)
    return out


def _token_f1(pred: np.ndarray, gold: np.ndarray) -> float:
    tp = float((pred & gold).sum())
    if tp == 0:
        return 0.0
    precision, recall = tp / pred.sum(), tp / gold.sum()
    return 2 * precision * recall / (precision + recall)


def _summary(method: str, preds: list[np.ndarray], scores: list[np.ndarray], golds: list[np.ndarray]) -> Agreement:
    f1 = [_token_f1(p.astype(bool), g.astype(bool)) for p, g in zip(preds, golds, strict=True)]
    # Average precision needs a non-reason token too; posts whose every token is a reason are skipped for it.
    ap = [float(average_precision_score(g, s)) for s, g in zip(scores, golds, strict=True) if 0 < g.sum() < len(g)]
    return Agreement(
        method, float(np.mean(f1)) if f1 else float("nan"), float(np.mean(ap)) if ap else float("nan"), len(golds)
    )


def _attributions(
    scorer: Scorer, lm: LanguageModel, text: str, probs: dict[str, float]
) -> list[tuple[int, int, float]]:
    harmful = [c for c in ("hate", "offensive") if c in lm.classes]
    target = lm.classes.index(max(harmful, key=lambda c: probs.get(c, 0.0)))
    spans = word_spans(text)
    by_word = scorer.word_contrib(lm, {w for _, _, w in spans})[target]
    pulls = [(s, e, by_word[w]) for s, e, w in spans]
    top = max((v for _, _, v in pulls), default=0.0)
    return [(s, e, v / top) for s, e, v in pulls if v > 0] if top > 0 else []


def agreement(model: SpeechModel, terms: list[Term], posts: list[Post], key: str = "en") -> Agreement:
    """Agreement of the reasons `monitor score` gives when model `key` scores the posts as English."""
    lm = model.languages[key]
    language = lm.language
    # Score with this model as the language's main model (a specialist is measured as if it were).
    scorer = Scorer(replace(model, languages={language: lm}), terms)
    kept = [p for p in posts if p.label != "neutral" and sum(p.mask) > 0]
    results: list[SpeechScore] = scorer.score_many([" ".join(p.tokens) for p in kept], language)
    preds, scores, golds = [], [], []
    for post, res in zip(kept, results, strict=True):
        text, tok_spans = _offsets(post.tokens)
        highlighted = [(s["start"], s["end"], 1.0) for s in res.spans]
        preds.append(_to_tokens(highlighted, tok_spans) > 0)
        lexicon = [(s["start"], s["end"], 1.0) for s in res.spans if any(b.startswith("lexicon:") for b in s["by"])]
        rules = [(s["start"], s["end"], 1.0) for s in res.spans if any(b.startswith("hallmark:") for b in s["by"])]
        scores.append(
            _to_tokens(_attributions(scorer, lm, text, res.probabilities), tok_spans)
            + _to_tokens(lexicon, tok_spans)
            + RULE_WEIGHT * _to_tokens(rules, tok_spans)
        )
        golds.append(np.array(post.mask))
    return _summary(f"reasons ({key} model + rules + lexicon)", preds, scores, golds)


def lexicon_baseline(terms: list[Term], posts: list[Post], language: str = "en") -> Agreement:
    """The same measures for highlighting only the words a lexicon term matches."""
    lexicon = Lexicon(t for t in terms if t.language == language)
    preds, scores, golds = [], [], []
    for post in (p for p in posts if p.label != "neutral" and sum(p.mask) > 0):
        text, tok_spans = _offsets(post.tokens)
        spans = word_spans(text)
        words = [w for _, _, w in spans]
        marks = []
        for _, n, starts in lexicon.located(words, language, None):
            marks += [(spans[a][0], spans[a + n - 1][1], 1.0) for a in starts]
        hit = _to_tokens(marks, tok_spans)
        preds.append(hit > 0)
        scores.append(hit)
        golds.append(np.array(post.mask))
    return _summary("lexicon only (baseline)", preds, scores, golds)


def load_posts(settings: Settings) -> list[Post]:
    """HateXplain's test split (sha256-verified) with the annotators' rationale masks."""
    corpus = corpus_for("en-hatexplain")
    assert corpus.test_url is not None
    fetched = fetch(corpus.test_url, mirror=settings.data_mirror, sha256=corpus.test_sha256)
    return [Post(toks, mask, label) for toks, mask, label in hatexplain_rows(fetched.content, fetched.name)]
