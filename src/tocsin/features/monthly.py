"""The country-month panel of the monthly watch: dated onsets, a 12-month outcome, and monthly signals as they
were known in each month.

Outcome. A state-led mass-killing onset (the events master list's `mk_events` sheet, state-led rows) is dated
to the month from the list's "Start Date" (sheets "Ongoing" and "Ended"). Where the list gives only a year
(a "Start Date" of "2021", or an episode the two dated sheets do not carry), the onset is *year-only*: its month
is unknown, so every country-month whose 12-month window touches that year cannot be labelled. Those
country-months are excluded from training and scoring (`excluded` says why) and the onsets are counted apart.
`onset_12m` for month M is 1 when a dated onset falls in months M+1..M+12, 0 when none does, NaN when the window
reaches past the last month whose outcome is known or is excluded.

Release lags (no look-ahead). The watch for month M is made at the end of M from what had been released by
then. Each source's stated lag (`RELEASE_LAG`, months): UCDP GED (the THIRD-PARTY country-month aggregate;
UCDP's candidate events are released about a month after the events) 1; VIEWS' country-month state-based
deaths (built from the same candidate events) 1; GDELT (THIRD-PARTY aggregate; GDELT publishes daily) 0;
coups (Colpus, known on the day they happen) 0. A signal for M therefore uses the source's months up to
M - lag only. Two approximations are stated rather than hidden: the history is the sources' final (revised)
versions, not the candidate releases as first published; and Colpus ends in December 2022, so coup signals
are missing (flagged, zero) from 2023 on (EWP's coup files give years, not dates, and are not used monthly).

Yearly risk. The yearly forecast for calendar year Y (made from year Y-1's data by models fitted on
outcomes known by the end of Y-1) is taken to exist from January of Y and is held fixed through Y
(`yearly_prob`). EWP's yearly data are in fact released during Y, so this favours the yearly baseline.
The caller passes it in (from a forecast run's out-of-sample track record): features never read runs.

The UCDP aggregate has no non-state event count: state-based and one-sided events, all fatalities and
civilian deaths are what it carries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from tocsin.core import countries

RELEASE_LAG: dict[str, int] = {"ucdp": 1, "views": 1, "gdelt": 0, "coups": 0}
HORIZON = 12  # months ahead the outcome looks
RECENT = 3  # months in the "recent" window of a signal
BASELINE = 12  # months before the recent window that it is compared with
COUP_WINDOW = 6

# The model's inputs (see `signal_features`); `_missing` flags say a source did not cover the month.
FEATURES: tuple[str, ...] = (
    "yearly_logit",
    "ucdp_civ_3m", "ucdp_civ_esc", "ucdp_fat_3m", "ucdp_fat_esc", "ucdp_os_ev_3m", "ucdp_sb_ev_3m",
    "views_sb_3m", "views_sb_esc",
    "gdelt_conflict_esc", "gdelt_protest_esc", "gdelt_goldstein_delta",
    "coup_attempts_6m", "coup_successes_6m",
    "ucdp_missing", "views_missing", "gdelt_missing", "coups_missing",
)
ESCALATION: tuple[str, ...] = tuple(f for f in FEATURES if f != "yearly_logit")

# Readable names of the features (the watch lists the events behind a rise with them).
LABELS: dict[str, str] = {
    "yearly_logit": "yearly risk (log-odds)",
    "ucdp_civ_3m": "UCDP civilian deaths, last 3 months (THIRD-PARTY aggregate)",
    "ucdp_civ_esc": "UCDP civilian deaths, last 3 months vs the 12 before",
    "ucdp_fat_3m": "UCDP fatalities (all types), last 3 months (THIRD-PARTY aggregate)",
    "ucdp_fat_esc": "UCDP fatalities, last 3 months vs the 12 before",
    "ucdp_os_ev_3m": "UCDP one-sided violence events, last 3 months",
    "ucdp_sb_ev_3m": "UCDP state-based conflict events, last 3 months",
    "views_sb_3m": "VIEWS state-based deaths, last 3 months",
    "views_sb_esc": "VIEWS state-based deaths, last 3 months vs the 12 before",
    "gdelt_conflict_esc": "GDELT conflict events, last 3 months vs the 12 before (THIRD-PARTY aggregate)",
    "gdelt_protest_esc": "GDELT protest events, last 3 months vs the 12 before (THIRD-PARTY aggregate)",
    "gdelt_goldstein_delta": "GDELT mean Goldstein score, last 3 months minus the 12 before",
    "coup_attempts_6m": "coup attempts, last 6 months (Colpus)",
    "coup_successes_6m": "successful coups, last 6 months (Colpus)",
    "ucdp_missing": "UCDP not covering the month", "views_missing": "VIEWS not covering the month",
    "gdelt_missing": "GDELT not covering the month", "coups_missing": "coup data not covering the month",
}


def month_index(year: int | pd.Series | np.ndarray, month: int | pd.Series | np.ndarray) -> pd.Series | int:
    """Months since year 0 (so that month arithmetic is integer arithmetic)."""
    return year * 12 + month - 1  # type: ignore[operator,return-value]


def month_label(mi: int) -> str:
    return f"{int(mi) // 12:04d}-{int(mi) % 12 + 1:02d}"


def parse_month(text: str) -> int:
    """"2021-03" -> month index; ValueError otherwise."""
    m = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"not a month like 2021-03: {text!r}")
    return int(month_index(int(m.group(1)), int(m.group(2))))


# ---- dated onsets -------------------------------------------------------------------------------------------
_YEAR_ONLY = re.compile(r"^\s*\d{4}(\.0)?\s*$")


def _start_month(value: object) -> tuple[int | None, str]:
    """(month or None when only the year is known, the date as written)."""
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value).strip()
    if not text or _YEAR_ONLY.match(text):
        return None, text
    stamp = pd.to_datetime(text, errors="coerce")  # "2011-03-15 00:00:00", "July 2003"
    return (None, text) if pd.isna(stamp) else (int(stamp.month), text)


def _sheet_codes(names: pd.Series, year: pd.Series) -> pd.Series:
    """A dated sheet's country names -> Tocsin codes; "A/B" names are tried whole and part by part."""
    out = []
    for name, y in zip(names.astype(str), year, strict=True):
        code = None
        for candidate in [name, *name.split("/")]:
            found = countries.match_names([candidate.strip()], year=int(y)).gwcodes
            if found:
                code = next(iter(found.values()))
                break
        out.append(code)
    return pd.Series(out, index=names.index, dtype="Float64")


