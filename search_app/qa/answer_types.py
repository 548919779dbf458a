"""Expected answer types: what a question asks for, and the spans of a sentence that fit.

A question's wording says what kind of answer it wants ("when" -> a date, "how many" -> a
number); a sentence that holds something of that kind is a better answer, and that something
is the short answer. Spans are found by regular expressions (dates, numbers, percentages) and
by runs of capitalised words (names), checked against the facet gazetteers of places and
organizations (indexer.gazetteer) to tell which names are of the kind asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.index.analysis import stem, stopwords
from indexer.metadata.gazetteer import TOKEN, country_names, organizations, places

DATE = "date"
YEAR = "year"
NUMBER = "number"
PERCENT = "percent"
PERSON = "person"
ORGANIZATION = "organization"
PLACE = "place"
COUNTRY = "country"
ALL_TYPES = (DATE, YEAR, NUMBER, PERCENT, PERSON, ORGANIZATION, PLACE, COUNTRY)
# Question types whose answer is a name: a person, an organization, a place or a country.
NAME_TYPES = frozenset({PERSON, ORGANIZATION, PLACE, COUNTRY})

# (pattern over the lowercased question, answer type); the first match wins, so the more
# specific wordings come first ("what percentage" before "what", "how many" before "how").
_QUESTION_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"\b(what|which) (percentage|percent|share|proportion|fraction)\b", PERCENT),
    (r"\bhow (many|much)\b.*\b(percent|per cent|percentage)\b", PERCENT),
    # "What was Benin's growth rate": a rate is stated as a percentage.
    (r"^(what|which)\b[^?]*\b(rate|percentage|share)\b", PERCENT),
    (r"\b(what|which|in what|in which) (year|decade)\b", YEAR),
    (r"\b(what|which) (date|day|month|century)\b", DATE),
    (r"^(when|since when|until when)\b", DATE),
    (r"\bhow (many|much|long|old|far|large|big|high|tall)\b", NUMBER),
    (r"\b(what|which) (number|amount|size|population)\b", NUMBER),
    # "What is the population of Tokyo?", "What was the total number of patents?"
    (r"^(what|which) (is|was|are|were) the (\w+ )?(population|number|amount)\b", NUMBER),
    # "What is the capital of Australia?": a city (not "the capital of the fund").
    (r"^(what|which) (is|was|are|were) the capital (city )?of\b", PLACE),
    (r"\b(what|which) (\w+ )?(country|countries|nation)\b", COUNTRY),
    (
        r"\b(what|which) (\w+ )?(city|town|place|region|state|province|continent|area|"
        r"location|river|island|county|district)\b",
        PLACE,
    ),
    (r"^where\b", PLACE),
    (
        r"\b(what|which) (\w+ )?(organization|organisation|agency|company|institution|"
        r"body|group|team|university|entity|fund|programme|program|office|newspaper|network|"
        r"band|club|party|firm|school|college|church)\b",
        ORGANIZATION,
    ),
    (r"^(who|whom|whose)\b", PERSON),
)
# The question word that asks: the first one, but not a capitalised "Who" inside the question
# ("Doctor Who"). The patterns are matched from it on, so that a later "when" or "who" ("How
# old was Tesla when he...", "What did the Church do when...") does not set the type.
_ASKING = re.compile(r"\b(?:what|which|who|whom|whose|when|where|why|how)\b", re.IGNORECASE)

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?"
)
_YEAR = r"(?:1[0-9]{3}|20[0-9]{2})"
_FULL_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
)
_DATE_RE = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)? (?:of )?(?:{_MONTHS})(?:,? {_YEAR})?"  # 1 June 2009
    rf"|(?:{_MONTHS}) \d{{1,2}}(?:st|nd|rd|th)?(?:,? {_YEAR})?"  # February 7, 2016
    rf"|(?:{_MONTHS}) {_YEAR}"  # June 2009
    rf"|(?:(?:early|late|mid)[ -])?{_YEAR}s"  # 1990s, the late 1920s
    rf"|(?:early |late |mid-)?\d{{1,2}}(?:st|nd|rd|th) century"
    rf"|{_YEAR} (?:and|to|until) {_YEAR}"  # (between) 1859 and 1865, (from) 1421 to 1904
    rf"|{_YEAR}(?:\s?[-–]\s?\d{{2,4}})?"  # 2009, 2009-2010
    rf"|(?:{_FULL_MONTHS})(?! \d)"  # "in May": a month alone
    rf")\b"
)
YEAR_RE = re.compile(rf"\b{_YEAR}s?\b")
_PERCENT_RE = re.compile(r"\b\d+(?:[.,]\d+)?\s?(?:%|per cent\b|percent\b)")
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    "fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    "eighty|ninety|hundred|thousand|million|billion|dozen|half"
)
NUMBER_WORDS = frozenset(_NUMBER_WORDS.split("|"))
_SCALE = r"(?:\s(?:hundred|thousand|million|billion|trillion))?"
# "hundreds of thousands": a quantity without a figure
_VAGUE = r"(?:tens|hundreds|thousands|millions|billions)(?: of (?:thousands|millions|billions))?"
_NUMBER_RE = re.compile(
    # 8–15, 100-150: a range is one quantity
    rf"(?:[$£€¥]\s?)?\b\d[\d,]*(?:\.\d+)?(?:\s?[–-]\s?\d[\d,]*(?:\.\d+)?)?{_SCALE}\b"
    rf"|\b{_VAGUE}\b"
    rf"|\b(?:{_NUMBER_WORDS})(?:[ -](?:{_NUMBER_WORDS}))*\b",
    re.IGNORECASE,
)
# A run of capitalised words, allowing a few lowercase joiners inside ("Bank of England").
_NAME_RE = re.compile(
    r"\b[A-Z][\w'’.-]*(?:\s+(?:(?:of|the|for|and|de|la|du|von|van|del)\s+)*[A-Z][\w'’.-]*)*"
)
_JOINER = re.compile(r"\s(?:of|the|for|and|de|la|du|von|van|del)\s")
_TITLE_BEFORE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Prof|Sir|Dame|President|Minister|Secretary-General|King|Queen|"
    r"Director|Chair|Ambassador|Judge)\.?\s+$"
)
_TITLE_START = re.compile(r"(?:Mr|Mrs|Ms|Dr|Prof|Sir|Dame)\.?\s")
# Forms of address that open a run of capitalised words but are no part of the name: "Your
# Excellency António Guterres", "His Excellency Mr. Philémon Yang".
_ADDRESS = re.compile(
    r"^(?:(?:His|Her|Your)\s+)?(?:Excellency\s+)?(?:(?:Mr|Mrs|Ms|Madam|Dr)\.?\s+)?(?=[A-Z])"
)
_NAME_EDGE_JUNK = re.compile(r"^(?:The|A|An|In|On|At|By|For|Of|And|But)\s+")

# Questions that can only be answered by a person: "who is the president of", "who was the
# first emperor of", "who wrote / painted / invented...". A bare "who won" or "who built" may
# well be answered by a team or a company, so those are not among them.
_ROLES = (
    "president|king|queen|emperor|empress|leader|founder|author|director|chairman|chairwoman|"
    "chair|head|mayor|governor|minister|composer|painter|inventor|father|mother|son|daughter|"
    "wife|husband|captain|coach|ceo|commissioner|secretary|pope|bishop|prince|princess|ruler|"
    "owner|creator|designer|architect|writer|poet|scientist|quarterback|chancellor|premier|"
    "dean|editor|pharaoh|sultan|tsar|czar|monarch|successor|predecessor|heir|administrator|"
    "coordinator|rapporteur|envoy|ambassador|representative|prosecutor|registrar|treasurer"
)
# Up to four words before the role: "the first United Nations High Commissioner".
_PERSON_QUESTION = re.compile(
    rf"^(?:who|whom)\s+(?:(?:is|was|are|were)\s+(?:the\s+)?(?:[\w-]+\s+){{0,4}}(?:{_ROLES})s?\b"
    r"|(?:wrote|painted|invented|founded|discovered|composed|sang|directed|authored|sculpted"
    r"|presided|chaired|headed)\b)",
    re.IGNORECASE,
)
ROLE_WORDS = frozenset(_ROLES.split("|")) | {
    "secretary-general",
    "director-general",
    "general",
    "executive",
    "deputy",
    "vice",
    "high",
    "special",
    "representative",
    "ambassador",
    "judge",
    "mr",
    "mrs",
    "ms",
    "madam",
    "sir",
    "excellency",
    "excellencies",
    "distinguished",
    "delegates",
    "colleagues",
    "ladies",
    "gentlemen",
    "friends",
    "members",
}
# Words that name a body, never a person ("Arab Contact Committee", "UN General Assembly").
BODY_WORDS = frozenset(
    [
        "committee",
        "council",
        "assembly",
        "organization",
        "organisation",
        "union",
        "commission",
        "conference",
        "group",
        "agency",
        "programme",
        "program",
        "fund",
        "bank",
        "forum",
        "alliance",
        "court",
        "office",
        "department",
        "ministry",
        "nations",
        "government",
        "institute",
        "university",
        "party",
        "movement",
        "association",
        "federation",
        "secretariat",
        "summit",
        "convention",
        "declaration",
        "agenda",
        "report",
    ]
)
# "How long is the Nile": a measure, which a share ("98 per cent") never is.
_MEASURE_QUESTION = re.compile(
    r"\bhow\s+(?:long|old|far|tall|high|large|big|deep|wide|fast)\b", re.IGNORECASE
)
# "When the election produced a majority, what was it the first occurrence of?": "when" opens
# a condition and a later question word asks.
_LATER_ASKING = re.compile(r"\b(?:what|which|who|whom|whose|where|why|how)\b")
_WHEN = re.compile(r"^(?:when|since when|until when)\b", re.IGNORECASE)
# The verbs that follow "when" in a question that asks for a time ("When did", "When was").
_AUXILIARY_WORDS = (
    "is was are were be been did do does has have had will would can could should shall may "
    "might must"
)
_AUXILIARIES = frozenset(_AUXILIARY_WORDS.split())
# Words that place a sentence in time without a date: "in the first millennium AD", "during
# his reign", "ten years later"; and words opening a clause of time ("after liberation").
_TIME_WORDS = (
    "year years century centuries decade decades millennium millennia era eras period "
    "periods age ages reign season seasons week weeks day days month months morning "
    "evening night nights today yesterday tomorrow ago later earlier dynasty recently "
    "now soon spring summer autumn winter monday tuesday wednesday thursday friday "
    "saturday sunday hour hours minute minutes annually ad bc bce ce bp afterwards formerly "
    "previously currently nowadays once then time times date dated birth death childhood "
    "youth lifetime war wars"
)
TIME_WORDS = frozenset(_TIME_WORDS.split())
# Not "as", "by" or "under": they open clauses of manner or place as often ("as a solution").
_TIME_CLAUSE_WORDS = "after before during since until till following when while throughout"
TIME_CLAUSE_WORDS = frozenset(_TIME_CLAUSE_WORDS.split())


@dataclass(frozen=True)
class Span:
    """A candidate short answer: character offsets within the sentence and its text."""

    start: int
    end: int
    text: str
    known: bool = False  # a name the gazetteers know as the wanted kind (place, organization)


def expected_type(question: str) -> str | None:
    """The answer type the question's wording asks for, or None when it does not say."""
    text = " ".join(question.split())
    asking = next(
        (m for m in _ASKING.finditer(text) if m.start() == 0 or m.group().islower()), None
    )
    if asking is not None and asking.group().lower() == "when" and when_opens_a_condition(text):
        # "When the Rhine leaves Lake Constance, which way does it flow?": "which" asks.
        asking = next(
            (m for m in _ASKING.finditer(text, asking.end()) if m.group().islower()), None
        )
        if asking is None:
            return None
    lowered = text[asking.start() if asking else 0 :].lower()
    for pattern, answer_type in _QUESTION_PATTERNS:
        if re.search(pattern, lowered):
            return answer_type
    return None


