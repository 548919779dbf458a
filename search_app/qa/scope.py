"""Whether a figure is said of the speaker's own country, or of one place, rather than of
what was asked.

"Over eleven million of our people live and work worldwide", in Bangladesh's statement,
counts Bangladesh's emigrants, not the world's migrants: asked "How many migrants are there
in the world?", that figure answers another question. A figure said of "our" or "my" people,
country or population is the speaker's; it answers only a question that names the speaker's
country ("How many Bangladeshis live abroad?" by its demonym is not recognised and is
refused rather than guessed).

Asked of the whole world ("How many refugees are there in the world?"), a figure is the
world's only where its sentence says so ("108 million people forcibly displaced around the
world"); one in a sentence naming a country, region or city, or their people, is that
place's ("out of a total population of 17 million Chadians, nearly 2 million are refugees").
"""

from __future__ import annotations

import re
from functools import cache

from indexer.metadata.gazetteer import country_names, places
from search_app.qa.answer_types import NUMBER, PERCENT, Span

# First-person words of a speaker (a country's statement) within a few words of a figure:
# "eleven million of our people", "our population of 5 million", "11 per cent of our
# inhabitants", "my country hosts 3 million refugees".
_FIRST_PERSON = re.compile(r"\b(?:our|my)\b", re.IGNORECASE)
_SPEAKER = re.compile(r"\b(?:our|my|we|I)\b", re.IGNORECASE)
_WORD = re.compile(r"[\w'’-]+|[;:()]")
WORDS_BEFORE = 4
WORDS_AFTER = 4
FIGURE_TYPES = (NUMBER, PERCENT)
# Words saying a figure is the whole world's, in a question or in the sentence giving it.
_WORLD = re.compile(
    r"\b(?:in|around|across|throughout) the (?:whole )?world\b|\bworld(?:'s|’s)\b"
    r"|\bworldwide\b|\bglobal(?:ly)?\b|\bon (?:earth|the planet)\b",
    re.IGNORECASE,
)
REGIONS = ("Africa", "America", "Asia", "Europe", "Oceania", "Caribbean", "Balkans", "Sahel")
# A capitalised word after the sentence's first: a name, or its people ("Chadians").
_LATER_CAPITALISED = re.compile(r"(?<=\s)[A-Z][a-z]{3,}")
PEOPLE_ENDINGS = frozenset({"n", "an", "ian", "ean", "ese", "i", "ish"})


def own_figure(
    question: str, answer_type: str | None, sentence: str, span: Span | None, own_country: str
) -> bool:
    """Whether the short answer is a figure the speaker gives of their own country (a
    first-person word near it, in the same clause) while the question does not name that
    country."""
    if span is None or answer_type not in FIGURE_TYPES or not own_country:
        return False
    if re.search(rf"(?<!\w){re.escape(own_country)}(?!\w)", question, re.IGNORECASE):
        return False
    before = _WORD.findall(sentence[: span.start])[-WORDS_BEFORE:]
    after = _WORD.findall(sentence[span.end :])[:WORDS_AFTER]
    near = _clause(before, keep_last=True) + _clause(after, keep_last=False)
    return any(_FIRST_PERSON.fullmatch(word) for word in near)


def about_the_speaker(sentence: str) -> bool:
    """Whether the sentence speaks in the first person ("11 per cent of our inhabitants"):
    in a country's statement it is then about that country, whose name the title holds."""
    return _SPEAKER.search(sentence) is not None


def _clause(words: list[str], keep_last: bool) -> list[str]:
    """The words on the figure's side of the nearest clause mark (;:())."""
    marks = [k for k, w in enumerate(words) if w in ";:()"]
    if not marks:
        return words
    return words[marks[-1] + 1 :] if keep_last else words[: marks[0]]


def place_figure(question: str, answer_type: str | None, sentence: str, span: Span | None) -> bool:
    """Whether a figure asked of the whole world is said of one place: the question names
    no place, its sentence names one (or its people) and does not say the world."""
    if span is None or answer_type not in FIGURE_TYPES:
        return False
    if not _WORLD.search(question) or _WORLD.search(sentence) or names_a_place(question):
        return False
    return names_a_place(sentence)


def names_a_place(text: str) -> bool:
    """Whether `text` names a country, region or city the gazetteers know, or their people
    ("Chadians", "Paraguayan", "African", "Turkmen")."""
    if places().find(text):
        return True
    return any(_of_a_place(word) for word in _LATER_CAPITALISED.findall(text))


def _of_a_place(word: str) -> bool:
    """Whether a capitalised word is a one-word place's people: the place's name, or the
    name less a final vowel or "y", and a people's ending ("Chadians", "Kenyan", "Italian",
    "Chinese", "Iraqi"), or the beginning of the name ("German", "Turkmen", "Afghan")."""
    stem = word[:-1] if word.endswith("s") else word
    return any(
        stem[len(base) :] in PEOPLE_ENDINGS and stem.startswith(base) for base in _place_stems()
    ) or (len(word) >= 5 and any(name.startswith(word) for name in _one_word_places()))


@cache
def _one_word_places() -> tuple[str, ...]:
    return tuple(sorted(n for n in (*country_names(), *REGIONS) if " " not in n and len(n) >= 4))


@cache
def _place_stems() -> frozenset[str]:
    """Each one-word place's name, and the name less a final vowel or "y"."""
    names = _one_word_places()
    return frozenset((*names, *(n[:-1] for n in names if n[-1] in "aeiouy")))
