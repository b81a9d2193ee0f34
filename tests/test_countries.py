"""The country table and name matching (tocsin.core.countries): pure, fast, no files."""

from __future__ import annotations

import itertools

import pycountry
import pytest

from tocsin.core import countries as cc
from tocsin.core.countries import (
    Country,
    NameMatch,
    all_countries,
    by_cowcode,
    by_gwcode,
    by_iso3,
    countries_in,
    is_aggregate_or_territory,
    lookup,
    match_names,
)
from tocsin.core.errors import CountryNotFoundError, TocsinError

# Names as other datasets spell them -> GW code (EWP, COW/Polity, UCDP, V-Dem, World Bank, UN styles).
VARIANTS: dict[str, int] = {
    "Burma/Myanmar": 775, "Myanmar (Burma)": 775, "Burma": 775, "Myanmar": 775,
    "Kyrgystan": 703, "Kyrgyz Republic": 703, "Kyrgyzstan": 703,
    "Arab Republic of Yemen": 678, "Yemen Arab Republic": 678, "North Yemen": 678,
    "Yemen, People's Republic of": 680, "People's Republic of Yemen": 680, "South Yemen": 680,
    "Republic of Congo": 484, "Congo": 484, "Congo, Rep.": 484, "Republic of the Congo": 484,
    "Congo-Kinshasa": 490, "Congo, Democratic Republic of (Zaire)": 490, "Democratic Republic of Congo": 490,
    "Congo, Dem. Rep.": 490, "DR Congo (Zaire)": 490, "Zaire": 490, "DRC": 490,
    "Ivory Coast": 437, "Cote D’Ivoire": 437, "Côte d'Ivoire": 437, "Cote d'Ivoire": 437,
    "CÔTE D’IVOIRE": 437,
    "The Gambia": 420, "Gambia": 420, "Gambia, The": 420,
    "Timor-Leste": 860, "East Timor": 860, "Timor Leste": 860,
    "Macedonia": 343, "North Macedonia": 343, "Macedonia (Former Yugoslav Republic of)": 343,
    "Macedonia, FYR": 343,
    "Russia (Soviet Union)": 365, "Soviet Union": 365, "USSR": 365, "Russian Federation": 365,
    "Turkey (Ottoman Empire)": 640, "Türkiye": 640, "Turkiye": 640, "Turkey": 640,
    "Iran (Persia)": 630, "Iran, Islamic Rep.": 630, "Iran (Islamic Republic of)": 630, "Persia": 630,
    "Surinam": 115, "Suriname": 115, "Rumania": 360, "Romania": 360,
    "Italy/Sardinia": 325, "Tanzania/Tanganyika": 510, "United Republic of Tanzania": 510,
    "Zimbabwe (Rhodesia)": 552, "Rhodesia": 552,
    "Swaziland": 572, "Eswatini": 572, "eSwatini": 572, "Kingdom of eSwatini (Swaziland)": 572,
    "Bosnia-Herzegovina": 346, "Bosnia and Herzegovina": 346, "Bosnia & Herzegovina": 346,
    "Belarus (Byelorussia)": 370, "Sri Lanka (Ceylon)": 780, "Ceylon": 780,
    "Cambodia (Kampuchea)": 811, "Kampuchea": 811, "Burkina Faso (Upper Volta)": 439, "Upper Volta": 439,
    "Korea, People's Republic of": 731, "North Korea": 731, "Korea, Dem. People's Rep.": 731, "DPRK": 731,
    "Democratic People's Republic of Korea": 731,
    "Korea, Republic of": 732, "South Korea": 732, "Korea, Rep.": 732, "Republic of Korea": 732,
    "Vietnam, Democratic Republic of": 816, "Democratic Republic of Vietnam": 816, "Viet Nam": 816,
    "Vietnam, Republic of": 817, "Republic of Vietnam": 817, "South Vietnam": 817,
    "Germany (East)": 265, "East Germany": 265, "German Democratic Republic": 265,
    "West Germany": 260, "German Federal Republic": 260, "Germany (West)": 260,
    "Syrian Arab Republic": 652, "Syria": 652, "Lao PDR": 812, "Laos": 812,
    "Czechia": 316, "Czech Republic": 316, "Czechoslovakia": 315, "Slovak Republic": 317,
    "Cabo Verde": 402, "Cape Verde": 402,
    "Micronesia (Fed. Sts.)": 987, "Micronesia, Fed. Sts.": 987, "Federated States of Micronesia": 987,
    "Egypt, Arab Rep.": 651, "Venezuela, RB": 101, "Venezuela (Bolivarian Republic of)": 101,
    "Bolivia (Plurinational State of)": 145, "Bahamas, The": 31, "Yemen, Rep.": 679,
    "Serbia and Montenegro": 345, "Yugoslavia": 345, "Serbia (Yugoslavia)": 345, "Serbia/Yugoslavia": 345,
    "Kosovo": 347, "Montenegro": 341, "Taiwan": 713, "Taiwan, China": 713,
    "United States of America": 2, "U.S.A.": 2, "United States": 2, "UK": 200, "United Kingdom": 200,
    "St. Lucia": 56, "Saint Lucia": 56, "St. Vincent and the Grenadines": 57, "St Kitts & Nevis": 60,
    "Sao Tome and Principe": 403, "São Tomé and Príncipe": 403, "Brunei Darussalam": 835,
    "Micronesia (country)": 987, "Moldova, Republic of": 359, "Guinea Bissau": 404, "Trinidad & Tobago": 52,
    "  united   arab emirates ": 696, "UAE": 696,
}

