"""Actors: find the people, organisations, countries and groups an article mentions, and merge
their mentions into canonical actors with a type, a role and a country.

No statistical tagger is loaded here (the statement stage must stay fast and CPU-light), so
names are found by rules over capitalised word sequences:

* a sequence of capitalised words (with "of", "de", "bin" ... inside) is a candidate name;
  leading role titles ("US President", "Foreign Minister", "Sen.", "Mr.") are split off as the
  role and leading country words as country evidence ("Russian President Vladimir Putin");
* a sentence-initial capitalised word is only a name when the article also writes it
  capitalised mid-sentence, or it is in the gazetteer (so "Asked" or "Following" are not names);
* lower-case role descriptions ("Ukraine's foreign minister", "the Russian leader") are
  description mentions, resolved to the most recent person of the same country when there is
  one;
* a single surname ("Trump", "Mr. Trump") is merged with the earlier full name that ends with it
  ("Donald Trump"), the usual news convention.

>>> ms = find_mentions("US President Donald Trump met Foreign Minister Antonio Tajani of Italy.")
>>> [(m.name, m.role, m.country) for m in ms]
[('Donald Trump', 'president', 'USA'), ('Antonio Tajani', 'foreign minister', 'ITA')]
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import countries as C
from .labels import ActorType, CountryEvidence
from .records import Actor

# Role words that make up titles and descriptions, lower-cased without final periods.
ROLE_WORDS: frozenset[str] = frozenset({
    "president", "vice", "prime", "minister", "foreign", "defence", "defense", "secretary",
    "chancellor", "senator", "sen", "rep", "representative", "gov", "governor", "mayor",
    "ambassador", "envoy", "spokesman", "spokeswoman", "spokesperson", "speaker", "leader",
    "chairman", "chairwoman", "chair", "chief", "director", "general", "gen", "commissioner",
    "king", "queen", "prince", "princess", "pope", "premier", "judge", "justice", "attorney",
    "candidate", "nominee", "adviser", "advisor", "aide", "deputy", "head", "official",
    "commander", "colonel", "col", "lt", "captain", "capt", "sheikh", "ayatollah", "emir",
    "crown", "former", "acting", "interior", "finance", "trade", "economy", "health",
    "education", "energy", "campaign", "manager", "press", "national", "security", "senior",
    "top", "lawmaker", "congressman", "congresswoman", "treasury", "homeland", "state",
    "counterpart", "diplomat", "negotiator", "strongman", "dictator", "monarch", "presidential",
    "republican", "democratic", "democrat", "gop", "party", "house", "majority", "minority",
    "whip", "first", "lady", "ceo", "founder", "owner", "host", "anchor", "correspondent",
    "economist", "analyst", "professor", "prof", "dr", "rev", "pres", "amb", "sgt", "adm",
    "maj", "sec", "assistant", "special", "counsel", "solicitor", "cabinet", "mr", "mrs", "ms",
    "sir", "dame", "councillor", "councilor", "coun", "cllr", "alderman", "detective", "det",
    "constable", "const", "inspector", "insp", "superintendent", "supt", "corporal", "cpl",
})
# Role words that can be the head of a description ("the Italian minister").
ROLE_HEADS: frozenset[str] = frozenset({
    "president", "minister", "secretary", "chancellor", "senator", "governor", "mayor",
    "ambassador", "envoy", "spokesman", "spokeswoman", "spokesperson", "speaker", "leader",
    "chairman", "chairwoman", "chief", "director", "commissioner", "king", "queen", "prince",
    "pope", "premier", "judge", "nominee", "candidate", "adviser", "advisor", "aide", "head",
    "official", "commander", "diplomat", "negotiator", "counterpart", "monarch", "lawmaker",
    "congressman", "congresswoman", "manager", "ceo", "founder", "councillor", "councilor",
    "detective", "inspector", "superintendent",
})
ROLE_ABBREVIATIONS: dict[str, str] = {
    "sen": "senator", "rep": "representative", "gov": "governor", "gen": "general",
    "pres": "president", "amb": "ambassador", "sec": "secretary", "prof": "professor",
    "lt": "lieutenant", "col": "colonel", "capt": "captain", "adm": "admiral", "maj": "major",
    "sgt": "sergeant", "rev": "reverend", "coun": "councillor", "cllr": "councillor",
    "det": "detective", "const": "constable", "cpl": "corporal", "supt": "superintendent",
    "insp": "inspector",
}
HONORIFICS: frozenset[str] = frozenset({"mr", "mrs", "ms", "dr", "miss", "sir", "dame", "lord", "lady"})
FEMALE_MARKERS: frozenset[str] = frozenset({"mrs", "ms", "miss", "dame", "lady", "queen",
                                            "princess", "spokeswoman", "chairwoman",
                                            "congresswoman"})
MALE_MARKERS: frozenset[str] = frozenset({"mr", "sir", "lord", "king", "prince", "spokesman",
                                          "chairman", "congressman"})
# Words that mark an organisation name.
ORG_WORDS: frozenset[str] = frozenset({
    "department", "ministry", "party", "committee", "council", "union", "commission", "agency",
    "court", "congress", "senate", "parliament", "office", "administration", "campaign", "times",
    "post", "news", "journal", "reuters", "press", "institute", "university", "foundation",
    "association", "bank", "fund", "organization", "organisation", "group", "corporation", "inc",
    "corp", "company", "network", "service", "forces", "army", "navy", "police", "guard",
    "government", "cabinet", "bureau", "board", "center", "centre", "club", "federation",
    "alliance", "coalition", "movement", "church", "tribune", "herald", "gazette", "magazine",
    "channel", "tv", "radio", "broadcasting", "review", "daily", "telegraph", "guardian",
    "insider", "politico", "breitbart", "cnn", "fox", "msnbc", "npr", "pac",
    "staff", "team", "house", "kremlin", "pentagon", "ltd", "llc", "co", "airlines", "media",
    "partners", "holdings", "capital", "ventures", "industries", "technologies", "systems", "labs",
    "institutes", "council", "trust", "society", "initiative", "project", "institution",
    "enquirer", "inquirer", "observer", "chronicle", "examiner", "research", "polling", "league",
})
# Organisation words that are also common surnames ("Liam Fox", "Emily Post", "Sam House").
SURNAME_ORG_WORDS: frozenset[str] = frozenset({"fox", "post", "house", "church", "press", "league"})
# Words that rule out a person's name (places, events, documents, title-case headlines).
NOT_PERSON_WORDS: frozenset[str] = frozenset({
    "convention", "conference", "summit", "caucus", "caucuses", "primary", "debate", "show",
    "program", "act", "bill", "law", "amendment", "street", "avenue", "building", "hall",
    "airport", "station", "island", "islands", "river", "mountain", "mountains", "county", "city",
    "province", "district", "valley", "beach", "park", "square", "bridge", "road", "war", "day",
    "week", "year", "says", "said", "just", "to", "is", "are", "was", "will", "new", "north",
    "south", "east", "west", "northern", "southern", "eastern", "western", "zero", "ocean", "sea",
    "gulf", "strait", "coast", "peninsula", "plan", "deal", "treaty", "accord", "agreement",
    "false", "true", "mostly", "land", "thousands", "hundreds", "millions", "dozens", "of",
})
GROUP_WORDS: frozenset[str] = frozenset({
    "republicans", "democrats", "europeans", "conservatives", "liberals", "progressives",
    "evangelicals", "muslims", "christians", "jews", "allies", "americans", "russians",
    "ukrainians", "israelis", "palestinians", "taliban", "hamas", "hezbollah", "houthis",
    "women", "men", "people", "voters", "students", "workers", "families",
})
# Words allowed between a speaker and its cue verb ("Moscow has since said", "Trump last week told").
SKIP_BEFORE_CUE: frozenset[str] = frozenset({
    "also", "has", "have", "had", "since", "later", "again", "repeatedly", "previously", "then",
    "recently", "once", "publicly", "privately", "reportedly", "already", "often", "still", "just",
    "last", "week", "earlier", "further", "separately", "initially", "would", "will", "did", "does",
    "do", "not", "never", "first", "subsequently", "quickly",
    "simply", "even", "flatly", "openly", "strongly", "explicitly", "specifically", "frequently",
    "directly", "finally", "ultimately", "yesterday", "today", "tonight", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday", "month", "year", "night", "morning",
    "afternoon", "evening", "this", "immediately", "angrily", "bluntly", "famously", "proudly",
    "falsely", "correctly", "rightly", "wrongly", "personally", "himself", "herself",
    "themselves", "could", "might", "may", "can", "should", "must", "shall",
})
# Capitalised words that start sentences or headlines but never start a name.
STOP_CAPS: frozenset[str] = frozenset({
    "the", "a", "an", "and", "but", "or", "nor", "so", "yet", "for", "if", "when", "while",
    "after", "before", "following", "as", "at", "in", "on", "of", "to", "by", "with", "without",
    "from", "into", "during", "since", "until", "about", "against", "among", "under", "over",
    "asked", "this", "that", "these", "those", "it", "its", "he", "she", "they", "we", "i", "you",
    "his", "her", "their", "our", "my", "your", "yes", "no", "not", "there", "here", "what",
    "who", "whom", "which", "where", "why", "how", "all", "some", "many", "most", "more", "one",
    "two", "three", "each", "every", "both", "either", "neither", "other", "another", "such",
    "also", "still", "even", "just", "only", "then", "now", "later", "earlier", "meanwhile",
    "however", "instead", "although", "though", "because", "unless", "whether", "once", "read",
    "according", "despite", "amid", "through", "last", "next", "first", "less",
    "mr", "mrs", "ms", "dr", "sen", "rep", "gov", "said", "says", "say", "is", "was", "are",
    "be", "been", "has", "have", "had", "do", "does", "did", "will", "would", "can", "could",
    "should", "may", "might", "must", "let", "like", "well", "oh", "ok", "okay", "thank",
    "thanks", "please", "today", "tonight", "yesterday", "tomorrow", "here's", "it's", "that's",
    "i'm", "we're", "they're", "don't", "can't", "isn't", "let's", "photo", "image", "video",
    "watch", "related", "advertisement", "editor's", "note", "update", "updated", "claims",
    # Participles that open a clause before its subject ("Having announced ..., Judge Berman",
    # "Speaking in Beijing, ..."): never a name, though a speech verb may follow them.
    "having", "being", "speaking", "responding", "addressing", "testifying", "appearing",
    "campaigning", "reacting", "commenting", "writing", "pressed", "asked", "noting", "citing",
})
DAYS_MONTHS: frozenset[str] = frozenset({
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec",
})
# First names common in international news whose gender is near-unambiguous, so that "She said"
# after "Angela Merkel met Emmanuel Macron." finds Merkel. Hand-written, deliberately short:
# a name that is given to both (Jordan, Kim, Robin, Andrea, Nicola) is left out, and any
# honorific or role ("Mrs", "spokeswoman") in the text wins over it.
FEMALE_FIRST_NAMES: frozenset[str] = frozenset("""
angela annalena kamala hillary nancy theresa margaret liz elizabeth ursula giorgia marine
christine kaja jacinda sanna mette julia ana anna maria mary patricia jennifer linda
barbara susan jessica sarah karen lisa betty sandra ashley emily michelle amy melissa deborah
stephanie rebecca laura sharon cynthia kathleen helen amanda shirley katherine catherine
kristi kirsten tulsi alexandria ilhan rashida marjorie lauren nikki condoleezza madeleine
janet gina jill melania ivanka susana yulia olena iryna svetlana natalia olga tatiana
valentina beata ewa roberta federica marta sophie claire anne isabelle segolene rachida
emmanuelle ingrid heidi silvia francesca chiara priti suella yvette harriet diane rachel
penny kemi angela liz priya sonia indira benazir hasina
aung tsai yingluck imelda cristina dilma michelle gabriela
""".split())
MALE_FIRST_NAMES: frozenset[str] = frozenset("""
liam alastair iain clive rhodri geoff gerry seamus ciaran eamon
donald joe joseph barack george bill william john james robert michael david richard charles
thomas christopher daniel matthew anthony mark paul steven andrew kenneth kevin brian edward
ronald timothy jason jeffrey ryan jacob gary eric stephen larry justin scott brandon benjamin
samuel gregory frank alexander raymond patrick jack dennis jerry tyler aaron henry peter
vladimir volodymyr emmanuel olaf friedrich boris rishi keir tony gordon david nicolas francois
jacques sergei sergey dmitry dmitri mikhail alexei alexey viktor recep benjamin narendra
jair luiz lula justin mitch chuck ted marco rand mike kevin hakeem bernie
ron jd vivek pete antony lloyd jake merrick rudy dick al newt jeb ben nigel jeremy jacob
sajid dominic matt ed theo andrzej mateusz pedro mariano silvio matteo mario
giuseppe sergio antonio enrico luigi fabio karl helmut gerhard wolfgang markus
shinzo fumio yoshihide hassan ali mohammed muhammad ahmed abdullah
salman bashar hosni abdel yahya ismail khaled naftali yair yoav itamar bezalel mahmoud yasser
""".split())
FIRST_NAMES_FILE = Path(__file__).resolve().parent / "bundled" / "gazetteer" / "first_names.tsv"


@functools.cache
def _census_first_names() -> dict[str, str]:
    """{first name: "male"/"female"} from the US Census 1990 name lists (public domain; names
    given to both sexes left out; built by scripts/build_first_names.py)."""
    out: dict[str, str] = {}
    if FIRST_NAMES_FILE.is_file():
        for line in FIRST_NAMES_FILE.read_text(encoding="utf-8").splitlines():
            name, _, sex = line.partition("\t")
            out[name] = "male" if sex == "m" else "female"
    return out


def first_name_gender(first: str) -> str | None:
    """The gender a first name gives: the hand-written international lists above first, then the
    US Census lists ("Ian Anderson" is male, so a following "She said" is not his)."""
    low = first.lower()
    if low in FEMALE_FIRST_NAMES:
        return "female"
    if low in MALE_FIRST_NAMES:
        return "male"
    return _census_first_names().get(low)


CONNECTORS: frozenset[str] = frozenset({"of", "de", "da", "van", "von", "der", "den", "bin",
                                        "al", "la", "le", "du", "del", "y", "for", "and"})
PRONOUNS: dict[str, str] = {
    "he": "male", "him": "male", "his": "male", "she": "female", "her": "female",
    "they": "plural", "them": "plural", "it": "neuter", "who": "rel", "which": "rel",
    "i": "first", "we": "first", "you": "second",
}

TOKEN = re.compile(
    r"(?:[A-Za-z]\.){2,}"                                   # U.S., U.N., D.C.
    r"|(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Sgt|St|Jr|Sr|Prof|Rev|Amb|Capt|Adm|Maj|Sec|Pres|Coun|Cllr|Det|Const|Cpl|Supt|Insp)\.(?=\s)"
    r"|[A-Z]\.(?=\s[A-Z])"                                # initials: "James B. Comey"
    r"|\w+(?:[’'\-]\w+)*"
    r"|[^\w\s]"
)


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str

    @property
    def low(self) -> str:
        return self.text.lower().rstrip(".")

    @property
    def is_cap(self) -> bool:
        return self.text[:1].isupper()


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Word and punctuation tokens with absolute offsets."""
    return [Token(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text, start, len(text) if end is None else end)]


