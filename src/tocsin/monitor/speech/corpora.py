"""Labelled hate-speech corpora in the data mirror, each mapped to hate / offensive / neutral.

Label mapping (documented here because every figure depends on it):

- English, Davidson et al. 2017 `labeled_data.csv`: class 0 hate -> hate, 1 offensive -> offensive,
  2 neither -> neutral. No published split: a seeded 20 % held-out split is used.
- Amharic, Ayele et al. (RANLP 2023): `__label__hate` -> hate, `__label__offensive` -> offensive,
  `__label__normal` -> neutral. Trained on the published train split, evaluated on the published dev split.
- Burmese, myHateSpeech 0.9 `hs_data.txt` (tags: ab abusive, po political, bo body-shaming, le LGBT,
  se sexism, ed education, ra race, re religion, no normal): attacks on a group for what it is
  (ra, re, le, se) -> hate; other abuse (ab, po, bo, ed) -> offensive; no -> neutral. Seeded 20 % split.
- Levantine Arabic, L-HSAB (Mulki et al. 2019): hate -> hate, abusive -> offensive, normal -> neutral.
  Seeded 20 % split.
- HERDPhobia (Aliyu et al. 2022), tweets about Fulani herders in Nigeria: positive -> hate, negative ->
  neutral (the corpus has no offensive class). Published train/dev/test splits; the model applies to
  English text from Nigeria only.
- HateXplain (Mathew et al. 2021, as redistributed by the SOLD project with its train/test split):
  hatespeech -> hate, offensive -> offensive, normal -> neutral; `toxic_tokens` is the annotators'
  token-level rationale, used to measure the reasons a score gives.
"""

from __future__ import annotations

import ast
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tocsin.core.errors import DataError
from tocsin.core.settings import Settings
from tocsin.sources.download import fetch

LABELS: tuple[str, ...] = ("hate", "offensive", "neutral")

_GH = "https://raw.githubusercontent.com"


@dataclass(frozen=True)
class EvalSplit:
    """One held-out split: never used to choose anything, scored once after training."""

    name: str  # "published dev split", "published test split" or "seeded 20% held-out split"
    texts: list[str]
    labels: list[str]


@dataclass(frozen=True)
class Split:
    """Texts and labels of one corpus, split for training and honest evaluation.

    `test_*` is the main held-out split (the published test split when there is one, else the dev split,
    else the seeded split); `evals` lists every held-out split, each scored and reported.
    """

    language: str
    train_texts: list[str]
    train_labels: list[str]
    test_texts: list[str]
    test_labels: list[str]
    test_name: str
    evals: tuple[EvalSplit, ...] = ()

    def held_out(self) -> tuple[EvalSplit, ...]:
        return self.evals or (EvalSplit(self.test_name, self.test_texts, self.test_labels),)


@dataclass(frozen=True)
class Corpus:
    """One public labelled corpus: where it lives, its licence and citation, and how to read it."""

    language: str
    name: str
    citation: str
    licence: str
    url: str
    sha256: str
    parse: Callable[[bytes, str], tuple[list[str], list[str]]]
    dev_url: str | None = None  # a published evaluation split, when the corpus has one
    dev_sha256: str | None = None
    test_url: str | None = None  # a published test split, when the corpus has one
    test_sha256: str | None = None
    key: str = ""  # the model's name; "" means the language code (the language's main model)
    countries: tuple[str, ...] = ()  # ISO3 codes a specialist model applies to; () means everywhere
    labels: tuple[str, ...] = LABELS

    @property
    def model_key(self) -> str:
        return self.key or self.language


def _davidson(content: bytes, file: str) -> tuple[list[str], list[str]]:
    mapping = {"0": "hate", "1": "offensive", "2": "neutral"}
    reader = csv.DictReader(io.StringIO(content.decode("utf-8", errors="replace")))
    if reader.fieldnames is None or "tweet" not in reader.fieldnames or "class" not in reader.fieldnames:
        raise DataError(file, "expected columns 'class' and 'tweet'")
    texts, labels = [], []
    for row in reader:
        label = mapping.get((row["class"] or "").strip())
        if label is None:
            raise DataError(file, f"unknown class {row['class']!r} on line {reader.line_num}", column="class")
        texts.append(row["tweet"])
        labels.append(label)
    return texts, labels


