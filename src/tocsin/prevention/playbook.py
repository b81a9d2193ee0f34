"""The prevention playbook: a versioned, user-editable TOML file of tools and the evidence signals they answer.

`load_playbook(path)` parses and validates it against the pydantic schema below, plus cross-references (every
signal a tool names exists, ids are unique). Every problem is reported with the line of the offending key
(or of its `[[tool]]` / `[[signal]]` header when a key is missing), so a user can fix their copy directly.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tocsin.core.errors import TocsinError
from tocsin.core.settings import Settings
from tocsin.features.registry import UN_RISK_FACTORS

ACTORS = ("diplomacy", "development aid", "treasury/sanctions", "multilateral", "courts")
TRIGGER_KINDS = ("election", "referendum", "anniversary", "court_ruling", "other", "coup", "alert")
ACCOUNTABILITY_FLAGS = ("ongoing_state_mk", "arms_imports", "us_aid", "sdn_gap", "sdn_designated")
HOTSPOT_COMPONENTS = ("drought", "vegetation", "exposure", "violence", "exclusion")
SCHEMA_VERSION = 1

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rules(_Strict):
    """Thresholds of the ranking rules (documented in the playbook's header)."""

    elevated_percentile: float = Field(0.8, ge=0, le=1)
    contribution_percentile: float = Field(0.9, ge=0, le=1)
    trigger_horizon_days: int = Field(730, ge=1, le=3650)
    recent_days: int = Field(365, ge=1, le=3650)
    primary_weight: float = Field(1.0, gt=0)
    secondary_weight: float = Field(0.5, ge=0)


class Signal(_Strict):
    """One kind of evidence a tool answers; which fields apply depends on `kind`."""

    id: Id
    kind: Literal["driver", "trigger", "hotspot", "accountability"]
    label: str = Field(min_length=1)
    features: list[str] = Field(default_factory=list)
    direction: Literal["high", "low"] = "high"
    percentile: float | None = Field(None, ge=0, le=1)
    at_least: float | None = None
    at_most: float | None = None
    trigger_kinds: list[Literal[TRIGGER_KINDS]] = Field(default_factory=list)  # type: ignore[valid-type]
    components: list[Literal[HOTSPOT_COMPONENTS]] = Field(default_factory=list)  # type: ignore[valid-type]
    raw_at_least: float | None = None
    flag: Literal[ACCOUNTABILITY_FLAGS] | None = None  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Signal:
        need = {"driver": "features", "trigger": "trigger_kinds", "hotspot": "components",
                "accountability": "flag"}[self.kind]
        if not getattr(self, need):
            raise ValueError(f"a {self.kind} signal needs `{need}`")
        return self


class Tool(_Strict):
    """One prevention tool: who acts, how early, at what cost, and which signals call for it."""

    id: Id
    name: str = Field(min_length=3)
    actors: list[Literal[ACTORS]] = Field(min_length=1)  # type: ignore[valid-type]
    lead_time_months: tuple[int, int]
    cost_class: Literal["low", "medium", "high"]
    un_factors: list[int] = Field(default_factory=list)
    primary: list[str] = Field(min_length=1)
    secondary: list[str] = Field(default_factory=list)
    requires_any: list[str] = Field(default_factory=list)
    preconditions: list[str] = Field(default_factory=list)
    evidence_notes: str = Field(min_length=1)

    @field_validator("lead_time_months")
    @classmethod
    def _lead_time(cls, v: tuple[int, int]) -> tuple[int, int]:
        if not 0 <= v[0] <= v[1]:
            raise ValueError("must be [min, max] with 0 <= min <= max")
        return v

    @field_validator("un_factors")
    @classmethod
    def _un_factors(cls, v: list[int]) -> list[int]:
        bad = [f for f in v if f not in UN_RISK_FACTORS]
        if bad:
            raise ValueError(f"unknown UN Framework risk factor(s) {bad} (they are numbered 1-14)")
        return v

    @property
    def lead_time(self) -> str:
        lo, hi = self.lead_time_months
        return f"{lo}-{hi} months"


class Playbook(_Strict):
    schema_version: Literal[1]
    version: str = Field(min_length=1)
    title: str = "Prevention playbook"
    rules: Rules = Field(default_factory=Rules)
    signal: list[Signal] = Field(min_length=1)
    tool: list[Tool] = Field(min_length=1)

    def signals(self) -> dict[str, Signal]:
        return {s.id: s for s in self.signal}

    def get_tool(self, tool_id: str) -> Tool:
        for t in self.tool:
            if t.id == tool_id:
                return t
        raise KeyError(tool_id)


# --- errors with line numbers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    line: int
    where: str  # e.g. "tool[3].cost_class"
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.where}: {self.message}"


class PlaybookError(TocsinError):
    """The playbook file is not valid TOML or does not follow the schema; carries every issue found."""

    def __init__(self, file: str, issues: list[Issue]) -> None:
        self.file = file
        self.issues = issues
        more = f" (and {len(issues) - 1} more problem(s))" if len(issues) > 1 else ""
        super().__init__(f"{file}:{issues[0].line}: {issues[0].where}: {issues[0].message}{more}")


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-]+)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=")


