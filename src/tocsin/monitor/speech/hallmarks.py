"""Rules for the hallmarks of dangerous speech (Benesch, Dangerous Speech Project), each explained.

The patterns are English; other languages get their own signal from the per-country lexicons, which
admins edit. Rules flag and explain, they never silence the classifier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache, reduce
from operator import or_

# A group: a pronoun, "the/all/those/these" with one or two words ("those fulani herdsmen"), or a plural.
_GROUP = r"(?:they|them|those|these|(?:the|all|those|these)\s+(?:\w+\s+)?\w+|\w+(?:s|men|people))"
_VERMIN = (
    r"(?:rats?|cockroach(?:es)?|vermin|snakes?|insects?|parasites?|lice|locusts?|animals?|beasts?|"
    r"dogs|pigs|monkeys|apes|germs?|viruse?s?|a\s+(?:disease|cancer|plague|infection|virus|tumou?r)|"
    r"weeds?|filth|sub-?humans?)"
)


# Languages the patterns are written in; texts scored by another language's model skip them (they cannot
# match, and running them costs an eighth of the scoring time).
HALLMARK_LANGUAGES = frozenset({"en"})


@dataclass(frozen=True)
class Hallmark:
    """One rule: which hallmark it signals, the pattern, how much it adds to danger, and why."""

    name: str
    hallmark: str
    pattern: re.Pattern[str]
    weight: float
    why: str


def _r(p: str) -> re.Pattern[str]:
    return re.compile(p, re.IGNORECASE)


HALLMARKS: tuple[Hallmark, ...] = (
    Hallmark(
        "dehumanization-vermin",
        "dehumanization",
        _r(rf"\b{_GROUP}\s+(?:are|is|were|be)\s+(?:nothing\s+but\s+|just\s+|like\s+)?{_VERMIN}\b"),
        0.45,
        "calls a group vermin, animals or disease",
    ),
    Hallmark(
        "dehumanization-cleanse",
        "dehumanization",
        _r(
            r"\b(?:exterminat\w*|eradicat\w*|cleans\w*|wipe\s+out|get\s+rid\s+of|infest\w*|"
            r"crush\s+the\s+cockroach\w*|stamp\s+out)\b"
        ),
        0.35,
        "speaks of a group as something to exterminate or clean away",
    ),
    Hallmark(
        "accusation-in-a-mirror",
        "accusation in a mirror",
        _r(
            rf"\b{_GROUP}\s+(?:are|is|were)\s+(?:planning|plotting|preparing|going|coming|about)\s+to\s+"
            r"(?:kill|attack|exterminate|slaughter|wipe\s+out|destroy|rape|massacre)\b"
            r"|\bbefore\s+they\s+(?:kill|attack|destroy|slaughter)\s+us\b|\bkill\s+them\s+before\b"
            r"|\b(?:defend|protect)\s+ourselves\s+(?:from|against)\s+them\b"
        ),
        0.45,
        "accuses the target of planning the violence the speaker's side may commit",
    ),
    Hallmark(
        "threat-to-purity",
        "threat to group purity",
        _r(
            r"\b(?:pollut|contaminat|dilut|poison|defil|corrupt)\w*\s+(?:our|the)\s+"
            r"(?:blood|race|nation|people|land|religion|faith|culture)\b"
            r"|\b(?:purity|pure\s+blood|mixed\s+blood|racial\s+purity)\b"
        ),
        0.35,
        "presents the target as a threat to the group's purity or integrity",
    ),
    Hallmark(
        "attacks-on-women",
        "attacks on women and girls",
        _r(
            r"\b(?:their|those|these|the\s+\w+)\s+(?:women|girls|wives|daughters)\s+"
            r"(?:are|will|breed|should|must)\b"
            r"|\b(?:rape|take|seize)\s+(?:their|the\s+\w+)\s+(?:women|girls|wives|daughters)\b"
            r"|\bbreed\w*\s+like\b"
        ),
        0.4,
        "targets the women and girls of a group (sexual threat, fertility, honour)",
    ),
    Hallmark(
        "questioning-loyalty",
        "questioning in-group loyalty",
        _r(
            r"\b(?:traitors?|collaborators?|fifth\s+column|sell-?outs?|enemy\s+within)\b"
            r"|\b(?:anyone|whoever|those)\s+who\s+(?:does\s+not|doesn't|do\s+not|don't|refuses?\s+to)\s+"
            r"(?:join|support|stand\s+with|fight)\b"
            r"|\bnot\s+a\s+(?:real|true)\s+\w+\b"
        ),
        0.3,
        "questions the loyalty of in-group members who do not join in",
    ),
)


@dataclass(frozen=True)
class RuleHit:
    rule: str
    hallmark: str
    match: str
    weight: float
    why: str
    start: int = 0  # character offsets of the match in the text, for highlighting
    end: int = 0


# Each rule's own stems, in HALLMARKS order: every alternative of the rule's pattern contains one of them.
_RULE_STEMS: tuple[tuple[str, ...], ...] = (
    (
        "rat", "cockroach", "vermin", "snake", "insect", "parasit", "lice", "locust", "animal", "beast", "dog",
        "pig", "monkey", "ape", "germ", "virus", "disease", "cancer", "plague", "infect", "tumo", "weed", "filth",
        "human",
    ),
    ("extermin", "eradic", "cleans", "wipe", "rid", "infest", "cockroach", "stamp"),
    ("kill", "attack", "extermin", "slaughter", "wipe", "destroy", "rape", "massacre", "defend", "protect"),
    ("pollut", "contamin", "dilut", "poison", "defil", "corrupt", "purity", "blood"),
    ("women", "girl", "wives", "daughter", "breed"),
    ("traitor", "collaborat", "fifth", "sell", "enemy", "join", "support", "stand", "fight", "real", "true"),
)  # fmt: skip
# Every rule needs one of these word stems; one cheap check lets most texts skip all the rules. Plain
# substring tests on the case-folded text (a superset of what any rule can match): a regex alternation of
# sixty stems cost a quarter of English scoring time.
_TRIGGER_STEMS = tuple(dict.fromkeys(stem for stems in _RULE_STEMS for stem in stems))
_ALL_RULES = (1 << len(HALLMARKS)) - 1


def hallmark_hits(text: str) -> list[RuleHit]:
    rules = _candidate_rules(text)
    hits = []
    for i, h in enumerate(HALLMARKS):
        if not rules >> i & 1:
            continue
        m = h.pattern.search(text)
        if m:
            hits.append(RuleHit(h.name, h.hallmark, m.group(0), h.weight, h.why, m.start(), m.end()))
    return hits


def _candidate_rules(text: str) -> int:
    """A bit per rule that may match: none unless the case-folded text (as IGNORECASE folds case) holds a
    trigger stem; then, for ASCII text, the rules whose own stems it holds, and for other text every rule
    (Unicode case folding can make a stem out of letters that IGNORECASE matches differently).

    No stem holds whitespace, so a stem is in the text exactly when it is in one of its whitespace-separated
    chunks; posts repeat words, so each distinct chunk is checked once (cached).
    """
    rules = reduce(or_, map(_chunk_rules, text.casefold().split()), 0)
    return rules if not rules or text.isascii() else _ALL_RULES


@lru_cache(maxsize=1 << 18)
def _chunk_rules(chunk: str) -> int:
    has = chunk.__contains__
    if not any(map(has, _TRIGGER_STEMS)):  # most chunks; map with a bound method stays in C
        return 0
    return sum(1 << i for i, stems in enumerate(_RULE_STEMS) if any(map(has, stems)))
