"""Which candidate short answers cannot answer the question, whatever the span model says.

A bare year that opens another name ("the 1985 Treaty of Rarotonga"), a figure that numbers a
name or a document ("the Group of 20", "resolution 1325"), the question's own name by its
initials ("GHWA"), a count with the noun the question already says ("14 fact-sheets"), a
figure the sentence dates with another year than the question's, a name other than the
office holder the sentence names in apposition, in another item of a list, or a former
holder asked who holds the office now: set aside before the model chooses
(search_app.qa.short_answer).
"""

from __future__ import annotations

import re

from indexer.index.analysis import stem, stopwords
from search_app.qa import answer_types as types
from search_app.qa.answer_types import Span
from search_app.qa.question import Question
from search_app.qa.relation import asked_relation, holder, said_at, said_of_a_past_holder

Candidate = tuple[Span, dict[str, float]]

# The year that dates a figure just after it: "4 per cent in 2016", "7.6 per cent (2019)".
_DATED = re.compile(r"\s*(?:\(|,\s*)?(?:in|of|for|during|by)?\s*(?:the\s+year\s+)?(\d{4})\b")
# Words that join a capitalised name's words and are left out of its initials ("Global
# Health Workforce Alliance" -> GHWA, "International Organization for Migration" -> IOM).
_NAME_JOINERS = frozenset({"of", "for", "and", "the", "on", "de", "in"})


def answering(
    found: list[Candidate], sentence: str, question: Question, qclass: str, asked: set[str]
) -> list[Candidate]:
    """The candidates that may answer the question (`qclass`: its class, `asked`: its
    terms), the others set aside."""
    echoes = question_initials(question.text)
    # "GHWA" for a question naming the Global Health Workforce Alliance: the question's own
    # name by its initials, never its answer.
    out = [c for c in found if c[0].text not in echoes]
    if question.answer_type in (types.DATE, types.YEAR):
        # "the 1985 Treaty of Rarotonga" asked when another treaty entered into force: the
        # year is that name's, not the date of what was asked.
        names = capitalised_names(question.text)
        out = [c for c in out if not year_of_another_name(sentence, c[0], names)]
    if question.answer_type in (types.NUMBER, types.DATE, types.YEAR):
        # "the Group of 20" counts no members, "resolution 1325" dates nothing.
        out = [c for c in out if not numbers_a_name(sentence, c[0])]
    if question.answer_type == types.NUMBER:
        # "14", not "14 fact-sheets", asked how many fact-sheets: the question says what.
        out = [c for c in out if not unit_asked(c, qclass, asked)]
    if question.answer_type in (types.NUMBER, types.PERCENT):
        out = of_asked_year(out, sentence, question.text)
    if question.answer_type == types.PERSON:
        # "Mr. Carlos Lopes" is surely a person; "Global Forum" only looks like a name.
        out = [c for c in out if types.titled(c[0], sentence)] or out
    return out


def unit_asked(candidate: Candidate, qclass: str, asked: set[str]) -> bool:
    """Whether the candidate is a quantity with its unit, every word of that unit asked."""
    span, features = candidate
    if not features.get(f"{qclass}:quantity_unit"):
        return False
    unit = re.findall(r"[^\W\d]+", span.text.split(maxsplit=1)[-1])  # "fact-sheets": two words
    return bool(unit) and all(stem(word.lower()) in asked for word in unit)


def of_asked_year(found: list[Candidate], sentence: str, question: str) -> list[Candidate]:
    """Only the figures the sentence dates with the year the question names, when it dates
    some: "from 4 per cent in 2016 to 7.6 per cent in 2019" asked the rate in 2016."""
    years = set(types.YEAR_RE.findall(question))
    if not years:
        return found
    dated = [
        (span, f)
        for span, f in found
        if (m := _DATED.match(sentence, span.end)) and m.group(1) in years
    ]
    return dated or found


def within_holder(found: list[Candidate], sentence: str, question: Question) -> list[Candidate]:
    """Only the candidates inside the name the sentence gives, in apposition, as the holder
    of the relation asked ("Emmanuel Macron, President of France" for "Who is the President
    of France?"), when it gives one: not another name of the sentence ("Managalas")."""
    if question.answer_type not in types.NAME_TYPES:
        return found
    relation = asked_relation(question.text, titles=True)
    if relation is None:
        return found
    if said_of_a_past_holder(relation, sentence, question.text):
        return []  # "the former President of the United States" asked who is President
    where = holder(relation, sentence)
    if where is not None:
        inside = [(s, f) for s, f in found if where[0] <= s.start and s.end <= where[1]]
        return inside or found
    # No holder in apposition: a name in another item of a list the sentence says the office
    # in ("President of the United States; His Excellency Mr. Dennis Francis") is not its
    # holder, nor is any name when every item saying it names none.
    said = {sentence.count(";", 0, at) for at in said_at(relation, sentence)}
    if not said:
        return found
    return [(s, f) for s, f in found if sentence.count(";", 0, s.start) in said]


