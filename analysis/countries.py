"""Countries: ISO 3166-1 alpha-3 codes for names, demonyms, capitals and government bodies.

Order of evidence for an actor's country (see :mod:`analysis.actors`):

1. **The text**: "Russian President Vladimir Putin", "Foreign Minister Antonio Tajani of Italy",
   "Ukraine's foreign minister", "State Department spokesman Tommy Pigott".
2. **The gazetteer** below: country names from pycountry (official, common and short names) plus
   typed constants for what pycountry does not carry: everyday names ("Russia", "Britain", "the
   U.S."), demonyms ("Italian"), capitals used as metonyms ("Moscow has said") and government
   bodies ("the Kremlin", "Downing Street"). :data:`LEADERS` is a small, clearly marked
   extension for well-known current heads of state/government and foreign ministers, and the
   politician gazetteer (:func:`leader_country`: every US member of Congress, president and vice
   president, bundled from a CC0 source; more from ``STANCEMAP_GAZETTEER``); any text evidence
   wins over them.
3. **User overrides** (:func:`load_overrides`): they replace whatever 1 and 2 found.

>>> country_of("Kremlin"), country_of("Italian"), country_of("Korea, Republic of"), country_of("Mars")
('RUS', 'ITA', 'KOR', None)
"""

from __future__ import annotations

import csv
import json
import logging
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import InputError
from .labels import ActorType

log = logging.getLogger(__name__)

# Everyday names and abbreviations that pycountry's names do not cover.
COUNTRY_ALIASES: dict[str, str] = {
    "us": "USA", "u.s": "USA", "u.s.": "USA", "usa": "USA", "u.s.a.": "USA", "america": "USA",
    "united states": "USA", "the united states": "USA",
    "uk": "GBR", "u.k.": "GBR", "u.k": "GBR", "britain": "GBR", "great britain": "GBR",
    "england": "GBR", "scotland": "GBR", "wales": "GBR", "united kingdom": "GBR",
    "russia": "RUS", "iran": "IRN", "syria": "SYR", "south korea": "KOR", "north korea": "PRK",
    "korea": "KOR", "vietnam": "VNM", "laos": "LAO", "taiwan": "TWN", "turkey": "TUR", "türkiye": "TUR",
    "moldova": "MDA", "bolivia": "BOL", "venezuela": "VEN", "tanzania": "TZA", "czech republic": "CZE",
    "czechia": "CZE", "ivory coast": "CIV", "palestine": "PSE", "gaza": "PSE", "west bank": "PSE",
    "vatican": "VAT", "holy see": "VAT", "congo": "COD", "drc": "COD", "macedonia": "MKD",
    "burma": "MMR", "the netherlands": "NLD", "holland": "NLD", "uae": "ARE", "emirates": "ARE",
    "prc": "CHN", "mainland china": "CHN", "brunei": "BRN", "micronesia": "FSM", "kosovo": "XKX",
}

