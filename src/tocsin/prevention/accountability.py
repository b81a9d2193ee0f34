"""Security-partner audit: who arms and funds governments at highest risk or already killing civilians, and
whether the perpetrators of ongoing mass killings are under US sanctions.

- Governments responsible for an ongoing state-led mass killing in year Y: EWP's master list of episodes
  (`ewp_events`), State-Led episodes with startyear <= Y <= endyear (no endyear: still ongoing), attributed to
  the responsible state's code (mk_repsonsible_state_cow, else the location's).
- Countries at highest risk in year Y: the top N of EWP's fully out-of-sample forecast for Y (`ewp_foos`,
  rank_prev: made with data of Y-1); for the years after it, Tocsin's saved forecast (rank_2yr).
- Arms: SIPRI trend-indicator values (TIV, millions) of deliveries in Y, supplier -> recipient.
- Aid: US foreign assistance obligations and disbursements in fiscal year Y, constant US dollars.
- Sanctions: each ongoing episode's perpetrator side matched against OFAC's SDN list (names and a.k.a.s) with
  rapidfuzz; a score of MATCH_THRESHOLD or more is a match, POSSIBLE_THRESHOLD or more a possible one.
Every country name in these files is matched with tocsin.core.countries.match_names; unmatched names are
reported (SIPRI marks non-state recipients and suppliers with '*', which stay unmatched on purpose).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from rapidfuzz import fuzz, process

from tocsin.core import countries
from tocsin.core.errors import CountryNotFoundError, WarehouseError
from tocsin.core.records import frame_records
from tocsin.sources import accountability as acc_src
from tocsin.sources import ewp as ewp_src
from tocsin.warehouse.store import Warehouse

MATCH_THRESHOLD = 85.0
POSSIBLE_THRESHOLD = 70.0
ARMS_LOOKBACK = 2  # a country "imports arms" in Y when SIPRI records deliveries in Y-2..Y
TABLES = ("sipri_arms_transfers", "us_foreign_aid", "ofac_sdn", "ewp_events", "ewp_events_ongoing")
AID_MEASURES = {"Obligations": "obligations_usd_constant", "Disbursements": "disbursements_usd_constant"}

# Words that make a perpetrator phrase the state's own forces, and the words security-force designations use.
_STATE_WORDS = re.compile(r"\b(state|government|security forces|army|military|police|armed forces)\b", re.I)
_FORCE_WORDS = ("army", "military", "armed forces", "defense forces", "defence forces", "security forces",
                "police", "intelligence", "air force", "navy", "division", "brigade", "battalion", "regiment",
                "command", "guard")
_FILLER = {"and", "associated", "other", "various", "including", "groups", "group", "militias", "militia",
           "forces", "loyal", "to", "the", "of", "in", "vigilante", "state", "security", "armed", "others",
           "supporters"}


def sources_used() -> list[dict[str, str]]:
    """Name, publisher, licence and citation of every source whose figures the audit shows."""
    used = [s for s in acc_src.SOURCES] + [s for s in ewp_src.SOURCES if s.name in ("ewp_events", "ewp_foos")]
    return [{"name": s.name, "publisher": s.publisher, "licence": s.licence, "citation": s.citation}
            for s in used]


@dataclass
class AccountabilityTables:
    sipri: pd.DataFrame
    aid: pd.DataFrame
    sdn: pd.DataFrame
    events: pd.DataFrame
    ongoing: pd.DataFrame
    foos: pd.DataFrame | None = None
    forecast: pd.DataFrame | None = None  # Tocsin's saved forecast (ccode, rank_2yr, base_year)
    # Flows and sanctions coverage computed once per set of tables (a run flags every country from one set).
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_warehouse(cls, wh: Warehouse, forecast: pd.DataFrame | None = None) -> AccountabilityTables:
        missing = [t for t in TABLES if not wh.has(t)]
        if missing:
            raise WarehouseError(f"the warehouse lacks {', '.join(missing)}: run `tocsin data pull`")
        return cls(sipri=wh.read("sipri_arms_transfers"), aid=wh.read("us_foreign_aid"), sdn=wh.read("ofac_sdn"),
                   events=wh.read("ewp_events"), ongoing=wh.read("ewp_events_ongoing"),
                   foos=wh.read("ewp_foos") if wh.has("ewp_foos") else None, forecast=forecast)


# --- who is killing, who is at risk ----------------------------------------------------------------------


def _gw_of_cow(code: Any) -> int | None:
    if code is None or pd.isna(code):
        return None
    c = countries.by_cowcode(int(code))
    return c.gwcode if c else None


def state_led_episodes(events: pd.DataFrame) -> pd.DataFrame:
    """State-led episodes: ccode (responsible government), country, code, name, startyear, endyear (NaN: open)."""
    side = events["State-Led or Non-State-Led"].astype(str).str.strip().str.lower()
    ev = events[side == "state-led"].copy()
    resp = ev["mk_repsonsible_state_cow"].where(ev["mk_repsonsible_state_cow"].notna(), ev["mk_location_cow"])
    ev["ccode"] = [_gw_of_cow(c) for c in resp]
    return pd.DataFrame({"ccode": ev["ccode"], "country": ev["country"], "code": ev["mk_event_code"],
                         "episode": ev["mk_event_name"], "startyear": ev["startyear"].astype(int),
                         "endyear": ev["endyear"]}).reset_index(drop=True)


def ongoing_state_led(events: pd.DataFrame, year: int) -> dict[int, list[str]]:
    """{government ccode: [episode names]} for state-led episodes under way in `year`."""
    ep = state_led_episodes(events)
    on = ep[(ep["startyear"] <= year) & (ep["endyear"].isna() | (ep["endyear"] >= year)) & ep["ccode"].notna()]
    out: dict[int, list[str]] = {}
    for r in on.itertuples(index=False):
        end = "" if pd.isna(r.endyear) else int(r.endyear)
        out.setdefault(int(r.ccode), []).append(f"{r.episode} ({r.startyear}-{end})")
    return out


def high_risk(tables: AccountabilityTables, year: int, top_n: int) -> dict[int, str]:
    """{ccode: why} for the top_n countries by assessed risk for `year` (EWP FOOS, else the saved forecast)."""
    foos = tables.foos
    if foos is not None and year in set(foos["year"].astype(int)):
        f = foos[(foos["year"].astype(int) == year) & foos["rank_prev"].notna()]
        f = f[f["rank_prev"] <= top_n]
        return {int(r.ccode): f"EWP risk rank {int(r.rank_prev)} for {year}" for r in f.itertuples()}
    fc = tables.forecast
    if fc is not None and "base_year" in fc.columns:
        base = int(fc["base_year"].iloc[0])
        if base < year <= base + 2:
            f = fc[fc["rank_2yr"] <= top_n]
            return {int(r.ccode): f"Tocsin 2-year risk rank {int(r.rank_2yr)} from {base} data"
                    for r in f.itertuples()}
    return {}


# --- flows ---------------------------------------------------------------------------------------------


def _match(names: Iterable[str]) -> tuple[dict[str, int], list[str]]:
    """Names -> GW codes; SIPRI's starred names (non-state actors, organisations) are left unmatched."""
    names = sorted({str(n) for n in names if isinstance(n, str)})
    state_like = [n for n in names if not n.endswith("*")]
    m = countries.match_names(state_like)
    return m.gwcodes, sorted(set(m.unmatched) | {n for n in names if n.endswith("*")})