# A name: capitalised words, with "of", "and", "the"... between ("Treaty of Rarotonga").
_NAME = r"[A-Z][\w'’-]*(?:\s+(?:(?:of|and|the|for|on|de|in)\s+)*[A-Z][\w'’-]*)*"
# ... not joined by "and" after a year: "the 1985 Treaty of Rarotonga and the Treaty on...".
_NAME_AFTER = re.compile(r"\s+([A-Z][\w'’-]*(?:\s+(?:(?:of|the|for|on|de|in)\s+)*[A-Z][\w'’-]*)*)")
_QUESTION_NAME = re.compile(rf"\b{_NAME}")
_WORD_AFTER = re.compile(r"\s+([a-z][\w-]*)")
_DETERMINER = re.compile(r"\b(?:the|a|an|its|their|our|his|her|this|that)\s+$", re.IGNORECASE)


def capitalised_names(question: str) -> list[str]:
    """The question's names (runs of capitalised words), lowercased, its first word aside."""
    return [m.group().lower() for m in _QUESTION_NAME.finditer(question) if m.start() > 0]


def year_of_another_name(sentence: str, span: Span, names: list[str]) -> bool:
    """Whether the span is a bare year that opens a name the question does not name (either
    holding the other): "1985" of "the 1985 Treaty of Rarotonga", not "2016" of "the 2016
    Summer Olympics" asked about the Olympics, nor "2015" of "the 2015 NFL season"."""
    if not types.YEAR_RE.fullmatch(span.text) or not _DETERMINER.search(sentence[: span.start]):
        return False  # "In 2009 UNITAR took over": no name opens with that year
    after = _NAME_AFTER.match(sentence, span.end)
    if after is None:
        return False
    noun = _WORD_AFTER.match(sentence, after.end())
    if noun and noun.group(1) not in stopwords():
        return False  # "the 2015 NFL season": the name qualifies a noun the year dates
    name = after.group(1).lower()
    return not any(n in name or name in n for n in names)


# A figure that is part of a name or a document's number: "the Group of 20", "the Group of
# 77 and China", "resolution 1325", "Article 51", "Goal 16", "Agenda 2063" (a target year,
# not the date of its adoption).
_NAMES_A_NUMBER = re.compile(
    r"(?:(?P<of>\b[A-Z][\w'’-]*\s+of)|\b(?:[Rr]esolution|Article|Goal|Chapter|Agenda|Vision))"
    r"\s*$"
)


def numbers_a_name(sentence: str, span: Span) -> bool:
    """Whether the span is a bare figure that closes a name ("Group of 20") or numbers a
    document ("resolution 1325"), or a capitalised number word inside a name ("the Committee
    of Ten Heads of State"): no count, no year. A year after a name's "of" ("the Congress of
    Vienna of 1815", "the War of 1920") dates an event and stays."""
    text = span.text
    if text[:1].isupper() and text.lower() in types.NUMBER_WORDS:
        return bool(sentence[: span.start].strip())  # not when it opens the sentence
    if not re.fullmatch(r"\d[\d,.]*", text):
        return False
    found = _NAMES_A_NUMBER.search(sentence[: span.start])
    if found is None:
        return False
    return not (found.group("of") and types.YEAR_RE.fullmatch(text))


def question_initials(text: str) -> frozenset[str]:
    """The initials of the question's names of two or more capitalised words, and of every
    stretch of them ("Global Health Workforce Alliance" -> "GHWA", "HWA"...), joining words
    aside."""
    out: set[str] = set()
    run: list[str] = []
    for word in [*re.findall(r"[\w'’-]+", text), ""]:
        if word[:1].isupper():
            run.append(word[0])
        elif word.lower() not in _NAME_JOINERS or not run:
            # Every stretch of two or more: "IOM" of "Director General of the
            # International Organization for Migration".
            out.update(
                "".join(run[a:b]) for a in range(len(run)) for b in range(a + 2, len(run) + 1)
            )
            run = []
    return frozenset(out)