# Adjectives and plurals for peoples ("Russian President", "the Europeans" is a group, not here).
DEMONYMS: dict[str, str] = {
    "american": "USA", "americans": "USA", "british": "GBR", "briton": "GBR", "britons": "GBR",
    "english": "GBR", "scottish": "GBR", "welsh": "GBR", "russian": "RUS", "russians": "RUS",
    "ukrainian": "UKR", "ukrainians": "UKR", "italian": "ITA", "italians": "ITA", "french": "FRA",
    "german": "DEU", "germans": "DEU", "spanish": "ESP", "spaniard": "ESP", "portuguese": "PRT",
    "polish": "POL", "pole": "POL", "poles": "POL", "finnish": "FIN", "finn": "FIN", "finns": "FIN",
    "swedish": "SWE", "swede": "SWE", "norwegian": "NOR", "danish": "DNK", "dutch": "NLD",
    "belgian": "BEL", "swiss": "CHE", "austrian": "AUT", "hungarian": "HUN", "czech": "CZE",
    "slovak": "SVK", "romanian": "ROU", "bulgarian": "BGR", "greek": "GRC", "turkish": "TUR",
    "irish": "IRL", "estonian": "EST", "latvian": "LVA", "lithuanian": "LTU", "belarusian": "BLR",
    "moldovan": "MDA", "georgian": "GEO", "armenian": "ARM", "azerbaijani": "AZE", "serbian": "SRB",
    "croatian": "HRV", "bosnian": "BIH", "slovenian": "SVN", "albanian": "ALB", "chinese": "CHN",
    "japanese": "JPN", "korean": "KOR", "south korean": "KOR", "north korean": "PRK", "indian": "IND",
    "pakistani": "PAK", "afghan": "AFG", "iranian": "IRN", "iraqi": "IRQ", "syrian": "SYR",
    "israeli": "ISR", "israelis": "ISR", "palestinian": "PSE", "palestinians": "PSE",
    "lebanese": "LBN", "jordanian": "JOR", "saudi": "SAU", "emirati": "ARE", "qatari": "QAT",
    "egyptian": "EGY", "libyan": "LBY", "tunisian": "TUN", "algerian": "DZA", "moroccan": "MAR",
    "nigerian": "NGA", "kenyan": "KEN", "ethiopian": "ETH", "south african": "ZAF", "sudanese": "SDN",
    "canadian": "CAN", "mexican": "MEX", "brazilian": "BRA", "argentine": "ARG", "argentinian": "ARG",
    "chilean": "CHL", "colombian": "COL", "venezuelan": "VEN", "cuban": "CUB", "peruvian": "PER",
    "australian": "AUS", "new zealand": "NZL", "indonesian": "IDN", "malaysian": "MYS",
    "filipino": "PHL", "philippine": "PHL", "thai": "THA", "vietnamese": "VNM", "taiwanese": "TWN",
    "bangladeshi": "BGD", "sri lankan": "LKA", "nepalese": "NPL", "kazakh": "KAZ", "uzbek": "UZB",
    "yemeni": "YEM", "omani": "OMN", "kuwaiti": "KWT", "bahraini": "BHR", "icelandic": "ISL",
}

# Capitals as metonyms for governments ("Moscow has since said").
CAPITALS: dict[str, str] = {
    "washington": "USA", "moscow": "RUS", "kyiv": "UKR", "kiev": "UKR", "london": "GBR",
    "paris": "FRA", "berlin": "DEU", "rome": "ITA", "madrid": "ESP", "lisbon": "PRT",
    "warsaw": "POL", "helsinki": "FIN", "stockholm": "SWE", "oslo": "NOR", "copenhagen": "DNK",
    "brussels": "BEL", "the hague": "NLD", "amsterdam": "NLD", "vienna": "AUT", "bern": "CHE",
    "budapest": "HUN", "prague": "CZE", "bratislava": "SVK", "bucharest": "ROU", "sofia": "BGR",
    "athens": "GRC", "ankara": "TUR", "dublin": "IRL", "tallinn": "EST", "riga": "LVA",
    "vilnius": "LTU", "minsk": "BLR", "chisinau": "MDA", "tbilisi": "GEO", "yerevan": "ARM",
    "baku": "AZE", "belgrade": "SRB", "beijing": "CHN", "tokyo": "JPN", "seoul": "KOR",
    "pyongyang": "PRK", "new delhi": "IND", "islamabad": "PAK", "kabul": "AFG", "tehran": "IRN",
    "baghdad": "IRQ", "damascus": "SYR", "jerusalem": "ISR", "beirut": "LBN", "amman": "JOR",
    "riyadh": "SAU", "abu dhabi": "ARE", "doha": "QAT", "cairo": "EGY", "ottawa": "CAN",
    "mexico city": "MEX", "brasilia": "BRA", "buenos aires": "ARG", "havana": "CUB",
    "caracas": "VEN", "canberra": "AUS", "jakarta": "IDN", "manila": "PHL", "hanoi": "VNM",
    "taipei": "TWN", "nairobi": "KEN", "abuja": "NGA", "pretoria": "ZAF", "addis ababa": "ETH",
}

