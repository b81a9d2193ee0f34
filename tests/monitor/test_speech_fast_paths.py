"""Scoring's fast paths give exactly what the straightforward computations give.

Each reference below is the plain definition (scikit-learn's hashers, a match object per word, every rule
searched, every n-gram of the lexicon checked, a per-character loop); the scorer must agree bit for bit.
"""

from __future__ import annotations

import random
import re
import unicodedata
from typing import Any

import numpy as np
import pytest

from tocsin.monitor.speech import text as text_mod
from tocsin.monitor.speech.classifier import LanguageModel, SpeechModel, fit_language
from tocsin.monitor.speech.hallmarks import _TRIGGER_STEMS, HALLMARK_LANGUAGES, HALLMARKS, hallmark_hits
from tocsin.monitor.speech.lexicons import Lexicon, Term, tokens
from tocsin.monitor.speech.rowstore import RowStore
from tocsin.monitor.speech.scoring import MAX_WORDS, MIN_SHARE, Scorer, merge_spans
from tocsin.monitor.speech.selection import Featurizer, calibrated
from tocsin.monitor.speech.text import WORD, detect_script, normalise, split_words, word_spans


def term_positions(words: list[str], key: str) -> list[tuple[int, int]]:
    """Word-index ranges where a (possibly multi-word) lexicon key occurs: every window compared."""
    parts = key.split(" ")
    n = len(parts)
    return [(i, i + n) for i in range(len(words) - n + 1) if words[i : i + n] == parts]


def _w(words: str) -> list[str]:
    return words.split()


# Made-up words per language and label; texts are drawn from them with a fixed seed.
VOCAB = {
    "en": {
        "hate": _w("they are vermin rats wipe out exterminate those people kill them before they breed"),
        "offensive": _w("you stupid idiot moron shut up what an fool again"),
        "neutral": _w("the market opens at nine rain school bus park children field rice"),
    },
    "am": {
        "hate": _w("ሐበሻ ጠላት ግደሉ ዐማራ ሠራዊት ኧረ ዉሻ ጥፉ"),
        "offensive": _w("ደደብ ሞኝ ዝጋ ባለጌ ሥራ ፈት"),
        "neutral": _w("ገበያ ትምህርት ቤት ዝናብ ልጆች መንገድ"),
    },
    "my": {
        "hate": _w("ကုလား သတ် ပစ် မောင်းထုတ် ခွေး"),
        "offensive": _w("အရူး ငတုံး ပါးစပ်ပိတ် လူယုတ်မာ"),
        "neutral": _w("ဈေး ကျောင်း မိုး ကလေး လမ်း"),
    },
    "ar": {
        "hate": _w("اقتلوا الخونة كلاب حشرات اطردوهم"),
        "offensive": _w("غبي احمق اسكت حمار"),
        "neutral": _w("السوق المدرسة المطر الاطفال الطريق"),
    },
}
NOISE = ["@someone", "https://x.example/a?b=1", "RT", "!!", "İstanbul", "ŞEHİR", "ß", "123", "a\u00a0b", "x\ty"]
LEXICON = [
    Term("vermin", "en", "t:slur", 0.3, "t"),
    Term("wipe out", "en", "t:phrase", 0.25, "t"),
    Term("kill them before", "en", "t:phrase", 0.35, "t2"),
    Term("idiot", "en", "t:insult", 0.1, "t", country="NGA"),
    Term("stupid", "en", "t:insult", 0.15, "t2"),
    Term("كلاب", "ar", "t:animal", 0.2, "t"),
    Term("ጠላት", "am", "t:enemy", 0.2, "t"),
]


def _texts(language: str, rng: random.Random, n: int) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for _ in range(n):
        label = rng.choice(sorted(VOCAB[language]))
        words = [rng.choice(VOCAB[language][label]) for _ in range(rng.randint(1, 9))]
        if rng.random() < 0.3:
            words.insert(rng.randint(0, len(words)), rng.choice(NOISE))
        sep = rng.choice([" ", " ", "  ", ", ", "። " if language == "am" else ". "])
        text = sep.join(words)
        texts.append(text.upper() if rng.random() < 0.1 else text)
        labels.append(label)
    return texts, labels