def dated_onsets(events: pd.DataFrame, ongoing: pd.DataFrame, ended: pd.DataFrame) -> pd.DataFrame:
    """Every state-led onset of the events list (`mk_events`) with its start month where a dated sheet gives it.

    Columns: ccode, year, month (<NA> when only the year is known), start_date (as written), event, dated.
    An `mk_events` row is matched to a dated-sheet row of the same start year, perpetrator side and country
    (by code; by name similarity when the sheet's name is not a known country name, e.g. a misspelling)."""
    from rapidfuzz import fuzz

    from tocsin.features.rebuild.template import _fix_events

    # EWP's own code fixes (Serbia's 340 is 345 throughout, Zanzibar is Tanzania), as the yearly panel has them.
    ev = _fix_events(events)
    ev = ev[ev["State-Led or Non-State-Led"].astype(str).str.strip().str.lower() == "state-led"]
    ev = ev.dropna(subset=["mk_location_cow", "startyear"])
    sheets = []
    for sheet in (ongoing, ended):
        s = sheet.rename(columns=lambda c: str(c).strip())
        s = s[s["State-Led or Non-State-Led"].astype(str).str.strip().str.lower() == "state-led"]
        s = s.dropna(subset=["Start Year"])
        sheets.append(s[["Country", "Start Date", "Start Year"]])
    dated = pd.concat(sheets, ignore_index=True).astype({"Start Year": int})
    dated["code"] = _sheet_codes(dated["Country"], dated["Start Year"])
    used: set[int] = set()
    rows = []
    for r in ev.itertuples(index=False):
        code, year = int(r.mk_location_cow), int(r.startyear)
        cands = dated[(dated["Start Year"] == year) & ~dated.index.isin(used)]
        hit = cands[cands["code"] == code]
        if hit.empty:
            named = cands[cands["code"].isna()]
            scores = [fuzz.token_set_ratio(str(r.country), str(n)) for n in named["Country"]]
            if scores and max(scores) >= 80:
                hit = named.iloc[[int(np.argmax(scores))]]
        month, written = (None, "")
        if not hit.empty:
            used.add(int(hit.index[0]))
            month, written = _start_month(hit["Start Date"].iloc[0])
        rows.append({"ccode": code, "year": year, "month": month, "start_date": written or str(year),
                     "event": str(getattr(r, "mk_event_name", "") or ""), "dated": month is not None})
    out = pd.DataFrame(rows, columns=["ccode", "year", "month", "start_date", "event", "dated"])
    return out.astype({"ccode": int, "year": int, "month": "Int64", "dated": bool})


