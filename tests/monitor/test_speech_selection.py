"""Speech models chosen by train-only CV, held-out splits scored once, language identification, model swap."""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score
from typer.testing import CliRunner

from tocsin.core.settings import Settings
from tocsin.monitor.speech import card, classifier, corpora
from tocsin.monitor.speech.corpora import Corpus, EvalSplit, Split
from tocsin.monitor.speech.scoring import Scorer
from tocsin.monitor.speech.selection import choose, macro_f1, macro_f1_interval, tune_offsets
from tocsin.monitor.speech.text import identify, normalise

TINY = {
    "hate": [
        "they are vermin wipe them out",
        "those rats must be exterminated",
        "kill the vermin",
        "rats all of them",
        "wipe out the filthy rats",
        "exterminate the vermin now",
    ],
    "offensive": ["you stupid idiot", "shut up moron", "what an idiot", "stupid moron", "idiot idiot", "you moron"],
    "neutral": [
        "the market opens at nine",
        "we planted rice",
        "school is closed today",
        "rain expected tomorrow",
        "the bus arrives at noon",
        "children play in the park",
    ],
}
TRAIN = [t for v in TINY.values() for t in v]
TRAIN_Y = [k for k, v in TINY.items() for _ in v]
HELD = ["exterminate those rats", "you moron", "the shop opens at ten", "wipe out the vermin", "idiot"]


def _corpus(key: str = "", countries: tuple[str, ...] = ()) -> Corpus:
    return Corpus(
        "en",
        "made-up",
        "made up in the test",
        "none",
        f"file:///{key or 'en'}",
        "0" * 64,
        corpora._davidson,
        key=key,
        countries=countries,
    )


def _fake_corpora(monkeypatch: pytest.MonkeyPatch, held_labels: list[str]) -> None:
    corpus = _corpus()
    split = Split(
        "en",
        TRAIN,
        TRAIN_Y,
        HELD,
        held_labels,
        "published dev split",
        (EvalSplit("published dev split", HELD, held_labels),),
    )
    monkeypatch.setattr(classifier, "CORPORA", (corpus,))
    monkeypatch.setattr(classifier, "load_split", lambda c, s, cap=None: split)


def test_macro_f1_matches_scikit_learn() -> None:
    rng = np.random.default_rng(0)
    y, pred = rng.integers(0, 3, 200), rng.integers(0, 3, 200)
    assert macro_f1(y, pred, 3) == pytest.approx(f1_score(y, pred, average="macro"))
    assert macro_f1(np.array([0, 0, 1]), np.array([0, 0, 0]), 3) == pytest.approx(
        f1_score([0, 0, 1], [0, 0, 0], average="macro", zero_division=0)
    )


def test_macro_f1_interval_is_the_percentile_bootstrap_of_scikit_learns_score() -> None:
    rng = np.random.default_rng(2)
    y = rng.integers(0, 3, 300)
    pred = np.where(rng.random(300) < 0.7, y, rng.integers(0, 3, 300))
    lo, hi = macro_f1_interval(y, pred, 3, seed=5, n_boot=400)
    # The same resamples, scored one by one with sklearn over the fixed label set.
    idx = np.random.default_rng(5).integers(0, 300, size=(400, 300))
    each = [f1_score(y[i], pred[i], labels=[0, 1, 2], average="macro", zero_division=0) for i in idx]
    assert (lo, hi) == pytest.approx(tuple(np.percentile(each, [2.5, 97.5])))
    assert lo < macro_f1(y, pred, 3) < hi


def test_macro_f1_interval_narrows_as_the_split_grows() -> None:
    rng = np.random.default_rng(3)

    def width(n: int) -> float:
        y = rng.integers(0, 3, n)
        pred = np.where(rng.random(n) < 0.7, y, rng.integers(0, 3, n))
        lo, hi = macro_f1_interval(y, pred, 3, seed=0)
        return hi - lo

    assert width(4000) < width(250) / 2
    assert np.isnan(macro_f1_interval(np.array([], dtype=int), np.array([], dtype=int), 3, seed=0)).all()


def test_tuned_thresholds_recover_a_shifted_minority_class() -> None:
    rng = np.random.default_rng(1)
    y = (rng.random(600) < 0.15).astype(int)
    # The minority class's margins are systematically too low: argmax misses most of it.
    margins = np.column_stack([np.zeros(600), np.where(y == 1, -0.2, -0.8) + rng.normal(0, 0.2, 600)])
    offsets = tune_offsets(margins, y)
    assert offsets[0] == 0 and offsets[1] > 0.2
    assert macro_f1(y, (margins + offsets).argmax(1), 2) > macro_f1(y, margins.argmax(1), 2) + 0.2