@pytest.fixture(scope="module")
def model() -> SpeechModel:
    rng = random.Random(7)
    languages = {}
    for language in VOCAB:
        texts, labels = _texts(language, rng, 60)
        languages[language] = fit_language(texts, labels, language, seed=1, feature_sets=("char+word",), c_grid=(1.0,))
    texts, labels = _texts("en", rng, 40)
    languages["en-sp"] = fit_language(
        texts, [lab if lab == "hate" else "neutral" for lab in labels], "en", 1, key="en-sp", countries=("NGA",)
    )
    return SpeechModel(languages, "test", [], [], 1, None, lexicon=LEXICON)


# --- the straightforward path -------------------------------------------------------------------------------


def _plain_counts(lm: LanguageModel, texts: list[str]) -> Any:
    from scipy import sparse

    f = lm.featurizer
    clean = [_plain_normalise(t, f.language) for t in texts]
    x = f.char.transform(clean)
    return sparse.hstack([x, f.word.transform(clean)], format="csr") if f.word is not None else x


def _plain_normalise(text: str, language: str) -> str:
    text = re.sub(r"https?://\S+", " url ", re.sub(r"@\w+", " @user ", text))
    return text.translate(text_mod._AMHARIC_FOLD) if language == "am" else text


def _plain_spans(text: str) -> list[tuple[int, int, str]]:
    low = text.lower()
    if len(low) == len(text):  # offsets unchanged by lowercasing: words of the lowercased text
        return [(m.start(), m.end(), m.group(0)) for m in WORD.finditer(low)]
    return [(m.start(), m.end(), m.group(0).lower()) for m in WORD.finditer(text)]


def _plain_top(words: list[str], contrib: np.ndarray, vocab: dict[str, int], k: int) -> list[str]:
    pulls = sorted({w: float(contrib[vocab[w]][k]) for w in words}.items(), key=lambda kv: -kv[1])[:MAX_WORDS]
    if not pulls or pulls[0][1] <= 0:
        return []
    return [w for w, v in pulls if v > 0 and v >= MIN_SHARE * pulls[0][1]]


def _plain_rules(text: str) -> list[tuple[str, int, int, str]]:
    if not any(stem in text.casefold() for stem in _TRIGGER_STEMS):
        return []
    return [(h.name, m.start(), m.end(), m.group(0)) for h in HALLMARKS if (m := h.pattern.search(text))]


def _plain_lexicon(terms: list[Term], words: list[str], language: str, country: str | None) -> list[Term]:
    found: dict[str, Term] = {}
    for n in range(1, 5):
        for i in range(len(words) - n + 1):
            key = " ".join(words[i : i + n])
            for t in terms:
                applies = t.language == language and t.country in (None, country)
                if applies and " ".join(tokens(t.term)) == key and (key not in found or t.weight > found[key].weight):
                    found[key] = t
    return list(found.values())