@dataclass(frozen=True)
class Mention:
    """A place where the text names or describes an actor. Frozen: the rule passes that learn
    more about it (roles around it, its canonical actor) return new mentions."""

    start: int
    end: int
    text: str
    name: str                      # the core name ("Donald Trump") or description text
    kind: str                      # name | description | generic | pronoun
    type: str | None = None        # ActorType value, None while unknown
    role: str | None = None
    country: str | None = None     # text evidence only
    gender: str | None = None
    in_quote: bool = False
    actor: str | None = None       # canonical actor name after resolution
    evidence: str | None = None    # where the country came from: text | gazetteer | override


def _strip_possessive(word: str) -> tuple[str, bool]:
    m = re.match(r"^(.*?)(?:['’]s|['’])$", word)
    if m and m.group(1):
        return m.group(1), True
    return word, False


def _parse_country_prefix(words: list[str]) -> tuple[str | None, int]:
    """Country evidence at the start of a title ("US", "Russian", "South Korean")."""
    for n in (3, 2, 1):
        if len(words) > n:
            code = C.country_of(" ".join(words[:n]))
            if code and " ".join(words[:n]).lower() not in C.GOVERNMENT_BODIES:
                return code, n
    return None, 0


# Words that qualify a title only when a role word follows ("New Home Secretary", "Former
# President", "Tory leader", "Labour MP"): alone they are ordinary name parts ("New York",
# "Home Depot", "Labour" the party).
TITLE_QUALIFIERS: frozenset[str] = frozenset({
    "new", "former", "outgoing", "incoming", "then", "shadow", "junior", "home", "culture",
    "environment", "transport", "business", "work", "pensions", "exchequer", "tory", "labour",
    "conservative", "liberal", "lib", "dem", "democrat", "snp", "ukip", "green", "tánaiste", "retired",
    "acting", "deputy", "assistant", "senior", "chief", "ranking",
})
# Role words of parliamentary systems that ROLE_WORDS (US-leaning) lacks; heads of a title.
PARLIAMENT_ROLES: frozenset[str] = frozenset({"mp", "mps", "mep", "msp", "peer", "backbencher", "frontbencher"})