def find_spans(sentence: str, answer_type: str | None) -> list[Span]:
    """Spans of the sentence that are of the given answer type, in order of appearance."""
    if answer_type is None:
        return []
    if answer_type == PERCENT:
        return _matches(_PERCENT_RE, sentence)
    if answer_type == YEAR:
        return _matches(YEAR_RE, sentence)
    if answer_type == DATE:
        return _matches(_DATE_RE, sentence)
    if answer_type == NUMBER:
        return [s for s in _matches(_NUMBER_RE, sentence) if s.text.lower() != "one"]
    spans = [_known(span, answer_type, sentence) for span in _names(sentence)]
    if answer_type == PERSON:
        # "Mr. Carlos Lopes" is surely a person; "Global Forum" only looks like a name.
        with_title = [sp for sp in spans if titled(sp, sentence)]
        if with_title:
            spans = [
                sp if titled(sp, sentence) else Span(sp.start, sp.end, sp.text) for sp in spans
            ]
    return spans


def without_address(span: Span) -> Span:
    """A name as shown, without the form of address that opens it ("António Guterres" for
    "Excellency António Guterres"). Only for showing: the models were fitted on the phrases
    as found, and weigh the answer as found."""
    cut = _ADDRESS.match(span.text)
    if not cut or not cut.end():
        return span
    return Span(span.start + cut.end(), span.end, span.text[cut.end() :], span.known)


