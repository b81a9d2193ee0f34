"""Against the real data mirror: HERDPhobia's and HateXplain's published splits, language identification."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from services import require_mirror
from tocsin.core.settings import Settings
from tocsin.monitor.speech import corpora, rationale
from tocsin.monitor.speech.text import identify

pytestmark = pytest.mark.integration


@pytest.fixture
def mirror_settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path, data_mirror=require_mirror())


def test_herdphobia_has_its_published_train_dev_and_test_splits(mirror_settings: Settings) -> None:
    split = corpora.load_split(corpora.corpus_for("en-herdphobia"), mirror_settings)
    sizes = {ev.name: (len(ev.texts), Counter(ev.labels)["hate"]) for ev in split.held_out()}
    assert (len(split.train_texts), Counter(split.train_labels)["hate"]) == (3090, 624)
    assert sizes == {"published dev split": (441, 89), "published test split": (884, 179)}
    assert split.test_name == "published test split"


def test_hatexplain_test_split_has_rationales_for_harmful_posts(mirror_settings: Settings) -> None:
    posts = rationale.load_posts(mirror_settings)
    assert len(posts) == 3844 and Counter(p.label for p in posts) == {"neutral": 1598, "hate": 1185, "offensive": 1061}
    harmful = [p for p in posts if p.label != "neutral"]
    assert sum(1 for p in harmful if sum(p.mask) > 0) > 0.9 * len(harmful)
    split = corpora.load_split(corpora.corpus_for("en-hatexplain"), mirror_settings)
    assert len(split.train_texts) == 11535 and split.test_name == "published test split"


def test_english_tweets_are_identified_as_english(mirror_settings: Settings) -> None:
    split = corpora.load_split(corpora.corpus_for("en-herdphobia"), mirror_settings)
    codes = Counter(identify(t) for t in split.test_texts)
    assert codes["en"] > 0.9 * len(split.test_texts), codes.most_common(5)