# Places within a country that news datelines and stories name ("EDMONTON —", "in Alberta",
# "Queensland police"): evidence of where an article is set (actors.article_country), never
# speakers themselves (a city is no actor the way "Moscow said" is). Hand-picked to be
# unambiguous: no place that is also a common first name or surname (Victoria, Sydney, Regina,
# Lincoln, Kent), a country (Georgia) or a bigger place elsewhere (London, Ontario; Perth;
# Birmingham, Alabama; Washington state).
PLACES: dict[str, str] = {
    **dict.fromkeys((
        "alberta", "british columbia", "b.c.", "ontario", "quebec", "québec", "manitoba", "saskatchewan",
        "nova scotia", "new brunswick", "newfoundland", "prince edward island", "yukon", "nunavut",
        "northwest territories", "toronto", "montreal", "montréal", "vancouver", "calgary", "edmonton",
        "winnipeg", "saskatoon", "mississauga", "burnaby", "gatineau", "kelowna", "parliament hill",
        "quebec city", "fort mcmurray", "nanaimo", "moncton", "fredericton", "charlottetown", "iqaluit"), "CAN"),
    **dict.fromkeys((
        "queensland", "new south wales", "tasmania", "western australia", "south australia",
        "northern territory", "melbourne", "brisbane", "adelaide"), "AUS"),
    **dict.fromkeys((
        "glasgow", "edinburgh", "cardiff", "belfast", "liverpool", "leeds", "sheffield", "manchester",
        "northern ireland", "yorkshire", "merseyside", "westminster", "holyrood", "stormont"), "GBR"),
    **dict.fromkeys(("munich", "hamburg", "frankfurt", "cologne", "bavaria", "saxony", "düsseldorf"), "DEU"),
    **dict.fromkeys(("marseille", "lyon", "toulouse", "bordeaux", "normandy", "brittany"), "FRA"),
    **dict.fromkeys(("milan", "naples", "turin", "florence", "venice", "sicily", "lombardy"), "ITA"),
    **dict.fromkeys(("barcelona", "catalonia", "seville", "valencia", "andalusia"), "ESP"),
    **dict.fromkeys(("kharkiv", "odesa", "odessa", "lviv", "dnipro", "zaporizhzhia", "donbas", "donetsk",
                     "luhansk", "kherson", "mariupol"), "UKR"),
    **dict.fromkeys(("st. petersburg", "saint petersburg", "siberia", "chechnya", "vladivostok"), "RUS"),
    **dict.fromkeys(("shanghai", "guangzhou", "shenzhen", "wuhan", "xinjiang", "tibet"), "CHN"),
    **dict.fromkeys(("mumbai", "kolkata", "chennai", "bangalore", "bengaluru", "hyderabad"), "IND"),
    **dict.fromkeys(("tel aviv", "haifa"), "ISR"),
    **dict.fromkeys(("new york city", "los angeles", "chicago", "houston", "philadelphia", "san francisco",
                     "boston", "seattle", "detroit", "atlanta", "miami", "dallas", "denver",
                     "california", "texas", "florida", "ohio", "michigan", "pennsylvania", "arizona",
                     "wisconsin", "iowa", "new hampshire", "nevada", "north carolina", "virginia",
                     "massachusetts", "illinois", "minnesota", "colorado", "oregon", "kentucky",
                     "tennessee", "alabama", "louisiana", "south carolina", "utah", "new jersey"), "USA"),
}
_PLACE_RE = re.compile(r"(?<![\w.])(" + "|".join(sorted((re.escape(p) for p in PLACES), key=len, reverse=True))
                       + r")(?!\w)", re.IGNORECASE)


def place_votes(text: str) -> dict[str, int]:
    """{ISO-3: votes} from the places a text names (each place up to three times), written
    with a capital ("edmonton" in lower case is no place name here)."""
    seen: dict[str, int] = {}
    for m in _PLACE_RE.finditer(text):
        if m.group(0)[:1].isupper():
            key = m.group(0).lower()
            seen[key] = seen.get(key, 0) + 1
    votes: dict[str, int] = {}
    for key, n in seen.items():
        code = PLACES[key]
        votes[code] = votes.get(code, 0) + min(n, 3)
    return votes


def place_in(words: str) -> str | None:
    """The one country the places and country names inside a title point to ("toronto mayor",
    "bank of canada governor"), or None when there is none or more than one."""
    found = {PLACES[m.group(0).lower()] for m in _PLACE_RE.finditer(words)}
    tokens = words.lower().split()
    for n in (3, 2, 1):
        for k in range(len(tokens) - n + 1):
            code = country_names().get(" ".join(tokens[k:k + n]))
            if code:
                found.add(code)
    return found.pop() if len(found) == 1 else None


