"""Hurtful-word lexicons: public ones from the data mirror plus user-edited, per-country entries.

Public lexicons (licence and citation are kept with every entry's source):
HurtLex 1.2 EN/SW/AR (Bassignana et al., CC BY-NC-SA 4.0; the `conservative` level only, to keep false
alarms down), Davidson et al.'s refined hate n-grams with P(hate) (MIT), NaijaOffens Igbo hate and
offensive words (see the repository README).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import compress

from tocsin.core.errors import DataError
from tocsin.core.settings import Settings
from tocsin.monitor.speech.text import WORD
from tocsin.sources.download import fetch

_GH = "https://raw.githubusercontent.com"
_HURTLEX = f"{_GH}/valeriobasile/hurtlex/e8205fa73b533d802d8b7fb6f846abd4be69ea63/lexica"

# Only HurtLex categories that insult people as a group or as less than human are used; the others
# (body parts, sins, plants...) hold everyday words ("love", "pride") that would drown the signal.
_HURTLEX_WEIGHT = {"ps": 0.35, "rci": 0.3, "om": 0.3, "an": 0.2, "ddp": 0.15, "ddf": 0.15, "cds": 0.15}
_HURTLEX_NAMES = {
    "ps": "ethnic slur",
    "rci": "location/demonym",
    "om": "homophobic",
    "an": "animal",
    "ddp": "cognitive disability",
    "ddf": "physical disability",
    "cds": "derogatory",
    "asf": "female genitalia",
    "asm": "male genitalia",
    "pr": "prostitution",
    "dmc": "moral behaviour",
    "is": "social disadvantage",
    "re": "crime",
    "svp": "sins",
    "qas": "negative connotation",
    "pa": "profession",
    "or": "plants",
}


@dataclass(frozen=True)
class LexiconSource:
    name: str
    language: str
    url: str
    sha256: str
    licence: str
    citation: str


SOURCES: tuple[LexiconSource, ...] = (
    LexiconSource(
        "hurtlex-en",
        "en",
        f"{_HURTLEX}/EN/1.2/hurtlex_EN.tsv",
        "a734820a63c87994781d182692e6dc7ec262c402016971a7fa31946ced0d470c",
        "CC BY-NC-SA 4.0",
        "Bassignana, Basile, Patti (2018). Hurtlex: A Multilingual Lexicon of Words to Hurt. CLiC-it.",
    ),
    LexiconSource(
        "hurtlex-sw",
        "sw",
        f"{_HURTLEX}/SW/1.2/hurtlex_SW.tsv",
        "5af7d305284b30294a809ddb04ccfadbd00404c58481bf1cbb96940c92971c8a",
        "CC BY-NC-SA 4.0",
        "Bassignana, Basile, Patti (2018). Hurtlex. CLiC-it.",
    ),
    LexiconSource(
        "hurtlex-ar",
        "ar",
        f"{_HURTLEX}/AR/1.2/hurtlex_AR.tsv",
        "02bef4384f6e365a2f52d1ea993de218252a75caad2a08f030b9401e8e6facf4",
        "CC BY-NC-SA 4.0",
        "Bassignana, Basile, Patti (2018). Hurtlex. CLiC-it.",
    ),
    LexiconSource(
        "davidson-ngrams",
        "en",
        f"{_GH}/t-davidson/hate-speech-and-offensive-language/cb50f7e9eb855a99abc51423bf40df0e26d6fe30/"
        "lexicons/refined_ngram_dict.csv",
        "5f98d05db99dd97e5264eb1824278cd92d40894f57ce793a20404274f629a1d9",
        "MIT",
        "Davidson et al. (2017). Automated Hate Speech Detection and the Problem of Offensive Language.",
    ),
    LexiconSource(
        "naijaoffens-igbo",
        "ig",
        f"{_GH}/smaliyu/NaijaOffens/83a87ac9ab5705a40c2f982a66ce9dc402d1335f/Lexicons/igbo-lexicons.csv",
        "9b7b5fb83c768f577444534e9fe51779c165c945b2d410db9cc1ee3e89db314b",
        "see repository README",
        "NaijaOffens: Igbo hate and offensive lexicon (smaliyu/NaijaOffens).",
    ),
)


@dataclass(frozen=True)
class Term:
    """One lexicon entry. `country` None applies to every country using the language."""

    term: str
    language: str
    category: str
    weight: float
    source: str
    country: str | None = None


def tokens(text: str) -> list[str]:
    return WORD.findall(text.lower())


def _hurtlex(content: bytes, src: LexiconSource) -> list[Term]:
    reader = csv.DictReader(io.StringIO(content.decode("utf-8")), delimiter="\t")
    if reader.fieldnames is None or not {"lemma", "category", "level"} <= set(reader.fieldnames):
        raise DataError(src.name, "expected columns lemma, category, level")
    out = []
    for row in reader:
        if row["level"] != "conservative" or row["category"] not in _HURTLEX_WEIGHT:
            continue
        cat = row["category"]
        out.append(
            Term(
                row["lemma"].lower(),
                src.language,
                "hurtlex:" + _HURTLEX_NAMES.get(cat, cat),
                _HURTLEX_WEIGHT[cat],
                src.name,
            )
        )
    return out


def _davidson(content: bytes, src: LexiconSource) -> list[Term]:
    # The file uses bare CR line ends: "ngram,prob" rows.
    rows = content.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n").splitlines()
    out = []
    for line in rows[1:]:
        term, _, prob = line.rpartition(",")
        try:
            p = float(prob)
        except ValueError as exc:
            raise DataError(src.name, f"bad probability {prob!r}") from exc
        out.append(Term(term.strip().lower(), "en", "davidson:hate n-gram", round(0.5 * p, 3), src.name))
    return out


def _igbo(content: bytes, src: LexiconSource) -> list[Term]:
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    next(reader, None)
    out = []
    for row in reader:
        row = [*row, "", "", "", ""][:4]
        if row[0].strip():
            out.append(Term(row[0].strip().lower(), "ig", f"igbo hate: {row[1].strip()}", 0.35, src.name))
        if row[2].strip():
            out.append(Term(row[2].strip().lower(), "ig", f"igbo offensive: {row[3].strip()}", 0.2, src.name))
    return out


def load_public(settings: Settings) -> list[Term]:
    """Fetch (sha256-verified) and parse every public lexicon."""
    terms: list[Term] = []
    for src in SOURCES:
        fetched = fetch(src.url, mirror=settings.data_mirror, sha256=src.sha256)
        if src.name.startswith("hurtlex"):
            terms += _hurtlex(fetched.content, src)
        elif src.name == "davidson-ngrams":
            terms += _davidson(fetched.content, src)
        else:
            terms += _igbo(fetched.content, src)
    return terms


class Lexicon:
    """Fast n-gram lookup (up to 4 words) over a set of terms."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self.index: dict[str, list[Term]] = {}
        self.max_n = 1
        # Every proper prefix of a multi-word key ("cut", "cut the", ...): a lookup extends a word into a
        # longer n-gram only when some term starts that way, so most words cost one dictionary lookup.
        self.prefixes: set[str] = set()
        for t in terms:
            key = " ".join(tokens(t.term))
            if not key:
                continue
            self.index.setdefault(key, []).append(t)
            parts = key.split(" ")[:4]
            self.max_n = max(self.max_n, len(parts))
            self.prefixes.update(" ".join(parts[:n]) for n in range(1, len(parts)))
        self._by_language: dict[str, dict[str, list[Term]]] = {}
        self._starts: dict[str | None, set[str]] = {}

    def __len__(self) -> int:
        return sum(len(v) for v in self.index.values())

    def _index_for(self, language: str | None) -> dict[str, list[Term]]:
        """The index restricted to one language's terms (built once per language)."""
        if language is None:
            return self.index
        idx = self._by_language.get(language)
        if idx is None:
            idx = {k: kept for k, ts in self.index.items() if (kept := [t for t in ts if t.language == language])}
            self._by_language[language] = idx
        return idx

    def matches(self, words: list[str], language: str | None, country: str | None) -> list[Term]:
        return [t for t, _, _ in self.located(words, language, country)]

    def located(self, words: list[str], language: str | None, country: str | None) -> list[tuple[Term, int, list[int]]]:
        """(term, its number of words, every word index where it starts) for each matching key, in the order
        `matches` gives; the positions are those `term_positions` finds, collected during the same scan."""
        idx, prefixes, max_n = self._index_for(language), self.prefixes, self.max_n
        starts = self._starts_for(language)
        if starts.isdisjoint(words):  # one set operation for a text no term can match
            return []
        hits: list[tuple[int, int, str]] = []  # (n, position, key): shorter n-grams first, then by position
        size = len(words)
        # Only positions whose word can begin a match (compress and map stay in C for the others).
        for i in compress(range(size), map(starts.__contains__, words)):
            key = words[i]
            if key in idx:
                hits.append((1, i, key))
            j = i + 1  # extend into the next word only while some term starts this way
            while key in prefixes and j < size and j - i < max_n:
                key = f"{key} {words[j]}"
                j += 1
                if key in idx:
                    hits.append((j - i, i, key))
        found: dict[str, Term] = {}
        where: dict[str, list[int]] = {}
        for _, i, key in sorted(hits):
            where.setdefault(key, []).append(i)
            for t in idx[key]:
                if t.country is not None and t.country != country:
                    continue
                if key not in found or t.weight > found[key].weight:
                    found[key] = t
        return [(t, len(key.split(" ")), where[key]) for key, t in found.items()]

    def _starts_for(self, language: str | None) -> set[str]:
        """Words that can begin a match: a one-word key of the language's index, or a term's first word."""
        got = self._starts.get(language)
        if got is None:
            got = self._starts[language] = {k for k in self._index_for(language) if " " not in k} | {
                p for p in self.prefixes if " " not in p
            }
        return got
