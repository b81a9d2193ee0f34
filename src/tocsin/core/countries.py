"""Country names and codes, keyed by Gleditsch-Ward (GW) state codes.

Every country-year in Tocsin carries a GW code (the Early Warning Project calls the column ``ccode``).
This module holds a hand-maintained table of the states in the Gleditsch-Ward independent-states list
(1816 to today, micro-states included) and resolves the many ways other datasets name them: names and
their variants (case-, accent- and punctuation-insensitive), ISO 3166 alpha-3/alpha-2 codes, GW and COW
codes. It reads no data file: the table below is the data.

Conventions (the EWP's, which deviate from pure GW in three places, all the same way as COW):

* Germany: 255 is Germany 1816-1945 *and* unified Germany from 1990; 260 is West Germany 1949-1990,
  265 East Germany 1949-1990. (Pure GW continues 260 after 1990.)
* Yemen: 678 is North Yemen (Yemen Arab Republic) until 1990, 679 unified Yemen from 1990, 680 South
  Yemen 1967-1990. (Pure GW continues 678 after 1990.)
* Serbia: 345 is Yugoslavia from 1918, then Serbia and Montenegro, then Serbia (it continues after 2006);
  340 is only the Kingdom of Serbia 1878-1915. (Pure GW has 340 for Serbia after 2006.) Kosovo is 347.

A year is "in existence" when the state was independent for any part of it, so a transition year (1990
for Germany and Yemen) belongs to both the predecessor and the successor; where a name could mean either,
the successor wins (see :func:`lookup`).
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from tocsin.core.errors import CountryNotFoundError

__all__ = [
    "Country",
    "NameMatch",
    "all_countries",
    "by_cowcode",
    "by_gwcode",
    "by_iso3",
    "countries_in",
    "is_aggregate_or_territory",
    "lookup",
    "match_names",
]

# One row per GW state: (gwcode, ISO3, ISO2, display name, spells, variants).
#
# * spells: the years of independence, "start-end" (end omitted while the state exists), comma-separated
#   when a state lost and regained independence.
# * ISO3/ISO2: the state's own current ISO 3166-1 code. An ISO code belongs to one row only: a historical
#   state whose code passed to a successor with a distinct GW code (West Germany -> 255 DEU, North Yemen ->
#   679 YEM, Czechoslovakia, the Kingdom of Serbia, South Vietnam, ...) gets None, and so do states that
#   never had one (Bavaria, Tibet, ...). Retired ISO 3166-3 codes (DDR, CSK, SUN, YUG, ...) and the codes
#   of a predecessor's data (DEU for West Germany before 1990) are in _ISO_ALIASES / _SHARED_ISO3 below.
#   Kosovo has no ISO code; it gets XKX/XK, the user-assigned codes the World Bank and EU use.
# * variants: every other name a dataset may use, "|"-separated. A name may appear on several rows when
#   it meant different states at different times ("Germany", "Yemen", "Korea", "Serbia", "Vietnam");
#   the year then decides. Names are matched after normalisation (_norm), so spelling variants that differ
#   only in case, accents, punctuation, "&"/"and", "St."/"Saint", "Rep."/"Republic" or a leading "The" need
#   no row of their own.
_TABLE: tuple[tuple[int, str | None, str | None, str, str, str], ...] = (
    # Americas
    (2, "USA", "US", "United States", "1816-", "United States of America|USA|US|United States (USA)"),
    (20, "CAN", "CA", "Canada", "1867-", ""),
    (31, "BHS", "BS", "Bahamas", "1973-", "The Bahamas|Bahamas, The|Commonwealth of the Bahamas"),
    (40, "CUB", "CU", "Cuba", "1902-", "Republic of Cuba"),
    (41, "HTI", "HT", "Haiti", "1816-1915,1934-", "Republic of Haiti"),
    (42, "DOM", "DO", "Dominican Republic", "1844-", "Dominican Rep"),
    (51, "JAM", "JM", "Jamaica", "1962-", ""),
    (52, "TTO", "TT", "Trinidad and Tobago", "1962-", "Trinidad|Republic of Trinidad and Tobago"),
    (53, "BRB", "BB", "Barbados", "1966-", ""),
    (54, "DMA", "DM", "Dominica", "1978-", "Commonwealth of Dominica"),
    (55, "GRD", "GD", "Grenada", "1974-", ""),
    (56, "LCA", "LC", "Saint Lucia", "1979-", ""),
    (57, "VCT", "VC", "Saint Vincent and the Grenadines", "1979-", "Saint Vincent|"
     "Saint Vincent and Grenadines"),
    (58, "ATG", "AG", "Antigua and Barbuda", "1981-", "Antigua"),
    (60, "KNA", "KN", "Saint Kitts and Nevis", "1983-", "Saint Christopher and Nevis|Saint Kitts-Nevis"),
    (70, "MEX", "MX", "Mexico", "1821-", "United Mexican States"),
    (80, "BLZ", "BZ", "Belize", "1981-", ""),
    (89, None, None, "United Provinces of Central America", "1823-1839",
     "Federal Republic of Central America|Central American Federation"),
    (90, "GTM", "GT", "Guatemala", "1840-", "Republic of Guatemala"),
    (91, "HND", "HN", "Honduras", "1840-", "Republic of Honduras"),
    (92, "SLV", "SV", "El Salvador", "1840-", "Salvador|Republic of El Salvador"),
    (93, "NIC", "NI", "Nicaragua", "1840-", "Republic of Nicaragua"),
    (94, "CRI", "CR", "Costa Rica", "1840-", "Republic of Costa Rica"),
    (95, "PAN", "PA", "Panama", "1903-", "Republic of Panama"),
    (99, None, None, "Great Colombia", "1821-1830", "Gran Colombia"),
    (100, "COL", "CO", "Colombia", "1830-", "New Granada|Republic of Colombia"),
    (101, "VEN", "VE", "Venezuela", "1829-", "Venezuela, RB|Venezuela (Bolivarian Republic of)|"
     "Bolivarian Republic of Venezuela|Venezuela, Bolivarian Republic of"),
    (110, "GUY", "GY", "Guyana", "1966-", "Republic of Guyana"),
    (115, "SUR", "SR", "Suriname", "1975-", "Surinam|Republic of Suriname"),
    (130, "ECU", "EC", "Ecuador", "1830-", "Republic of Ecuador"),
    (135, "PER", "PE", "Peru", "1824-", "Republic of Peru"),
    (140, "BRA", "BR", "Brazil", "1822-", "Brasil|Federative Republic of Brazil"),
    (145, "BOL", "BO", "Bolivia", "1825-", "Bolivia (Plurinational State of)|"
     "Plurinational State of Bolivia|Bolivia, Plurinational State of"),
    (150, "PRY", "PY", "Paraguay", "1816-", "Republic of Paraguay"),
    (155, "CHL", "CL", "Chile", "1818-", "Republic of Chile"),
    (160, "ARG", "AR", "Argentina", "1816-", "Argentine Republic"),
    (165, "URY", "UY", "Uruguay", "1830-", "Eastern Republic of Uruguay"),
    # Europe
    (200, "GBR", "GB", "United Kingdom", "1816-", "UK|Great Britain|Britain|"
     "United Kingdom of Great Britain and Northern Ireland"),
    (205, "IRL", "IE", "Ireland", "1921-", "Irish Republic|Republic of Ireland|Eire"),
    (210, "NLD", "NL", "Netherlands", "1816-", "Holland|Netherlands (Kingdom of the)|"
     "Kingdom of the Netherlands"),
    (211, "BEL", "BE", "Belgium", "1830-", "Kingdom of Belgium"),
    (212, "LUX", "LU", "Luxembourg", "1867-", "Luxemburg|Grand Duchy of Luxembourg"),
    (220, "FRA", "FR", "France", "1816-", "French Republic"),
    (221, "MCO", "MC", "Monaco", "1816-", "Principality of Monaco"),
    (223, "LIE", "LI", "Liechtenstein", "1816-", "Principality of Liechtenstein"),
    (225, "CHE", "CH", "Switzerland", "1816-", "Swiss Confederation"),
    (230, "ESP", "ES", "Spain", "1816-", "Kingdom of Spain"),
    (232, "AND", "AD", "Andorra", "1816-", "Principality of Andorra"),
    (235, "PRT", "PT", "Portugal", "1816-", "Portuguese Republic"),
    (240, None, None, "Hanover", "1816-1871", "Hannover"),
    (245, None, None, "Bavaria", "1816-1871", ""),
    (255, "DEU", "DE", "Germany", "1816-1945,1990-", "Germany (Prussia)|Prussia|German Empire|"
     "Federal Republic of Germany|Germany, Fed. Rep."),
    (260, None, None, "West Germany", "1949-1990", "German Federal Republic|Germany, West|Germany (West)|"
     "Federal Republic of Germany|Germany, Fed. Rep.|FRG|GFR|Germany"),
    (265, None, None, "East Germany", "1949-1990", "German Democratic Republic|Germany, East|"
     "Germany (East)|GDR|Germany, Dem. Rep.|Germany, Democratic Republic of"),
    (267, None, None, "Baden", "1816-1871", ""),
    (269, None, None, "Saxony", "1816-1871", ""),
    (271, None, None, "Württemberg", "1816-1871", "Wuerttemberg"),
    (273, None, None, "Hesse-Kassel", "1816-1871", "Hesse-Kassel (Electoral)|Hesse Electoral|"
     "Electoral Hesse"),
    (275, None, None, "Hesse-Darmstadt", "1816-1871", "Hesse-Darmstadt (Ducal)|Hesse Grand Ducal"),
    (280, None, None, "Mecklenburg-Schwerin", "1816-1871", "Mecklenburg Schwerin"),
    (290, "POL", "PL", "Poland", "1918-", "Republic of Poland"),
    (300, None, None, "Austria-Hungary", "1816-1918", "Austria-Hungary (Habsburg Empire)|Austrian Empire"),
    (305, "AUT", "AT", "Austria", "1918-", "Republic of Austria"),
    (310, "HUN", "HU", "Hungary", "1918-", ""),
    (315, None, None, "Czechoslovakia", "1918-1992", "Czecho-Slovakia|Czechoslovak Socialist Republic"),
    (316, "CZE", "CZ", "Czech Republic", "1993-", "Czechia|Czech Rep"),
    (317, "SVK", "SK", "Slovakia", "1993-", "Slovak Republic"),
    (325, "ITA", "IT", "Italy", "1816-", "Italy/Sardinia|Sardinia|Piedmont-Sardinia|Kingdom of Sardinia|"
     "Italian Republic"),
    (327, None, None, "Papal States", "1816-1870", ""),
    (329, None, None, "Two Sicilies", "1816-1861", "Kingdom of the Two Sicilies"),
    (331, "SMR", "SM", "San Marino", "1816-", "Republic of San Marino"),
    (332, None, None, "Modena", "1816-1861", ""),
    (335, None, None, "Parma", "1816-1861", ""),
    (337, None, None, "Tuscany", "1816-1861", ""),
    (338, "MLT", "MT", "Malta", "1964-", "Republic of Malta"),
    (339, "ALB", "AL", "Albania", "1913-", "Republic of Albania"),
    (340, None, None, "Kingdom of Serbia", "1878-1915", "Serbia"),
    (341, "MNE", "ME", "Montenegro", "1868-1915,2006-", ""),
    (343, "MKD", "MK", "North Macedonia", "1991-", "Macedonia|Macedonia, FYR|FYR Macedonia|FYROM|"
     "Macedonia (Former Yugoslav Republic of)|Former Yugoslav Republic of Macedonia|"
     "Republic of North Macedonia|Macedonia, the former Yugoslav Republic of|North Macedonia (Macedonia)"),
    (344, "HRV", "HR", "Croatia", "1992-", "Hrvatska|Republic of Croatia"),
    (345, "SRB", "RS", "Serbia", "1918-", "Yugoslavia|Serbia/Yugoslavia|Yugoslavia/Serbia|"
     "Serbia (Yugoslavia)|Serbia and Montenegro|Serbia-Montenegro|Federal Republic of Yugoslavia|"
     "Yugoslavia, FR|Kingdom of Serbs, Croats and Slovenes|Republic of Serbia|Yugoslavia (Serbia)"),
    (346, "BIH", "BA", "Bosnia and Herzegovina", "1992-", "Bosnia-Herzegovina|Bosnia|Bosnia Herzegovina|"
     "Republic of Bosnia and Herzegovina"),
    (347, "XKX", "XK", "Kosovo", "2008-", "Republic of Kosovo|Kosovo (under UNSCR 1244)"),
    (349, "SVN", "SI", "Slovenia", "1992-", "Republic of Slovenia"),
    (350, "GRC", "GR", "Greece", "1828-", "Hellenic Republic"),
    (352, "CYP", "CY", "Cyprus", "1960-", "Republic of Cyprus"),
    (355, "BGR", "BG", "Bulgaria", "1878-", "Republic of Bulgaria"),
    (359, "MDA", "MD", "Moldova", "1991-", "Republic of Moldova|Moldova, Republic of|Moldavia"),
    (360, "ROU", "RO", "Romania", "1878-", "Rumania|Roumania"),
    (365, "RUS", "RU", "Russia", "1816-", "Russian Federation|Russia (Soviet Union)|Soviet Union|USSR|"
     "Union of Soviet Socialist Republics|Russian Empire"),
    (366, "EST", "EE", "Estonia", "1918-1940,1991-", "Republic of Estonia"),
    (367, "LVA", "LV", "Latvia", "1918-1940,1991-", "Republic of Latvia"),
    (368, "LTU", "LT", "Lithuania", "1918-1940,1991-", "Republic of Lithuania"),
    (369, "UKR", "UA", "Ukraine", "1991-", ""),
    (370, "BLR", "BY", "Belarus", "1991-", "Belarus (Byelorussia)|Byelorussia|Belorussia|"
     "Republic of Belarus"),
    (371, "ARM", "AM", "Armenia", "1991-", "Republic of Armenia"),
    (372, "GEO", "GE", "Georgia", "1991-", ""),
    (373, "AZE", "AZ", "Azerbaijan", "1991-", "Republic of Azerbaijan"),
    (375, "FIN", "FI", "Finland", "1917-", "Republic of Finland"),
    (380, "SWE", "SE", "Sweden", "1816-", "Kingdom of Sweden"),
    (385, "NOR", "NO", "Norway", "1905-", "Kingdom of Norway"),
    (390, "DNK", "DK", "Denmark", "1816-", "Kingdom of Denmark"),
    (395, "ISL", "IS", "Iceland", "1944-", "Republic of Iceland"),
    # Africa
    (402, "CPV", "CV", "Cape Verde", "1975-", "Cabo Verde|Republic of Cabo Verde"),
    (403, "STP", "ST", "Sao Tome and Principe", "1975-", "Sao Tome|"
     "Democratic Republic of Sao Tome and Principe"),
    (404, "GNB", "GW", "Guinea-Bissau", "1974-", "Portuguese Guinea|Republic of Guinea-Bissau"),
    (411, "GNQ", "GQ", "Equatorial Guinea", "1968-", "Republic of Equatorial Guinea"),
    (420, "GMB", "GM", "Gambia", "1965-", "Gambia, The|Republic of the Gambia"),
    (432, "MLI", "ML", "Mali", "1960-", "Republic of Mali"),
    (433, "SEN", "SN", "Senegal", "1960-", "Republic of Senegal"),
    (434, "BEN", "BJ", "Benin", "1960-", "Dahomey|Republic of Benin"),
    (435, "MRT", "MR", "Mauritania", "1960-", "Islamic Republic of Mauritania"),
    (436, "NER", "NE", "Niger", "1960-", "Republic of the Niger"),
    (437, "CIV", "CI", "Ivory Coast", "1960-", "Cote d'Ivoire|Republic of Cote d'Ivoire"),
    (438, "GIN", "GN", "Guinea", "1958-", "Republic of Guinea"),
    (439, "BFA", "BF", "Burkina Faso", "1960-", "Burkina Faso (Upper Volta)|Upper Volta|Burkina"),
    (450, "LBR", "LR", "Liberia", "1847-", "Republic of Liberia"),
    (451, "SLE", "SL", "Sierra Leone", "1961-", "Republic of Sierra Leone"),
    (452, "GHA", "GH", "Ghana", "1957-", "Republic of Ghana"),
    (461, "TGO", "TG", "Togo", "1960-", "Togolese Republic"),
    (471, "CMR", "CM", "Cameroon", "1960-", "Cameroun|Republic of Cameroon"),
    (475, "NGA", "NG", "Nigeria", "1960-", "Federal Republic of Nigeria"),
    (481, "GAB", "GA", "Gabon", "1960-", "Gabonese Republic"),
    (482, "CAF", "CF", "Central African Republic", "1960-", "CAR|Central African Empire"),
    (483, "TCD", "TD", "Chad", "1960-", "Republic of Chad"),
    (484, "COG", "CG", "Republic of Congo", "1960-", "Congo|Congo, Rep.|Congo-Brazzaville|"
     "Congo (Brazzaville)|Congo Brazzaville|Congo, Republic of the|Republic of the Congo|Congo Republic"),
    (490, "COD", "CD", "DR Congo", "1960-", "Democratic Republic of the Congo|Congo, Dem. Rep.|"
     "Congo-Kinshasa|Congo (Kinshasa)|Congo Kinshasa|Congo, Democratic Republic of (Zaire)|"
     "Congo, Democratic Republic of the|DR Congo (Zaire)|Zaire|DRC|Congo DR|Congo, DR|Dem. Rep. Congo|"
     "Congo (Democratic Republic)|Congo, The Democratic Republic of the|Congo, Democratic Republic (Zaire)|"
     "Congo DRC"),
    (500, "UGA", "UG", "Uganda", "1962-", "Republic of Uganda"),
    (501, "KEN", "KE", "Kenya", "1963-", "Republic of Kenya"),
    (510, "TZA", "TZ", "Tanzania", "1961-", "Tanzania/Tanganyika|Tanganyika|United Republic of Tanzania|"
     "Tanzania, United Republic of|Tanzania (Tanganyika)"),
    (511, None, None, "Zanzibar", "1963-1964", ""),
    (516, "BDI", "BI", "Burundi", "1962-", "Republic of Burundi"),
    (517, "RWA", "RW", "Rwanda", "1962-", "Rwandese Republic"),
    (520, "SOM", "SO", "Somalia", "1960-", "Somali Republic|Federal Republic of Somalia"),
    (522, "DJI", "DJ", "Djibouti", "1977-", "Republic of Djibouti"),
    (530, "ETH", "ET", "Ethiopia", "1855-", "Abyssinia|Federal Democratic Republic of Ethiopia"),
    (531, "ERI", "ER", "Eritrea", "1993-", "State of Eritrea"),
    (540, "AGO", "AO", "Angola", "1975-", "Republic of Angola"),
    (541, "MOZ", "MZ", "Mozambique", "1975-", "Republic of Mozambique"),
    (551, "ZMB", "ZM", "Zambia", "1964-", "Republic of Zambia"),
    (552, "ZWE", "ZW", "Zimbabwe", "1965-", "Zimbabwe (Rhodesia)|Rhodesia|Southern Rhodesia|"
     "Zimbabwe Rhodesia|Republic of Zimbabwe"),
    (553, "MWI", "MW", "Malawi", "1964-", "Republic of Malawi"),
    (560, "ZAF", "ZA", "South Africa", "1910-", "Republic of South Africa|Union of South Africa"),
    (563, None, None, "Transvaal", "1852-1910", "South African Republic"),
    (564, None, None, "Orange Free State", "1854-1910", ""),
    (565, "NAM", "NA", "Namibia", "1990-", "Republic of Namibia"),
    (570, "LSO", "LS", "Lesotho", "1966-", "Kingdom of Lesotho"),
    (571, "BWA", "BW", "Botswana", "1966-", "Republic of Botswana"),
    (572, "SWZ", "SZ", "Eswatini", "1968-", "Swaziland|Kingdom of Eswatini|Kingdom of eSwatini (Swaziland)|"
     "Eswatini (Swaziland)|Swaziland (Eswatini)"),
    (580, "MDG", "MG", "Madagascar", "1816-1896,1960-", "Madagascar (Malagasy)|Malagasy Republic|Malagasy|"
     "Republic of Madagascar"),
    (581, "COM", "KM", "Comoros", "1975-", "Comoro Islands|Union of the Comoros"),
    (590, "MUS", "MU", "Mauritius", "1968-", "Republic of Mauritius"),
    (591, "SYC", "SC", "Seychelles", "1976-", "Republic of Seychelles"),
    (600, "MAR", "MA", "Morocco", "1816-1904,1956-", "Kingdom of Morocco"),
    (615, "DZA", "DZ", "Algeria", "1816-1830,1962-", "People's Democratic Republic of Algeria"),
    (616, "TUN", "TN", "Tunisia", "1816-1881,1956-", "Republic of Tunisia"),
    (620, "LBY", "LY", "Libya", "1816-1834,1951-", "Libyan Arab Jamahiriya|Tripoli|Tripolitania"),
    (625, "SDN", "SD", "Sudan", "1956-", "Republic of the Sudan"),
    (626, "SSD", "SS", "South Sudan", "2011-", "Republic of South Sudan"),
    # Middle East
    (630, "IRN", "IR", "Iran", "1816-", "Iran (Persia)|Persia|Iran, Islamic Rep.|Islamic Republic of Iran|"
     "Iran (Islamic Republic of)|Iran, Islamic Republic of"),
    (640, "TUR", "TR", "Turkey", "1816-", "Turkey (Ottoman Empire)|Ottoman Empire|Türkiye|Turkey (Turkiye)|"
     "Republic of Türkiye"),
    (645, "IRQ", "IQ", "Iraq", "1932-", "Republic of Iraq"),
    (651, "EGY", "EG", "Egypt", "1827-1855,1922-", "Egypt, Arab Rep.|Arab Republic of Egypt|"
     "United Arab Republic"),
    (652, "SYR", "SY", "Syria", "1946-", "Syrian Arab Republic"),
    (660, "LBN", "LB", "Lebanon", "1944-", "Lebanese Republic"),
    (663, "JOR", "JO", "Jordan", "1946-", "Transjordan|Hashemite Kingdom of Jordan"),
    (666, "ISR", "IL", "Israel", "1948-", "State of Israel"),
    (670, "SAU", "SA", "Saudi Arabia", "1932-", "KSA|Kingdom of Saudi Arabia"),
    (678, None, None, "North Yemen", "1918-1990", "Yemen Arab Republic|Arab Republic of Yemen|Yemen, North|"
     "Yemen (North)|YAR|Yemen (Arab Republic of Yemen)|Yemen (North Yemen)|Yemen"),
    (679, "YEM", "YE", "Yemen", "1990-", "Republic of Yemen|Yemen, Rep.|Yemen (Arab Republic of Yemen)|"
     "Yemen (North Yemen)"),
    (680, None, None, "South Yemen", "1967-1990", "Yemen, People's Republic of|People's Republic of Yemen|"
     "People's Democratic Republic of Yemen|Yemen, People's Democratic Republic of|Yemen PDR|Yemen, South|"
     "Yemen (South)|Democratic Yemen|Yemen People's Republic|PDRY|Yemen, Democratic"),
    (690, "KWT", "KW", "Kuwait", "1961-", "State of Kuwait"),
    (692, "BHR", "BH", "Bahrain", "1971-", "Kingdom of Bahrain"),
    (694, "QAT", "QA", "Qatar", "1971-", "State of Qatar"),
    (696, "ARE", "AE", "United Arab Emirates", "1971-", "UAE"),
    (698, "OMN", "OM", "Oman", "1816-", "Muscat and Oman|Sultanate of Oman"),
    # Asia
    (700, "AFG", "AF", "Afghanistan", "1816-1888,1919-", "Islamic Republic of Afghanistan"),
    (701, "TKM", "TM", "Turkmenistan", "1991-", ""),
    (702, "TJK", "TJ", "Tajikistan", "1991-", "Tadzhikistan|Republic of Tajikistan"),
    (703, "KGZ", "KG", "Kyrgyzstan", "1991-", "Kyrgyz Republic|Kyrgystan|Kirghizia|Kirgizstan"),
    (704, "UZB", "UZ", "Uzbekistan", "1991-", "Republic of Uzbekistan"),
    (705, "KAZ", "KZ", "Kazakhstan", "1991-", "Kazakstan|Republic of Kazakhstan"),
    (710, "CHN", "CN", "China", "1816-", "People's Republic of China|PRC|China, People's Republic of|"
     "China (PRC)|Republic of China"),
    (711, None, None, "Tibet", "1913-1950", ""),
    (712, "MNG", "MN", "Mongolia", "1921-", ""),
    (713, "TWN", "TW", "Taiwan", "1949-", "Taiwan, China|Taiwan Province of China|"
     "Taiwan, Province of China|Republic of China|Republic of China (Taiwan)|Taiwan (ROC)|Chinese Taipei|"
     "China, Republic of"),
    (730, None, None, "Korea", "1816-1910", "Korean Empire|Joseon"),
    (731, "PRK", "KP", "North Korea", "1948-", "Korea, North|Korea (North)|Korea, People's Republic of|"
     "Korea, Democratic People's Republic of|Democratic People's Republic of Korea|"
     "Korea, Dem. People's Rep.|Korea, Dem. Rep.|Korea DPR|DPRK|Korea, Democratic Republic of"),
    (732, "KOR", "KR", "South Korea", "1948-", "Korea, South|Korea (South)|Korea, Republic of|"
     "Republic of Korea|Korea, Rep.|ROK|Korea"),
    (740, "JPN", "JP", "Japan", "1816-", ""),
    (750, "IND", "IN", "India", "1947-", "Republic of India"),
    (760, "BTN", "BT", "Bhutan", "1949-", "Kingdom of Bhutan"),
    (770, "PAK", "PK", "Pakistan", "1947-", "Islamic Republic of Pakistan"),
    (771, "BGD", "BD", "Bangladesh", "1971-", "People's Republic of Bangladesh"),
    (775, "MMR", "MM", "Myanmar", "1816-1885,1948-", "Burma|Myanmar (Burma)|Burma/Myanmar|Myanmar/Burma|"
     "Burma (Myanmar)|Republic of the Union of Myanmar|Republic of Myanmar"),
    (780, "LKA", "LK", "Sri Lanka", "1948-", "Sri Lanka (Ceylon)|Ceylon|"
     "Democratic Socialist Republic of Sri Lanka"),
    (781, "MDV", "MV", "Maldives", "1965-", "Maldive Islands|Republic of Maldives"),
    (790, "NPL", "NP", "Nepal", "1816-", "Federal Democratic Republic of Nepal"),
    (800, "THA", "TH", "Thailand", "1816-", "Siam|Kingdom of Thailand"),
    (811, "KHM", "KH", "Cambodia", "1953-", "Cambodia (Kampuchea)|Kampuchea|Democratic Kampuchea|"
     "Khmer Republic|Kingdom of Cambodia"),
    (812, "LAO", "LA", "Laos", "1954-", "Lao PDR|Lao People's Democratic Republic|Lao"),
    (815, None, None, "Vietnam (Annam)", "1816-1893", "Vietnam (Annam/Cochin China/Tonkin)|Annam|Dai Nam|"
     "Vietnam"),
    (816, "VNM", "VN", "Vietnam", "1954-", "Viet Nam|North Vietnam|Vietnam, North|Vietnam (North)|"
     "Vietnam, Democratic Republic of|Democratic Republic of Vietnam|Vietnam (North Vietnam)|"
     "Socialist Republic of Vietnam|Viet Nam, Democratic Republic of"),
    (817, None, None, "South Vietnam", "1954-1975", "Vietnam, Republic of|Republic of Vietnam|"
     "Vietnam, South|Vietnam (South)|RVN|State of Vietnam"),
    (820, "MYS", "MY", "Malaysia", "1957-", "Malaya|Federation of Malaya"),
    (830, "SGP", "SG", "Singapore", "1965-", "Republic of Singapore"),
    (835, "BRN", "BN", "Brunei", "1984-", "Brunei Darussalam"),
    (840, "PHL", "PH", "Philippines", "1946-", "Republic of the Philippines"),
    (850, "IDN", "ID", "Indonesia", "1945-", "Republic of Indonesia"),
    (860, "TLS", "TL", "East Timor", "2002-", "Timor-Leste|Timor Leste (East Timor)|"
     "East Timor (Timor-Leste)|Democratic Republic of Timor-Leste"),
    # Oceania
    (900, "AUS", "AU", "Australia", "1901-", ""),
    (910, "PNG", "PG", "Papua New Guinea", "1975-", "Independent State of Papua New Guinea"),
    (920, "NZL", "NZ", "New Zealand", "1907-", ""),
    (935, "VUT", "VU", "Vanuatu", "1980-", "New Hebrides|Republic of Vanuatu"),
    (940, "SLB", "SB", "Solomon Islands", "1978-", "Solomons"),
    (950, "FJI", "FJ", "Fiji", "1970-", "Republic of Fiji"),
    (970, "KIR", "KI", "Kiribati", "1979-", "Republic of Kiribati"),
    (971, "NRU", "NR", "Nauru", "1968-", "Republic of Nauru"),
    (972, "TON", "TO", "Tonga", "1970-", "Kingdom of Tonga"),
    (973, "TUV", "TV", "Tuvalu", "1978-", ""),
    (983, "MHL", "MH", "Marshall Islands", "1986-", "Republic of the Marshall Islands"),
    (986, "PLW", "PW", "Palau", "1994-", "Belau|Republic of Palau"),
    (987, "FSM", "FM", "Micronesia", "1986-", "Federated States of Micronesia|Micronesia (Fed. Sts.)|"
     "Micronesia, Fed. Sts.|Micronesia (Federated States of)|Micronesia, Federated States of|"
     "Micronesia (country)"),
    (990, "WSM", "WS", "Samoa", "1962-", "Western Samoa|Samoa/Western Samoa|Independent State of Samoa"),
)

# GW codes whose COW code differs. Every other state's COW code equals its GW code (states COW does not
# list at all, such as Tibet or Transvaal, keep their GW code there too).
_COW_DIFFERS: dict[int, int] = {340: 345, 970: 946, 971: 970, 972: 955, 973: 947}

# ISO codes that are not a row's own code but still denote a GW state: retired ISO 3166-3 codes, and
# the codes other organisations use for Kosovo.
_ISO_ALIASES: dict[str, int] = {
    "DDR": 265, "DD": 265, "CSK": 315, "SUN": 365, "SU": 365, "YUG": 345, "YU": 345, "SCG": 345,
    "YMD": 680, "YD": 680, "VDR": 816, "VD": 816, "ZAR": 490, "ZR": 490, "TMP": 860, "TP": 860, "ROM": 360,
    "BUR": 775, "BU": 775, "DHY": 434, "DY": 434, "HVO": 439, "HV": 439, "RHO": 552, "RH": 552,
    "NHB": 935, "NH": 935, "KSV": 347, "XKO": 347, "XKS": 347,
}

# An ISO3 code that, in the years a predecessor existed, denotes the predecessor (World Bank and other
# ISO-keyed data use DEU for West Germany and YEM for North Yemen). Only used when a year is given.
_SHARED_ISO3: dict[str, tuple[int, ...]] = {"DEU": (260,), "YEM": (678,)}


@dataclass(frozen=True)
class Country:
    """One state of the Gleditsch-Ward list (with the EWP's conventions, see the module docstring).

    ``start``/``end`` are the first and last years of independence (``end`` is None while the state
    exists); a state with a gap (Estonia 1940-1991) has several spells, see :meth:`spells`.
    ``cowcode`` is the Correlates of War code. ``variants`` are the other names it is known by.
    """

    gwcode: int
    iso3: str | None
    name: str
    start: int
    end: int | None
    cowcode: int
    variants: tuple[str, ...]

    def spells(self) -> tuple[tuple[int, int | None], ...]:
        """The (start, end) year pairs of independence, end None while the state exists."""
        return _SPELLS[self.gwcode]

    def exists_in(self, year: int) -> bool:
        """True when the state was independent for at least part of ``year``."""
        return _spell_start(self, year) is not None


@dataclass
class NameMatch:
    """The result of :func:`match_names`: every distinct input name is in exactly one of the two fields."""

    matched: dict[str, Country] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)

    @property
    def gwcodes(self) -> dict[str, int]:
        """The matched names mapped to GW codes (handy for ``Series.map``)."""
        return {name: c.gwcode for name, c in self.matched.items()}

    @property
    def unrecognised(self) -> list[str]:
        """Unmatched names that are no known aggregate or territory: probably states we failed to match."""
        return [n for n in self.unmatched if not is_aggregate_or_territory(n)]


# --- normalisation ---------------------------------------------------------------------------------------

_APOSTROPHES = str.maketrans("", "", "'’‘`´ʼ")
_ABBREVIATIONS = {
    "saint": "st", "rep": "republic", "dem": "democratic", "fed": "federated", "sts": "states",
    "is": "islands", "isl": "islands", "pdr": "peoples democratic republic",
    "dpr": "democratic peoples republic", "utd": "united",
}


def _norm(text: str) -> str:
    """Lower-case words without accents, punctuation, "the" or a trailing "of"; abbreviations expanded."""
    s = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    s = s.casefold().translate(_APOSTROPHES).replace("&", " and ")
    words = [_ABBREVIATIONS.get(w, w) for w in re.split(r"[^0-9a-z]+", s) if w and w != "the"]
    while words and words[-1] == "of":
        words.pop()
    return " ".join(words)


def _key(text: str) -> str:
    """The exact-match key: the normalised name without spaces ("Guinea Bissau" = "Guinea-Bissau")."""
    return _norm(text).replace(" ", "")


def _inversions(text: str) -> list[str]:
    """Reordered forms of "Korea, Republic of" and "Iran (Islamic Republic of)": "Republic of Korea", ..."""
    out = []
    if text.count(",") == 1:
        head, tail = text.split(",")
        out.append(f"{tail} {head}")
    m = re.fullmatch(r"\s*([^()]+?)\s*\(([^()]+)\)\s*", text)
    if m:
        out.append(f"{m[2]} {m[1]}")
    return out


# --- the indexes, built once at import -------------------------------------------------------------------


def _parse_spells(text: str) -> tuple[tuple[int, int | None], ...]:
    spells = []
    for part in text.split(","):
        start, _, end = part.partition("-")
        spells.append((int(start), int(end) if end else None))
    return tuple(spells)


_SPELLS: dict[int, tuple[tuple[int, int | None], ...]] = {}
_BY_GW: dict[int, Country] = {}
_BY_COW: dict[int, list[Country]] = {}
_BY_ISO3: dict[str, list[Country]] = {}
_BY_ISO2: dict[str, list[Country]] = {}
_BY_KEY: dict[str, list[Country]] = {}  # _key(name) -> the states it can mean
_SHOWN: dict[str, str] = {}  # _norm(name) -> display name of the state it means today, for suggestions


def _build() -> None:
    """Fill the indexes from _TABLE (once, at import)."""
    for gw, iso3, iso2, name, spell_text, variant_text in _TABLE:
        spells = _parse_spells(spell_text)
        country = Country(
            gwcode=gw, iso3=iso3, name=name, start=spells[0][0], end=spells[-1][1],
            cowcode=_COW_DIFFERS.get(gw, gw), variants=tuple(v for v in variant_text.split("|") if v),
        )
        if gw in _BY_GW:
            raise ValueError(f"duplicate GW code {gw} in the country table")
        _SPELLS[gw] = spells
        _BY_GW[gw] = country
        _BY_COW.setdefault(country.cowcode, []).append(country)
        if iso3:
            _BY_ISO3.setdefault(iso3, []).append(country)
        if iso2:
            _BY_ISO2.setdefault(iso2, []).append(country)
        for text in (name, *country.variants):
            bucket = _BY_KEY.setdefault(_key(text), [])
            if country not in bucket:
                bucket.append(country)
            _SHOWN[_norm(text)] = ""
    for code, gw in _ISO_ALIASES.items():
        (_BY_ISO3 if len(code) == 3 else _BY_ISO2).setdefault(code, []).append(_BY_GW[gw])
    for norm in _SHOWN:
        _SHOWN[norm] = _choose(_BY_KEY[norm.replace(" ", "")], None).name


def _spell_start(country: Country, year: int) -> int | None:
    """The first year of the spell of independence containing ``year``, or None if there is none."""
    for start, end in _SPELLS[country.gwcode]:
        if start <= year and (end is None or year <= end):
            return start
    return None


def _choose(candidates: list[Country], year: int | None) -> Country:
    """Pick among the states a name or code can mean.

    With a year: the states in existence that year; in a transition year the successor (the state whose
    current spell began later). Without a year, or if none existed that year: the current state, else the
    one that ended last.
    """
    if year is not None:
        alive = [(start, c) for c in candidates if (start := _spell_start(c, year)) is not None]
        if alive:
            return max(alive, key=lambda pair: (pair[0], pair[1].gwcode))[1]
    return max(candidates, key=lambda c: (c.end is None, c.end or 0, _SPELLS[c.gwcode][-1][0], c.gwcode))


def _as_code(query: object) -> int | None:
    """An integer code from an int (numpy ints too), an integral float or a digit string; else None."""
    if isinstance(query, bool):
        return None
    if isinstance(query, str):
        s = query.strip()
        return int(s) if s.isascii() and s.isdigit() else None
    if isinstance(query, float):
        return int(query) if query.is_integer() else None
    try:
        return operator.index(query)  # type: ignore[call-overload]
    except TypeError:
        return None


def _resolve(query: str | int, year: int | None) -> Country | None:
    code = _as_code(query)
    if code is not None:
        return _BY_GW.get(code) or (_choose(_BY_COW[code], year) if code in _BY_COW else None)
    if not isinstance(query, str):
        return None
    text = query.strip()
    if hit := _BY_KEY.get(_key(text)):
        return _choose(hit, year)
    if text.isascii() and text.isalpha() and len(text) in (2, 3):
        up = text.upper()
        hit = (_BY_ISO3 if len(up) == 3 else _BY_ISO2).get(up)
        if hit:
            if year is not None and up in _SHARED_ISO3:
                hit = hit + [_BY_GW[g] for g in _SHARED_ISO3[up]]
            return _choose(hit, year)
    for form in _inversions(text):
        if hit := _BY_KEY.get(_key(form)):
            return _choose(hit, year)
    return None


def _similarity(a: str, b: str, **_: object) -> float:
    """How alike two normalised names are (0-100): whole-string, word-order-free or, for a short query
    against a name not much longer, partial similarity. Stricter than fuzz.WRatio, which rates "untied
    kingdom" as close to "kingdom of netherlands" as to "united kingdom"."""
    partial = 0.95 * fuzz.partial_ratio(a, b) if len(a) >= 3 and len(b) <= 2.5 * len(a) else 0.0
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b), partial)