def monthly_outcome(grid: pd.DataFrame, onsets: pd.DataFrame, last_known: int,
                    horizon: int = HORIZON) -> pd.DataFrame:
    """`grid` (ccode, mi) + onset_12m, next_onset (month index of the dated onset in the window) and excluded
    ("" or why the month cannot be labelled). `last_known`: the last month whose onsets are known."""
    out = grid[["ccode", "mi"]].copy()
    dated = onsets[onsets["dated"]]
    onset_mi = dated["year"].to_numpy() * 12 + dated["month"].to_numpy(dtype=int) - 1
    by_country: dict[int, list[int]] = {}
    for c, m in zip(dated["ccode"], onset_mi, strict=True):
        by_country.setdefault(int(c), []).append(int(m))
    year_only: dict[int, list[int]] = {}
    for c, y in zip(onsets.loc[~onsets["dated"], "ccode"], onsets.loc[~onsets["dated"], "year"], strict=True):
        year_only.setdefault(int(c), []).append(int(y))
    y = np.zeros(len(out))
    nxt = np.full(len(out), np.nan)
    why = np.array([""] * len(out), dtype=object)
    cc, mi = out["ccode"].to_numpy(), out["mi"].to_numpy()
    for c, months in by_country.items():
        for m in sorted(months, reverse=True):  # the nearest onset wins
            hit = (cc == c) & (mi >= m - horizon) & (mi <= m - 1)
            y[hit] = 1
            nxt[hit] = m
    for c, years in year_only.items():
        for yr in years:
            # Window M+1..M+horizon touches year yr (months yr*12..yr*12+11).
            hit = (cc == c) & (mi + horizon >= yr * 12) & (mi + 1 <= yr * 12 + 11)
            why[hit] = f"year-only onset {yr}"
    late = mi + horizon > last_known
    why[late & (why == "")] = "outcome not known yet"
    out["onset_12m"] = np.where(why == "", y, np.nan)
    out["next_onset"] = nxt
    out["excluded"] = why
    return out


# ---- monthly signals ----------------------------------------------------------------------------------------
def _on_grid(full: pd.DataFrame, monthly: pd.DataFrame, cols: list[str], fill: float | None) -> pd.DataFrame:
    """Source values on the full (ccode, mi) grid: `fill` where the source covers the month but lists nothing
    for the country, NaN outside the source's months."""
    f = monthly.assign(mi=month_index(monthly["year"], monthly["month"])).rename(columns={"gwcode": "ccode"})
    first, last = int(f["mi"].min()), int(f["mi"].max())
    out = full.merge(f[["ccode", "mi", *cols]], on=["ccode", "mi"], how="left")
    covered = out["mi"].between(first, last)
    for c in cols:
        if fill is not None:
            out.loc[covered, c] = out.loc[covered, c].fillna(fill)
        out.loc[~covered, c] = np.nan
    return out


def _rolling(frame: pd.DataFrame, col: str, window: int, shift: int, how: str = "sum") -> pd.Series:
    """Per country, the `how` of `col` over the `window` months ending `shift` months before each month (NaN when
    any of those months is uncovered)."""
    g = frame.groupby("ccode", sort=False)[col]
    rolled = g.transform(lambda s: getattr(s.rolling(window, min_periods=window), how)())
    return rolled.groupby(frame["ccode"], sort=False).shift(shift)