def arms_flows(tables: AccountabilityTables, supplier: str | None = None) -> tuple[pd.DataFrame, list[str]]:
    """year, supplier, recipient, recipient_ccode, supplier_ccode, tiv; plus the unmatched names."""
    if supplier is None:
        if "arms" not in tables.memo:
            tables.memo["arms"] = _arms_flows(tables, None)
        return tables.memo["arms"]  # type: ignore[no-any-return]
    return _arms_flows(tables, supplier)


def _arms_flows(tables: AccountabilityTables, supplier: str | None) -> tuple[pd.DataFrame, list[str]]:
    s = tables.sipri
    rec, un_r = _match(s["recipient"])
    sup, un_s = _match(s["supplier"])
    out = pd.DataFrame({"year": s["year"].astype(int), "supplier": s["supplier"], "recipient": s["recipient"],
                        "recipient_ccode": s["recipient"].map(rec), "supplier_ccode": s["supplier"].map(sup),
                        "tiv": s["value"].astype(float)})
    if supplier:
        want = countries.lookup(supplier).gwcode
        out = out[out["supplier_ccode"] == want]
    return out, sorted(set(un_r) | set(un_s))


def aid_flows(tables: AccountabilityTables) -> tuple[pd.DataFrame, list[str]]:
    """year, recipient, recipient_ccode, obligations/disbursements in constant USD; plus unmatched names."""
    if "aid" not in tables.memo:
        tables.memo["aid"] = _aid_flows(tables)
    return tables.memo["aid"]  # type: ignore[no-any-return]