def _role_prefix(words: list[str]) -> tuple[str | None, int, str | None]:
    """Leading role words of a name ("Foreign Minister", "Secretary of State", "Mr.",
    "New Home Secretary", "Tory leader")."""
    i = 0
    gender = None
    role: list[str] = []
    # A portfolio, place or body before a role head, then a name of two or more words: "Housing
    # Minister Sean Fraser", "Toronto Mayor Olivia Chow", "Bank of Canada Governor Tiff Macklem",
    # "Home Depot Chief Executive Ted Decker". The words before the head are no name part.
    heads = [k for k in range(1, min(len(words) - 2, 5))
             if words[k].lower().rstrip(".") in ROLE_HEADS | {"executive", "officer"}]
    if heads and words[0].lower().rstrip(".") not in ROLE_WORDS:
        k = heads[-1]
        title, name = words[:k + 1], words[k + 1:]
        if (all(w[:1].isupper() or w.lower() in {"of", "for", "and"} for w in title)
                and all(re.fullmatch(r"[A-Z][\w’'\-.]*", w) and w.lower().rstrip(".") not in ROLE_WORDS
                        for w in name)):
            low_title = [w.lower().rstrip(".") for w in title]
            gender = ("female" if any(w in FEMALE_MARKERS for w in low_title)
                      else "male" if any(w in MALE_MARKERS for w in low_title) else None)
            return " ".join(low_title), k + 1, gender
    while i < len(words) - 1:
        low = words[i].lower().rstrip(".")
        if low in TITLE_QUALIFIERS and low not in ROLE_WORDS:
            # A qualifier counts only in a run of qualifiers that ends in a role word before the name.
            k = i
            while k < len(words) - 1 and words[k].lower().rstrip(".") in TITLE_QUALIFIERS - ROLE_WORDS:
                k += 1
            head = words[k].lower().rstrip(".") if k < len(words) - 1 else ""
            if head in ROLE_WORDS or head in PARLIAMENT_ROLES:
                role.extend(w.lower() for w in words[i:k])
                i = k
                continue
            break
        if low in PARLIAMENT_ROLES:
            role.append(low)
            i += 1
            continue
        if low in ROLE_WORDS:
            if low in FEMALE_MARKERS:
                gender = "female"
            elif low in MALE_MARKERS:
                gender = "male"
            if low not in HONORIFICS:
                role.append(ROLE_ABBREVIATIONS.get(low, low))
            elif i + 1 < len(words):
                i += 1
                break   # "Mr. King", "Ms. Bishop": after an honorific comes the name, role word or not
            i += 1
            # "Secretary of State", "Minister of Defence"
            if (i + 1 < len(words) - 1 and words[i].lower() == "of"
                    and words[i + 1].lower().rstrip(".") in {"state", "defense", "defence", "justice",
                                                             "the", "foreign", "interior", "homeland"}):
                role.extend(w.lower() for w in words[i:i + 2])
                i += 2
            continue
        break
    return (" ".join(role) or None), i, gender


# People nouns whose plural names a group of speakers ("Critics said", "Labour MPs said").
PEOPLE_NOUNS: frozenset[str] = frozenset({
    "critic", "expert", "analyst", "official", "minister", "lawmaker", "observer", "opponent",
    "supporter", "campaigner", "activist", "protester", "protestor", "resident", "voter",
    "economist", "diplomat", "leader", "member", "mp", "msp", "mep", "senator", "rebel",
    "backbencher", "source", "insider", "aide", "adviser", "advisor", "officer", "negotiator",
    "investigator", "prosecutor", "scientist", "doctor", "teacher", "worker", "farmer", "student",
    "parent", "citizen", "villager", "witness", "survivor", "victim", "veteran", "delegate",
})


def is_plural_people(word: str) -> bool:
    w = word.lower().rstrip(".")
    return w.endswith("s") and (w[:-1] in PEOPLE_NOUNS or (w.endswith("ies") and w[:-3] + "y" in PEOPLE_NOUNS))


def _classify(name: str) -> tuple[str | None, str | None]:
    """(type, country) for a bare name from the gazetteer, or (None, None)."""
    low = name.lower()
    low = low[4:] if low.startswith("the ") else low
    if C.is_country_name(low):
        return ActorType.COUNTRY.value, C.country_of(low)
    if low in C.CAPITALS:
        return ActorType.COUNTRY.value, C.CAPITALS[low]
    if low in C.GOVERNMENT_BODIES:
        return ActorType.ORGANIZATION.value, C.GOVERNMENT_BODIES[low]
    if low in C.INTERNATIONAL_BODIES or low in C.COMPANIES:
        return ActorType.ORGANIZATION.value, None
    if low in C.DEMONYMS and low.endswith("s"):
        return ActorType.GROUP.value, C.DEMONYMS[low]
    words = low.split()
    if low in GROUP_WORDS or len(words) <= 3 and words and words[-1] in GROUP_WORDS:
        # "Virginia Democrats", "Black Women": people of a persuasion or a kind, a group.
        return ActorType.GROUP.value, None
    if len(words) >= 3 and is_plural_people(words[0]) and words[1] in ("of", "in", "from"):
        # "Residents of Gaza", "Voters in Ohio": people of a place, a group with its country.
        tail = " ".join(words[2:])
        return ActorType.GROUP.value, C.country_of(tail) or C.PLACES.get(tail)
    if words and is_plural_people(words[-1]):
        # "Critics", "Ministers", "Labour MPs", "Senior officials": a group, not a person.
        return ActorType.GROUP.value, C.role_country(" ".join(words[:-1] + [words[-1].rstrip("s")]))
    if (len(words) in (2, 3) and words[-1] in SURNAME_ORG_WORDS and first_name_gender(words[0])
            and not any(w.rstrip(".") in ORG_WORDS for w in words[:-1])):
        return None, None  # "Liam Fox", "Emily Post": a first name makes the outlet word a surname
    if any(w.rstrip(".") in ORG_WORDS for w in words) or re.fullmatch(r"[A-Z]{2,6}", name):
        code = None
        m = re.search(r"\bof (?:the )?(.+)$", name)
        if m:
            code = C.country_of(m.group(1))
        if code is None:
            prefix, n = _parse_country_prefix(name.split())
            code = prefix if n else None
        return ActorType.ORGANIZATION.value, code
    return None, None


def _month_as_name(tokens: list[Token], j: int) -> bool:
    """A month's name as a surname: "Theresa May", "Mrs. May" (after an honorific or a first
    name, and not followed by a day's number as in "Thursday, May 5")."""
    prev = tokens[j - 1].low
    after = tokens[j + 1].text if j + 1 < len(tokens) else ""
    return (prev in HONORIFICS or first_name_gender(prev) is not None) and not after[:1].isdigit()


