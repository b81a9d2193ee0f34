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
from rapidfuzz import fuzz

from tocsin.core import countries
from tocsin.core.errors import CountryNotFoundError, WarehouseError
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
           "forces", "loyal", "to", "the", "of", "in", "vigilante", "state", "security", "armed"}


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
        out.setdefault(int(r.ccode), []).append(f"{r.episode} ({r.startyear}-{'' if pd.isna(r.endyear) else int(r.endyear)})")
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


def _country_forms(country: countries.Country, haystack: str) -> list[str]:
    """The country's names and adjective-like forms ("Burma" -> "Burmese") that the SDN text actually uses."""
    forms: set[str] = set()
    for name in (country.name, *country.variants):
        n = _norm(name)
        if not n or len(n.split()) > 3:
            continue
        forms.update({n, n + "n", n + "an", n + "ese", n[:-1] + "ese", n[:-1] + "an", n[:-1] + "ian", n + "i"})
    return sorted(f for f in forms if re.search(rf"\b{re.escape(f)}\b", haystack))


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
    """The SDN list prepared for matching: normalised names and a.k.a.s, and each entry's full text."""

    def __init__(self, sdn: pd.DataFrame) -> None:
        self.rows = sdn.reset_index(drop=True)
        self.names: list[list[str]] = []
        self.text: list[str] = []
        for r in self.rows.itertuples(index=False):
            self.names.append([_norm(n) for n in [r.sdn_name, *_aliases(r.remarks)] if _norm(n)])
            self.text.append(_norm(" ".join(str(x) for x in (r.sdn_name, r.title, r.program, r.remarks)
                                            if isinstance(x, str))))
        self.haystack = " | ".join(self.text)

    def _hit(self, i: int, score: float, query: str, name: str) -> SdnMatch:
        r = self.rows.iloc[i]
        kind = r["sdn_type"] if isinstance(r["sdn_type"], str) else "entity"
        return SdnMatch(int(r["ent_num"]), str(r["sdn_name"]), r["program"] if isinstance(r["program"], str)
                        else None, kind, round(score, 1), f"{query!r} ~ {name!r}")

    @staticmethod
    def _score(query: str, name: str) -> float:
        # token_set_ratio scores a query contained in a longer name at 100; it is trusted only when at least
        # two words are shared, so "taliban" alone cannot stand for "Taliban Movement of Pakistan".
        shared = len(set(query.split()) & set(name.split()))
        return max(fuzz.token_sort_ratio(query, name), fuzz.token_set_ratio(query, name) if shared >= 2 else 0)

    def best(self, queries: list[str], candidates: Iterable[int]) -> list[SdnMatch]:
        out = []
        for i in candidates:
            best = (0.0, "", "")
            for q in queries:
                for n in self.names[i] + ([_norm(self.rows.iloc[i]["title"])]
                                          if isinstance(self.rows.iloc[i]["title"], str) else []):
                    s = self._score(q, n)
                    if s > best[0]:
                        best = (s, q, n)
            if best[0] >= POSSIBLE_THRESHOLD:
                out.append(self._hit(i, *best))
        return sorted(out, key=lambda m: (-m.score, m.name))

    def state_candidates(self, forms: list[str]) -> list[int]:
        """Entries tied to the country (a form of its name anywhere in them) that read as security forces."""
        pat = re.compile(r"\b(" + "|".join(re.escape(f) for f in forms) + r")\b") if forms else None
        if pat is None:
            return []
        return [i for i, t in enumerate(self.text) if pat.search(t) and any(w in t for w in _FORCE_WORDS)]


def _groups(perpetrator: str) -> list[str]:
    """Named non-state groups in a perpetrator phrase ("ISIS and associated militias" -> ["isis"])."""
    parts = re.split(r",|;|\band\b|\bincluding\b|\bwith\b", perpetrator, flags=re.I)
    out = []
    for p in parts:
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
        cands: set[int] = set()
        if state_led or _STATE_WORDS.search(perp):
            govs = ([c] if c else []) + [x for x in _countries_in(perp) if not c or x.gwcode != c.gwcode]
            for g in govs:
                forms = _country_forms(g, index.haystack)
                queries += [f"{f} {w}" for f in forms for w in ("army", "military", "armed forces",
                                                                "defense forces", "security forces", "police")]
                cands.update(index.state_candidates(forms))
        groups = _groups(perp)
        if groups:
            queries += groups
            firsts = {g.split()[0] for g in groups}
            cands.update(i for i, ns in enumerate(index.names) if any(f in n.split() for f in firsts for n in ns))
        hits = index.best(queries, sorted(cands)) if queries else []
        out.append(Coverage(country_name, c.gwcode if c else None, perp, state_led,
                            int(start) if start is not None and not pd.isna(start) else None, queries,
                            [h for h in hits if h.score >= MATCH_THRESHOLD],
                            [h for h in hits if h.score < MATCH_THRESHOLD][:5]))
    return out, notes