def test_cv_scores_every_variant_and_keeps_the_best() -> None:
    y = np.array([sorted(TINY).index(lab) for lab in TRAIN_Y])
    choice = choose(TRAIN, y, "en", seed=3)
    assert len(choice.scores) == 12  # 2 feature sets x 3 C x (argmax, tuned thresholds)
    assert choice.cv_macro_f1 == max(choice.scores.values()) == choice.scores[choice.variant.name]
    assert choice.oof_margins.shape == (len(TRAIN), 3) and choice.n_folds == 3


def test_held_out_labels_never_change_what_is_chosen(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_corpora(monkeypatch, ["hate", "offensive", "neutral", "hate", "offensive"])
    right = classifier.train(settings)
    _fake_corpora(monkeypatch, ["neutral", "neutral", "hate", "offensive", "hate"])  # same texts, other labels
    wrong = classifier.train(settings)
    a, b = right.languages["en"], wrong.languages["en"]
    assert a.variant == b.variant and a.cv_macro_f1 == b.cv_macro_f1 and a.cv_scores == b.cv_scores
    assert np.array_equal(a.coef, b.coef) and np.array_equal(a.offsets, b.offsets)
    (m_right,), (m_wrong,) = right.metrics, wrong.metrics
    assert m_right.split == "published dev split" and m_right.cv_macro_f1 == a.cv_macro_f1
    assert m_right.macro_f1 > m_wrong.macro_f1  # the held-out split is scored, after the choice
    assert m_right.ci95[0] <= m_right.macro_f1 <= m_right.ci95[1]
    assert card.card(right)["models"][0]["held_out"][0]["ci95"] == pytest.approx(list(m_right.ci95), abs=1e-6)


def test_corrections_join_training_and_show_on_the_card(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_corpora(monkeypatch, ["hate", "offensive", "neutral", "hate", "offensive"])
    corrections = [("en", "the herders are snakes", "hate"), ("am", "ሰላም", "neutral"), ("en", "x", "bogus")]
    model = classifier.train(settings, corrections=corrections)
    assert model.corrections == {"en": 1}  # other languages and unknown labels are not used
    assert model.languages["en"].n_train == len(TRAIN) + 1
    c = card.card(model)
    (entry,) = c["models"]
    assert entry["corrections_used"] == 1 and entry["n_train"] == len(TRAIN) + 1
    assert entry["held_out"][0]["split"] == "published dev split" and entry["cv_scores"]


def test_amharic_normalisation_folds_every_order_of_the_homophone_series() -> None:
    assert normalise("ሐሑሒሓሔሕሖ ኀኁ ኸ ሠላም ዐለም ፀሐይ", "am") == "ሀሁሂሃሄህሆ ሀሁ ሀ ሰላም አለም ጸሀይ"
    assert normalise("ሰላም።ነው፣እሺ", "am").split() == ["ሰላም", "ነው", "እሺ"]
    assert normalise("@USER hello https://t.co/x", "en").split() == ["@user", "hello", "url"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Wallahi Fulani makiyaya ne suka kashe mutanen kauyen", "ha"),
        ("Hawa watu ni mende, lazima tuwaondoe wote kutoka kijijini", "sw"),
        ("the herdsmen attacked the village last night", "en"),
        ("ሰላም ነው", "am"),
        ("မင်္ဂလာပါ", "my"),
        ("مرحبا بكم", "ar"),
        ("@user 123", "und"),
    ],
)
def test_language_identification_is_by_text_not_by_script_alone(text: str, code: str) -> None:
    assert identify(text) == code


def test_a_language_without_a_model_is_not_scored(speech_model: classifier.SpeechModel) -> None:
    scorer = Scorer(speech_model, speech_model.lexicon)
    hausa, english = scorer.score_many(["Wallahi Fulani makiyaya ne suka kashe mutanen kauyen", "they are vermin"])
    assert hausa.label == "no_model" and hausa.score is None and hausa.probabilities == {}
    assert hausa.reasons[0]["message"] == "no model for Hausa (ha): not scored"
    assert english.label == "hate" and english.score is not None
    forced = scorer.score_many(["they are vermin"], language="sw")[0]
    assert forced.label == "no_model" and "Swahili" in forced.reasons[0]["message"]


def test_cli_score_says_no_model_for_a_swahili_line(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, speech_model: classifier.SpeechModel
) -> None:
    from tocsin.cli.main import app

    monkeypatch.setenv("TOCSIN_HOME", str(settings.home))
    monkeypatch.delenv("TOCSIN_MONITOR_DB_URL", raising=False)
    classifier.save(speech_model, classifier.model_path(settings))
    lines = tmp_path / "lines.txt"
    lines.write_text("Hawa watu ni mende, lazima tuwaondoe wote kutoka kijijini\nthey are vermin\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["monitor", "score", str(lines)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["label"] for r in rows] == ["no_model", "hate"]
    assert rows[0]["score"] is None and "no model for Swahili (sw)" in rows[0]["reasons"][0]["message"]
    assert rows[1]["highlighted"] == "⟦they are vermin⟧"  # the hallmark rule's match covers the model's word
    (span,) = rows[1]["spans"]
    assert {b.split(":")[0] for b in span["by"]} == {"model", "hallmark", "lexicon"}
    assert span["text"] == "they are vermin"
    assert "1 line(s): no model for Swahili (sw): not scored" in result.stderr


def test_cli_model_card_json_and_table(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, speech_model: classifier.SpeechModel
) -> None:
    from tocsin.cli.main import app

    monkeypatch.setenv("TOCSIN_HOME", str(settings.home))
    path = classifier.model_path(settings)
    missing = CliRunner().invoke(app, ["monitor", "model"])
    assert missing.exit_code == 1 and "tocsin monitor train" in missing.output
    classifier.save(speech_model, path)
    assert card.card_path(path).is_file()
    data = json.loads(CliRunner().invoke(app, ["monitor", "model", "--json"]).stdout)
    assert data["models"][0]["key"] == "en" and data["models"][0]["n_train"] == 18
    assert "CLD2" in data["language_identification"]
    from tocsin.cli.common import console

    monkeypatch.setattr(console, "width", 80)
    table = CliRunner().invoke(app, ["monitor", "model"])
    assert table.exit_code == 0 and "Model card" in table.stdout
    lines = table.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    # The CV's choice is below the table in full, not squeezed into a column.
    chosen = data["models"][0]["chosen"]
    assert not any(chosen in line for line in lines if line.startswith("│"))
    assert f"en: chosen by CV: {chosen}" in " ".join(line.strip() for line in lines)


def test_retraining_swaps_the_model_atomically_while_scoring_goes_on(
    tmp_path: Path, speech_model: classifier.SpeechModel
) -> None:
    path = tmp_path / "models" / "speech.joblib"
    first, second = copy.copy(speech_model), copy.copy(speech_model)
    first.trained_at, second.trained_at = "first", "second"
    classifier.save(first, path)
    assert classifier.load_cached(path).trained_at == "first"
    assert classifier.load_cached(path) is classifier.load_cached(path)  # not re-read per request
    errors: list[Exception] = []
    done = threading.Event()

    def score_forever() -> None:
        while not done.is_set():
            try:
                model = classifier.load_cached(path)
                assert Scorer(model).score_many(["they are vermin"])[0].label == "hate"
            except Exception as exc:
                errors.append(exc)
                return

    reader = threading.Thread(target=score_forever)
    reader.start()
    for i in range(5):
        classifier.save(second if i % 2 == 0 else first, path)
    done.set()
    reader.join()
    assert errors == []
    assert classifier.load_cached(path).trained_at == "second"
    assert sorted(p.name for p in path.parent.iterdir()) == ["speech.joblib", "speech_card.json"]


def test_cached_character_features_equal_scikit_learns_hashing() -> None:
    from tocsin.monitor.speech.selection import Featurizer

    texts = [*TRAIN, "", "   ", "a", "İstanbul ŞEHİR", "x\u00a0y\tz\n w", "ሰላም ነው፣ ሰላም", "RT @someone: the the the"]
    for language in ("en", "am"):
        f = Featurizer(language, "char+word")
        clean = [normalise(t, language) for t in texts]
        for _ in range(2):  # cold, then from the cache
            assert (f.char_counts(clean) != f.char.transform(clean)).nnz == 0


def test_burmese_words_are_syllables() -> None:
    from tocsin.monitor.speech.selection import Featurizer, syllables

    assert syllables("ဖော်လော်မော် မ ဟုတ် Hello").split() == ["ဖော်", "လော်", "မော်", "မ", "ဟုတ်", "hello"]
    analyzer = Featurizer("my", "char+word").word
    assert analyzer is not None
    assert analyzer.build_analyzer()("ကုလားတွေ") == ["ကု", "လား", "တွေ", "ကု လား", "လား တွေ"]


def test_cli_evaluate_prints_each_held_out_score_with_its_interval_in_80_columns(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tocsin.cli.common import console
    from tocsin.cli.main import app

    _fake_corpora(monkeypatch, ["hate", "offensive", "neutral", "hate", "offensive"])
    monkeypatch.setenv("TOCSIN_HOME", str(settings.home))
    model = classifier.train(settings)
    classifier.save(model, classifier.model_path(settings))
    monkeypatch.setattr(console, "width", 80)
    out = CliRunner().invoke(app, ["monitor", "evaluate", "--no-rationales"])
    assert out.exit_code == 0, out.output
    (m,) = model.metrics
    row = next(line for line in out.stdout.splitlines() if line.startswith("│ 1 "))
    assert f"{m.macro_f1:.3f}" in row and f"{m.ci95[0]:.3f}-{m.ci95[1]:.3f}" in row and "95% CI" in out.stdout
    assert max(len(line) for line in out.stdout.splitlines()) <= 80