# Government bodies and seats of power ("the Kremlin said", "Downing Street said").
GOVERNMENT_BODIES: dict[str, str] = {
    "kremlin": "RUS", "white house": "USA", "state department": "USA", "pentagon": "USA",
    "department of state": "USA", "congress": "USA", "capitol hill": "USA", "us senate": "USA",
    "senate": "USA", "house of representatives": "USA", "treasury department": "USA",
    "justice department": "USA", "department of justice": "USA", "fbi": "USA", "cia": "USA",
    "supreme court": "USA", "downing street": "GBR", "whitehall": "GBR", "foreign office": "GBR",
    "home office": "GBR", "elysee": "FRA", "élysée": "FRA", "elysee palace": "FRA",
    "quai d'orsay": "FRA", "bundestag": "DEU", "chancellery": "DEU", "knesset": "ISR",
    "zhongnanhai": "CHN", "duma": "RUS", "state duma": "RUS", "verkhovna rada": "UKR",
    "palazzo chigi": "ITA", "farnesina": "ITA", "moncloa": "ESP", "idf": "ISR",
}

# Companies news quotes by their bare name ("Pfizer said"): organisations, where a lone
# capitalised word that speaks is otherwise taken for a person's surname ("Burton said"). Only
# names that are no common surname or word (no Ford, Shell, Apple, Amazon, Target, Delta, Meta).
COMPANIES: frozenset[str] = frozenset("""
pfizer moderna astrazeneca novartis sanofi bayer roche merck glaxosmithkline gsk biontech
google alphabet microsoft facebook twitter tiktok bytedance nvidia intel openai anthropic netflix
uber lyft airbnb spacex tesla boeing airbus lockheed raytheon huawei alibaba tencent samsung
toyota volkswagen siemens nestle unilever walmart exxon exxonmobil chevron conocophillips
gazprom rosneft lukoil aramco petrobras bp totalenergies equinor glencore suncor enbridge
cenovus bombardier ryanair lufthansa fedex mastercard paypal starbucks pepsico coca-cola
blackrock jpmorgan citigroup goldman hsbc barclays ubs santander
""".split()) | frozenset({"goldman sachs", "morgan stanley", "wells fargo", "bank of america",
                          "kinder morgan", "rio tinto", "deutsche bank", "air canada", "johnson & johnson"})

# Groups of countries / international bodies: actors, but no single country.
INTERNATIONAL_BODIES: frozenset[str] = frozenset({
    "european union", "eu", "e.u.", "nato", "united nations", "un", "u.n.", "g7", "g20",
    "european commission", "european council", "european parliament", "african union", "asean",
    "opec", "imf", "world bank", "who", "world health organization", "security council",
    "un security council", "iaea", "osce", "council of europe",
})

# GAZETTEER EXTENSION (documented in the README): well-known current heads of state/government
# and foreign ministers, for when the text names someone without saying where they are from
# ("Volodymyr Zelensky"). Only used when the text gives no evidence; text evidence always wins.
# US states, for "Georgia Gov. Brian Kemp" (a US governor, not the country Georgia) and
# "Washington Sen. ...": a state name before a state-level title means the United States.
US_STATES: frozenset[str] = frozenset("""
alabama alaska arizona arkansas california colorado connecticut delaware florida georgia hawaii
idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan
minnesota mississippi missouri montana nebraska nevada ohio oklahoma oregon pennsylvania
tennessee texas utah vermont virginia washington wisconsin wyoming
""".split()) | frozenset({"new hampshire", "new jersey", "new mexico", "new york", "north carolina",
                          "north dakota", "rhode island", "south carolina", "south dakota", "west virginia"})
US_STATE_TITLES: frozenset[str] = frozenset({
    "gov", "governor", "lt", "sen", "senator", "rep", "representative", "attorney", "state",
    "congressman", "congresswoman", "mayor", "assemblyman", "assemblywoman", "del", "delegate",
})
# Prefixes that are adjectives of a country ("US President", "Russian Foreign Minister"); a
# country's *name* before a bare name is usually part of the name ("Chad Wolf", "Paris Hilton").
ADJECTIVAL_ABBREVIATIONS: frozenset[str] = frozenset({"us", "u.s.", "uk", "u.k.", "eu", "e.u.", "u.s"})