def titled(span: Span, sentence: str) -> bool:
    """Whether a title (Mr., Dr., President...) opens the name or comes just before it."""
    return bool(_TITLE_BEFORE.search(sentence[: span.start]) or _TITLE_START.match(span.text))


def _known(span: Span, answer_type: str, sentence: str) -> Span:
    """The span, marked known when it is a name of the wanted kind."""
    key = tuple(TOKEN.findall(span.text))
    if answer_type == COUNTRY:
        known = span.text in country_names()
    elif answer_type == PLACE:
        known = key in places().entries
    elif answer_type == ORGANIZATION:
        known = key in organizations().entries
    else:  # a person: a title before it, or a name of two words that is no place or body
        known = titled(span, sentence) or (
            " " in span.text
            and not _JOINER.search(span.text)
            and key not in places().entries
            and key not in organizations().entries
        )
    return Span(span.start, span.end, span.text, known) if known else span


def _matches(pattern: re.Pattern[str], text: str) -> list[Span]:
    return [Span(m.start(), m.end(), m.group(0)) for m in pattern.finditer(text)]


def _names(sentence: str) -> list[Span]:
    """Runs of capitalised words, without a leading article or preposition."""
    spans = []
    for m in _NAME_RE.finditer(sentence):
        start, text = m.start(), m.group(0).rstrip(".")
        junk = _NAME_EDGE_JUNK.match(text)
        if junk:
            start, text = start + junk.end(), text[junk.end() :]
        if text and text[0].isupper() and not (start == 0 and " " not in text):
            # A lone capitalised word opening the sentence is usually just the first word.
            spans.append(Span(start, start + len(text), text))
    return spans