def _cap_sequences(tokens: list[Token], text: str) -> list[tuple[int, int]]:
    """Index ranges [i, j) of capitalised word sequences (with connectors inside)."""
    out: list[tuple[int, int]] = []
    i = 0
    n = len(tokens)
    while i < n:
        t = tokens[i]
        if not (t.is_cap and re.match(r"\w", t.text)) or t.low in DAYS_MONTHS:
            i += 1
            continue
        j = i + 1
        while j < n:
            tj = tokens[j]
            gap = text[tokens[j - 1].end:tj.start]
            if gap not in (" ", ""):
                break
            if _strip_possessive(tokens[j - 1].text)[1]:
                break  # "Ukraine's foreign minister": the possessive ends the name
            if (tj.text in ("'", "’") and tokens[j - 1].text.endswith("s") and j + 1 < n
                    and tj.end == tokens[j + 1].start - 1 and tokens[j + 1].is_cap
                    and tokens[j + 1].low in ORG_WORDS):
                j += 2   # a plural possessive inside a body's name: "Canadian Home Builders' Association"
                continue
            if tj.is_cap and re.match(r"\w", tj.text) and (tj.low not in DAYS_MONTHS or _month_as_name(tokens, j)):
                j += 1
                continue
            if (tj.low in CONNECTORS and j + 1 < n and tokens[j + 1].is_cap
                    and text[tj.end:tokens[j + 1].start] == " "
                    and tokens[j + 1].low not in DAYS_MONTHS and tj.low not in {"and", "for"}):
                j += 2
                continue
            break
        out.append((i, j))
        i = j
    return out


_SMALL_WORDS = frozenset({"a", "an", "the", "of", "and", "or", "to", "in", "on", "for", "at", "by",
                          "with", "as", "from", "vs", "but", "is"})


def _title_case_lines(text: str) -> list[tuple[int, int]]:
    """Lines written In Title Case (headlines): every word capitalised says nothing about names."""
    spans: list[tuple[int, int]] = []
    lower_vocab: set[str] | None = None
    for m in re.finditer(r"[^\n]+", text):
        words = [w for w in re.findall(r"[A-Za-z][\w'’\-]*", m.group()) if w.lower() not in _SMALL_WORDS]
        if len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.8 * len(words):
            # A line of names ("Russian President Vladimir Putin spoke.") is no headline: a
            # title-case headline capitalises words the article otherwise writes in lower case.
            if lower_vocab is None:
                lower_vocab = {w for w in re.findall(r"(?<![\w'’])[a-z][\w'’\-]*", text)}
            common = sum(1 for w in words if w[0].isupper() and w.lower() in lower_vocab)
            if common >= 2:
                spans.append((m.start(), m.end()))
    return spans