# The GW codes the brief names, by display name.
GW_CODES: dict[str, int] = {
    "United States": 2, "Germany": 255, "West Germany": 260, "East Germany": 265, "Czechoslovakia": 315,
    "Czech Republic": 316, "Serbia": 345, "Kosovo": 347, "Russia": 365, "North Yemen": 678,
    "South Yemen": 680, "Yemen": 679, "Myanmar": 775, "Vietnam": 816, "South Vietnam": 817,
    "DR Congo": 490, "Republic of Congo": 484, "South Sudan": 626, "Taiwan": 713, "North Korea": 731,
    "South Korea": 732, "East Timor": 860, "Eswatini": 572, "Ivory Coast": 437,
}

NON_STATES = [
    "World", "Africa", "Hong Kong", "Puerto Rico", "European Union", "High income", "Hong Kong SAR, China",
    "Macao SAR, China", "West Bank and Gaza", "Latin America & Caribbean (excluding high income)",
    "Sub-Saharan Africa", "Upper middle income", "IDA only", "Euro area", "Arab World", "Western Sahara",
    "Greenland", "Curaçao", "Somaliland", "Holy See", "OECD members", "Post-demographic dividend",
    "Palestine, State of", "Virgin Islands (U.S.)", "St. Martin (French part)", "Channel Islands",
    "United States Virgin Islands", "High-income countries", "Europe (excl. EU-27)", "Africa (UN)",
]

# Names that mean different states at different times; the year picks one.
AMBIGUOUS = {
    "germany": {255, 260}, "federalrepublicofgermany": {255, 260}, "germanyfederatedrepublic": {255, 260},
    "serbia": {340, 345}, "yemen": {678, 679}, "yemenarabrepublicofyemen": {678, 679},
    "yemennorthyemen": {678, 679}, "korea": {730, 732}, "vietnam": {815, 816}, "republicofchina": {710, 713},
}


@pytest.mark.parametrize(("name", "gwcode"), sorted(VARIANTS.items()))
def test_variant_resolves(name: str, gwcode: int) -> None:
    assert lookup(name).gwcode == gwcode


@pytest.mark.parametrize(("name", "gwcode"), sorted(GW_CODES.items()))
def test_display_names_carry_the_brief_codes(name: str, gwcode: int) -> None:
    country = by_gwcode(gwcode)
    assert country is not None and country.name == name
    assert lookup(name).gwcode == gwcode


def test_every_name_and_variant_resolves_to_its_row_in_its_own_years() -> None:
    for c in all_countries():
        for text in (c.name, *c.variants):
            assert lookup(text, year=c.start) is c, (text, c.gwcode)


def test_ambiguous_names_are_only_the_intended_ones() -> None:
    found = {key: {c.gwcode for c in hit} for key, hit in cc._BY_KEY.items() if len(hit) > 1}
    assert found == AMBIGUOUS


def test_ambiguous_names_never_tie() -> None:
    # In every year at most one candidate per spell start, so the successor rule always decides.
    for hit in (cc._BY_KEY[k] for k in AMBIGUOUS):
        for year in range(1816, 2031):
            starts = [s for c in hit if (s := cc._spell_start(c, year)) is not None]
            assert len(starts) == len(set(starts)), (hit, year)