def _plain_score(model: SpeechModel, text: str, language: str, country: str | None) -> dict[str, Any]:
    lm = model.languages[language]
    spans = _plain_spans(text)
    words = [w for _, _, w in spans]
    vocab = {w: i for i, w in enumerate(dict.fromkeys(words))}

    def predict(m: LanguageModel) -> tuple[int, np.ndarray, np.ndarray]:
        x = m.tfidf.transform(_plain_counts(m, [text]))
        margins = np.asarray(x @ m.coef.T + m.intercept, dtype=np.float32)
        contrib = np.asarray(m.tfidf.transform(_plain_counts(m, list(vocab) or [""])) @ m.coef.T)
        return int((margins + m.offsets).argmax(axis=1)[0]), calibrated(margins, m.calibration)[0], contrib

    k, p, contrib = predict(lm)
    probs = {c: round(float(v), 4) for c, v in zip(lm.classes, p, strict=True)}
    label, reasons, marks = lm.classes[k], [], []
    keep = 1.0 - (probs.get("hate", 0.0) + 0.5 * probs.get("offensive", 0.0))
    if label != "neutral" and (top := _plain_top(words, contrib, vocab, k)):
        reasons.append({"kind": "words", "label": label, "words": top, "model": lm.key})
        marks += [(s, e, f"model:{lm.key}") for s, e, w in spans if w in top]
    for sp in model.specialists(language, country):
        sk, sp_p, sp_contrib = predict(sp)
        h = sp.classes.index("hate")
        if sk == h:
            keep *= 1.0 - float(sp_p[h])
            label = "hate"
            top = _plain_top(words, sp_contrib, vocab, h)
            reasons.append({"kind": "specialist", "model": sp.key, "p_hate": round(float(sp_p[h]), 4), "words": top})
            marks += [(s, e, f"model:{sp.key}") for s, e, w in spans if w in top]
    rules = [hit for hit in hallmark_hits(text)] if lm.language in HALLMARK_LANGUAGES else []
    assert [(r.rule, r.start, r.end, r.match) for r in rules] == (
        _plain_rules(text) if lm.language in HALLMARK_LANGUAGES else []
    )
    for hit in rules:
        keep *= 1.0 - hit.weight
        reasons.append(
            {"kind": "hallmark", "hallmark": hit.hallmark, "rule": hit.rule, "match": hit.match, "why": hit.why}
        )
        marks.append((hit.start, hit.end, f"hallmark:{hit.rule}"))
    for t in sorted(_plain_lexicon(LEXICON, words, lm.language, country), key=lambda t: -t.weight)[:MAX_WORDS]:
        keep *= 1.0 - t.weight
        reasons.append({"kind": "lexicon", "term": t.term, "category": t.category, "source": t.source})
        for a, b in term_positions(words, " ".join(tokens(t.term))):
            marks.append((spans[a][0], spans[b - 1][1], f"lexicon:{t.source}"))
    spans_out = merge_spans(marks, text) if marks else []
    return {
        "label": label,
        "score": round(1.0 - keep, 4),
        "probabilities": probs,
        "reasons": reasons,
        "spans": spans_out,
    }


# --- the tests ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("country", [None, "NGA"])
def test_fast_scoring_paths_give_the_same_scores_and_spans(model: SpeechModel, country: str | None) -> None:
    rng = random.Random(11)
    scorer = Scorer(model, model.lexicon)
    for language in VOCAB:
        texts, _ = _texts(language, rng, 40)
        texts += ["", "   ", "they are vermin, WIPE OUT the rats", "kill them before they breed. İDİOT stupid"]
        for batch in (texts[:25], texts, texts[::-1]):  # cold word caches, then warm ones
            got = scorer.score_many(batch, language, country)
            for text, s in zip(batch, got, strict=True):
                want = _plain_score(model, text, language, country)
                assert {k: v for k, v in s.as_json().items() if k in want} == want, text


def test_words_and_offsets_equal_one_match_object_per_word() -> None:
    for text in ("They ARE Vermin!", "İstanbul Rats İİ", "ሰላም ዓለም፣ነው", "မင်္ဂလာ ပါ", "ٱلسَّلَامُ عَلَيْكُمْ", "", "!!", "a_b c1"):
        assert word_spans(text) == _plain_spans(text)
        words, offsets = split_words(text)
        assert [(offsets[2 * i], offsets[2 * i + 1], w) for i, w in enumerate(words)] == _plain_spans(text)