class LineIndex:
    """Where each key of a TOML document sits: (table path, key) -> line, and array items -> lines.

    Table paths are tuples like ("tool", 3) for the 4th `[[tool]]` or ("rules",) for `[rules]`; a plain scan
    of the text (tomllib keeps no positions), good for the flat layout a playbook uses.
    """

    def __init__(self, text: str) -> None:
        self.headers: dict[tuple[Any, ...], int] = {}
        self.keys: dict[tuple[Any, ...], int] = {}
        counts: dict[str, int] = {}
        table: tuple[Any, ...] = ()
        lines = text.splitlines()
        i = 0
        while i < len(lines):
            line = lines[i]
            m = _HEADER.match(line)
            if m and not _KEY.match(line):
                name = m.group(2)
                if m.group(1) == "[[":
                    idx = counts.get(name, 0)
                    counts[name] = idx + 1
                    table = (name, idx)
                else:
                    table = tuple(name.split("."))
                self.headers[table] = i + 1
                i += 1
                continue
            k = _KEY.match(line)
            if k:
                key = tuple(p.strip() for p in k.group(1).split("."))
                self.keys[(*table, *key)] = i + 1
                rest = line[k.end():]
                i = self._items((*table, *key), lines, i, rest)
                continue
            i += 1

    def _items(self, path: tuple[Any, ...], lines: list[str], start: int, rest: str) -> int:
        """Record the line of each top-level array item of a value; return the line after the value."""
        depth, idx, quote, expect_item = 0, 0, "", False
        i, text = start, rest
        while True:
            j = 0
            while j < len(text):
                ch = text[j]
                if quote:
                    if text.startswith(quote, j) and (len(quote) == 3 or text[j - 1:j] != "\\"):
                        j += len(quote) - 1
                        quote = ""
                elif ch == "#":
                    break
                elif ch in "\"'":
                    if expect_item and depth == 1:
                        self.keys[(*path, idx)] = i + 1
                        idx, expect_item = idx + 1, False
                    quote = text[j:j + 3] if text[j:j + 3] in ('"""', "'''") else ch
                    j += len(quote) - 1
                elif ch in "[{":
                    if expect_item and depth == 1:
                        self.keys[(*path, idx)] = i + 1
                        idx, expect_item = idx + 1, False
                    depth += 1
                    expect_item = depth == 1 and ch == "["
                elif ch in "]}":
                    depth -= 1
                elif ch == "," and depth == 1:
                    expect_item = True
                elif not ch.isspace() and expect_item and depth == 1:
                    self.keys[(*path, idx)] = i + 1
                    idx, expect_item = idx + 1, False
                j += 1
            if depth <= 0 and not quote:
                return i + 1
            i += 1
            if i >= len(lines):
                return i
            text = lines[i]

    def line_of(self, loc: tuple[Any, ...]) -> int:
        """The line of the deepest part of `loc` that the text shows (a missing key -> its table's header)."""
        for n in range(len(loc), 0, -1):
            part = tuple(loc[:n])
            if part in self.keys:
                return self.keys[part]
            if part in self.headers:
                return self.headers[part]
        return 1


def _where(loc: tuple[Any, ...]) -> str:
    out = ""
    for p in loc:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(document)"


def _cross_references(data: Playbook) -> list[tuple[tuple[Any, ...], str]]:
    problems: list[tuple[tuple[Any, ...], str]] = []
    seen: dict[str, int] = {}
    for i, s in enumerate(data.signal):
        if s.id in seen:
            problems.append((("signal", i, "id"), f"duplicate signal id {s.id!r} (also signal[{seen[s.id]}])"))
        seen.setdefault(s.id, i)
    tools: dict[str, int] = {}
    for i, t in enumerate(data.tool):
        if t.id in tools:
            problems.append((("tool", i, "id"), f"duplicate tool id {t.id!r} (also tool[{tools[t.id]}])"))
        tools.setdefault(t.id, i)
        for field in ("primary", "secondary", "requires_any"):
            for j, ref in enumerate(getattr(t, field)):
                if ref not in seen:
                    problems.append(((("tool", i, field, j)), f"unknown signal {ref!r}"))
        both = set(t.primary) & set(t.secondary)
        if both:
            problems.append((("tool", i, "secondary"), f"signal(s) {sorted(both)} are also primary"))
    return problems


def parse_playbook(text: str, file: str = "playbook.toml") -> Playbook:
    """Validate playbook text; raise PlaybookError listing every problem with its line."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise PlaybookError(file, [Issue(int(m.group(1)) if m else 1, "(syntax)", str(exc))]) from exc
    index = LineIndex(text)
    try:
        book = Playbook.model_validate(raw)
    except ValidationError as exc:
        issues = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            issues.append(Issue(index.line_of(loc), _where(loc), msg))
        raise PlaybookError(file, sorted(issues, key=lambda x: x.line)) from exc
    problems = _cross_references(book)
    if problems:
        raise PlaybookError(file, sorted((Issue(index.line_of(loc), _where(loc), msg) for loc, msg in problems),
                                         key=lambda x: x.line))
    return book


def default_playbook_path() -> Path:
    return Path(str(resources.files("tocsin.prevention") / "playbook.toml"))


def load_playbook(path: Path | None = None, settings: Settings | None = None) -> Playbook:
    """The playbook at `path`, else the settings' `playbook_path`, else the one shipped with Tocsin."""
    chosen = path or (settings.playbook_path if settings else None) or default_playbook_path()
    try:
        text = Path(chosen).read_text(encoding="utf-8")
    except OSError as exc:
        raise PlaybookError(str(chosen), [Issue(1, "(file)", f"cannot read the playbook: {exc.strerror}")]) from exc
    return parse_playbook(text, str(chosen))


def unknown_features(book: Playbook, known: set[str]) -> list[tuple[str, str]]:
    """(signal id, feature) pairs naming features the registries do not know: warnings, not errors,
    since a user's playbook may name features of their own data."""
    return [(s.id, f) for s in book.signal if s.kind == "driver" for f in s.features if f not in known]