def asks_for_a_person(question: str) -> bool:
    """Whether only a person answers the question ("Who is the president of...", "Who
    wrote..."), not a team or a body as "who won" or "who built" may be."""
    return bool(_PERSON_QUESTION.search(" ".join(question.split())))


def could_be_a_person(span: Span, sentence: str = "") -> bool:
    """Whether a short answer can name a person: capitalised words (joiners such as "de" or
    "van" aside), no figure, not only titles, roles or forms of address ("Mr",
    "Secretary-General", "Distinguished delegates"), no word naming a body ("Committee"),
    not a body, place or country the gazetteers know, and not after an article in its
    `sentence` (the span's offsets are within it): "the Parties", "a Member" are common nouns
    written with a capital, and a person's name takes no article."""
    if any(c.isdigit() for c in span.text):
        return False
    if sentence and _ARTICLE_BEFORE.search(sentence[: span.start]):
        return False
    words = [w.strip(".,;:'’()") for w in span.text.split()]
    words = [w for w in words if w and w.lower() not in _NAME_JOINERS]
    if not words or not all(w[:1].isupper() for w in words):
        return False
    lowered = [w.lower() for w in words]
    if all(w in ROLE_WORDS or w.rstrip("s") in ROLE_WORDS for w in lowered):
        return False
    if any(w in BODY_WORDS for w in lowered):
        return False
    # The whole phrase only: surnames are often places ("Washington", "Lincoln").
    key = tuple(TOKEN.findall(span.text))
    return not (
        key in places().entries or key in organizations().entries or span.text in country_names()
    )


