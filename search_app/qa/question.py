"""Question analysis: the content words to look for and the kind of answer wanted."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from indexer.index.analysis import TOKEN_PATTERN, analyze
from search_app.engine.limits import MAX_QUESTION_WORDS
from search_app.qa.answer_types import expected_type

_QUOTED = re.compile(r"[\"“]([^\"”]+)[\"”]")
# Nouns that name the answer's type rather than its topic ("in what year", "how many
# percent"): the answer sentence states a year, it seldom says "year".
_TYPE_NOUN = re.compile(
    r"\b(what|which|how many|how much)\s+(year|years|date|day|month|century|decade|"
    r"percentage|percent|proportion|number|amount)\b",
    re.IGNORECASE,
)


@cache
def question_words() -> frozenset[str]:
    """Words that shape a question without naming its topic (shipped word list)."""
    text = resources.files("indexer").joinpath("data/question-words.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


@dataclass(frozen=True)
class Question:
    """What was asked, reduced to what the answer sentence should contain."""

    text: str
    words: tuple[str, ...]  # content words as typed, in order (for the query)
    terms: tuple[str, ...]  # their index terms (stems), in order, repeats kept
    phrases: tuple[str, ...]  # quoted phrases, kept whole
    answer_type: str | None


def analyze_question(text: str) -> Question:
    """Drop question words and stopwords, keep content words and quoted phrases: those of
    the question up to its MAX_QUESTION_WORDS-th content word (a bound on the search)."""
    text = " ".join(text.split())
    skip = question_words()
    type_nouns = {m.start(2) for m in _TYPE_NOUN.finditer(text)}
    words: list[str] = []
    terms: list[str] = []
    end = len(text)
    for match in re.finditer(TOKEN_PATTERN, text):
        word = match.group()
        if match.start() in type_nouns or word.lower() in skip:
            continue
        stems = analyze(word)
        if stems:
            words.append(word)
            terms.extend(stems)
            if len(words) == MAX_QUESTION_WORDS:
                end = match.end()
                break
    phrases = tuple(p.strip() for p in _QUOTED.findall(text[:end]) if p.strip())
    return Question(text, tuple(words), tuple(terms), phrases, expected_type(text))