def signal_features(tables: Mapping[str, pd.DataFrame], first: int, last: int) -> pd.DataFrame:
    """Monthly signals for every country in the sources, months `first`..`last` (indices), each computed only
    from the months its source had released by then (`RELEASE_LAG`).

    `tables`: "ucdp" (third_party_ucdp_country_month), "views" (views_country_month), "gdelt"
    (third_party_gdelt_country_month), "coups" (Colpus rows: ccode as Tocsin code, date, succeeded).
    Besides FEATURES, raw evidence columns (`*_raw`) say what the signals were computed from."""
    codes = sorted({int(c) for k in ("ucdp", "views", "gdelt") for c in tables[k]["gwcode"].unique()}
                   | {int(c) for c in tables["coups"]["ccode"].unique()})
    start = first - BASELINE - RECENT - 2  # room for the windows and lags
    full = pd.DataFrame([(c, m) for c in codes for m in range(start, last + 1)], columns=["ccode", "mi"])
    f = full
    f = _on_grid(f, tables["ucdp"], ["fatalities", "civilian_deaths", "sb_events", "os_events"], 0.0)
    f = _on_grid(f, tables["views"], ["sb_deaths"], 0.0)
    f = _on_grid(f, tables["gdelt"], ["conflict_events", "protest_events"], 0.0)
    f = _on_grid(f, tables["gdelt"].drop(columns=["conflict_events", "protest_events"]), ["goldstein"], None)
    # Goldstein is a mean: a month without events has none (not zero); its coverage is GDELT's.
    f["goldstein_covered"] = f["conflict_events"].notna().astype(float)
    f = f.sort_values(["ccode", "mi"]).reset_index(drop=True)
    out = f[["ccode", "mi"]].copy()

    def recent_vs_base(col: str, lag: int) -> tuple[pd.Series, pd.Series]:
        recent = _rolling(f, col, RECENT, lag)
        base = _rolling(f, col, BASELINE, lag + RECENT)
        return recent, base

    for name, col, src in (("ucdp_civ", "civilian_deaths", "ucdp"), ("ucdp_fat", "fatalities", "ucdp"),
                           ("views_sb", "sb_deaths", "views")):
        recent, base = recent_vs_base(col, RELEASE_LAG[src])
        out[f"{name}_3m"] = np.log1p(recent)
        out[f"{name}_esc"] = np.log1p(recent) - np.log1p(base * RECENT / BASELINE)
        out[f"{name}_3m_raw"], out[f"{name}_base12_raw"] = recent, base
    for name, col in (("ucdp_os_ev", "os_events"), ("ucdp_sb_ev", "sb_events")):
        recent = _rolling(f, col, RECENT, RELEASE_LAG["ucdp"])
        out[f"{name}_3m"], out[f"{name}_3m_raw"] = np.log1p(recent), recent
    for name, col in (("gdelt_conflict", "conflict_events"), ("gdelt_protest", "protest_events")):
        recent, base = recent_vs_base(col, RELEASE_LAG["gdelt"])
        # GDELT's volume grew many-fold over the years: only a country's change against itself is comparable.
        out[f"{name}_esc"] = np.log1p(recent / RECENT) - np.log1p(base / BASELINE)
        out[f"{name}_3m_raw"], out[f"{name}_base12_raw"] = recent, base
    g_recent = _rolling(f, "goldstein", RECENT, RELEASE_LAG["gdelt"], "mean")
    g_base = _rolling(f.assign(goldstein=f["goldstein"].where(f["goldstein_covered"] > 0)), "goldstein",
                      BASELINE, RELEASE_LAG["gdelt"] + RECENT, "mean")
    out["gdelt_goldstein_delta"] = g_recent - g_base
    out = out.merge(_coup_features(tables["coups"], full), on=["ccode", "mi"], how="left")
    for src, cols in (("ucdp", ["ucdp_civ_3m", "ucdp_civ_esc", "ucdp_fat_3m", "ucdp_fat_esc", "ucdp_os_ev_3m",
                                "ucdp_sb_ev_3m"]),
                      ("views", ["views_sb_3m", "views_sb_esc"]),
                      ("gdelt", ["gdelt_conflict_esc", "gdelt_protest_esc"])):
        missing = out[cols].isna().any(axis=1)
        out[f"{src}_missing"] = missing.astype(float)
        out[cols] = out[cols].where(~missing, 0.0)
    # A Goldstein mean is missing also when a covered country had no events in a window: no change then.
    out["gdelt_goldstein_delta"] = out["gdelt_goldstein_delta"].fillna(0.0)
    out["ucdp_data_through"] = (out["mi"] - RELEASE_LAG["ucdp"]).map(month_label)
    out["views_data_through"] = (out["mi"] - RELEASE_LAG["views"]).map(month_label)
    return out[out["mi"].between(first, last)].reset_index(drop=True)