_ARTICLE_BEFORE = re.compile(r"\b(?:the|a|an)\s+$", re.IGNORECASE)
_NAME_JOINERS = frozenset({"de", "da", "del", "van", "von", "bin", "al", "la", "du", "der"})


def vague_quantity(text: str) -> bool:
    """Whether a short answer is a quantity without a figure ("millions")."""
    return re.fullmatch(_VAGUE, text.strip(), re.IGNORECASE) is not None


def asks_for_a_measure(question: str) -> bool:
    """Whether the question asks how long, old, far, tall, high, large, big, deep, wide or
    fast something is: a measure, never a share."""
    return bool(_MEASURE_QUESTION.search(question))


def when_opens_a_condition(question: str) -> bool:
    """Whether "when" opens a condition rather than asks for a time: a later question word
    asks ("When the Rhine leaves Lake Constance, which way does it flow?"), or no verb follows
    "when" as in "When did..." ("When large groups boycott a system it can be considered?")."""
    text = " ".join(question.split())
    opening = _WHEN.match(text)
    if opening is None:
        return False
    rest = text[opening.end() :]
    first = rest.split()[0].lower() if rest.split() else ""
    return _LATER_ASKING.search(rest) is not None or first not in _AUXILIARIES


def percent_parts(sentence: str) -> list[tuple[int, int]]:
    """Character ranges of the percentages of a sentence ("98 per cent", "15%")."""
    return [(s.start, s.end) for s in _matches(_PERCENT_RE, sentence)]


def time_phrases(sentence: str, asked: set[str]) -> list[tuple[int, int]]:
    """Character ranges of the phrases that say when without a date: a clause of time that
    holds more than the question's words ("after liberation"; not "after the fall of the
    Berlin Wall" asked "when did the Berlin Wall fall"), and a word of time with the words
    before it ("ten years later", "the first millennium AD"). `asked` holds the question's
    index terms (stems)."""
    stop = stopwords()
    out = []
    for chunk in _CHUNK.finditer(sentence):
        words = list(_WORD.finditer(chunk.group()))
        lowered = [w.group().lower() for w in words]
        for i, word in enumerate(lowered):
            if word in TIME_CLAUSE_WORDS and i + 1 < len(words):
                # The first two content words of the clause: is it about something new?
                content = [w for w in lowered[i + 1 : i + 6] if w not in stop][:2]
                if any(stem(w) not in asked for w in content):
                    last = min(i + 5, len(words) - 1)
                    while last > i + 1 and lowered[last] in stop:  # "after the floods of the"
                        last -= 1
                    out.append(
                        (chunk.start() + words[i].start(), chunk.start() + words[last].end())
                    )
            elif _time_word(word) and stem(word) not in asked:
                if word in ("time", "times") and i > 0 and lowered[i - 1] in ("a", "same"):
                    continue  # "at a time of crisis", "at the same time": no time is said
                first = max(0, i - 3)
                while first < i and lowered[first] in stop:
                    first += 1
                if first == i and i > 0 and lowered[i - 1] in _DEICTIC:
                    continue  # "this week": when the speaker spoke, not when it happened
                out.append((chunk.start() + words[first].start(), chunk.start() + words[i].end()))
    return out


# Words that place a word of time relative to the moment of writing ("this week").
_DEICTIC = frozenset({"this", "that", "these", "those"})


def _time_word(word: str) -> bool:
    """A word of time, or one ending with one ("13th-century", "mid-century")."""
    return word in TIME_WORDS or word.rsplit("-", 1)[-1] in TIME_WORDS


# Stretches of a sentence between punctuation, and their words.
_CHUNK = re.compile(r"(?:[^,;:.()!?\"“”]|[,.](?=\d))+")  # "11,700 years ago" is one
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
