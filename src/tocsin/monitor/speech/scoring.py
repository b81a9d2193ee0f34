"""Score texts for danger: classifier probabilities, lexicon matches and hallmark rules, with reasons."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from tocsin.monitor.incidents import Danger
from tocsin.monitor.speech.classifier import LanguageModel, SpeechModel
from tocsin.monitor.speech.hallmarks import HALLMARK_LANGUAGES, hallmark_hits
from tocsin.monitor.speech.lexicons import Lexicon, Term, tokens

MAX_WORDS = 3


@dataclass(frozen=True)
class SpeechScore:
    label: str
    score: float
    language: str
    probabilities: dict[str, float]
    reasons: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "score": self.score,
            "language": self.language,
            "probabilities": self.probabilities,
            "reasons": self.reasons,
        }


class Scorer:
    """Danger score = noisy-OR of the model's P(hate) + ½·P(offensive) and the weight of each rule/term hit."""

    def __init__(self, model: SpeechModel, terms: Iterable[Term] = ()) -> None:
        self.model = model
        self.lexicon = Lexicon(terms)
        self._word_cache: dict[str, dict[str, np.ndarray]] = {lang: {} for lang in model.languages}

    def _word_contrib(self, lm: LanguageModel, words: set[str]) -> dict[str, np.ndarray]:
        cache = self._word_cache[lm.language]
        missing = [w for w in words if w not in cache]
        if missing:
            # A word's pull towards each class: its own n-gram vector against the SVM weights.
            contrib = np.asarray(lm.features(missing) @ lm.coef.T)
            for w, row in zip(missing, contrib, strict=True):
                cache[w] = row
            if len(cache) > 200_000:  # bound memory on endless streams
                cache.clear()
        return cache

    def score_many(
        self, texts: list[str], language: str | None = None, country: str | None = None
    ) -> list[SpeechScore]:
        out: list[SpeechScore | None] = [None] * len(texts)
        groups: dict[str, list[int]] = {}
        for i, t in enumerate(texts):
            groups.setdefault(self.model.pick(t, language), []).append(i)
        for lang, idx in groups.items():
            lm = self.model.languages[lang]
            batch = [texts[i] for i in idx]
            label_idx, proba = lm.predict(batch)
            toks = [tokens(t) for t in batch]
            contrib = self._word_contrib(lm, {w for ws in toks for w in ws})
            for j, i in enumerate(idx):
                out[i] = self._one(lm, batch[j], toks[j], int(label_idx[j]), proba[j], contrib, language, country)
        return [s for s in out if s is not None]

    def _one(
        self,
        lm: LanguageModel,
        text: str,
        words: list[str],
        k: int,
        p: np.ndarray,
        contrib: dict[str, np.ndarray],
        language: str | None,
        country: str | None,
    ) -> SpeechScore:
        probs = {c: round(float(v), 4) for c, v in zip(lm.classes, p, strict=True)}
        label = lm.classes[k]
        reasons: list[dict[str, Any]] = []
        base = probs.get("hate", 0.0) + 0.5 * probs.get("offensive", 0.0)
        if label != "neutral":
            pulls = sorted({w: float(contrib[w][k]) for w in words}.items(), key=lambda kv: -kv[1])
            top = [w for w, v in pulls[:MAX_WORDS] if v > 0]
            if top:
                reasons.append({"kind": "words", "label": label, "words": top, "model": lm.language})
        keep = 1.0 - base
        for hit in hallmark_hits(text) if lm.language in HALLMARK_LANGUAGES else ():
            keep *= 1.0 - hit.weight
            reasons.append(
                {"kind": "hallmark", "hallmark": hit.hallmark, "rule": hit.rule, "match": hit.match, "why": hit.why}
            )
        terms = sorted(self.lexicon.matches(words, language, country), key=lambda t: -t.weight)[:MAX_WORDS]
        for t in terms:
            keep *= 1.0 - t.weight
            reasons.append({"kind": "lexicon", "term": t.term, "category": t.category, "source": t.source})
        return SpeechScore(label, round(1.0 - keep, 4), lm.language, probs, reasons)

    def __call__(self, text: str, language: str | None, country: str | None) -> Danger:
        s = self.score_many([text], language, country)[0]
        return Danger(s.label, s.score, s.reasons)