@pytest.mark.parametrize(
    ("name", "year", "gwcode"),
    [
        ("Yemen", 1980, 678), ("Yemen", 2000, 679), ("Yemen", 1990, 679), ("Yemen", None, 679),
        ("Yemen (Arab Republic of Yemen)", 1985, 678), ("Yemen (Arab Republic of Yemen)", 1995, 679),
        ("Germany", 1980, 260), ("Germany", 2000, 255), ("Germany", 1990, 255), ("Germany", 1900, 255),
        ("Germany", None, 255), ("Federal Republic of Germany", 1970, 260), ("Germany", 1947, 255),
        ("Vietnam", 1970, 816), ("Vietnam", 1880, 815), ("Vietnam", None, 816),
        ("Serbia", 1900, 340), ("Serbia", 1950, 345), ("Serbia", 2010, 345), ("Serbia", None, 345),
        ("Yugoslavia", 1990, 345), ("Russia", 1980, 365), ("Soviet Union", 1980, 365),
        ("Korea", 1900, 730), ("Korea", 1980, 732), ("Korea", None, 732),
        ("Republic of China", 1930, 710), ("Republic of China", 2000, 713), ("Republic of China", None, 713),
        ("DEU", 1980, 260), ("DEU", 1995, 255), ("DEU", None, 255), ("YEM", 1985, 678), ("YEM", 2005, 679),
        ("Czech Republic", 1980, 316),  # the year chooses among meanings; it never rejects a match
    ],
)
def test_year_disambiguation(name: str, year: int | None, gwcode: int) -> None:
    assert lookup(name, year=year).gwcode == gwcode


def test_match_names_uses_the_year() -> None:
    assert match_names(["Yemen", "Germany"], year=1980).gwcodes == {"Yemen": 678, "Germany": 260}
    assert match_names(["Yemen", "Germany"], year=2000).gwcodes == {"Yemen": 679, "Germany": 255}
    assert match_names(["Yemen", "Germany"]).gwcodes == {"Yemen": 679, "Germany": 255}


def test_codes_round_trip() -> None:
    for c in all_countries():
        assert by_gwcode(c.gwcode) is c
        assert lookup(c.gwcode) is c
        assert lookup(str(c.gwcode)) is c
        assert lookup(f" {c.gwcode} ") is c
        cow = by_cowcode(c.cowcode)
        assert cow is not None and cow.cowcode == c.cowcode
        if c.iso3 is not None:
            assert by_iso3(c.iso3) is c
            assert by_iso3(c.iso3.lower()) is c
            assert lookup(c.iso3) is c
            assert lookup(c.iso3.lower()) is c
            iso2 = "XK" if c.iso3 == "XKX" else pycountry.countries.get(alpha_3=c.iso3).alpha_2
            assert lookup(iso2) is c


def test_cow_codes_that_differ_from_gw() -> None:
    assert by_cowcode(345).gwcode == 345  # shared by the Kingdom of Serbia (GW 340): the current state wins
    assert by_gwcode(340).cowcode == 345
    assert (by_cowcode(946).gwcode, by_cowcode(970).gwcode, by_cowcode(955).gwcode) == (970, 971, 972)
    assert by_cowcode(947).gwcode == 973
    assert lookup(970).name == "Kiribati"  # a number is a GW code first ...
    assert lookup(955).name == "Tonga"  # ... and a COW code when no GW state has it
    assert by_cowcode(999) is None and by_gwcode(999) is None


def test_other_iso_codes() -> None:
    assert by_iso3("DDR").gwcode == 265
    assert by_iso3("SUN").gwcode == 365
    assert by_iso3("YUG").gwcode == 345
    assert by_iso3("ZAR").gwcode == 490
    assert by_iso3("KSV").gwcode == 347
    assert by_iso3("DEU").gwcode == 255  # shared with West Germany in ISO-keyed data: the current state
    assert by_iso3("YEM").gwcode == 679
    assert by_iso3("XXX") is None
    assert lookup("de").gwcode == 255


def test_numbers_from_dataframes() -> None:
    np = pytest.importorskip("numpy")
    assert lookup(np.int64(2)).gwcode == 2
    assert lookup(2.0).gwcode == 2
    with pytest.raises(CountryNotFoundError):
        lookup(2.5)


def test_unknown_name_raises_with_suggestions() -> None:
    with pytest.raises(CountryNotFoundError) as info:
        lookup("Myanmr")
    assert info.value.query == "Myanmr"
    assert "Myanmar" in info.value.suggestions
    assert len(info.value.suggestions) <= 5
    assert isinstance(info.value, TocsinError)
    with pytest.raises(CountryNotFoundError) as info:
        lookup("Untied Kingdom")
    assert info.value.suggestions[0] == "United Kingdom"
    with pytest.raises(CountryNotFoundError) as info:
        lookup("Yemn")
    assert "Yemen" in info.value.suggestions
    with pytest.raises(CountryNotFoundError) as info:
        lookup(9999)
    assert info.value.suggestions == []