LEADERS: dict[str, str] = {
    "donald trump": "USA", "jd vance": "USA", "j.d. vance": "USA", "marco rubio": "USA",
    "joe biden": "USA", "vladimir putin": "RUS", "sergei lavrov": "RUS", "dmitry peskov": "RUS",
    "volodymyr zelensky": "UKR", "volodymyr zelenskyy": "UKR", "volodymyr zelenskiy": "UKR",
    "andrii sybiha": "UKR",
    "emmanuel macron": "FRA", "keir starmer": "GBR", "friedrich merz": "DEU", "olaf scholz": "DEU",
    "giorgia meloni": "ITA", "antonio tajani": "ITA", "pedro sanchez": "ESP", "donald tusk": "POL",
    "alexander stubb": "FIN", "xi jinping": "CHN", "wang yi": "CHN", "narendra modi": "IND",
    "shehbaz sharif": "PAK", "benjamin netanyahu": "ISR", "recep tayyip erdogan": "TUR",
    "mark carney": "CAN", "shigeru ishiba": "JPN", "luiz inacio lula da silva": "BRA",
    "viktor orban": "HUN", "masoud pezeshkian": "IRN", "mohammed bin salman": "SAU",
}


def _norm(name: str) -> str:
    name = name.strip().replace("’", "'")
    name = re.sub(r"'s$", "", name)
    name = re.sub(r"\s+", " ", name).lower()
    return name


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """Lower-cased country names -> ISO-3, from pycountry plus :data:`COUNTRY_ALIASES`."""
    import pycountry

    names: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if not value:
                continue
            names[_norm(value)] = c.alpha_3
            # "Korea, Republic of" -> also "Republic of Korea"; "Bolivia, Plurinational State of" -> "Bolivia"
            if "," in value:
                head, tail = (v.strip() for v in value.split(",", 1))
                names.setdefault(_norm(f"{tail} {head}"), c.alpha_3)
            short = re.sub(r"\s*\(.*\)$", "", value)
            names.setdefault(_norm(short), c.alpha_3)
    for alias, code in COUNTRY_ALIASES.items():
        names[alias] = code
    names.pop("korea", None)
    names["korea"] = "KOR"
    return names


def country_of(name: str) -> str | None:
    """ISO-3 for a country name, demonym, capital or government body; None when unknown."""
    key = _norm(name)
    if key.startswith("the "):
        key = key[4:]
    return (country_names().get(key) or DEMONYMS.get(key) or CAPITALS.get(key)
            or GOVERNMENT_BODIES.get(key))


def is_country_name(name: str) -> bool:
    """Whether ``name`` names a country itself (not a demonym, capital or body)."""
    key = _norm(name)
    return (key[4:] if key.startswith("the ") else key) in country_names()


# ---------------------------------------------------------------------------------------------
# Politician gazetteer: name -> country for people the text names without saying where they are
# from. Bundled: the CC0 layer of ../shared/data/people (every member of the US Congress since
# 1789, presidents, vice presidents; built by scripts/build_gazetteer.py). STANCEMAP_GAZETTEER may
# name a further people.csv.gz (e.g. the shared folder's full file, whose EveryPolitician layer
# has no stated licence and so is never bundled): it is read at run time, every row of it.

GAZETTEER_FILE = Path(__file__).resolve().parent / "bundled" / "gazetteer" / "people.tsv.gz"
GAZETTEER_ENV = "STANCEMAP_GAZETTEER"