def _aid_flows(tables: AccountabilityTables) -> tuple[pd.DataFrame, list[str]]:
    a = tables.aid[tables.aid["transaction_type_name"].isin(list(AID_MEASURES))]
    codes = {}
    for code, name in a[["country_code", "country_name"]].drop_duplicates().itertuples(index=False):
        c = countries.by_iso3(str(code)) if isinstance(code, str) else None
        if c is not None:
            codes[name] = c.gwcode
    by_name, unmatched = _match(n for n in a["country_name"].unique() if n not in codes)
    codes.update(by_name)
    wide = a.pivot_table(index=["year", "country_name"], columns="transaction_type_name",
                         values="constant_amount", aggfunc="sum").reset_index()
    wide = wide.rename(columns={**AID_MEASURES, "country_name": "recipient"})
    for col in AID_MEASURES.values():
        if col not in wide.columns:
            wide[col] = float("nan")
    wide["recipient_ccode"] = wide["recipient"].map(codes)
    return wide[["year", "recipient", "recipient_ccode", *AID_MEASURES.values()]], unmatched


# --- sanctions coverage ----------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9 ]", " ", text.lower())).strip()


def _aliases(remarks: Any) -> list[str]:
    if not isinstance(remarks, str):
        return []
    return re.findall(r"[af]\.k\.a\. '([^']+)'", remarks)


def _country_forms(country: countries.Country, grams: set[str]) -> list[str]:
    """The country's names and adjective-like forms ("Burma" -> "Burmese") that the SDN text actually uses."""
    forms: set[str] = set()
    for name in (country.name, *country.variants):
        n = _norm(name)
        if not n or len(n.split()) > 3:
            continue
        forms.update({n, n + "n", n + "an", n + "ese", n[:-1] + "ese", n[:-1] + "an", n[:-1] + "ian", n + "i"})
    return sorted(f for f in forms if f in grams)


def _countries_in(text: str) -> list[countries.Country]:
    """Countries a perpetrator phrase names, including by adjective ("Eritrean state security forces")."""
    found: dict[int, countries.Country] = {}
    for tok in re.findall(r"[A-Za-z]{4,}", text):
        for cand in (tok, tok[:-1], tok[:-2], tok[:-3] + "a", tok[:-2] + "a", tok[:-3]):
            try:
                c = countries.lookup(cand)
            except CountryNotFoundError:
                continue
            if _norm(cand) in {_norm(n) for n in (c.name, *c.variants)}:
                found[c.gwcode] = c
                break
    return list(found.values())


@dataclass
class SdnMatch:
    ent_num: int
    name: str
    program: str | None
    sdn_type: str
    score: float
    matched_on: str  # the query and the SDN name or alias it matched

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass
class Coverage:
    """Sanctions coverage of one ongoing episode's perpetrator side."""

    country: str
    ccode: int | None
    perpetrator: str
    state_led: bool
    start_year: int | None
    queries: list[str]
    matches: list[SdnMatch] = field(default_factory=list)
    possible: list[SdnMatch] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "designated" if self.matches else ("possible match only" if self.possible else "NO DESIGNATION")

    def to_dict(self) -> dict[str, Any]:
        return {"country": self.country, "ccode": self.ccode, "perpetrator": self.perpetrator,
                "state_led": self.state_led, "start_year": self.start_year, "status": self.status,
                "queries": self.queries, "matches": [m.to_dict() for m in self.matches],
                "possible": [m.to_dict() for m in self.possible]}