@pytest.mark.parametrize("query", ["Atlantis", "", "   ", 9999, "9999", "QQ", "ZZZ", "Hong Kong SAR, China"])
def test_unknown_queries_raise(query: str | int) -> None:
    with pytest.raises(CountryNotFoundError):
        lookup(query)


def test_match_names_reports_every_unmatched_name() -> None:
    names = ["France", "Burma/Myanmar", "World", "Hong Kong SAR, China", "Narnia", "France", "World", ""]
    result = match_names(names)
    assert isinstance(result, NameMatch)
    assert {n: c.gwcode for n, c in result.matched.items()} == {"France": 220, "Burma/Myanmar": 775}
    assert result.unmatched == ["", "Hong Kong SAR, China", "Narnia", "World"]
    assert set(result.matched) | set(result.unmatched) == set(names)
    assert result.unrecognised == ["", "Narnia"]


def test_match_names_never_fuzzes() -> None:
    # Close names are suggestions for a human, never silent matches.
    result = match_names(["Myanmr", "Nigerr", "Hong Kong, China", "Suoth Africa"])
    assert result.matched == {}
    assert result.unmatched == sorted(["Myanmr", "Nigerr", "Hong Kong, China", "Suoth Africa"])


@pytest.mark.parametrize("name", NON_STATES)
def test_non_states_are_recognised_and_unmatched(name: str) -> None:
    assert is_aggregate_or_territory(name)
    assert match_names([name]).unmatched == [name]


@pytest.mark.parametrize(
    "name",
    ["France", "South Africa", "Central African Republic", "Suoth Africa", "Myanmr", "Narnia", "Tibet",
     "Micronesia", "Dominica", "Syrian Arab Repblic", ""],
)
def test_states_and_misspelt_states_are_not_non_states(name: str) -> None:
    assert not is_aggregate_or_territory(name)


def test_non_state_codes() -> None:
    assert is_aggregate_or_territory("HKG") and is_aggregate_or_territory("WLD")
    assert not is_aggregate_or_territory("DEU")
    table = {c.iso3 for c in all_countries()}
    assert not (cc._NON_STATE_CODES & table)


def test_table_has_unique_gwcodes_names_and_valid_iso3() -> None:
    rows = all_countries()
    assert len({c.gwcode for c in rows}) == len(rows) == len(cc._TABLE)
    assert len({c.name for c in rows}) == len(rows)
    iso3s = [c.iso3 for c in rows if c.iso3 is not None]
    assert len(iso3s) == len(set(iso3s))
    for code in iso3s:
        assert code == "XKX" or pycountry.countries.get(alpha_3=code) is not None, code
    for gw, iso3, iso2, *_ in cc._TABLE:
        assert (iso3 is None) == (iso2 is None), gw
        if iso3 not in (None, "XKX"):
            assert pycountry.countries.get(alpha_3=iso3).alpha_2 == iso2, gw


def test_every_current_iso_country_is_a_state_or_a_known_territory() -> None:
    table = {c.iso3 for c in all_countries()}
    missing = [p.alpha_3 for p in pycountry.countries if p.alpha_3 not in table | cc._NON_STATE_CODES]
    assert missing == []


def test_spells_are_ordered_and_consistent() -> None:
    for c in all_countries():
        spells = c.spells()
        assert (c.start, c.end) == (spells[0][0], spells[-1][1])
        for (s1, e1), (s2, _e2) in itertools.pairwise(spells):
            assert e1 is not None and s1 <= e1 < s2
        assert c.start >= 1816
        assert c.end is None or c.start <= c.end
        assert isinstance(c, Country) and isinstance(c.variants, tuple)


def test_existence_and_countries_in() -> None:
    estonia = lookup("Estonia")
    assert estonia.exists_in(1930) and not estonia.exists_in(1960) and estonia.exists_in(2000)
    in_1980 = {c.gwcode for c in countries_in(1980)}
    assert {260, 265, 678, 680, 315, 365, 345, 816} <= in_1980
    assert not {255, 679, 316, 817, 347, 626} & in_1980
    in_2020 = {c.gwcode for c in countries_in(2020)}
    assert {255, 679, 316, 317, 345, 347, 626, 860} <= in_2020
    assert not {260, 265, 678, 680, 315, 817} & in_2020
    assert len(in_2020) >= 190


def test_country_is_frozen() -> None:
    c = lookup("France")
    with pytest.raises(AttributeError):
        c.name = "Gaul"  # type: ignore[misc]
