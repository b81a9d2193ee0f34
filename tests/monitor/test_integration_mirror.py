"""Against the real data mirror: corpora parse with their documented labels, ACLED/GDELT layouts import."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from services import require_mirror
from tocsin.core.settings import Settings
from tocsin.monitor import db, importers
from tocsin.monitor.models import User
from tocsin.monitor.speech import classifier, corpora, lexicons
from tocsin.sources.download import fetch

pytestmark = pytest.mark.integration
ACLED = (
    "https://raw.githubusercontent.com/dtacled/acledR/1e05ba93adf316299ff1c88c2910293023bf0d62/data/acled_old_dummy.rda"
)
GDELT_SCHEMA = (
    "https://raw.githubusercontent.com/linwoodc3/gdeltPyR/8762db7f5aaa4f30eda0c9e72b2039ddb68ad593/"
    "utils/schema_csvs/GDELT_2.0_Events_Column_Labels_Header_Row_Sep2016.csv"
)


@pytest.fixture(autouse=True)
def mirror_dir() -> Path:
    return require_mirror()


@pytest.fixture
def mirror_settings(tmp_path: Path, mirror_dir: Path) -> Settings:
    return Settings(home=tmp_path, data_mirror=mirror_dir)


@pytest.mark.parametrize(
    "corpus", [c for c in corpora.CORPORA if c.labels == corpora.LABELS], ids=lambda c: c.model_key
)
def test_each_corpus_parses_into_three_labels(corpus: corpora.Corpus, mirror_settings: Settings) -> None:
    split = corpora.load_split(corpus, mirror_settings)
    assert set(split.train_labels) == set(corpora.LABELS) == set(split.test_labels)
    assert len(split.train_texts) > 4000 and len(split.test_texts) > 1000


def test_english_model_on_capped_sample_beats_chance(mirror_settings: Settings) -> None:
    model = classifier.train(mirror_settings, ["en"], cap=6000)  # its time: bench/bench_speech_training.py
    (metric,) = model.metrics
    assert metric.split == "seeded 20% held-out split" and metric.n_test == 1200
    assert metric.macro_f1 > 0.55  # full corpus reaches ~0.75; a third of it, less


def test_public_lexicons_load_with_sources(mirror_settings: Settings) -> None:
    terms = lexicons.load_public(mirror_settings)
    by_source = {t.source for t in terms}
    assert by_source == {s.name for s in lexicons.SOURCES}
    assert {t.language for t in terms} >= {"en", "sw", "ar", "ig"}


def test_gdelt_column_list_matches_the_published_schema(mirror_dir: Path) -> None:
    content = fetch(
        GDELT_SCHEMA, mirror=mirror_dir, sha256="63db5ad9ef9166894a4e0c1883057cabb30bbadbac80209df639d85ec9bafe41"
    ).content
    names = [row["tableId"] for row in csv.DictReader(io.StringIO(content.decode("utf-8")))]
    assert tuple(names) == importers.GDELT_COLUMNS


def test_real_acled_layout_imports(sqlite_engine: object, mirror_dir: Path) -> None:
    from tocsin.monitor import auth

    factory: sessionmaker[Session] = db.session_factory(sqlite_engine)  # type: ignore[arg-type]
    fetched = fetch(ACLED, mirror=mirror_dir, sha256="d06daefd1a1f793260644bafaa8e363f5a2d1b5d909eff526dc6862e6bf79117")
    with db.transaction(factory) as s:
        ana: User = auth.create_user(s, None, "ana", "correct horse battery", "analyst")
        report = importers.import_bytes(s, ana, "acled", fetched.content, "acled_old_dummy.rda")
    assert report.imported + len(report.errors) == 326
    assert report.imported > 300, report.errors[:5]
