"""Turn a score's reason spans into text segments a template can mark up safely.

The template escapes every segment (autoescape); nothing here produces markup, so a text full of HTML is
shown as text. Spans stored with an incident are checked again (bounds, order, overlap) before use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Segment:
    text: str
    marked: bool
    why: str = ""  # which reasons marked it (model, hallmark rule, lexicon), for a tooltip


def stored_spans(reasons: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The spans saved in an incident's danger reasons (the scorer adds them as one "spans" entry)."""
    for r in reasons or []:
        if isinstance(r, dict) and r.get("kind") == "spans" and isinstance(r.get("spans"), list):
            return [s for s in r["spans"] if isinstance(s, dict)]
    return []


def segments(text: str, spans: list[dict[str, Any]]) -> list[Segment]:
    """The whole text cut into plain and marked segments, in order; invalid or overlapping spans are dropped."""
    out: list[Segment] = []
    pos = 0
    valid = [s for s in spans if isinstance(s.get("start"), int) and isinstance(s.get("end"), int)]
    for s in sorted(valid, key=lambda s: (s["start"], s["end"])):
        start, end = s["start"], s["end"]
        if not pos <= start < end <= len(text):
            continue
        if start > pos:
            out.append(Segment(text[pos:start], False))
        by = s.get("by")
        why = ", ".join(str(b) for b in by) if isinstance(by, list) else ""
        out.append(Segment(text[start:end], True, why))
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:], False))
    return out
