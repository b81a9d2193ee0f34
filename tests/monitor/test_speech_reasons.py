"""Reasons as spans, specialist models by country, rationale agreement measures, the new corpora's parsers."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from tocsin.core.errors import DataError
from tocsin.monitor.speech import corpora, rationale
from tocsin.monitor.speech.classifier import SpeechModel, fit_language
from tocsin.monitor.speech.lexicons import Term
from tocsin.monitor.speech.rationale import Post
from tocsin.monitor.speech.scoring import Scorer, merge_spans


def test_merge_spans_joins_overlaps_and_keeps_every_source() -> None:
    text = "kill the rats now"
    merged = merge_spans([(9, 13, "model:en"), (0, 4, "model:en"), (5, 13, "lexicon:x"), (9, 13, "hallmark:r")], text)
    assert merged == [
        {"start": 0, "end": 4, "by": ["model:en"], "text": "kill"},
        {"start": 5, "end": 13, "by": ["lexicon:x", "hallmark:r", "model:en"], "text": "the rats"},
    ]


def test_neutral_text_gets_no_model_spans_but_keeps_lexicon_spans(speech_model: SpeechModel) -> None:
    scorer = Scorer(speech_model, [Term("market", "en", "test", 0.1, "test-lex")])
    (calm,) = scorer.score_many(["the market opens at nine"], "en")
    assert calm.label == "neutral"
    assert calm.spans == [{"start": 4, "end": 10, "by": ["lexicon:test-lex"], "text": "market"}]
    assert calm.highlighted() == "the ⟦market⟧ opens at nine"


def test_specialist_model_applies_only_in_its_country(speech_model: SpeechModel) -> None:
    hate = ["fulani herders are snakes", "drive the herdsmen out", "herdsmen are killers all of them"] * 2
    calm = ["the herders moved cattle south", "herdsmen and farmers met the governor", "cattle prices rose"] * 2
    herd = fit_language(hate + calm, ["hate"] * 6 + ["neutral"] * 6, "en", 1, key="en-herd", countries=("NGA",))
    model = copy.copy(speech_model)
    model.languages = {**speech_model.languages, "en-herd": herd}
    scorer = Scorer(model, [])
    text = ["the herdsmen are snakes drive them out"]
    (elsewhere,) = scorer.score_many(text, "en", None)
    (nigeria,) = scorer.score_many(text, "en", "NGA")
    assert not any(r["kind"] == "specialist" for r in elsewhere.reasons)
    spec = next(r for r in nigeria.reasons if r["kind"] == "specialist")
    assert spec["model"] == "en-herd" and spec["p_hate"] > 0.5 and set(spec["words"]) & {"snakes", "herdsmen"}
    assert nigeria.label == "hate" and nigeria.score is not None and elsewhere.score is not None
    assert nigeria.score > elsewhere.score
    assert any("model:en-herd" in s["by"] for s in nigeria.spans)
    assert scorer.score_many(["the herders moved cattle south"], "en", "NGA")[0].label == "neutral"


def test_lexicon_baseline_agreement_is_exact_on_a_made_up_case() -> None:
    posts = [
        Post(["they", "are", "vermin", "ok"], [0, 0, 1, 0], "hate"),  # the lexicon finds the one reason
        Post(["go", "away", "now"], [1, 1, 0], "offensive"),  # the lexicon finds nothing
        Post(["nice", "day"], [0, 0], "neutral"),  # neutral posts are not measured
    ]
    got = rationale.lexicon_baseline([Term("vermin", "en", "t", 0.3, "t")], posts)
    assert got.n_posts == 2
    assert got.token_f1 == pytest.approx(0.5)  # 1.0 and 0.0
    # AP is 1.0 for the first post; for the second, all scores tie at 0: AP = share of reasons, 2/3.
    assert got.auprc == pytest.approx((1.0 + 2 / 3) / 2)


def test_model_reasons_agree_with_annotators_more_than_a_random_ranking(speech_model: SpeechModel) -> None:
    posts = [
        Post(["kill", "the", "vermin", "today"], [0, 0, 1, 0], "hate"),
        Post(["you", "stupid", "idiot"], [0, 1, 1], "offensive"),
        Post(["so", "the", "rats", "came", "today"], [0, 0, 1, 0, 0], "hate"),
    ]
    got = rationale.agreement(speech_model, [], posts, "en")
    assert got.n_posts == 3 and got.token_f1 > 0.4  # up to 3 words are highlighted per post, 1-2 are gold
    rng = np.random.default_rng(0)
    from sklearn.metrics import average_precision_score

    chance = np.mean([average_precision_score(p.mask, rng.random(len(p.mask))) for p in posts for _ in range(50)])
    assert got.auprc > chance + 0.1


def test_herdphobia_parser_maps_labels_and_refuses_unknown_ones() -> None:
    content = b"text\tlabel\nfulani herdsmen are killers\tpositive\nhausa is spoken widely\tnegative\n"
    assert corpora._herdphobia(content, "train.tsv") == (
        ["fulani herdsmen are killers", "hausa is spoken widely"],
        ["hate", "neutral"],
    )
    with pytest.raises(DataError, match="unknown label"):
        corpora._herdphobia(b"text\tlabel\nsomething\tmaybe\n", "train.tsv")
    with pytest.raises(DataError, match="expected columns"):
        corpora._herdphobia(b"tweet\tclass\nx\t1\n", "train.tsv")


def test_hatexplain_parser_reads_tokens_masks_and_labels() -> None:
    content = (
        b"post_tokens,toxic_tokens,post_label\n\"['they', 'are', 'rats']\",\"[0, 0, 1]\",hatespeech\n"
        b'"[\'hello\']","[0]",normal\n'
    )
    rows = corpora.hatexplain_rows(content, "test.csv")
    assert rows == [(["they", "are", "rats"], [0, 0, 1], "hate"), (["hello"], [0], "neutral")]
    assert corpora._hatexplain(content, "test.csv") == (["they are rats", "hello"], ["hate", "neutral"])
    with pytest.raises(DataError, match="differ in length"):
        corpora.hatexplain_rows(b'post_tokens,toxic_tokens,post_label\n"[\'a\']","[0, 1]",normal\n', "x.csv")


def test_every_corpus_has_a_unique_model_key_and_its_splits_are_pinned() -> None:
    keys = [c.model_key for c in corpora.CORPORA]
    assert len(keys) == len(set(keys)) and {"en", "am", "my", "ar", "en-herdphobia", "en-hatexplain"} <= set(keys)
    for c in corpora.CORPORA:
        for url, sha in ((c.url, c.sha256), (c.dev_url, c.dev_sha256), (c.test_url, c.test_sha256)):
            assert (url is None) == (sha is None) and (sha is None or len(sha) == 64)
    herd = corpora.corpus_for("en-herdphobia")
    assert herd.countries == ("NGA",) and herd.labels == ("hate", "neutral") and herd.test_url and herd.dev_url