def _split_title_case(ranges: list[tuple[int, int]], tokens: list[Token], text: str,
                      titles: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Inside a title-case headline keep only the word runs that the article also writes
    elsewhere ("Voters Worried About Hillary Clinton" -> "Hillary Clinton")."""
    if not titles:
        return ranges
    out: list[tuple[int, int]] = []
    for i, j in ranges:
        span = next(((s, e) for s, e in titles if s <= tokens[i].start < e), None)
        if span is None:
            out.append((i, j))
            continue
        rest = text[:span[0]] + "\n" + text[span[1]:]
        a = i
        while a < j:
            found = 0
            for b in range(min(j, a + 5), a, -1):
                phrase = " ".join(_strip_possessive(t.text)[0] for t in tokens[a:b])
                if re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", rest):
                    found = b
                    break
            if found:
                out.append((a, found))
                a = found
            else:
                a += 1
    return out


def _sentence_initial(tokens: list[Token], i: int, text: str) -> bool:
    if i == 0:
        return True
    prev = tokens[i - 1]
    if prev.text == '"':
        # An opening straight quote (space or start before it) starts a sentence; a closing one does not.
        return prev.start == 0 or text[prev.start - 1].isspace()
    return prev.text in {".", "!", "?", "“", "‘", ":", "—", "(", "–"} or "\n" in text[prev.end:tokens[i].start]


def _quote_mask(text: str) -> list[tuple[int, int]]:
    """Character ranges inside double quotation marks."""
    spans: list[tuple[int, int]] = []
    for m in re.finditer(r"“[^”]*”|(?<![\w])\"[^\"]*\"", text):
        spans.append((m.start(), m.end()))
    return spans


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``pos`` lies strictly inside one of ``spans`` (sorted, non-overlapping)."""
    i = bisect.bisect_right(spans, (pos, float("inf"))) - 1
    return i >= 0 and spans[i][0] < pos < spans[i][1]


_DESCRIPTION = re.compile(
    r"\b(?:(?P<det>[Tt]he|[Aa]n?|[Hh]is|[Hh]er|[Tt]heir|[Ii]ts)\s+)?"
    r"(?P<country>[A-Z][\w.]*(?:\s[A-Z][\w.]*)?(?:['’]s)?)\s+"
    r"(?P<role>(?:[a-z\-]+\s){0,2}[a-z\-]+)\b"
)


def find_mentions(text: str, quote_spans: list[tuple[int, int]] | None = None,
                  speech_verbs: frozenset[str] = frozenset()) -> list[Mention]:
    """Name and description mentions of actors and countries in ``text``, in text order.

    Pronouns and generic speakers ("officials") are not listed here; the attribution rules
    create them where they are speakers.
    """
    tokens = tokenize(text)
    quotes = quote_spans if quote_spans is not None else _quote_mask(text)
    # Words written capitalised mid-sentence somewhere in the article: evidence that a
    # sentence-initial capitalised word is a name.
    mid_caps: set[str] = set()
    for i, t in enumerate(tokens):
        if t.is_cap and not _sentence_initial(tokens, i, text):
            mid_caps.add(_strip_possessive(t.text)[0].lower())
    mentions: list[Mention] = []
    # Role words the article uses as a person's surname: "Billie Jean King", "Theresa May".
    surnames = {m.group(3).lower() for m in re.finditer(r"\b([A-Z][a-z]+\s+)?([A-Z][a-z]+)\s+([A-Z][a-z]+)\b", text)
                if m.group(3).lower() in ROLE_WORDS
                and (first_name_gender(m.group(2)) is not None
                     or m.group(1) and all(w.lower() not in ROLE_WORDS | STOP_CAPS | ORG_WORDS
                                           for w in (m.group(1).strip(), m.group(2))))}
    titles = _title_case_lines(text)
    for i, j in _split_title_case(_cap_sequences(tokens, text), tokens, text, titles):
        words = [t.text for t in tokens[i:j]]
        # A plural possessive apostrophe stays on its word: "Builders'" (see the name scan above).
        for k in range(len(words) - 1, 0, -1):
            if words[k] in ("'", "’") and tokens[i + k].start == tokens[i + k - 1].end:
                words[k - 1:k + 1] = [words[k - 1] + words[k]]
        start_i = i
        # Drop leading stop words ("The State Department", "After Trump").
        while words and (words[0].lower().rstrip(".") in STOP_CAPS
                         and words[0].lower().rstrip(".") not in HONORIFICS | {"sen", "rep", "gov"}):
            words = words[1:]
            start_i += 1
        if not words:
            continue
        of_at = next((k for k, w in enumerate(words) if w == "of"), 0)
        place = " ".join(words[of_at + 1:])
        from_place = (C.country_of(place) or ("USA" if place.lower() in C.US_STATES else None)) if of_at else None
        if of_at >= 2 and from_place and any(w.lower() in MALE_FIRST_NAMES | FEMALE_FIRST_NAMES for w in words[:of_at]):
            # "Mary Smith of California said", "Foreign Minister Antonio Tajani of Italy": a person
            # and where they are from (their country, from the text), not one name.
            j -= len(words) - of_at
            words = words[:of_at]
        else:
            from_place = None
        last, possessive = _strip_possessive(words[-1])
        words[-1] = last
        first_low = words[0].lower()
        next_low = tokens[j].text.lower() if j < len(tokens) else ""
        # A lone sentence-initial word is a name when a speech verb, a quotation or a relative
        # clause follows it ("Tajani \"highlighted ...\"", "Trump, who said ...").
        # "according to Smith": the source of an attribution, so a name too.
        after_according = text[max(0, tokens[start_i].start - 16):tokens[start_i].start].lower().rstrip().endswith(
            "according to")
        # "Peskov later said", "Lavrov has repeatedly said": skip adverbs before the verb.
        k = j
        while k < len(tokens) and k - j < 4 and (tokens[k].text.lower() in SKIP_BEFORE_CUE or (
                tokens[k].text.islower() and tokens[k].text.endswith("ly") and len(tokens[k].text) > 4)):
            k += 1
        verb_low = tokens[k].text.lower() if k < len(tokens) else ""
        # "PENCE: Well, look, ..." (a transcript) and "Kasich: 'We Are Going To ...'" (a headline).
        label = next_low == ":" and _sentence_initial(tokens, start_i, text) and j - start_i <= 3
        subject_like = (next_low in speech_verbs or verb_low in speech_verbs or next_low in {'"', "“"} or label
                        or after_according
                        or re.match(r",\s+who\b", text[tokens[j - 1].end:tokens[j - 1].end + 6]) is not None)
        if (len(words) == 1 and _sentence_initial(tokens, start_i, text)
                and first_low not in mid_caps and not subject_like and C.country_of(first_low) is None
                and first_low not in C.INTERNATIONAL_BODIES):
            continue
        span_start = tokens[start_i].start
        span_end = tokens[j - 1].end - (len(tokens[j - 1].text) - len(_strip_possessive(tokens[j - 1].text)[0]))
        country, n_country = _parse_country_prefix(words)
        state = next((n for n in (2, 1) if len(words) > n + 1 and " ".join(words[:n]).lower() in C.US_STATES
                      and words[n].lower().rstrip(".") in C.US_STATE_TITLES), 0)
        if state and not n_country:
            # "Pennsylvania Gov. Ed Rendell": a US state's governor; the state is no name part.
            country, n_country = "USA", state
        elif n_country:
            prefix = " ".join(words[:n_country])
            after = words[n_country].lower().rstrip(".") if n_country < len(words) else ""
            if prefix.lower() in C.US_STATES and after in C.US_STATE_TITLES:
                country = "USA"  # "Georgia Gov. Brian Kemp": a US state's governor
            elif (prefix.lower() not in C.DEMONYMS and prefix.lower() not in C.ADJECTIVAL_ABBREVIATIONS
                  and after not in ROLE_WORDS):
                # A country or capital *name* right before a bare name is part of the name:
                # "Chad Wolf", "Paris Hilton", "Jordan Peterson".
                country, n_country = None, 0
        rest = words[n_country:]
        body_country, n_body = _body_prefix(rest)
        if _is_gazetteer_name(" ".join(rest)) or _is_gazetteer_name(" ".join(words)):
            # "State Department", "Russian Federation": a body or country name, not a title.
            if _is_gazetteer_name(" ".join(words)):
                rest, country = words, None
            role, n_role, gender = None, 0, None
        else:
            if n_body:
                # "White House Press Secretary Jane Roe": the body says the country.
                country = country or body_country
                rest = rest[n_body:]
            role, n_role, gender = _role_prefix(rest)
            if n_role and C.is_country_name(" ".join(rest[n_role:])):
                # "Health Canada", "Transport Canada": a department named after its country,
                # not the country with a title.
                role, n_role, gender = None, 0, None
        name_words = rest[n_role:]
        if not name_words:
            continue
        # "Antonio Tajani of Italy"
        of_country = None
        if "of" in [w.lower() for w in name_words]:
            k = [w.lower() for w in name_words].index("of")
            tail = " ".join(name_words[k + 1:])
            code = C.country_of(tail)
            head_type, _ = _classify(" ".join(name_words[:k]))
            if code and k > 0 and head_type is None:
                of_country = code
                name_words = name_words[:k]
        name = " ".join(name_words)
        if label and name.isupper() and len(name) >= 4 and name.lower() not in C.INTERNATIONAL_BODIES:
            name = name.title()   # a transcript's "PENCE:" is Pence (and joins "Mike Pence")
        if (len(name_words) >= 2 and name_words[-1].lower().rstrip(".") in PARLIAMENT_ROLES | ROLE_HEADS
                and _classify(name)[0] is None
                and not (first_name_gender(name_words[0]) is not None
                         or len(name_words) >= 3 and name_words[-1].lower() in {"king", "bishop"})):
            continue  # "Yellowhead MP", "Ohio Senator": a title without a name, not an actor;
            #           but "Pete King", "Billie Jean King" are names
        if "-" in name and all(C.country_of(p) for p in name.split("-")):
            continue  # "Russia-Ukraine war": an adjective, not an actor
        honorific = n_role > 0 and rest[n_role - 1].lower().rstrip(".") in HONORIFICS
        if ((name.lower() in STOP_CAPS or name.lower().rstrip(".") in ROLE_WORDS) and not honorific
                and name.lower() not in surnames):
            continue   # ... but "Mr. King", "Mrs. May": a surname after an honorific, or one the
            #            article gives a person ("King says" after "Billie Jean King")
        mtype, gaz_country = _classify(name)
        if honorific and mtype == ActorType.ORGANIZATION.value and not _is_gazetteer_name(name):
            mtype, gaz_country = ActorType.PERSON.value, None  # "Dr Fox", "Mr House": a person
        if mtype is None:
            if len(name_words) == 1 and name.lower() in C.DEMONYMS:
                # "Russian strikes", "the Ukrainian armed forces": a mention of the country.
                mentions.append(Mention(span_start, span_end, text[span_start:span_end], name, "name",
                                        ActorType.COUNTRY.value, None, C.DEMONYMS[name.lower()], None,
                                        _inside(span_start, quotes), evidence="gazetteer"))
                continue
            if len(name_words) == 1 and subject_like and not possessive:
                mtype = ActorType.PERSON.value  # "Burton said": a speaker, so a person
            elif role or gender or len(name_words) >= 2:
                mtype = ActorType.PERSON.value if (role or gender or _looks_like_person(name_words)) else None
        if gender is None and mtype in (None, ActorType.PERSON.value) and len(name_words) >= 2:
            first = name_words[0].lower()
            gender = first_name_gender(first)
        # "Toronto Mayor Olivia Chow", "Bank of Canada Governor Tiff Macklem": the place in the title.
        m_country = country or of_country or (C.place_in(role) if role else None)
        evidence = "text" if m_country else None
        if mtype in (ActorType.COUNTRY.value, ActorType.ORGANIZATION.value, ActorType.GROUP.value):
            if m_country is None and gaz_country:
                m_country, evidence = gaz_country, "gazetteer"
        if from_place and m_country is None:
            m_country, evidence = from_place, "text"
        # Possessive country before: "Ukraine's President Volodymyr Zelensky".
        if start_i > 0 and m_country is None and mtype in (None, ActorType.PERSON.value):
            prev = tokens[start_i - 1].text
            base, poss = _strip_possessive(prev)
            if poss and C.is_country_name(base) and role:
                m_country, evidence = C.country_of(base), "text"
        mentions.append(Mention(span_start, span_end, text[span_start:span_end], name, "name",
                                mtype, role, m_country, gender, _inside(span_start, quotes),
                                evidence=evidence))
    mentions.extend(_descriptions(text, quotes, mentions))
    mentions.sort(key=lambda m: m.start)
    return _role_context(text, mentions)


def _is_gazetteer_name(name: str) -> bool:
    """A country, capital, government body or international body, by exact name."""
    low = name.lower()
    low = low[4:] if low.startswith("the ") else low
    return (C.is_country_name(low) or low in C.CAPITALS or low in C.GOVERNMENT_BODIES
            or low in C.INTERNATIONAL_BODIES)


def _body_prefix(words: list[str]) -> tuple[str | None, int]:
    """A government body at the start of a longer title ("White House Press Secretary ...")."""
    for n in (3, 2, 1):
        if len(words) > n + 1:
            low = " ".join(words[:n]).lower()
            if low in C.GOVERNMENT_BODIES:
                return C.GOVERNMENT_BODIES[low], n
            if low in C.INTERNATIONAL_BODIES and words[n].lower().rstrip(".") in ROLE_WORDS:
                return None, n  # "NATO Secretary General Mark Rutte": no single country
    return None, 0


def _looks_like_person(words: list[str]) -> bool:
    """Two or three capitalised words without organisation words read as a person's name."""
    if not 2 <= len(words) <= 4:
        return False
    # A known first name is no common noun here: "Bill Clinton", "Mark Rutte".
    rest = words[1:] if words[0].lower() in MALE_FIRST_NAMES | FEMALE_FIRST_NAMES else words
    if any(w.lower() in ORG_WORDS or w.lower() in NOT_PERSON_WORDS or w.lower() in C.CAPITALS
           or C.country_of(w) for w in rest):
        return False
    return all(re.fullmatch(r"[A-Z][a-zA-Z’'\-.]*", w) or w.lower() in CONNECTORS for w in words)


def _descriptions(text: str, quotes: list[tuple[int, int]], names: list[Mention]) -> list[Mention]:
    """Descriptions by country and role: "Ukraine's foreign minister", "the Russian leader"."""
    # Names already found block a description, except the country word of the description itself.
    taken: list[tuple[int, int]] = [(m.start, m.end) for m in names if m.type != ActorType.COUNTRY.value]
    found_before = len(taken)
    out: list[Mention] = []
    for m in _DESCRIPTION.finditer(text):
        country_word = m.group("country")
        base, poss = _strip_possessive(country_word)
        code = C.country_of(base) if (poss or base.lower() in C.DEMONYMS) else None
        if code is None or base.lower() in C.GOVERNMENT_BODIES:
            continue
        role_words = m.group("role").split()
        # Keep the role up to its head word ("foreign minister as well" -> "foreign minister").
        k = max((n for n, w in enumerate(role_words) if w in ROLE_HEADS), default=-1)
        if k < 0 or any(w not in ROLE_WORDS for w in role_words[:k + 1]):
            continue
        role = " ".join(role_words[:k + 1])
        start = m.start("det") if m.group("det") else m.start("country")
        end = m.start("role") + len(role)
        # Followed by a capitalised name: that is a titled name, not a description.
        after = text[end:end + 2]
        if re.match(r" [A-Z]", after):
            continue
        if any(s < end and start < e for s, e in taken):
            continue
        gender = "female" if role_words[k] in FEMALE_MARKERS else ("male" if role_words[k] in MALE_MARKERS else None)
        out.append(Mention(start, end, text[start:end], text[start:end], "description",
                           ActorType.PERSON.value, role, code, gender, _inside(start, quotes),
                           evidence="text"))
        taken.append((start, end))
    taken = taken[found_before:]  # only the descriptions just found; names are checked by type below
    # Role descriptions without a country: "the Tory leader", "the mayor", "the former senator".
    # They name someone the article has named before by that role (resolve_names links them).
    typed = [(m.start, m.end) for m in names if m.type is not None and m.type != ActorType.COUNTRY.value]
    for m in _ROLE_DESCRIPTION.finditer(text):
        words = m.group("role").split()
        # The longest run of role words that ends in a role head: "former senator said" -> "former senator".
        k = next((n for n in range(len(words), 0, -1) if words[n - 1] in ROLE_HEADS | PARLIAMENT_ROLES
                  and all(w in ROLE_WORDS | PARLIAMENT_ROLES | TITLE_QUALIFIERS for w in words[:n - 1])), 0)
        if not k:
            continue
        role_words = words[:k]
        start = m.start()
        end = m.start("role") + len(" ".join(role_words))
        if re.match(r" [A-Z]", text[end:end + 2]) or any(s < end and start < e for s, e in typed + taken):
            continue
        qual = (m.group("qual") or "").strip().lower()
        role = " ".join([*([qual] if qual else []), *role_words])
        head = role_words[-1]
        gender = "female" if head in FEMALE_MARKERS else ("male" if head in MALE_MARKERS else None)
        out.append(Mention(start, end, text[start:end], text[start:end], "description",
                           ActorType.PERSON.value, role, C.role_country(role), gender, _inside(start, quotes),
                           evidence="role"))
    return out


_ROLE_DESCRIPTION = re.compile(
    r"\b[Tt]he\s+(?P<qual>(?:Tory|Labour|Conservative|Lib Dem|Liberal Democrat|Republican|Democratic|GOP|SNP)\s+)?"
    r"(?P<role>[a-z]+(?:\s[a-z]+){0,2})\b"
)

_APPOSITIVE = re.compile(
    r"^,\s+(?:the\s+|a\s+|an\s+)?(?:(?P<country>[A-Z][\w.]*(?:\s[A-Z][\w.]*)?)(?:['’]s)?\s+)?"
    r"(?P<role>(?:[a-z\-]+\s){0,3}?(?:" + "|".join(sorted(ROLE_HEADS)) + r"))\b"
)
_LOWER_ROLE_BEFORE = re.compile(
    r"(?:(?P<org>(?:[A-Z][\w.’']*\s){1,4}))?(?P<role>(?:(?:" + "|".join(sorted(ROLE_WORDS)) + r")\s){1,3})$"
)


_US_PARTY_STATE = re.compile(r"\s*\((?:D|R|I)\s?[-–,]\s?[A-Z][A-Za-z. ]{1,14}\)")


def _role_context(text: str, mentions: list[Mention]) -> list[Mention]:
    """The mentions with the roles and countries stated around each name: "State Department
    spokesman Tommy Pigott", "Antonio Tajani, Italy's foreign minister," ."""
    return [_with_role_context(text, m) for m in mentions]


def _with_role_context(text: str, m: Mention) -> Mention:
    if m.kind != "name" or m.type not in (None, ActorType.PERSON.value):
        return m
    role, type_, country, evidence = m.role, m.type, m.country, m.evidence
    before = text[max(0, m.start - 80):m.start]
    lb = _LOWER_ROLE_BEFORE.search(before)
    if lb and lb.group("role").strip():
        role_words = lb.group("role").split()
        if any(w in ROLE_HEADS for w in role_words):
            org = (lb.group("org") or "").strip()
            # "Labour leader Tony Blair": the party word belongs to the role, so that "the
            # Labour leader" later finds Blair and not the Tory leader named after him.
            party = org.split()[-1].lower() if org else ""
            party = party if party in TITLE_QUALIFIERS - ROLE_WORDS else ""
            for two_words in ("lib dem", "liberal democrat"):
                if org.lower().endswith(two_words):
                    party = two_words   # "Lib Dem leader Charles Kennedy"
            role = role or " ".join([*([party] if party else []), *role_words])
            type_ = ActorType.PERSON.value
            if party and country is None and C.role_country(party):
                country, evidence = C.role_country(party), "text"
            if org and country is None:
                org_words = org.split()
                for k in range(len(org_words)):
                    code = C.country_of(" ".join(org_words[k:]).rstrip("’'s"))
                    if code:
                        country, evidence = code, "text"
                        break
    after = text[m.end:m.end + 80]
    # US congressional style: "Sen. Bernie Sanders (I-Vt.)", "Rep. Elijah Cummings (D-Md.)".
    if country is None and _US_PARTY_STATE.match(after):
        country, evidence = "USA", "text"
        type_ = ActorType.PERSON.value
    ap = _APPOSITIVE.match(after)
    # An appositive closes ("Chelsea Clinton, the senator's daughter, said"); a role that runs
    # on into a verb is the next clause's subject ("in Chelsea, the mayor also said"), and a
    # name after "in" or "at" is a place.
    if ap and (not re.match(r"\s*(?:[,.;:)\u2013\u2014]|$|(?:of|for|at|in|and|to|from|who)\b)", after[ap.end():])
               or re.search(r"\b(?:in|at|near)\s+$", text[max(0, m.start - 6):m.start])):
        ap = None
    if ap:
        type_ = ActorType.PERSON.value
        role = role or ap.group("role")
        if ap.group("country") and country is None:
            code = C.country_of(_strip_possessive(ap.group("country"))[0])
            if code:
                country, evidence = code, "text"
    return replace(m, role=role, type=type_, country=country, evidence=evidence)


@dataclass
class ActorTable:
    """Canonical actors of one article (or an analysis) and the mapping from mention names."""

    actors: dict[str, dict[str, Any]] = field(default_factory=dict)   # canonical -> info
    alias: dict[str, str] = field(default_factory=dict)               # lower alias -> canonical

    def get(self, name: str) -> str | None:
        return self.alias.get(name.lower())

    def add(self, canonical: str, mention: Mention | None = None, *, type_: str | None = None,
            country: str | None = None, role: str | None = None, evidence: str | None = None) -> str:
        info = self.actors.setdefault(canonical, {"type": type_, "country": None, "role": None,
                                                  "aliases": [], "countries": Counter(),
                                                  "gender": None, "evidence": None, "n": 0})
        info["n"] += 1
        if type_ and (info["type"] is None or info["type"] == ActorType.GROUP.value and type_ == ActorType.PERSON.value):
            info["type"] = type_
        if role and not info["role"]:
            info["role"] = role
        if country:
            info["countries"][(country, evidence or "text")] += 1
        if mention is not None:
            for a in (mention.name, mention.text):
                if a and a not in info["aliases"]:
                    info["aliases"].append(a)
            if mention.gender and not info["gender"]:
                info["gender"] = mention.gender
        self.alias.setdefault(canonical.lower(), canonical)
        return canonical

    def country_of(self, canonical: str) -> tuple[str | None, str | None]:
        info = self.actors[canonical]
        text_ev = [(n, c) for (c, ev), n in info["countries"].items() if ev == "text"]
        if text_ev:
            return max(text_ev)[1], "text"
        other = [(n, c, ev) for (c, ev), n in info["countries"].items()]
        if other:
            n, c, ev = max(other)
            return c, ev
        return None, None


def country_display_name(code: str) -> str:
    """A short readable name for an ISO-3 code ("RUS" -> "Russia")."""
    preferred = {"RUS": "Russia", "USA": "United States", "GBR": "United Kingdom", "KOR": "South Korea",
                 "PRK": "North Korea", "IRN": "Iran", "SYR": "Syria", "VNM": "Vietnam", "TWN": "Taiwan",
                 "BOL": "Bolivia", "VEN": "Venezuela", "TZA": "Tanzania", "MDA": "Moldova", "LAO": "Laos",
                 "PSE": "Palestine", "CZE": "Czechia", "TUR": "Türkiye", "COD": "DR Congo", "VAT": "Vatican",
                 "XKX": "Kosovo"}
    if code in preferred:
        return preferred[code]
    import pycountry

    c = pycountry.countries.get(alpha_3=code)
    if c is None:
        return code
    return str(getattr(c, "common_name", None) or c.name)


# Who speaks for a party without a name: "a Tory source", "Labour spokesman", "GOP officials".
_PARTY_VOICES: frozenset[str] = frozenset({"source", "sources", "spokesman", "spokeswoman", "spokesperson",
                                           "insider", "insiders", "official", "officials", "headquarters", "hq"})
_PARTY_ADJECTIVES: dict[str, str] = {"tory": "tories", "lib dem": "lib dems", "conservative": "conservative party",
                                     "republican": "republican party", "democratic": "democratic party"}


def party_voice(name: str) -> tuple[str, str] | None:
    """The party or seat of government behind an unnamed voice: "Tory source" and "Labour
    spokesman" are the party, "Downing Street spokesman" and "Kremlin official" the body (issue 9:
    one actor per party or body, not a speaker that is no name). (canonical name, ISO-3)."""
    words = name.split()
    if len(words) < 2 or words[-1].lower() not in _PARTY_VOICES:
        return None
    party = " ".join(words[:-1]).lower()
    body = C.GOVERNMENT_BODIES.get(party)
    if body is not None:
        return " ".join(words[:-1]), body
    return C.party_alias(_PARTY_ADJECTIVES.get(party, party))


# Description heads any office fits: "the Russian leader" is Putin, a president.
_ANY_OFFICE: frozenset[str] = frozenset({"leader", "head", "chief", "official", "politician"})


def _full_name_for(m: Mention, named: list[tuple[int, str, str | None]]) -> str:
    """The full name a bare surname stands for. With two people of one surname in the article
    ("Bill Clinton", "Hillary Clinton"): the one an honorific's gender fits ("Mrs Clinton"), else
    the one named most recently before it; never a merge of the two."""
    people = list(dict.fromkeys(name for _, name, _ in named))
    if len(people) <= 1:
        return people[0] if people else m.name
    if m.gender in ("male", "female"):
        fitting = {name for _, name, g in named if g == m.gender}
        if len(fitting) == 1:
            return fitting.pop()
    before = [name for start, name, _ in named if start < m.start]
    return before[-1] if before else named[0][1]


# Words two roles share in news: "the GOP candidate" is the person named "the Republican
# presidential nominee".
ROLE_SYNONYMS: dict[str, str] = {"candidate": "nominee", "gop": "republican", "democrat": "democratic",
                                 "dem": "democratic", "tory": "conservative", "tories": "conservative"}


def role_words(role: str) -> list[str]:
    """A role as comparable words: "Tory leader" and "Conservative leader" are one role, so are
    "Lib Dem leader" and "Liberal Democrat leader", "the GOP candidate" and "the Republican
    nominee". Used by both role links (resolve_names here, quotes._named_by_role)."""
    text = re.sub(r"\blib\s+dems?\b", "liberal democrat", role.lower())
    words = (w.strip("'") for w in re.findall(r"[\w'\-]+", text.replace("’", "'")))
    return [ROLE_SYNONYMS.get(w, w) for w in words if w]


def _role_words(role: str) -> str:
    return " ".join(role_words(role))


def resolve_names(mentions: list[Mention], overrides: dict[str, dict[str, Any]] | None = None,
                  ) -> tuple[ActorTable, list[Mention]]:
    """Merge name and description mentions of one article into canonical actors.

    A single-word or honorific name joins the earliest full name that ends (or starts) with it;
    description mentions join the most recent earlier person of the same country. Returns the
    actor table and new mentions, each with its canonical ``actor`` (and the type and country
    resolution gave it); the mentions given are left as they were.
    """
    table = ActorTable()
    resolved = list(mentions)
    # surname (lower) -> [(offset, full name, gender)], every full-name mention in text order
    full_names: dict[str, list[tuple[int, str, str | None]]] = {}
    given_names: dict[str, set[str]] = {}   # first name (lower) -> full names with it
    for m in mentions:
        if m.kind == "name" and m.type == ActorType.PERSON.value and len(m.name.split()) >= 2:
            parts = m.name.split()
            full_names.setdefault(parts[-1].lower(), []).append((m.start, m.name, m.gender))
            given_names.setdefault(parts[0].lower(), set()).add(m.name)
    overrides = overrides or {}
    override_alias = {a.lower(): (o.get("canonical") or n)
                      for n, o in overrides.items() for a in [n, *o.get("aliases", [])]}
    for i, m in enumerate(mentions):
        type_, country, evidence = m.type, m.country, m.evidence
        if m.kind == "name":
            if m.type == ActorType.COUNTRY.value and m.country and (
                    C.is_country_name(m.name) or m.name.lower() in C.DEMONYMS):
                canonical = country_display_name(m.country)
            elif m.type in (None, ActorType.PERSON.value) and len(m.name.split()) == 1:
                canonical = _full_name_for(m, full_names.get(m.name.lower(), []))
                known_as = given_names.get(m.name.lower(), set())
                if canonical == m.name and re.match(r"(?:Sir|Dame)\s", m.text) and len(known_as) == 1:
                    canonical = next(iter(known_as))   # "Sir Menzies" after "Sir Menzies Campbell"
                if canonical == m.name:
                    leader = C.leader_by_surname(m.name)
                    if leader and type_ is None:
                        type_ = ActorType.PERSON.value
                    if leader and type_ == ActorType.PERSON.value:
                        # "Obama" in an article that never writes his full name: the one
                        # president of that surname, under his full name, so the actor is the
                        # same as in articles that do (a knowledge-base match, issue 9).
                        first = leader.split()[0]
                        gender = first_name_gender(first)
                        if m.gender is None or m.gender == gender:
                            canonical = f"{first.title()} {m.name}"
            else:
                canonical = m.name
            party = C.party_alias(canonical) or party_voice(canonical)
            if party:
                # "Tories", "Conservatives", "the Conservative Party": one actor, an organisation.
                canonical, type_ = party[0], ActorType.ORGANIZATION.value
                if country is None:
                    country, evidence = party[1], "gazetteer"
            canonical = override_alias.get(canonical.lower(), override_alias.get(m.name.lower(), canonical))
            if type_ is None:
                # Known through a full name ("Trump" after "Donald Trump"): a person.
                if canonical != m.name or canonical in table.actors and table.actors[canonical]["type"]:
                    type_ = table.actors.get(canonical, {}).get("type") or ActorType.PERSON.value
                elif canonical.lower() in overrides:
                    type_ = overrides[canonical.lower()].get("type")
            m = resolved[i] = replace(m, type=type_, country=country, evidence=evidence, actor=canonical)
            table.add(canonical, m, type_=m.type, country=m.country, role=m.role, evidence=m.evidence)
        elif m.kind == "description":
            target = None
            for prev in reversed([p for p in resolved if p.start < m.start and p.actor]):
                name = prev.actor or ""
                info = table.actors.get(name)
                if not info or info["type"] != ActorType.PERSON.value or prev.kind == "description":
                    continue
                if m.evidence == "role":
                    # "the Tory leader" -> the last person named with that role ("Tory leader
                    # Michael Howard"); the party word, when given, must match too.
                    have = f" {_role_words(info['role'] or C.leader_role(name) or '')} "
                    wanted = [w for w in _role_words(m.role or "").split() if w not in {"new", "former", "then"}]
                    # The head must match; a party word only when the person's role names a party.
                    party = [w for w in wanted if w in TITLE_QUALIFIERS and w not in ROLE_WORDS]
                    named_party = any(f" {w} " in have for w in TITLE_QUALIFIERS - ROLE_WORDS)
                    if wanted and f" {wanted[-1]} " in have and (not named_party or all(f" {w} " in have for w in party)):
                        target = name
                        break
                elif (table.country_of(name)[0] or C.leader_country(name)) == m.country:
                    # "The Ukrainian president" after "Volodymyr Zelensky": a known leader's
                    # country counts even where this article does not say it. A known office
                    # must fit: "Ukraine's foreign minister" is not Zelensky.
                    office = info["role"] or C.leader_role(name)
                    head = (m.role or "").split()[-1:] or [""]
                    if office and head[0] and head[0] not in _ANY_OFFICE and head[0] not in office.split():
                        continue
                    target = name
                    break
            m = resolved[i] = replace(m, actor=target or m.name)
            table.add(target or m.name, m, type_=ActorType.PERSON.value, country=m.country, role=m.role,
                      evidence="text")
    return table, resolved


def article_country(table: ActorTable, countries: dict[str, str | None],
                    places: dict[str, int] | None = None) -> str | None:
    """The country an article is set in, from its own evidence, or None when it is mixed.

    Votes: each actor the article places in a country (its institutions, parties and people
    count double; a country or capital only named counts once), each up to three mentions, and
    the places it names (``places``, :func:`countries.place_votes`: "EDMONTON —", "Alberta"), once.
    A country wins with at least 4 votes and 60% of them: "Labour", "the Tories", "the Commons"
    and "Downing Street" make a British article, though it names Iraq; a story about Ukraine talks
    with American, Russian, Ukrainian and European voices has no single country.
    """
    votes: Counter[str] = Counter()
    for name, info in table.actors.items():
        code = countries.get(name)
        if not code or info["type"] is None:
            continue
        weight = 1 if info["type"] == ActorType.COUNTRY.value else 2
        votes[code] += weight * min(info["n"], 3)
    votes.update(places or {})
    if not votes:
        return None
    code, n = votes.most_common(1)[0]
    return code if n >= 4 and n >= 0.6 * sum(votes.values()) else None


# Bodies that belong to one person: the speaker of "Bernie Sanders' campaign says" is
# "Bernie Sanders campaign" (quotes._owner), which takes its owner's country.
OWNED_BODIES: frozenset[str] = frozenset({"campaign", "office"})


# Words a description starts with, never a name.
DETERMINER_WORDS: frozenset[str] = frozenset({
    "the", "a", "an", "his", "her", "their", "its", "our", "this", "that", "these", "those", "some",
    "many", "several", "two", "three", "other", "another", "one", "most", "few", "all", "both"})


def _is_proper_name(name: str) -> bool:
    """A name as people write names ("Charles Clarke", "Kim Jong-un"), not a description
    ("the governor", "The Republican presidential nominee", "ex-wife", "two women")."""
    first = name.split()[0] if name.split() else ""
    return first[:1].isupper() and first.lower() not in DETERMINER_WORDS


def finalize_actors(table: ActorTable, overrides: dict[str, dict[str, Any]] | None = None,
                    places: dict[str, int] | None = None) -> dict[str, Actor]:
    """Actor records with the country chosen text -> knowledge base -> article context -> overrides.

    Each keeps its evidence (:class:`~analysis.labels.CountryEvidence`). The article context is
    a prior for *people* the article places nowhere ("Michael Howard" in an article about the
    Commons and the Tories): the country the article is set in (:func:`article_country`),
    marked as inferred so the Statements page can say so.
    """
    overrides = {k.lower(): v for k, v in (overrides or {}).items()}
    out: dict[str, Actor] = {}
    first: dict[str, tuple[str | None, str | None]] = {}
    for name, info in table.actors.items():
        if info["type"] is None:
            continue
        country, ev = table.country_of(name)
        evidence = None if country is None else (
            CountryEvidence.TEXT.value if ev == "text" else CountryEvidence.KNOWLEDGE_BASE.value)
        if country is None and info["type"] == ActorType.PERSON.value:
            country = C.role_country(info["role"], westminster=False) or C.leader_country(name)
            if country is None and len(name.split()) == 1:
                full = C.leader_by_surname(name)
                country = C.leader_country(full) if full else None
            evidence = CountryEvidence.KNOWLEDGE_BASE.value if country else None
        if country is None:
            _, gaz = _classify(name)
            country, evidence = gaz, (CountryEvidence.KNOWLEDGE_BASE.value if gaz else None)
        first[name] = (country, evidence)
    setting = article_country(table, {n: c for n, (c, _) in first.items()}, places)
    # Countries the article itself places people or bodies in: the politician gazetteer is
    # trusted for a name only in an article set in that country (common names collide).
    placed = {c for c, _ in first.values() if c}
    for name, info in table.actors.items():
        if info["type"] is None:
            continue
        country, evidence = first[name]
        if country is None and info["type"] == ActorType.PERSON.value:
            # A role only one country's politics uses ("Labour MP", "senator"); the Westminster
            # ones ("MP", "backbencher") belong to the article's country when it has them.
            country = C.role_country(info["role"], setting)
            if country is None:
                found = C.politician_country(name)
                country = found if found in placed else None
            if country is not None:
                evidence = CountryEvidence.KNOWLEDGE_BASE.value
            elif setting is not None:
                country, evidence = setting, CountryEvidence.ARTICLE_CONTEXT.value
        typ = info["type"]
        if typ == ActorType.PERSON.value and not _is_proper_name(name):
            # Someone the article never names ("the judge", "a spokesman", "one questioner",
            # "The GOP candidate" with no candidate named): a voice, not a person to chart by
            # name; typed a group, as issue 9 asks, and keeps the country its role gives.
            typ = ActorType.GROUP.value
        role = info["role"]
        aliases = tuple(a for a in info["aliases"] if a != name)
        o = overrides.get(name.lower())
        if o:
            if o.get("country"):
                country, evidence = o["country"], CountryEvidence.OVERRIDE.value
            typ = o.get("type") or typ
            role = o.get("role") or role
            aliases = tuple(dict.fromkeys([*aliases, *o.get("aliases", [])]))
        out[name] = Actor(name=name, type=typ, country=country, role=role, aliases=aliases,
                          country_evidence=evidence if country else None)
    for name, actor in out.items():
        owner, _, body = name.rpartition(" ")
        if body in OWNED_BODIES and actor.country is None and owner in out and out[owner].country:
            out[name] = replace(actor, country=out[owner].country, country_evidence=out[owner].country_evidence)
    return out


def combine(a: Actor, b: Actor) -> Actor:
    """One actor record from two records of the same actor (first non-empty field wins)."""
    country, evidence = (a.country, a.country_evidence) if a.country else (b.country, b.country_evidence)
    return replace(a, country=country, country_evidence=evidence, role=a.role or b.role,
                   aliases=tuple(dict.fromkeys([*a.aliases, *b.aliases, *([b.name] if b.name != a.name else [])])))