def _fasttext(content: bytes, file: str) -> tuple[list[str], list[str]]:
    mapping = {"__label__hate": "hate", "__label__offensive": "offensive", "__label__normal": "neutral"}
    texts, labels = [], []
    for n, line in enumerate(content.decode("utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        tag, _, text = line.partition("\t")
        if tag not in mapping:
            # A multi-line tweet continues on the next line: append it to the previous text.
            if texts and not tag.startswith("__label__"):
                texts[-1] = texts[-1] + " " + line
                continue
            raise DataError(file, f"unknown label {tag!r} on line {n}")
        texts.append(text)
        labels.append(mapping[tag])
    return texts, labels


_MYHS = {
    "ra": "hate",
    "re": "hate",
    "le": "hate",
    "se": "hate",
    "ab": "offensive",
    "po": "offensive",
    "bo": "offensive",
    "ed": "offensive",
    "no": "neutral",
}


def _myhatespeech(content: bytes, file: str) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for line in content.decode("utf-8", errors="replace").splitlines():
        text, _, tag = line.rpartition("\t")
        # A handful of tags carry stray spaces, slashes or zero-width joiners.
        tag = tag.strip().strip("/\u200c ").strip()
        if not text.strip() or tag not in _MYHS:
            continue
        # Word-level tags inside the sentence ("word/ab") would leak the label: drop them.
        words = [w.split("/")[0] if "/" in w and w.rsplit("/", 1)[1].strip() in _MYHS else w for w in text.split()]
        texts.append(" ".join(words))
        labels.append(_MYHS[tag])
    if not texts:
        raise DataError(file, "no labelled sentences found")
    return texts, labels


def _lhsab(content: bytes, file: str) -> tuple[list[str], list[str]]:
    mapping = {"hate": "hate", "abusive": "offensive", "normal": "neutral"}
    texts, labels = [], []
    for line in content.decode("utf-8", errors="replace").splitlines()[1:]:
        text, _, tag = line.rpartition("\t")
        tag = tag.strip()
        # Tweets quoted across lines leave fragments without a tab: skip them.
        if tag in mapping and text.strip():
            texts.append(text.strip().strip('"'))
            labels.append(mapping[tag])
    if not texts:
        raise DataError(file, "no labelled tweets found")
    return texts, labels


def _herdphobia(content: bytes, file: str) -> tuple[list[str], list[str]]:
    mapping = {"positive": "hate", "negative": "neutral"}
    reader = csv.reader(io.StringIO(content.decode("utf-8", errors="replace")), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader, None)
    if header is None or [h.strip() for h in header[-2:]] != ["text", "label"]:
        raise DataError(file, "expected columns 'text' and 'label'")
    texts, labels = [], []
    for row in reader:
        if not row or not "".join(row).strip():
            continue
        tag = row[-1].strip()
        if tag not in mapping:
            raise DataError(file, f"unknown label {tag!r} on line {reader.line_num}", column="label")
        texts.append("\t".join(row[:-1]))
        labels.append(mapping[tag])
    return texts, labels


def hatexplain_rows(content: bytes, file: str) -> list[tuple[list[str], list[int], str]]:
    """(tokens, annotators' rationale mask, label) per post of a HateXplain CSV."""
    mapping = {"hatespeech": "hate", "offensive": "offensive", "normal": "neutral"}
    reader = csv.DictReader(io.StringIO(content.decode("utf-8", errors="replace")))
    if reader.fieldnames is None or not {"post_tokens", "toxic_tokens", "post_label"} <= set(reader.fieldnames):
        raise DataError(file, "expected columns post_tokens, toxic_tokens, post_label")
    out = []
    for row in reader:
        label = mapping.get(row["post_label"].strip())
        if label is None:
            raise DataError(file, f"unknown label {row['post_label']!r} on line {reader.line_num}", column="post_label")
        try:
            toks, mask = ast.literal_eval(row["post_tokens"]), ast.literal_eval(row["toxic_tokens"])
        except (ValueError, SyntaxError) as exc:
            raise DataError(file, f"unreadable token lists on line {reader.line_num}") from exc
        if len(toks) != len(mask):
            raise DataError(file, f"tokens and rationale mask differ in length on line {reader.line_num}")
        out.append(([str(t) for t in toks], [int(m) for m in mask], label))
    return out


def _hatexplain(content: bytes, file: str) -> tuple[list[str], list[str]]:
    rows = hatexplain_rows(content, file)
    return [" ".join(toks) for toks, _, _ in rows], [label for _, _, label in rows]


_HERD = f"{_GH}/PagnaMMA/HERDPhobia_Analysis/4a7924b974c41274912c7597502df5c38aa3b7c9/HERDPhobia-main/data"
_HATEXPLAIN = f"{_GH}/Sinhala-NLP/SOLD/ff9f8acdab81772a46162f07a5439baee73bad7f/data/other"

CORPORA: tuple[Corpus, ...] = (
    Corpus(
        language="en",
        name="Davidson et al. hate-speech-and-offensive-language",
        citation="Davidson, Warmsley, Macy, Weber (2017). Automated Hate Speech Detection and the Problem "
        "of Offensive Language. ICWSM.",
        licence="MIT",
        url=f"{_GH}/t-davidson/hate-speech-and-offensive-language/cb50f7e9eb855a99abc51423bf40df0e26d6fe30/"
        "data/labeled_data.csv",
        sha256="fcb8bc7c68120ae4af04a5b9acd58585513ede11e1548ebf36a5c2040b6f6281",
        parse=_davidson,
    ),
    Corpus(
        language="am",
        name="AmharicHateSpeech (RANLP 2023)",
        citation="Ayele et al. (2023). Exploring Amharic Hate Speech Data Collection and Classification "
        "Approaches. RANLP.",
        licence="research use with citation",
        url=f"{_GH}/uhh-lt/AmharicHateSpeech/6b1338c90d59e0a0d7dfc886b675c8dbfd8d1289/Data/RANLP2023/train.csv",
        sha256="bd89b96694900ba34d7e1a3055e800bded67d01c2186136b380a4f9a8a7b4933",
        parse=_fasttext,
        dev_url=f"{_GH}/uhh-lt/AmharicHateSpeech/6b1338c90d59e0a0d7dfc886b675c8dbfd8d1289/Data/RANLP2023/dev.csv",
        dev_sha256="6f73dc411dce4caf00d29626716b6f1a0fe416089acd69f2a949c0f9de7c34e6",
    ),
    Corpus(
        language="my",
        name="myHateSpeech 0.9",
        citation="Ye Kyaw Thu et al. myHateSpeech: Burmese hate speech corpus, version 0.9.",
        licence="CC BY-NC-SA 4.0",
        url=f"{_GH}/ye-kyaw-thu/myHateSpeech/040902cd88509cfe0c0099da1e24d4169daa438d/corpus/version0.9/"
        "experiment/data/hs_data.txt",
        sha256="e5de8127124bd4c3ebcaea6f4d876707bdc97752940c454236caf2ab022f07a0",
        parse=_myhatespeech,
    ),
    Corpus(
        language="ar",
        name="L-HSAB (Levantine Arabic)",
        citation="Mulki, Haddad, Bechikh Ali, Alshabani (2019). L-HSAB: A Levantine Twitter Dataset for "
        "Hate Speech and Abusive Language. ALW3.",
        licence="research use with citation",
        url=f"{_GH}/Hala-Mulki/L-HSAB-First-Arabic-Levantine-HateSpeech-Dataset/"
        "9abf6b6d05f484b67cd85a4a61476c51b5cc1910/Dataset/L-HSAB",
        sha256="3fc5e06ab624b47e404a0530388631c4894c323ca038e726ce6dd3d0e6a371e3",
        parse=_lhsab,
    ),
    Corpus(
        language="en",
        key="en-herdphobia",
        name="HERDPhobia (hate against Fulani herders, Nigeria)",
        citation="Aliyu, Abdullahi, Muhammad, Adamu et al. (2022). HERDPhobia: A Dataset for Hate Speech "
        "against Fulani in Nigeria. WiNLP.",
        licence="research use with citation (no licence file)",
        url=f"{_HERD}/train.tsv",
        sha256="d099a6c4e77b8d603628ec098ee413db73ad331ee7cf4598707b7ee1733387d4",
        parse=_herdphobia,
        dev_url=f"{_HERD}/dev.tsv",
        dev_sha256="22f3c0459c1f59ee19acaadbbe94dcd07381bb33b76ede2e656264ce0326ebde",
        test_url=f"{_HERD}/test.tsv",
        test_sha256="cb9174efac4cb3609ae8d4b2f32684fb1daf595790d42cfe0f72bc4108fac9e5",
        countries=("NGA",),
        labels=("hate", "neutral"),
    ),
    Corpus(
        language="en",
        key="en-hatexplain",
        name="HateXplain (SOLD redistribution)",
        citation="Mathew, Saha, Yimam, Biemann, Goyal, Mukherjee (2021). HateXplain: A Benchmark Dataset for "
        "Explainable Hate Speech Detection. AAAI. Split as redistributed by Ranasinghe et al., SOLD (2022).",
        licence="CC BY 4.0",
        url=f"{_HATEXPLAIN}/hatexplain_train.csv",
        sha256="627e1e463f3563d137ec93d69b8a9063417b71bfca2e7011bd245031f2dde5d2",
        parse=_hatexplain,
        test_url=f"{_HATEXPLAIN}/hatexplain_test.csv",
        test_sha256="38fa630743c843a4b7f8e595771c544f3e5beb5189d875ea71b748bf4561d3e5",
    ),
)


def corpus_for(key: str) -> Corpus:
    """The corpus of a model key ("en", "am", "en-herdphobia", ...); a bare language finds its main corpus."""
    for c in CORPORA:
        if c.model_key == key:
            return c
    known = ", ".join(c.model_key for c in CORPORA)
    raise DataError("corpora", f"no labelled corpus for {key!r} (known: {known})")


def _seeded_split(
    texts: list[str], labels: list[str], seed: int, test_frac: float = 0.2, cap: int | None = None
) -> tuple[list[int], list[int]]:
    """Stratified-by-shuffle split: same seed, same split, so figures are reproducible."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(texts))
    if cap is not None:
        order = order[:cap]
    n_test = max(1, round(len(order) * test_frac))
    return sorted(order[n_test:].tolist()), sorted(order[:n_test].tolist())


def load_split(corpus: Corpus, settings: Settings, cap: int | None = None) -> Split:
    """Fetch (mirror or network, sha256-verified) and split a corpus; `cap` limits rows for quick runs."""
    fetched = fetch(corpus.url, mirror=settings.data_mirror, sha256=corpus.sha256)
    texts, labels = corpus.parse(fetched.content, fetched.name)
    published = [
        (name, url, sha)
        for name, url, sha in (
            ("published dev split", corpus.dev_url, corpus.dev_sha256),
            ("published test split", corpus.test_url, corpus.test_sha256),
        )
        if url is not None
    ]
    if published:
        evals = []
        for name, url, sha in published:
            got = fetch(url, mirror=settings.data_mirror, sha256=sha)
            ev_texts, ev_labels = corpus.parse(got.content, got.name)
            evals.append(EvalSplit(name, ev_texts[:cap], ev_labels[:cap]))
        main = evals[-1]  # the test split when published, else the dev split
        return Split(corpus.language, texts[:cap], labels[:cap], main.texts, main.labels, main.name, tuple(evals))
    train_idx, test_idx = _seeded_split(texts, labels, settings.seed, cap=cap)
    return Split(
        corpus.language,
        [texts[i] for i in train_idx],
        [labels[i] for i in train_idx],
        [texts[i] for i in test_idx],
        [labels[i] for i in test_idx],
        "seeded 20% held-out split",
    )
