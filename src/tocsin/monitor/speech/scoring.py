"""Score texts for danger: classifier probabilities, lexicon matches and hallmark rules, with reasons and spans.

Every score says why: the words that pulled the model towards its label (its own linear attributions), the
hallmark rules and lexicon terms that matched, each as character spans of the text, merged into one list
that the incident view highlights. Text in a language with no trained model is not scored: it gets the label
"no_model" and a message naming the language, never a guess from another language's model.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import compress, count
from operator import itemgetter
from typing import Any

import numpy as np

from tocsin.monitor.incidents import Danger
from tocsin.monitor.speech.classifier import LanguageModel, SpeechModel
from tocsin.monitor.speech.hallmarks import HALLMARK_LANGUAGES, hallmark_hits
from tocsin.monitor.speech.lexicons import Lexicon, Term
from tocsin.monitor.speech.text import language_name, split_words

MAX_WORDS = 3
# A word is highlighted as a model reason when it is among the MAX_WORDS strongest pulls towards the label
# and pulls at least this share of the strongest one (fixed a priori, not tuned on any evaluation).
MIN_SHARE = 0.25
NO_MODEL = "no_model"
_PULL = itemgetter(1)  # of a (word, pull) pair


@dataclass(frozen=True)
class SpeechScore:
    label: str  # hate, offensive, neutral, or "no_model"
    score: float | None  # None when no model covers the language
    language: str
    probabilities: dict[str, float]
    reasons: list[dict[str, Any]]
    spans: list[dict[str, Any]] = field(default_factory=list)  # merged, non-overlapping, in text order
    text: str = ""

    def highlighted(self) -> str:
        """The text with each span in ⟦ ⟧ (for terminals and logs that cannot show colour)."""
        out, pos = [], 0
        for s in self.spans:
            out += [self.text[pos : s["start"]], "⟦", self.text[s["start"] : s["end"]], "⟧"]
            pos = s["end"]
        return "".join([*out, self.text[pos:]])

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "score": self.score,
            "language": self.language,
            "probabilities": self.probabilities,
            "reasons": self.reasons,
            "spans": self.spans,
            "highlighted": self.highlighted(),
        }


def merge_spans(marks: list[tuple[int, int, str]], text: str) -> list[dict[str, Any]]:
    """Overlapping (start, end, source) marks merged into spans that list every source behind them."""
    out: list[dict[str, Any]] = []
    for start, end, by in sorted(marks):
        if out and start < out[-1]["end"]:
            last = out[-1]
            last["end"] = max(last["end"], end)
            if by not in last["by"]:
                last["by"].append(by)
        else:
            out.append({"start": start, "end": end, "by": [by]})
    for s in out:
        s["text"] = text[s["start"] : s["end"]]
    return out


class Scorer:
    """Danger score = noisy-OR of the model's P(hate) + ½·P(offensive) and the weight of each rule/term hit.

    A specialist model (e.g. HERDPhobia for English text from Nigeria) adds its P(hate) to the noisy-OR when
    its own decision is hate, and then the label is hate: it knows that country's targets and words.
    """

    def __init__(self, model: SpeechModel, terms: Iterable[Term] = ()) -> None:
        self.model = model
        self.lexicon = Lexicon(terms)
        # Each word's pull towards each class as Python floats, one dict per class (what ranking reads).
        self._pull_cache: dict[str, list[dict[str, float]]] = {}

    def word_contrib(self, lm: LanguageModel, words: set[str]) -> list[dict[str, float]]:
        """Each word's pull towards each class, by class index: its own n-gram vector against the SVM
        weights (cached)."""
        pulls = self._pull_cache.setdefault(lm.key, [{} for _ in lm.classes])
        missing = [w for w in words if w not in pulls[0]]
        if missing:
            contrib = np.asarray(lm.features(missing) @ lm.coef.T)
            if len(pulls[0]) + len(missing) > 200_000:  # bound memory on endless streams
                for by_word in pulls:
                    by_word.clear()
            for by_word, column in zip(pulls, contrib.T.tolist(), strict=True):  # float32 -> float, exact
                by_word.update(zip(missing, column, strict=True))
        return pulls

    def score_many(
        self, texts: list[str], language: str | None = None, country: str | None = None
    ) -> list[SpeechScore]:
        out: list[SpeechScore | None] = [None] * len(texts)
        groups: dict[str, list[int]] = {}
        if language:  # a given language is every text's: picked once, not per text
            groups = {self.model.pick("", language): list(range(len(texts)))} if texts else {}
        else:
            for i, t in enumerate(texts):
                groups.setdefault(self.model.pick(t, None), []).append(i)
        for lang, idx in groups.items():
            lm = self.model.main(lang)
            if lm is None:
                for i in idx:
                    out[i] = _no_model(texts[i], lang)
                continue
            batch = [texts[i] for i in idx]
            counts = lm.featurizer.counts(batch)
            label_idx, proba = lm.predict(batch, counts)
            split = [split_words(t) for t in batch]
            probs = proba.tolist()  # float32 -> float, exact: what float() of each entry gives
            labels = label_idx.tolist()
            # Word pulls are read only to explain a harmful label: neutral texts' words are not looked up.
            neutral = lm.classes.index("neutral") if "neutral" in lm.classes else -1
            pulls = self.word_contrib(lm, _words_of(split, [k != neutral for k in labels]))
            extra = []
            for sp in self.model.specialists(lang, country):
                # A specialist with the same features reuses the counts: one featurisation per text.
                sp_idx, sp_proba = sp.predict(batch, counts if _same_features(sp, lm) else None)
                hate = sp.classes.index("hate")
                sp_pulls = self.word_contrib(sp, _words_of(split, [k == hate for k in sp_idx.tolist()]))
                extra.append((sp, sp_idx, sp_proba, sp_pulls))
            rules = lm.language in HALLMARK_LANGUAGES
            for j, i in enumerate(idx):
                words, offsets = split[j]
                out[i] = self._one(lm, batch[j], words, offsets, labels[j], probs[j], pulls, country, extra, j, rules)
        return [s for s in out if s is not None]

    def _one(
        self,
        lm: LanguageModel,
        text: str,
        words: list[str],
        offsets: list[int],
        k: int,
        p: list[float],
        pulls: list[dict[str, float]],
        country: str | None,
        extra: list[tuple[LanguageModel, np.ndarray, np.ndarray, list[dict[str, float]]]],
        j: int,
        rules: bool,
    ) -> SpeechScore:
        probs = {c: round(v, 4) for c, v in zip(lm.classes, p, strict=True)}
        label = lm.classes[k]
        reasons: list[dict[str, Any]] = []
        marks: list[tuple[int, int, str]] = []
        keep = 1.0 - (probs.get("hate", 0.0) + 0.5 * probs.get("offensive", 0.0))
        if label != "neutral":
            top = _top_words(words, pulls[k])
            if top:
                reasons.append({"kind": "words", "label": label, "words": top, "model": lm.key})
                marks += _word_marks(words, offsets, top, f"model:{lm.key}")
        for sp, sp_idx, sp_proba, sp_pulls in extra:
            h = sp.classes.index("hate")
            if int(sp_idx[j]) != h:
                continue
            p_hate = float(sp_proba[j][h])
            keep *= 1.0 - p_hate
            label = "hate"
            top = _top_words(words, sp_pulls[h])
            reasons.append({"kind": "specialist", "model": sp.key, "p_hate": round(p_hate, 4), "words": top})
            marks += _word_marks(words, offsets, top, f"model:{sp.key}")
        for hit in hallmark_hits(text) if rules else ():
            keep *= 1.0 - hit.weight
            reasons.append(
                {"kind": "hallmark", "hallmark": hit.hallmark, "rule": hit.rule, "match": hit.match, "why": hit.why}
            )
            marks.append((hit.start, hit.end, f"hallmark:{hit.rule}"))
        located = self.lexicon.located(words, lm.language, country)
        for t, n, starts in sorted(located, key=lambda f: -f[0].weight)[:MAX_WORDS]:
            keep *= 1.0 - t.weight
            reasons.append({"kind": "lexicon", "term": t.term, "category": t.category, "source": t.source})
            # Word a starts at offsets[2a]; the n-th word from a ends at offsets[2(a + n) - 1].
            marks += [(offsets[2 * a], offsets[2 * (a + n) - 1], f"lexicon:{t.source}") for a in starts]
        merged = merge_spans(marks, text) if marks else []
        return SpeechScore(label, round(1.0 - keep, 4), lm.language, probs, reasons, merged, text)

    def __call__(self, text: str, language: str | None, country: str | None) -> Danger:
        s = self.score_many([text], language, country)[0]
        reasons = s.reasons + ([{"kind": "spans", "spans": s.spans}] if s.spans else [])
        return Danger(s.label, s.score, reasons)  # type: ignore[arg-type]  # score None: not scored


def _words_of(split: list[tuple[list[str], list[int]]], keep: list[bool]) -> set[str]:
    """The distinct words of the kept texts."""
    return {w for (ws, _), k in zip(split, keep, strict=True) if k for w in ws}


def _same_features(a: LanguageModel, b: LanguageModel) -> bool:
    return (a.featurizer.language, a.featurizer.features) == (b.featurizer.language, b.featurizer.features)


def _top_words(words: list[str], pulls: dict[str, float]) -> list[str]:
    """Up to MAX_WORDS distinct words pulling hardest towards a class (ties: first seen), strong enough."""
    # dict(zip(...)) keeps each word once, in first-seen order; a stable sort keeps that order on ties.
    ranked = sorted(dict(zip(words, map(pulls.__getitem__, words), strict=True)).items(), key=_PULL, reverse=True)
    top = ranked[:MAX_WORDS]
    if not top or top[0][1] <= 0:
        return []
    floor = MIN_SHARE * top[0][1]
    return [w for w, v in top if v > 0 and v >= floor]


def _word_marks(words: list[str], offsets: list[int], chosen: list[str], by: str) -> list[tuple[int, int, str]]:
    """A mark on every occurrence of the chosen words (word i spans offsets[2i]:offsets[2i + 1])."""
    at = compress(count(), map(set(chosen).__contains__, words))  # positions of the chosen words, found in C
    return [(offsets[2 * i], offsets[2 * i + 1], by) for i in at]


def _no_model(text: str, language: str) -> SpeechScore:
    message = f"no model for {language_name(language)} ({language}): not scored"
    if language == "und":
        message = "language not identified (too little text): not scored; give the language to score it"
    return SpeechScore(
        NO_MODEL, None, language, {}, [{"kind": NO_MODEL, "language": language, "message": message}], [], text
    )