def _coup_features(coups: pd.DataFrame, full: pd.DataFrame) -> pd.DataFrame:
    """Coup attempts and successes in the last COUP_WINDOW months (lag RELEASE_LAG["coups"]), the latest
    attempt's date, and coups_missing after the list's last covered month (its last year's December)."""
    c = coups.dropna(subset=["date"]).copy()
    c["date"] = pd.to_datetime(c["date"])
    c["mi"] = month_index(c["date"].dt.year, c["date"].dt.month)
    last_covered = int(month_index(int(coups["year"].max()), 12))
    first_covered = int(month_index(int(coups["year"].min()), 1))
    monthly = c.groupby(["ccode", "mi"]).agg(att=("ccode", "size"), suc=("succeeded", "sum"),
                                              last_date=("date", "max")).reset_index()
    f = full.merge(monthly, on=["ccode", "mi"], how="left").sort_values(["ccode", "mi"]).reset_index(drop=True)
    f[["att", "suc"]] = f[["att", "suc"]].fillna(0.0)
    lag = RELEASE_LAG["coups"]
    out = f[["ccode", "mi"]].copy()
    out["coup_attempts_6m"] = _rolling(f, "att", COUP_WINDOW, lag).fillna(0.0)
    out["coup_successes_6m"] = _rolling(f, "suc", COUP_WINDOW, lag).fillna(0.0)
    last = f["last_date"].groupby(f["ccode"], sort=False).ffill().groupby(f["ccode"], sort=False).shift(lag)
    recent = (f["mi"] - pd.to_datetime(last).dt.year * 12 - pd.to_datetime(last).dt.month + 1) < COUP_WINDOW + lag
    out["coup_last_date"] = pd.to_datetime(last).dt.strftime("%Y-%m-%d").where(recent, None)
    covered = f["mi"].between(first_covered, last_covered + lag)
    out["coups_missing"] = (~covered).astype(float)
    out.loc[~covered, ["coup_attempts_6m", "coup_successes_6m"]] = 0.0
    return out


def monthly_panel(country_years: pd.DataFrame, yearly: pd.DataFrame, signals: pd.DataFrame,
                  onsets: pd.DataFrame, *, first_year: int = 1990, last_year: int = 2024,
                  last_known: int | None = None) -> pd.DataFrame:
    """The country-month panel: one row per month of every country-year in `country_years` (ccode, year),
    first_year-01..last_year-12, with the yearly risk held fixed through its year (`yearly`: ccode, year,
    prob; `yearly_logit` its log-odds), the signals and the 12-month outcome (`last_known`: the last month
    whose onsets are known, by default last_year's December)."""
    cy = country_years[country_years["year"].between(first_year, last_year)][["ccode", "year"]]
    cy = cy.drop_duplicates().astype(int)
    grid = cy.loc[cy.index.repeat(12)].copy()
    grid["month"] = np.tile(np.arange(1, 13), len(cy))
    grid["mi"] = month_index(grid["year"], grid["month"])
    y = yearly[["ccode", "year", "prob"]].rename(columns={"prob": "yearly_prob"})
    panel = grid.merge(y, on=["ccode", "year"], how="left")
    p = panel["yearly_prob"].clip(1e-5, 1 - 1e-5)
    panel["yearly_logit"] = np.log(p / (1 - p))
    panel = panel.merge(signals, on=["ccode", "mi"], how="left")
    # A country no monthly source lists at all: its signals are missing, flagged like any uncovered month.
    for src in ("ucdp", "views", "gdelt", "coups"):
        panel[f"{src}_missing"] = panel[f"{src}_missing"].fillna(1.0)
    panel[[c for c in ESCALATION]] = panel[list(ESCALATION)].fillna(0.0)
    known = last_known if last_known is not None else int(month_index(last_year, 12))
    out = monthly_outcome(panel[["ccode", "mi"]], onsets, known)
    panel = panel.merge(out, on=["ccode", "mi"], how="left")
    return panel.sort_values(["mi", "ccode"]).reset_index(drop=True)


# ---- from the warehouse -------------------------------------------------------------------------------------
WATCH_TABLES = ("ewp_panel", "ewp_events", "ewp_events_ongoing", "ewp_events_ended", "colpus_coups",
                "views_ged_cm", "tp_ucdp_cm", "tp_gdelt_cm")


def watch_inputs(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The warehouse tables (WATCH_TABLES) -> country_years, onsets and the four monthly sources keyed by
    Tocsin's codes, as `signal_features` and `monthly_panel` take them."""
    from tocsin.sources import events as ev

    colpus = tables["colpus_coups"]
    coups = colpus.assign(ccode=ev.state_codes(colpus["ccode"], colpus["year"], "cow")).dropna(subset=["ccode"])
    return {
        "country_years": tables["ewp_panel"][["ccode", "year"]].astype(int),
        "onsets": dated_onsets(tables["ewp_events"], tables["ewp_events_ongoing"], tables["ewp_events_ended"]),
        "ucdp": ev.third_party_ucdp_country_month(tables["tp_ucdp_cm"]),
        "views": ev.views_country_month(tables["views_ged_cm"]),
        "gdelt": ev.third_party_gdelt_country_month(tables["tp_gdelt_cm"]),
        "coups": coups.astype({"ccode": int})[["ccode", "date", "year", "succeeded"]],
    }