def _suggest(query: str, limit: int = 5) -> list[str]:
    """Up to ``limit`` display names close to ``query``, best first (none much worse than the best)."""
    norm = _norm(query)
    if not norm:
        return []
    found = process.extract(norm, list(_SHOWN), scorer=_similarity, limit=limit * 8, score_cutoff=65)
    out: list[str] = []
    for text, score, _index in found:
        name = _SHOWN[text]
        if score >= found[0][1] - 15 and name not in out:
            out.append(name)
    return out[:limit]


_build()


# --- public API ------------------------------------------------------------------------------------------


def all_countries() -> list[Country]:
    """Every state in the table, ordered by GW code."""
    return [_BY_GW[code] for code in sorted(_BY_GW)]


def countries_in(year: int) -> list[Country]:
    """The states independent for at least part of ``year``, ordered by GW code."""
    return [c for c in all_countries() if c.exists_in(year)]


def by_gwcode(code: int) -> Country | None:
    """The state with this Gleditsch-Ward code, or None."""
    return _BY_GW.get(code)


def by_iso3(code: str) -> Country | None:
    """The state with this ISO 3166-1 alpha-3 code (any case), or None.

    Retired codes (DDR, CSK, SUN, YUG, ZAR, ...) and Kosovo's XKX/KSV also resolve. Where a code is shared
    by a historical and a current state, the current one is returned.
    """
    hit = _BY_ISO3.get(code.strip().upper())
    return _choose(hit, None) if hit else None


