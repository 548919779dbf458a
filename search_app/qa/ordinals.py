"""Which one of a series a question asks about: "at its sixty-fourth session", "the 50th
anniversary". A sentence about another of the series ("President of the 79th Session,
Mr. Philemon Yang") does not answer a question about the sixty-fourth, however much else
it shares with it.
"""

from __future__ import annotations

import re

from indexer.index.analysis import stem
from search_app.qa import word_classes

_UNITS = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
]
_TENS_ORDINAL = dict(
    zip(
        [
            "twentieth",
            "thirtieth",
            "fortieth",
            "fiftieth",
            "sixtieth",
            "seventieth",
            "eightieth",
            "ninetieth",
        ],
        range(20, 100, 10),
        strict=True,
    )
)
_TENS = dict(
    zip(
        ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"],
        range(20, 100, 10),
        strict=True,
    )
)
_ORDINAL_WORDS = {word: k for k, word in enumerate(_UNITS, start=1)} | _TENS_ORDINAL
# "64th", "sixty-fourth", "fiftieth", then the noun it numbers ("session", "Session").
_ORDINAL = re.compile(
    r"\b(?:(?P<digits>\d{1,3})(?:st|nd|rd|th)"
    rf"|(?:(?P<tens>{'|'.join(_TENS)})[-\s])?(?P<word>{'|'.join(_ORDINAL_WORDS)}))"
    r"(?:\s+(?P<noun>[A-Za-z]+))?",
    re.IGNORECASE,
)


def numbered(text: str) -> dict[str, set[int]]:
    """The ordinals of a text by the stem of the noun each numbers: "the sixty-fourth
    session" -> {"session": {64}}. An ordinal before a verb numbers nothing: "Let me first
    congratulate you" says no first of anything."""
    out: dict[str, set[int]] = {}
    for m in _ORDINAL.finditer(text):
        if m.group("noun") and word_classes.only(m.group("noun"), word_classes.VERB):
            continue
        if m.group("digits"):
            value = int(m.group("digits"))
        else:
            value = _ORDINAL_WORDS[m.group("word").lower()]
            if m.group("tens"):
                value += _TENS[m.group("tens").lower()]
        out.setdefault(stem((m.group("noun") or "").lower()), set()).add(value)
    return out


def another_of_the_series(question: str, sentence: str, title: str = "") -> bool:
    """Whether the question numbers a noun ("its sixty-fourth session") that the sentence
    numbers otherwise ("the 79th Session"), the question's number said nowhere in it ("in
    the third quarter, but early in the fourth" may answer about the fourth quarter). A
    sentence that numbers none of it is read in its document's `title`: "President of the
    General Assembly", said in a statement to the 79th session, is the 79th's."""
    asked = {noun: values for noun, values in numbered(question).items() if noun}
    if not asked:
        return False
    for text in (sentence, title):
        said = numbered(text)
        if any(noun in said for noun in asked):
            anywhere = set().union(*said.values())
            return any(noun in said and not (values & anywhere) for noun, values in asked.items())
    return False