def test_script_and_cld2_cleaning_equal_their_per_character_definitions() -> None:
    def plain_script(text: str) -> str | None:
        counts = {"am": 0, "my": 0, "ar": 0}
        for ch in text[:200]:
            for lang, lo, hi in (("am", 0x1200, 0x139F), ("my", 0x1000, 0x109F), ("ar", 0x0600, 0x06FF)):
                counts[lang] += lo <= ord(ch) <= hi
        lang, n = max(counts.items(), key=lambda kv: kv[1])
        return lang if n else None

    def plain_clean(text: str) -> str:
        text = text.encode("utf-8", errors="ignore").decode("utf-8")
        return "".join(ch for ch in text if ch in "\t\n" or unicodedata.category(ch)[0] != "C")

    samples = [
        "hello",
        "ሰላም مرحبا",
        "مرحبا ሰላም",
        "ကို ሰ",
        "a" * 250 + "ሰላም",
        "x\x00y\x07\t\n\x7f",
        "zero\u200bwidth\ud800",
        "",
    ]
    samples += ["e\u0301t\u00e9 \u202eevil\ufeff", "ሰ" * 3 + "م" * 3]
    for text in samples:
        assert detect_script(text) == plain_script(text), text
        assert text_mod._clean_for_cld2(text) == plain_clean(text), text


def test_amharic_folding_by_regex_equals_the_translation_table() -> None:
    every = "".join(chr(c) for c in range(0x1200, 0x13A0)) + " ። ፡ abc @user https://x.y"
    assert normalise(every, "am") == _plain_normalise(every, "am")
    assert normalise(every, "en") == _plain_normalise(every, "en")


def test_rule_prefilter_never_skips_a_rule_the_plain_search_finds() -> None:
    examples = [
        "The Tutsi are cockroaches",
        "Those Fulani herdsmen are animals",
        "those people are snakes",
        "They are planning to kill us all",
        "kill them before they come",
        "we defend ourselves against them",
        "These migrants pollute our blood",
        "racial purity matters",
        "Their women breed like rabbits",
        "rape their women",
        "Any Hutu who does not join is a traitor",
        "not a real african",
        "the enemy within",
        "crush the cockroaches",
        "get rid of them",
    ]
    for text in examples:
        for variant in (text, text.upper(), text.title(), f"{text} İ", text.replace("s", "ſ"), text.replace("e", "é")):
            assert [(h.rule, h.start, h.end, h.match) for h in hallmark_hits(variant)] == _plain_rules(variant)


def test_lexicon_positions_are_those_term_positions_finds() -> None:
    lex = Lexicon([*LEXICON, Term("wipe out them all now", "en", "t", 0.1, "t")])
    words = _w("they wipe out vermin and wipe out again kill them before kill them vermin")
    for language, country in (("en", None), ("en", "NGA"), ("ar", None)):
        located = lex.located(words, language, country)
        assert [t for t, _, _ in located] == lex.matches(words, language, country)
        for t, n, starts in located:
            assert [(a, a + n) for a in starts] == term_positions(words, " ".join(tokens(t.term)))


def test_row_store_gives_scikit_learns_rows_cold_warm_and_after_clearing() -> None:
    texts = ["they are vermin", "", "ሰላም ነው፣ ሰላም", "a a a", "İstanbul ŞEHİR", "x\u00a0y\tz"] * 3
    for language in ("en", "am"):
        f = Featurizer(language, "char+word")
        f.__dict__["_char_rows"] = RowStore(limit=5)  # clears itself on most batches
        clean = [normalise(t, language) for t in texts]
        for batch in (clean, clean[:4], clean[::-1], clean[5:]):
            got, want = f.char_counts(batch), f.char.transform(batch)
            assert got.shape == want.shape and (got != want).nnz == 0
            assert (got.indices == want.indices).all() and (got.indptr == want.indptr).all()


def test_row_store_is_safe_for_request_threads_sharing_one_model() -> None:
    from concurrent.futures import ThreadPoolExecutor

    rng = random.Random(3)
    batches = [_texts("en", rng, 30)[0] for _ in range(24)]
    f = Featurizer("en", "char+word")
    f.__dict__["_char_rows"] = RowStore(limit=60)  # clears often while other threads read
    clean = [[normalise(t, "en") for t in b] for b in batches]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(f.char_counts, clean * 4))
    for batch, x in zip(clean * 4, got, strict=True):
        assert (x != f.char.transform(batch)).nnz == 0