def by_cowcode(code: int) -> Country | None:
    """The state with this Correlates of War code, or None (the current state if several share it)."""
    hit = _BY_COW.get(code)
    return _choose(hit, None) if hit else None


def lookup(query: str | int, year: int | None = None) -> Country:
    """Resolve a name, a variant, an ISO3 or ISO2 code, or a GW or COW code (int or digit string).

    Names are compared case-, accent- and punctuation-insensitively. A number is read as a GW code first,
    then as a COW code (they differ only for a few states, see ``_COW_DIFFERS``). Where a name meant
    different states over time ("Germany", "Yemen", "Serbia", "Vietnam", "Korea"), ``year`` picks the one
    in existence that year (the successor in a transition year); without a year, the current state. The
    year never rejects a match: "Czech Republic" in 1980 is still 316.

    Raises CountryNotFoundError, with up to five close names, when nothing matches.
    """
    found = _resolve(query, year)
    if found is None:
        text = str(query)
        raise CountryNotFoundError(text, _suggest(text) if isinstance(query, str) else [])
    return found


def match_names(names: Iterable[str], year: int | None = None) -> NameMatch:
    """Match many names (or codes) at once, as :func:`lookup` would, never dropping one silently.

    Every distinct name ends up in ``matched`` (name -> Country) or in ``unmatched`` (sorted, unique).
    Non-state entities ("World", "Hong Kong", "High income") are simply unmatched; use
    :func:`is_aggregate_or_territory` or ``NameMatch.unrecognised`` to tell them from states we missed.
    """
    result = NameMatch()
    unmatched: set[str] = set()
    for name in names:
        text = name if isinstance(name, str) else str(name)
        if text in result.matched or text in unmatched:
            continue
        found = _resolve(name, year)
        if found is None:
            unmatched.add(text)
        else:
            result.matched[text] = found
    result.unmatched = sorted(unmatched)
    return result


