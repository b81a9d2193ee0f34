"""Text handling shared by training and scoring: normalisation, word spans, and language identification.

Language identification: the script decides for Ethiopic, Burmese and Arabic text; Latin-script (and any
other) text goes to CLD2 (`pycld2`, Google's Compact Language Detector 2, whose tables ship inside the
wheel, so it works offline). CLD2 knows Hausa, Swahili, Yoruba, Igbo, Somali and English among 160+
languages. Text whose language has no trained model gets an explicit "no model" answer upstream.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import accumulate

import pycld2

# Ethiopic letters that sound alike and are written interchangeably. Each row is a 7-order syllable series
# (consonant + 7 vowels, laid out in blocks of 8 code points); every order folds to the same order of the
# target series, e.g. ሐ ሑ ሒ ... -> ሀ ሁ ሂ ...: the usual homophone normalisation in Amharic text processing.
_ETHIOPIC_SERIES = (
    (0x1210, 0x1200),  # ሐ -> ሀ
    (0x1280, 0x1200),  # ኀ -> ሀ
    (0x12B8, 0x1200),  # ኸ -> ሀ
    (0x1220, 0x1230),  # ሠ -> ሰ
    (0x12D0, 0x12A0),  # ዐ -> አ
    (0x1340, 0x1338),  # ፀ -> ጸ
)
_AMHARIC_FOLD: dict[int, int] = {src + i: dst + i for src, dst in _ETHIOPIC_SERIES for i in range(7)}
_AMHARIC_FOLD.update({0x12C9: 0x12CD, 0x12A7: 0x12A0})  # ዉ -> ው, ኧ -> አ (spelling variants)
# Ethiopic word separators and punctuation become spaces so they never glue two words together.
_AMHARIC_FOLD.update(dict.fromkeys(range(0x1360, 0x1369), 0x20))
_FOLD_CHARS = {chr(src): chr(dst) for src, dst in _AMHARIC_FOLD.items()}
_FOLDED = re.compile("[" + "".join(re.escape(ch) for ch in sorted(_FOLD_CHARS)) + "]")

_NOISE = re.compile(r"@\w+|https?://\S+|&#\d+;|&\w+;", re.UNICODE)  # not language: dropped before identifying
_MENTION = re.compile(r"@\w+", re.UNICODE)
_URL = re.compile(r"https?://\S+")
_SCRIPTS = (("am", 0x1200, 0x139F), ("my", 0x1000, 0x109F), ("ar", 0x0600, 0x06FF))
# Scripts with one trained language each; any other script goes to CLD2.
SCRIPT_LANGUAGES = frozenset(s[0] for s in _SCRIPTS)
# A word: letters and digits plus the combining marks that Python's \w leaves out (Burmese vowel signs and
# virama, Arabic harakat, Ethiopic marks), without which a Burmese word falls apart into consonants.
WORD = re.compile(
    r"[\w\u0300-\u036F\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u102B-\u103E\u1056-\u1059"
    r"\u105E-\u1060\u1062-\u1064\u1067-\u106D\u1071-\u1074\u1082-\u108D\u108F\u109A-\u109D\u135D-\u135F]+"
)
# The same pattern as one capturing group: re.split then returns separators and words alternately, and the
# running sum of their lengths gives every word's offsets without a match object per word.
_WORD_SPLIT = re.compile(f"({WORD.pattern})")
_SCRIPT_CHARS = tuple((lang, re.compile(f"[{chr(lo)}-{chr(hi)}]")) for lang, lo, hi in _SCRIPTS)
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # category C in ASCII, less tab and newline
# CLD2 codes mapped to the code our corpora use (Scots English tweets are English to a monitor).
_CLD2_ALIASES = {"sco": "en", "iw": "he", "tl": "fil"}


def normalise(text: str, language: str) -> str:
    """User handles and links become placeholders; Amharic spelling variants are folded.

    A placeholder keeps what matters (the post replies to someone, or links out) without making any
    account name a feature of the model.
    """
    text = _URL.sub(" url ", _MENTION.sub(" @user ", text))
    # What text.translate(_AMHARIC_FOLD) gives; a text has few characters to fold, and translating each
    # character of an Ethiopic text through a dict was five times slower.
    return _FOLDED.sub(_fold, text) if language == "am" else text


def _fold(m: re.Match[str]) -> str:
    return _FOLD_CHARS[m.group()]


def split_words(text: str) -> tuple[list[str], list[int]]:
    """The lowercased words of `text`, and offsets where word i spans offsets[2i]:offsets[2i + 1].

    The same words and offsets as `word_spans`, built by one split and a running sum (scoring does this for
    every text, and needs the offsets only for the few words it highlights).
    """
    low = text.lower()
    if len(low) == len(text):  # almost always: lowercase once, offsets unchanged
        parts = _WORD_SPLIT.split(low)
        return parts[1::2], list(accumulate(map(len, parts)))
    parts = _WORD_SPLIT.split(text)
    return [w.lower() for w in parts[1::2]], list(accumulate(map(len, parts)))


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, lowercased word) for every word, offsets into the original text."""
    words, offsets = split_words(text)
    return list(zip(offsets[0::2], offsets[1::2], words, strict=False))  # offsets has one start too many


def detect_script(text: str) -> str | None:
    """The language of a script with a single trained language (Ethiopic, Burmese, Arabic), else None.

    The script with most characters among the first 200 wins (the first listed on a tie).
    """
    head = text[:200]
    if head.isascii():
        return None
    best, most = None, 0
    for lang, chars in _SCRIPT_CHARS:
        n = len(chars.findall(head))
        if n > most:
            best, most = lang, n
    return best


def _clean_for_cld2(text: str) -> str:
    # CLD2 rejects invalid UTF-8 and some control characters; drop both (tab and newline stay).
    text = text.encode("utf-8", errors="ignore").decode("utf-8")
    if text.isascii():
        return _ASCII_CONTROL.sub("", text)
    # Each distinct character is classified once (a text has few), not each character of the text.
    drop = [ch for ch in set(text) if _is_control(ch)]
    return text.translate(dict.fromkeys(map(ord, drop))) if drop else text


@lru_cache(maxsize=1 << 16)
def _is_control(ch: str) -> bool:
    return ch not in "\t\n" and unicodedata.category(ch)[0] == "C"


def identify(text: str) -> str:
    """ISO 639-1/3 code of the text's language, or "und" when there is too little text to tell.

    The script answers first (it is exact where one language per script is trained); CLD2 answers for the
    rest, first in its fast mode and, for short texts it cannot call, in best-effort mode.
    """
    script = detect_script(text)
    if script is not None:
        return script
    clean = _clean_for_cld2(_NOISE.sub(" ", text))
    if not WORD.search(clean):
        return "und"
    try:
        _, _, details = pycld2.detect(clean)
        code = details[0][1]
        if code == "un":
            _, _, details = pycld2.detect(clean, bestEffort=True)
            code = details[0][1]
    except pycld2.error:
        return "und"
    if code == "un":
        return "und"
    return _CLD2_ALIASES.get(code, code)


def language_name(code: str) -> str:
    """A readable name for a language code (for "no model for Hausa (ha)" messages)."""
    for name, c in pycld2.LANGUAGES:
        if c == code:
            return name.title()
    return {"und": "an unidentified language", "fil": "Filipino"}.get(code, code)
