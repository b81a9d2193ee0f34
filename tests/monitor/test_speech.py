"""Dangerous-speech scoring: labels with reasons, hallmark rules, lexicons, and the CLI's batch scoring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tocsin.core.settings import Settings
from tocsin.monitor.speech import classifier
from tocsin.monitor.speech.classifier import SpeechModel
from tocsin.monitor.speech.hallmarks import hallmark_hits
from tocsin.monitor.speech.lexicons import Lexicon, Term, _davidson, _igbo, tokens
from tocsin.monitor.speech.scoring import Scorer


def test_scores_say_which_words_and_rules_drove_them(speech_model: SpeechModel) -> None:
    scorer = Scorer(speech_model, speech_model.lexicon)
    hate, calm = scorer.score_many(["those people are vermin, wipe out the rats", "the market opens at nine"])
    assert hate.label == "hate" and calm.label == "neutral"
    assert hate.score > calm.score
    kinds = {r["kind"] for r in hate.reasons}
    assert {"words", "hallmark", "lexicon"} <= kinds
    words = next(r for r in hate.reasons if r["kind"] == "words")["words"]
    assert set(words) & {"vermin", "rats", "wipe", "out"}
    assert any(r.get("hallmark") == "dehumanization" for r in hate.reasons)


@pytest.mark.parametrize(
    ("text", "hallmark"),
    [
        ("The Tutsi are cockroaches", "dehumanization"),
        ("Those Fulani herdsmen are animals", "dehumanization"),
        ("They are planning to kill us all, we must strike first", "accusation in a mirror"),
        ("These migrants pollute our blood", "threat to group purity"),
        ("Their women breed like rabbits", "attacks on women and girls"),
        ("Any Hutu who does not join is a traitor", "questioning in-group loyalty"),
    ],
)
def test_each_hallmark_rule_flags_its_example(text: str, hallmark: str) -> None:
    assert hallmark in {h.hallmark for h in hallmark_hits(text)}


def test_hallmark_rules_stay_quiet_on_ordinary_text() -> None:
    assert hallmark_hits("The council met on Tuesday to discuss the new bridge and school fees.") == []


def test_lexicon_matches_multiword_terms_by_language_and_country() -> None:
    lex = Lexicon(
        [Term("cut the tall trees", "rw", "coded call", 0.5, "user", "RWA"), Term("inyenzi", "rw", "slur", 0.5, "user")]
    )
    words = tokens("Bagomba cut the tall trees; inyenzi!")
    assert {t.term for t in lex.matches(words, "rw", "RWA")} == {"cut the tall trees", "inyenzi"}
    assert {t.term for t in lex.matches(words, "rw", "BDI")} == {"inyenzi"}
    assert lex.matches(words, "en", None) == []


def test_lexicon_lookup_finds_what_checking_every_ngram_finds() -> None:
    import random

    rng = random.Random(7)
    vocab = ["a", "b", "c", "d", "e"]
    terms = [
        Term(" ".join(rng.choices(vocab, k=rng.randint(1, 4))), rng.choice(["en", "rw"]), "t", rng.random(), "s",
             rng.choice([None, "RWA"]))
        for _ in range(40)
    ]
    lex = Lexicon(terms)
    for _ in range(200):
        words = rng.choices(vocab, k=rng.randint(0, 12))
        language, country = rng.choice(["en", "rw", None]), rng.choice(["RWA", None])
        # Reference: every n-gram up to 4 words against every term, keeping the heaviest term per n-gram.
        best: dict[str, Term] = {}
        for t in terms:
            key = " ".join(tokens(t.term))
            n = key.count(" ") + 1
            present = any(" ".join(words[i : i + n]) == key for i in range(len(words) - n + 1))
            applies = present and (language is None or t.language == language) and t.country in (None, country)
            if applies and (key not in best or t.weight > best[key].weight):
                best[key] = t
        assert sorted(lex.matches(words, language, country), key=id) == sorted(best.values(), key=id)


def test_hallmark_prefilter_never_skips_a_text_a_rule_matches() -> None:
    from tocsin.monitor.speech.hallmarks import _TRIGGER_STEMS, HALLMARKS

    # Each rule's own match (in any letter case) contains one of the stems the prefilter looks for.
    for text in ("THEY ARE VERMIN", "Those Snakes must be wiped out", "the Fulani are COCKROACHES"):
        for h in HALLMARKS:
            m = h.pattern.search(text)
            if m:
                assert any(stem in m.group(0).casefold() for stem in _TRIGGER_STEMS), (h.name, text)
    assert hallmark_hits("THEY ARE VERMIN, EXTERMINATE THEM") != []


def test_public_lexicon_parsers_read_their_formats() -> None:
    from tocsin.monitor.speech.lexicons import SOURCES

    dav = _davidson(b"ngram,prob\rall niggers,0.859\rhate you,0.663\r", SOURCES[3])
    assert [(t.term, t.weight) for t in dav] == [("all niggers", 0.429), ("hate you", 0.332)]
    igbo = _igbo(
        "\ufeffHate words,Why Hate?,Offensive words,Why offensive?\nokpo ntu,Insulting,ewu,Insulting\n".encode(),
        SOURCES[4],
    )
    assert {(t.term, t.category.split(":")[0]) for t in igbo} == {("okpo ntu", "igbo hate"), ("ewu", "igbo offensive")}


def test_model_round_trips_and_missing_model_says_run_train(tmp_path: Path, speech_model: SpeechModel) -> None:
    path = tmp_path / "models" / "speech.joblib"
    with pytest.raises(Exception, match="tocsin monitor train"):
        classifier.load(path)
    classifier.save(speech_model, path)
    assert classifier.load(path).languages["en"].classes == ["hate", "neutral", "offensive"]


def test_cli_score_writes_json_lines(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, speech_model: SpeechModel
) -> None:
    from tocsin.cli.main import app

    monkeypatch.setenv("TOCSIN_HOME", str(settings.home))
    monkeypatch.delenv("TOCSIN_MONITOR_DB_URL", raising=False)
    texts = tmp_path / "lines.txt"
    texts.write_text("they are vermin wipe them out\nthe bus arrives at noon\n", encoding="utf-8")
    runner = CliRunner()
    missing = runner.invoke(app, ["monitor", "score", str(texts)])
    assert missing.exit_code == 1 and "tocsin monitor train" in missing.output
    classifier.save(speech_model, classifier.model_path(settings))
    result = runner.invoke(app, ["monitor", "score", "--language", "en", str(texts)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["label"] for r in rows] == ["hate", "neutral"]
    assert all({"label", "score", "reasons"} <= set(r) for r in rows)


def test_script_detection_picks_the_language_model() -> None:
    assert classifier.detect_script("ሰላም ነው") == "am"
    assert classifier.detect_script("မင်္ဂလာပါ") == "my"
    assert classifier.detect_script("مرحبا") == "ar"
    assert classifier.detect_script("hello") is None


def test_probabilities_are_calibrated_from_margins_and_follow_the_label(speech_model: SpeechModel) -> None:
    import numpy as np

    for lm in speech_model.languages.values():
        texts = ["they are vermin and must be removed", "lovely weather at the market today", "you idiot"]
        idx, proba = lm.predict(texts)
        assert np.allclose(proba.sum(axis=1), 1.0, atol=1e-5) and (proba >= 0).all()
        assert np.allclose(proba, lm.calibrated(lm.margins(texts)))
        assert [lm.classes[i] for i in idx] == ["hate", "neutral", "offensive"]
        assert proba[1, lm.classes.index("neutral")] > proba[1, lm.classes.index("hate")]


def test_word_spans_point_into_the_original_text_whatever_lowercasing_does() -> None:
    from tocsin.monitor.speech.text import word_spans

    for text in ("They ARE Vermin!", "İstanbul Rats", "ሰላም ዓለም", "မင်္ဂလာ ပါ"):
        spans = word_spans(text)
        assert spans and all(text[a:b].lower() == w for a, b, w in spans), text


def test_burmese_syllable_breaking_puts_a_space_before_each_syllable() -> None:
    from tocsin.monitor.speech.selection import _MY_SYLLABLE, syllables

    for text in ("မင်္ဂလာပါ", "ကျွန်တော် OTS ၁၂၃ abc", "နိုင်ငံ!ရေး"):
        assert syllables(text) == _MY_SYLLABLE.sub(r" \1", text.lower())  # the sylbreak rule, as a template
    assert syllables("မင်္ဂလာပါ").split() == ["မင်္ဂ", "လာ", "ပါ"]


@pytest.mark.parametrize("language", ["en", "my", "am"])
def test_word_features_equal_scikit_learns_hashing_vectorizer(language: str) -> None:
    from tocsin.monitor.speech.selection import Featurizer

    f = Featurizer(language, "char+word")
    texts = ["They ARE vermin, wipe them out!", "", "one", "ကျွန်တော် OTS မ ကြီး", "ሰላም ዓለም ። እንዴት ነህ", "a b a b"]
    texts += ["ကျွန်တော်\tOTS\u3000ကြီးမ ကြီး abc1 ၁၂၃"]
    assert f.word is not None
    f.word_counts(texts[::-1])  # a warm cache gives the same answer as a cold one
    ours, theirs = f.word_counts(texts), f.word.transform(texts)
    assert ours.shape == theirs.shape and (ours != theirs).nnz == 0 and theirs.nnz > 0