# --- non-state entities ----------------------------------------------------------------------------------

# Regions, income and lending groups, organisations, dependent territories and entities outside the GW
# list (unrecognised or partially recognised states, the Holy See), as names ...
_NON_STATE_NAMES = (
    "World|Africa|Asia|Europe|Americas|Oceania|Antarctica|North America|South America|Latin America|"
    "Central America|Caribbean|Middle East|Near East|Sub-Saharan Africa|North Africa|West Africa|East Africa|"
    "Southern Africa|Central Africa|Western Europe|Eastern Europe|Northern Europe|Southern Europe|"
    "Central Asia|East Asia|South Asia|Southeast Asia|South-Eastern Asia|Western Asia|Eastern Asia|"
    "Southern Asia|Pacific|Melanesia|Micronesia (region)|Polynesia|Australia and New Zealand|Arab World|"
    "Euro area|Eurozone|European Union|EU|EU27|EU28|OECD|OECD members|G7|G20|ASEAN|African Union|"
    "Commonwealth of Independent States|CIS|United Nations|UN|NATO|OPEC|Sahel|Horn of Africa|Balkans|"
    "Western Balkans|Maghreb|Levant|Gulf States|Nordic countries|Scandinavia|Baltics|Benelux|"
    "High income|Low income|Middle income|Lower middle income|Upper middle income|Low & middle income|"
    "Least developed countries|Fragile and conflict affected situations|Small states|Not classified|"
    "Hong Kong|Hong Kong SAR, China|Hong Kong, China|China, Hong Kong SAR|Macao|Macau|Macao SAR, China|"
    "China, Macao SAR|Puerto Rico|Guam|American Samoa|U.S. Virgin Islands|Virgin Islands (U.S.)|"
    "British Virgin Islands|Virgin Islands, British|Northern Mariana Islands|Bermuda|Cayman Islands|"
    "Aruba|Curacao|Sint Maarten|Sint Maarten (Dutch part)|Saint Martin|St. Martin (French part)|"
    "Saint Barthelemy|Bonaire|Caribbean Netherlands|Netherlands Antilles|Anguilla|Montserrat|"
    "Turks and Caicos Islands|Greenland|Faroe Islands|Faeroe Islands|Gibraltar|Isle of Man|Channel Islands|"
    "Jersey|Guernsey|Aland Islands|Svalbard|Svalbard and Jan Mayen|New Caledonia|French Polynesia|"
    "Wallis and Futuna|Cook Islands|Niue|Tokelau|Pitcairn|Norfolk Island|Christmas Island|"
    "Cocos (Keeling) Islands|Falkland Islands|Falkland Islands (Malvinas)|Saint Helena|French Guiana|"
    "Guadeloupe|Martinique|Reunion|Mayotte|Saint Pierre and Miquelon|British Indian Ocean Territory|"
    "French Southern Territories|Heard Island and McDonald Islands|Bouvet Island|"
    "South Georgia and the South Sandwich Islands|United States Minor Outlying Islands|Western Sahara|"
    "Sahrawi Arab Democratic Republic|Palestine|State of Palestine|Palestinian Territories|"
    "Occupied Palestinian Territory|Palestinian Territory, Occupied|West Bank and Gaza|West Bank|Gaza|"
    "Gaza Strip|Palestine/Gaza|Palestine/West Bank|Palestine/British Mandate|Somaliland|Puntland|"
    "Northern Cyprus|Turkish Republic of Northern Cyprus|Abkhazia|South Ossetia|Transnistria|"
    "Nagorno-Karabakh|Artsakh|Holy See|Vatican|Vatican City|Holy See (Vatican City State)|Kurdistan|"
    "Iraqi Kurdistan|Hyderabad|Biafra|United States Virgin Islands|Virgin Islands|"
    "Bonaire, Sint Eustatius and Saba|Saint Helena, Ascension and Tristan da Cunha|Akrotiri and Dhekelia|"
    "Clipperton Island|Paracel Islands|Spratly Islands|Siachen Glacier|Ashmore and Cartier Islands|"
    "Coral Sea Islands|Wake Island|Midway Islands|Johnston Atoll|Navassa Island|Palmyra Atoll|"
    "Canary Islands|Azores|Madeira|International transport|International aviation|International shipping|"
    "Kuwaiti Oil Fires"
)
# ... as ISO3 codes (territories) and World Bank aggregate codes ...
_NON_STATE_CODE_TEXT = (
    "HKG MAC PRI GUM ASM VIR VGB MNP BMU CYM ABW CUW SXM MAF BLM BES ANT AIA MSR TCA GRL FRO GIB IMN CHI JEY "
    "GGY ALA SJM NCL PYF WLF COK NIU TKL PCN NFK CXR CCK FLK SHN GUF GLP MTQ REU MYT SPM IOT ATF HMD BVT SGS "
    "UMI ATA ESH PSE VAT "
    "WLD AFE AFW ARB CEB CSS EAP EAR EAS ECA ECS EMU EUU FCS HIC HPC IBD IBT IDA IDB IDX INX LAC LCN LDC LIC "
    "LMC LMY LTE MEA MIC MNA NAC OED OSS PRE PSS PST SAS SSA SSF SST TEA TEC TLA TMN TSA TSS UMC"
)
_NON_STATE_CODES = frozenset(_NON_STATE_CODE_TEXT.split())
# ... and as words that mark an aggregate in names such as "Latin America & Caribbean (excluding high
# income)" or "IDA only".
_AGGREGATE_WORDS = re.compile(
    r"\b(income|ida|ibrd|hipc|oecd|dividend|small states|excluding|excl|total|aggregate|region|members|"
    r"countries|world|area|sar|territor(y|ies)|union|asia|africa|europe|america|americas|caribbean|pacific|"
    r"middle east|sahara|saharan|baltics|arab|euro|overseas)\b"
)
_NON_STATE_KEYS = frozenset(_key(n) for n in _NON_STATE_NAMES.split("|"))
_STATE_NAMES = list(_SHOWN)


def is_aggregate_or_territory(name: str) -> bool:
    """True for a known non-state entity: a region, an income or lending group, an organisation, a
    dependent territory, or an entity outside the GW list (Palestine, Western Sahara, the Holy See, ...).

    False for anything that names a state, and for unknown names that look like a misspelt state, so an
    unmatched name for which this is False deserves a look.
    """
    text = name.strip()
    key = _key(text)
    if not key or _resolve(text, None) is not None:
        return False
    if text.upper() in _NON_STATE_CODES or {key, *map(_key, _inversions(text))} & _NON_STATE_KEYS:
        return True
    norm = _norm(text)
    if _AGGREGATE_WORDS.search(norm) is None:
        return False
    # "Suoth Africa" contains "africa" but is a misspelt state, not an aggregate.
    return process.extractOne(norm, _STATE_NAMES, scorer=fuzz.ratio, score_cutoff=85) is None