def name_key(name: str) -> str:
    """A person's name for lookup: ASCII-folded, lower-case, no periods or extra spaces
    ("Donald J. Trump" -> "donald j trump", "Erdoğan" -> "erdogan")."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return " ".join(folded.lower().replace(".", " ").replace("’", "'").split())


def gazetteer_rows(path: Path, licences: tuple[str, ...] | None = None) -> dict[str, tuple[str, str]]:
    """{name key: (ISO-3, person key of an executive or "")} from a ``people.csv.gz`` of
    ../shared/data/people: full names and aliases of two words or more; a key found under two
    countries is dropped. ``licences``: keep only rows whose ``licence`` starts with one of these."""
    import csv
    import gzip

    out: dict[str, tuple[str, str]] = {}
    clash: set[str] = set()
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if licences and not str(row.get("licence", "")).startswith(licences):
                continue
            iso3 = (row.get("iso3") or "").strip().upper()
            if len(iso3) != 3:
                continue
            executive = row.get("person_key", "") if "executive" in (row.get("role_type") or "") else ""
            for raw in [row.get("name") or "", *(row.get("aliases") or "").split("|")]:
                key = name_key(raw)
                if len(key.split()) < 2 or key in clash:
                    continue
                if key in out and out[key][0] != iso3:
                    clash.add(key)
                    del out[key]
                    continue
                out[key] = (iso3, executive or (out[key][1] if key in out else ""))
    return out


@lru_cache(maxsize=1)
def _gazetteer() -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    if GAZETTEER_FILE.exists():
        import gzip

        with gzip.open(GAZETTEER_FILE, "rt", encoding="utf-8") as fh:
            for line in fh:
                key, iso3, executive = line.rstrip("\n").split("\t")
                table[key] = (iso3, executive)
    extra = os.environ.get(GAZETTEER_ENV, "").strip()
    if extra:
        path = Path(extra).expanduser()
        path = path / "people.csv.gz" if path.is_dir() else path
        try:
            for key, value in gazetteer_rows(path).items():
                if key in table and table[key][0] != value[0]:
                    del table[key]  # two countries claim the name: no answer beats a wrong one
                else:
                    table.setdefault(key, value)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("%s=%s could not be read (%s); using the bundled gazetteer only", GAZETTEER_ENV, extra, exc)
    return table


# Surnames of modern presidents and vice presidents that name them alone in news. A surname
# shared with many living people ("Mr. King" in a story about Larry King is no William King of
# 1853; Taylor, Carter, Harris, Ford, Kennedy, Grant) is never resolved from the surname alone.
EXECUTIVE_SURNAMES: frozenset[str] = frozenset({
    "obama", "biden", "trump", "pence", "cheney", "gore", "reagan", "nixon", "eisenhower", "truman",
    "quayle", "mondale", "agnew", "humphrey", "roosevelt", "vance", "clinton", "bush", "lincoln",
})


@lru_cache(maxsize=1)
def _executive_surnames() -> dict[str, str | None]:
    """Surname -> a name of the one president or vice president with it, None if several
    people share it (two Johnsons, two Bushes, two Clintons); of the bundled US list only
    :data:`EXECUTIVE_SURNAMES`."""
    people: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for key, (_, executive) in _gazetteer().items():
        # The bundled US list holds every president and vice president since 1789: only the
        # surnames above; a gazetteer the user names (STANCEMAP_GAZETTEER) is taken as it is.
        if executive and (key.split()[-1] in EXECUTIVE_SURNAMES or not executive.startswith("usc:")):
            s = key.split()[-1]
            people.setdefault(s, set()).add(executive)
            names.setdefault(s, key)
    return {s: (names[s] if len(who) == 1 else None) for s, who in people.items()}


def leader_country(name: str) -> str | None:
    """The country of a well-known current leader (LEADERS) or of a president or vice president
    in the politician gazetteer: names famous enough to need no context."""
    hit = LEADERS.get(_norm(name)) or ("GBR" if _norm(name) in UK_PRIME_MINISTERS else None)
    if hit:
        return hit
    found = _gazetteer().get(name_key(name))
    return found[0] if found and found[1] else None


def politician_country(name: str) -> str | None:
    """The gazetteer's country for any politician's full name or alias (two words or more).

    Common names collide across countries (there was a Congressman Charles Clarke and a Home
    Secretary Charles Clarke), so callers use this only where the article points to that
    country already (:func:`analysis.actors.finalize_actors`)."""
    key = name_key(name)
    if len(key.split()) < 2:
        return None
    found = _gazetteer().get(key)
    return found[0] if found else None


# Parties under their everyday names: one actor per party, however the article names it.
# {alias (lower-case): (canonical name, ISO-3)}. Hand-written for the big parties of the UK and
# US news the product sees most; a party not here keeps the name the article gives it. Plural
# common nouns ("Conservatives", "Democrats", "Republicans") stay groups: in US news they are
# people of a persuasion, not the British party.
PARTY_ALIASES: dict[str, tuple[str, str]] = {
    **{a: ("Conservative Party", "GBR") for a in ("tories", "the tories", "tory party", "conservative party",
                                                   "the conservative party")},
    **{a: ("Labour Party", "GBR") for a in ("labour", "labour party", "the labour party", "new labour")},
    **{a: ("Liberal Democrats", "GBR") for a in ("lib dems", "the lib dems", "liberal democrats",
                                                  "the liberal democrats", "lib dem party")},
    **{a: ("Scottish National Party", "GBR") for a in ("snp", "the snp", "scottish national party")},
    **{a: ("UK Independence Party", "GBR") for a in ("ukip", "uk independence party")},
    **{a: ("Republican Party", "USA") for a in ("gop", "the gop", "republican party", "the republican party")},
    **{a: ("Democratic Party", "USA") for a in ("democratic party", "the democratic party")},
}


def party_alias(name: str) -> tuple[str, str] | None:
    """(canonical party name, ISO-3) for an everyday name of a party ("Tories"), else None."""
    return PARTY_ALIASES.get(" ".join(name.lower().split()))


# Role words only one country's politics uses: "Labour MP John Smith" is British whatever a
# gazetteer of US congressmen says about "John Smith".
ROLE_COUNTRIES: dict[str, str] = {
    "msp": "GBR", "tory": "GBR", "labour": "GBR", "lib dem": "GBR",
    "snp": "GBR", "ukip": "GBR", "home secretary": "GBR", "exchequer": "GBR", "liberal democrat": "GBR",
    "foreign secretary": "GBR", "defence secretary": "GBR",
    "senator": "USA", "congressman": "USA", "congresswoman": "USA", "representative": "USA",
}
# Roles of every Westminster-style parliament: an MP in an article set in Canada is Canadian
# ("Jim Eglinski, Yellowhead MP"); elsewhere, British.
WESTMINSTER_ROLES: frozenset[str] = frozenset({"mp", "mps", "backbencher", "frontbencher", "shadow",
                                               "conservative leader", "conservative party", "conservative chairman"})
WESTMINSTER_COUNTRIES: frozenset[str] = frozenset({"GBR", "CAN", "AUS", "NZL", "IRL", "IND", "ZAF"})


# The office of each LEADERS entry, so that "Ukraine's foreign minister" is not taken for
# Volodymyr Zelensky just because he is the last Ukrainian named.
LEADER_ROLES: dict[str, str] = {
    "donald trump": "president", "jd vance": "vice president", "j.d. vance": "vice president",
    "marco rubio": "secretary of state", "joe biden": "president", "vladimir putin": "president",
    "sergei lavrov": "foreign minister", "dmitry peskov": "spokesman", "volodymyr zelensky": "president",
    "volodymyr zelenskyy": "president", "volodymyr zelenskiy": "president", "andrii sybiha": "foreign minister",
    "emmanuel macron": "president", "keir starmer": "prime minister", "friedrich merz": "chancellor",
    "olaf scholz": "chancellor", "giorgia meloni": "prime minister", "antonio tajani": "foreign minister",
    "pedro sanchez": "prime minister", "donald tusk": "prime minister", "alexander stubb": "president",
    "xi jinping": "president", "wang yi": "foreign minister", "narendra modi": "prime minister",
    "shehbaz sharif": "prime minister", "benjamin netanyahu": "prime minister",
    "recep tayyip erdogan": "president", "mark carney": "prime minister", "shigeru ishiba": "prime minister",
    "luiz inacio lula da silva": "president", "viktor orban": "prime minister",
    "masoud pezeshkian": "president", "mohammed bin salman": "crown prince",
}


# British prime ministers since 1979 (public record), by full name only, never by a bare surname
# ("Brown", "Major", "May" are everyday surnames): their country, and their office so that "the
# prime minister said" after "Tony Blair" is Blair. An article about a former prime minister
# that also quotes the current one names the current one, whose text role then wins.
UK_PRIME_MINISTERS: frozenset[str] = frozenset({
    "margaret thatcher", "john major", "tony blair", "gordon brown", "david cameron", "theresa may",
    "boris johnson", "liz truss", "rishi sunak", "keir starmer",
})


def leader_role(name: str) -> str | None:
    """The office of a well-known leader ("Volodymyr Zelensky" -> "president"), else None."""
    key = _norm(name)
    return LEADER_ROLES.get(key) or ("prime minister" if key in UK_PRIME_MINISTERS else None)



def role_country(role: str | None, setting: str | None = None, *, westminster: bool = True) -> str | None:
    """The country a role implies ("labour mp" -> GBR), else None.

    ``setting`` is the country the article is set in (:func:`analysis.actors.article_country`):
    it decides the Westminster roles; ``westminster=False`` ignores them.
    """
    low = f" {(role or '').lower()} "
    hits = {c for word, c in ROLE_COUNTRIES.items() if f" {word} " in low}
    if westminster and any(f" {word} " in low for word in WESTMINSTER_ROLES):
        hits.add(setting if setting in WESTMINSTER_COUNTRIES else "GBR")
    return hits.pop() if len(hits) == 1 else None


def leader_by_surname(surname: str) -> str | None:
    """The full name behind a bare surname, when exactly one LEADERS entry, or else exactly one
    president or vice president of the gazetteer, has it ("Obama" -> "barack obama"). Other
    politicians are never guessed from a surname alone (too many Roberts and Johnsons)."""
    s = _norm(surname)
    hits = [n for n in LEADERS if n.split()[-1] == s]
    if hits:
        return hits[0] if len(hits) == 1 else None
    if s in UK_PM_SURNAMES:
        return UK_PM_SURNAMES[s]
    return _executive_surnames().get(name_key(surname)) or None


# The British prime ministers whose surname alone names them in political news ("Mr Blair",
# "Thatcher said"); Major, Brown, May and Johnson are everyday surnames and stay unresolved.
UK_PM_SURNAMES: dict[str, str] = {n.split()[-1]: n for n in UK_PRIME_MINISTERS
                                  if n.split()[-1] not in {"major", "brown", "may", "johnson"}}


def is_valid_iso3(code: str) -> bool:
    import pycountry

    return code.upper() == "XKX" or pycountry.countries.get(alpha_3=code.upper()) is not None


def normalize_overrides(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Overrides as ``{name: {"country", "type", "role", "aliases"}}``.

    Accepts ``{"Donald Trump": "USA"}`` (country only), ``{"Zelenskyy": {"country": "UKR",
    "canonical": "Volodymyr Zelensky"}}`` or ``{"actors": {...}}``. Country codes are checked.
    """
    if "actors" in raw and isinstance(raw["actors"], dict):
        raw = raw["actors"]
    out: dict[str, dict[str, Any]] = {}
    for name, value in raw.items():
        entry: dict[str, Any] = {"country": value} if isinstance(value, str) else dict(value or {})
        code = entry.get("country")
        if code is not None and code != "":
            code = str(code).strip().upper()
            if not is_valid_iso3(code):
                raise InputError(
                    f"override for {name!r}: {code!r} is not an ISO 3166-1 alpha-3 code "
                    "(use e.g. USA, RUS, UKR, GBR)."
                )
            entry["country"] = code
        else:
            entry["country"] = None
        if isinstance(entry.get("aliases"), str):
            entry["aliases"] = [a.strip() for a in entry["aliases"].split("|") if a.strip()]
        kind = entry.get("type")
        if kind is not None and kind != "":
            kind = str(kind).strip().lower()
            if kind not in {t.value for t in ActorType}:
                raise InputError(f"override for {name!r}: type {entry['type']!r} is not one of "
                                 f"{', '.join(t.value for t in ActorType)}.")
            entry["type"] = kind
        else:
            entry.pop("type", None)
        out[str(name).strip()] = entry
    return out


def load_overrides(path: str | Path) -> dict[str, dict[str, Any]]:
    """Read an overrides file: JSON (object) or CSV (columns name, country[, type, role, aliases, canonical]).

    Raises InputError with the reason when the file cannot be used.
    """
    p = Path(path)
    try:
        data = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"overrides file {p}: cannot read it ({exc.strerror}).") from exc
    if p.suffix.lower() == ".csv":
        rows = list(csv.DictReader(data.splitlines()))
        if not rows or "name" not in rows[0]:
            raise InputError(f"overrides file {p}: a CSV needs a header with 'name' and 'country'.")
        raw: dict[str, Any] = {}
        for r in rows:
            if not (r.get("name") or "").strip():
                continue
            raw[r["name"]] = {k: (v.strip() if isinstance(v, str) else v) for k, v in r.items()
                              if k != "name" and v not in (None, "")}
        return normalize_overrides(raw)
    try:
        obj = json.loads(data)
    except json.JSONDecodeError as exc:
        raise InputError(f"overrides file {p}: not valid JSON ({exc.msg}, line {exc.lineno}).") from exc
    if not isinstance(obj, dict):
        raise InputError(f"overrides file {p}: expected a JSON object of name -> country code.")
    return normalize_overrides(obj)