class SdnIndex:
    """The SDN list prepared for matching: one flat list of normalised names, a.k.a.s and titles."""

    def __init__(self, sdn: pd.DataFrame) -> None:
        self.rows = sdn.reset_index(drop=True)
        self.flat: list[str] = []
        self.flat_row: list[int] = []
        self.flat_kind: list[str] = []
        texts = []
        for i, r in enumerate(self.rows.itertuples(index=False)):
            for kind, items in (("name", [r.sdn_name]), ("a.k.a.", _aliases(r.remarks)),
                                ("title", [r.title] if isinstance(r.title, str) else [])):
                for item in items:
                    n = _norm(str(item))
                    if n:
                        self.flat.append(n)
                        self.flat_row.append(i)
                        self.flat_kind.append(kind)
            texts.append(" ".join(str(x) for x in (r.sdn_name, r.title, r.program, r.remarks) if isinstance(x, str)))
        words = _norm(" | ".join(texts)).split()
        # Every run of one to three words in the list, to test quickly which forms of a name it uses.
        self.grams = {" ".join(words[i:i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)}

    def _hit(self, j: int, score: float, query: str) -> SdnMatch:
        r = self.rows.iloc[self.flat_row[j]]
        kind = r["sdn_type"] if isinstance(r["sdn_type"], str) else "entity"
        program = r["program"].replace("] [", ", ") if isinstance(r["program"], str) else None
        return SdnMatch(int(r["ent_num"]), str(r["sdn_name"]), program, kind, round(float(score), 1),
                        f"{query!r} ~ {self.flat_kind[j]} {self.flat[j]!r}")

    @staticmethod
    def _score(query: str, name: str) -> float:
        # token_set_ratio scores a query contained in a longer name at 100; it is trusted only when at least
        # two words are shared, so "taliban" alone cannot stand for "Taliban Movement of Pakistan".
        shared = len(set(query.split()) & set(name.split()))
        return max(fuzz.token_sort_ratio(query, name), fuzz.token_set_ratio(query, name) if shared >= 2 else 0)

    def _collect(self, scored: Iterable[tuple[int, float, str]]) -> list[SdnMatch]:
        best: dict[int, tuple[float, int, str]] = {}
        for j, s, q in scored:
            row = self.flat_row[j]
            if s >= POSSIBLE_THRESHOLD and s > best.get(row, (-1.0, 0, ""))[0]:
                best[row] = (s, j, q)
        hits = [self._hit(j, s, q) for s, j, q in best.values()]
        return sorted(hits, key=lambda m: (-m.score, m.name))

    def match_groups(self, groups: list[str]) -> list[SdnMatch]:
        """Named non-state groups against every SDN name, a.k.a. and title."""
        scored = []
        for g in groups:
            if len(g.split()) == 1 and len(g) <= 5:
                # An acronym is only trusted when spelt exactly (fuzzy "isis" ~ "isisb" is another group).
                scored += [(j, 100.0, g) for j, n in enumerate(self.flat) if n == g]
                continue
            for _, _, j in process.extract(g, self.flat, scorer=fuzz.token_sort_ratio, limit=20,
                                           score_cutoff=POSSIBLE_THRESHOLD):
                scored.append((j, self._score(g, self.flat[j]), g))
            for _, _, j in process.extract(g, self.flat, scorer=fuzz.token_set_ratio, limit=50,
                                           score_cutoff=POSSIBLE_THRESHOLD):
                scored.append((j, self._score(g, self.flat[j]), g))
        return self._collect(scored)

    def match_state(self, forms: list[str], shadowing: list[str]) -> tuple[list[SdnMatch], list[str]]:
        """Security-force designations of one government: a name, a.k.a. or title in which a form of the
        country's name is followed, within two words, by a force word ("Burmese army", "chief of the X
        police"), none of the words between marking an insurgency. `shadowing` are longer country names
        containing a form ("south sudan" for "sudan"), removed first. Returns matches and the queries."""
        if not forms:
            return [], []
        between = r"(?:\s+(?!(?:liberation|revolutionary|people|peoples|opposition|resistance|movement|front|"
        between += r"rebel|rebels)\b)\S+){0,2}?"
        pat = re.compile(r"\b(" + "|".join(re.escape(f) for f in forms) + r")\b" + between + r"\s+("
                         + "|".join(re.escape(w) for w in _FORCE_WORDS) + r")\b")
        shadow = re.compile(r"\b(" + "|".join(re.escape(s) for s in shadowing) + r")\b") if shadowing else None
        scored = []
        for j, text in enumerate(self.flat):
            clean = shadow.sub(" ", text) if shadow else text
            m = pat.search(clean)
            if m:
                q = f"{m.group(1)} {m.group(2)}"
                scored.append((j, self._score(q, text), q))
        queries = [f"{f} {w}" for f in forms for w in _FORCE_WORDS]
        return self._collect(scored), queries


def _groups(perpetrator: str) -> list[str]:
    """Named non-state groups in a perpetrator phrase ("ISIS and associated militias" -> ["isis"]); phrases
    that name nobody ("Various militias in the northeast") give none."""
    parts = re.split(r",|;|\(|\)|\band\b|\bincluding\b|\bwith\b", perpetrator, flags=re.I)
    out = []
    for p in parts:
        if re.match(r"\s*(various|unidentified|unknown|others?)\b", p, re.I):
            continue
        words = [w for w in _norm(p).split() if w not in _FILLER]
        if words and not _STATE_WORDS.search(p):
            out.append(" ".join(words))
    return out


def match_country_names(names: Iterable[str]) -> tuple[dict[str, countries.Country], list[str], list[str]]:
    """match_names, then a close-spelling fallback (ratio >= 90) for typos such as a doubled letter.

    Returns (matched, unmatched, notes): each fallback match is noted so a user can see it.
    """
    m = countries.match_names(names)
    matched, notes, unmatched = dict(m.matched), [], []
    pool = {_norm(n): c for c in countries.all_countries() for n in (c.name, *c.variants)}
    for name in m.unmatched:
        best = max(pool, key=lambda k: fuzz.ratio(_norm(name), k))
        if fuzz.ratio(_norm(name), best) >= 90:
            matched[name] = pool[best]
            notes.append(f"{name!r} read as {pool[best].name} (closest spelling)")
        else:
            unmatched.append(name)
    return matched, unmatched, notes


def sanctions_coverage(tables: AccountabilityTables, index: SdnIndex | None = None
                       ) -> tuple[list[Coverage], list[str]]:
    """For every episode on EWP's ongoing list: its perpetrator side's SDN designations, with scores.

    Returns the coverage rows and notes (country-name fallbacks, unmatched names).
    """
    index = index or SdnIndex(tables.sdn)
    records = tables.ongoing.to_dict("records")
    matched, unmatched, notes = match_country_names(str(r.get("Country")) for r in records)
    if unmatched:
        notes.append(f"ongoing-episode countries not matched to a state: {', '.join(unmatched)}")
    out = []
    for r in records:
        country_name = str(r.get("Country"))
        c = matched.get(country_name)
        perp = str(r.get("Perpetrator") or "")
        state_led = str(r.get("State-Led or Non-State-Led", "")).strip().lower() == "state-led"
        start = r.get("Start Year")
        queries: list[str] = []
        hits: list[SdnMatch] = []
        if state_led or _STATE_WORDS.search(perp):
            govs = ([c] if c else []) + [x for x in _countries_in(perp) if not c or x.gwcode != c.gwcode]
            for g in govs:
                forms = _country_forms(g, index.grams)
                shadowing = sorted({_norm(n) for o in countries.all_countries() if o.gwcode != g.gwcode
                                    for n in (o.name, *o.variants)
                                    if any(re.search(rf"\b{re.escape(f)}\b", _norm(n)) and _norm(n) != f
                                           for f in forms)})
                found, qs = index.match_state(forms, shadowing)
                hits += found
                queries += qs
        groups = _groups(perp)
        if groups:
            queries += groups
            hits += index.match_groups(groups)
        seen: set[int] = set()
        hits = [h for h in sorted(hits, key=lambda m: -m.score) if not (h.ent_num in seen or seen.add(h.ent_num))]
        out.append(Coverage(country_name, c.gwcode if c else None, perp, state_led,
                            int(start) if start is not None and not pd.isna(start) else None, queries,
                            [h for h in hits if h.score >= MATCH_THRESHOLD],
                            [h for h in hits if h.score < MATCH_THRESHOLD][:5]))
    return out, notes


# --- the audit -------------------------------------------------------------------------------------------


@dataclass
class AuditResult:
    years: list[int]
    supplier: str | None
    top_n: int
    arms: pd.DataFrame  # year, supplier, recipient, recipient_ccode, tiv, why
    aid: pd.DataFrame  # year, recipient, recipient_ccode, obligations/disbursements (constant USD), why
    ongoing: dict[int, dict[int, list[str]]]  # year -> government ccode -> episodes
    sanctions: list[Coverage]
    unmatched: dict[str, list[str]]
    notes: list[str]

    def suppliers_to_killing_governments(self) -> pd.DataFrame:
        """Per year and recipient government with an ongoing state-led mass killing: suppliers and TIV."""
        a = self.arms[self.arms["why"].str.contains("state-led mass killing", regex=False)]
        if a.empty:
            return pd.DataFrame(columns=["year", "recipient", "suppliers", "tiv_total"])
        rows = []
        for (year, rec), g in a.groupby(["year", "recipient"], sort=True):
            by = g.groupby("supplier")["tiv"].sum().sort_values(ascending=False)
            rows.append({"year": int(year), "recipient": rec,
                         "suppliers": ", ".join(f"{s} ({v:g})" for s, v in by.items()),
                         "tiv_total": float(by.sum())})
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        records = frame_records
        return {
            "years": self.years, "supplier": self.supplier, "top_n": self.top_n,
            "method": {"arms": "SIPRI trend-indicator values (TIV, millions) of deliveries in the year",
                       "aid": "US foreign assistance, constant USD, fiscal year",
                       "high_risk": f"top {self.top_n} of EWP's out-of-sample forecast for the year "
                                    "(Tocsin's saved forecast after EWP's last year)",
                       "sanctions": f"rapidfuzz match of perpetrator names against OFAC SDN names, a.k.a.s and "
                                    f"titles: >= {MATCH_THRESHOLD:g} match, >= {POSSIBLE_THRESHOLD:g} possible"},
            "governments_with_ongoing_state_led_mass_killing": {
                str(y): {str(c): eps for c, eps in d.items()} for y, d in self.ongoing.items()},
            "arms_to_killing_governments_by_year": records(self.suppliers_to_killing_governments()),
            "arms": records(self.arms), "aid": records(self.aid),
            "sanctions": [c.to_dict() for c in self.sanctions],
            "unmatched_names": self.unmatched, "notes": self.notes, "sources": sources_used(),
        }


def audit(tables: AccountabilityTables, supplier: str | None = None, year_from: int | None = None,
          year_to: int | None = None, top_n: int = 30, sanctions: bool = True) -> AuditResult:
    """Arms and US aid flowing to governments with an ongoing state-led mass killing and to the countries at
    highest risk, by year; and the sanctions coverage of every ongoing episode's perpetrators."""
    arms, un_arms = arms_flows(tables, supplier)
    aid, un_aid = aid_flows(tables)
    last = int(max(arms["year"].max() if not arms.empty else 0, aid["year"].max()))
    year_to = year_to or last
    year_from = year_from or year_to - 9
    if year_from > year_to:
        raise WarehouseError(f"--year-from {year_from} is after the last year {year_to}")
    years = list(range(year_from, year_to + 1))
    notes = [f"SIPRI data cover {int(tables.sipri['year'].min())}-{int(tables.sipri['year'].max())}; "
             f"US aid {int(tables.aid['year'].min())}-{int(tables.aid['year'].max())}."]
    ongoing, why_rows = {}, []
    for y in years:
        ongoing[y] = ongoing_state_led(tables.events, y)
        risky = high_risk(tables, y, top_n)
        for c in set(ongoing[y]) | set(risky):
            reasons = []
            if c in ongoing[y]:
                reasons.append("ongoing state-led mass killing: " + "; ".join(ongoing[y][c]))
            if c in risky:
                reasons.append(risky[c])
            why_rows.append({"year": y, "ccode": c, "why": " | ".join(reasons)})
        if not risky:
            notes.append(f"{y}: no risk ranking (neither EWP's forecasts nor a saved Tocsin forecast cover it)")
    why = pd.DataFrame(why_rows, columns=["year", "ccode", "why"])
    a = arms.merge(why, left_on=["year", "recipient_ccode"], right_on=["year", "ccode"]).drop(columns="ccode")
    a = a.sort_values(["year", "recipient", "tiv"], ascending=[True, True, False]).reset_index(drop=True)
    if supplier and countries.lookup(supplier).gwcode != countries.lookup("United States").gwcode:
        g = aid.iloc[0:0].assign(why=pd.Series(dtype=str))
        notes.append("US foreign assistance is shown only when no supplier, or the United States, is chosen.")
    else:
        g = aid.merge(why, left_on=["year", "recipient_ccode"], right_on=["year", "ccode"]).drop(columns="ccode")
        g = g.sort_values(["year", "recipient"]).reset_index(drop=True)
    cov: list[Coverage] = []
    if sanctions:
        cov, cov_notes = sanctions_coverage(tables)
        notes += cov_notes
        notes.append(f"OFAC SDN list snapshot of {acc_src.SDN_SNAPSHOT}; the legacy file carries no designation "
                     "dates and only some a.k.a.s, so a match may postdate a given year and a miss may be an alias.")
    return AuditResult(years, supplier, top_n, a, g, ongoing, cov,
                       {"sipri": un_arms, "us_aid": un_aid}, notes)


# --- flags for one country-year (used by tocsin.prevention.rank) -----------------------------------------


@dataclass(frozen=True)
class Flag:
    flag: str  # one of tocsin.prevention.playbook.ACCOUNTABILITY_FLAGS
    text: str
    values: dict[str, Any]
    source: str
    brief: str = ""


def country_flags(tables: AccountabilityTables, ccode: int, year: int,
                  coverage: list[Coverage] | None = None) -> tuple[list[Flag], list[str]]:
    """The accountability flags of one country-year, each with the evidence behind it; plus notes on what
    could not be checked (years outside a source's coverage)."""
    flags: list[Flag] = []
    notes: list[str] = []
    episodes = ongoing_state_led(tables.events, year).get(ccode, [])
    if episodes:
        flags.append(Flag("ongoing_state_mk", "Government responsible for ongoing state-led mass killing(s): "
                          + "; ".join(episodes), {"episodes": episodes}, "ewp_events",
                          f"{len(episodes)} ongoing state-led episode(s)"))
    arms, _ = arms_flows(tables)
    s_last = int(arms["year"].max())
    if year - ARMS_LOOKBACK > s_last:
        notes.append(f"arms transfers not checked: SIPRI data end in {s_last}")
    else:
        a = arms[(arms["recipient_ccode"] == ccode) & arms["year"].between(year - ARMS_LOOKBACK, year)]
        if not a.empty:
            by = a.groupby("supplier")["tiv"].sum().sort_values(ascending=False)
            text = ", ".join(f"{s} {v:g}" for s, v in by.items())
            flags.append(Flag("arms_imports", f"Arms deliveries {year - ARMS_LOOKBACK}-{min(year, s_last)} "
                              f"(SIPRI TIV, millions): {text}", {k: float(v) for k, v in by.items()},
                              "sipri_arms_transfers",
                              "SIPRI: " + ", ".join(f"{s} {v:g}" for s, v in list(by.items())[:3])))
    aid, _ = aid_flows(tables)
    if year > int(aid["year"].max()):
        notes.append(f"US assistance not checked: the data end in FY{int(aid['year'].max())}")
    else:
        row = aid[(aid["recipient_ccode"] == ccode) & (aid["year"] == year)]
        ob = float(row["obligations_usd_constant"].sum()) if not row.empty else 0.0
        if ob > 0:
            flags.append(Flag("us_aid", f"US foreign assistance FY{year}: ${ob / 1e6:,.1f} million obligated "
                              "(constant USD, all sectors)", {"obligations_usd_constant": ob}, "us_foreign_aid",
                              f"US aid FY{year} ${ob / 1e6:,.0f}M"))
    if coverage is None and episodes:
        if "coverage" not in tables.memo:
            tables.memo["coverage"] = sanctions_coverage(tables)
        coverage, _ = tables.memo["coverage"]
    mine = [c for c in coverage or [] if c.ccode == ccode and c.state_led
            and (c.start_year is None or c.start_year <= year)]
    for c in mine:
        snap = f"OFAC SDN snapshot {acc_src.SDN_SNAPSHOT}"
        if c.matches:
            top = "; ".join(f"{m.name} (score {m.score:g}, {m.program})" for m in c.matches[:4])
            flags.append(Flag("sdn_designated", f"Perpetrator side '{c.perpetrator}' ({c.start_year} episode): "
                              f"{len(c.matches)} SDN designation(s), e.g. {top} [{snap}]",
                              {"matches": [m.to_dict() for m in c.matches]}, "ofac_sdn",
                              f"{len(c.matches)} SDN match(es), top {c.matches[0].name} {c.matches[0].score:g}"))
        else:
            best = f"; best candidate {c.possible[0].name} (score {c.possible[0].score:g})" if c.possible else ""
            flags.append(Flag("sdn_gap", f"Perpetrator side '{c.perpetrator}' ({c.start_year} episode): no SDN "
                              f"designation at score >= {MATCH_THRESHOLD:g}{best} [{snap}]",
                              {"possible": [m.to_dict() for m in c.possible]}, "ofac_sdn",
                              f"no SDN match for '{c.perpetrator}'"))
    return flags, notes
