"""The short answer inside an answer sentence: the minimal phrase of the kind asked for.

Every phrase of up to MAX_SPAN_WORDS words of the sentence that does not cross punctuation,
start or end with a stopword or repeat the question is a candidate; dates, numbers and
percentages are candidates as the regular expressions of answer_types find them. A
candidate is described by what it is (a number, a quantity with its unit, a year, a date, a
capitalised name, a place or organization the gazetteers know, its length, whether it holds
or ends with the noun the question asks about, whether it cuts a name in two, the endings of
its first and last words and the parts of speech the lexicon allows them: word_classes, for
a phrase ending on a verb, "Kuznets saw", seldom is an answer), each crossed with the kind
of question, by where it is (next to the question's words, inside parentheses, on which side
of them, after a verb of the question: "hosted this year by Nairobi") and by the words at and
around its edges ("called Abilene" seldom is an answer). A log-linear model over these
features, fitted on all SQuAD questions outside the evaluation sample
(`python -m bench.qa_squad --fit-spans --tune 7570`), gives each a probability; the one
chosen overlaps most, in expectation, with the model's distribution (minimum Bayes risk for
the overlap measure): where the model hesitates between "the Eiffel Tower" and "Eiffel
Tower in Paris", the shared words win. On SQuAD questions outside the sample this raised the
short answers' F1 by 1.4 points and left their exact match as it was. Questions asking for
a quantity, a percentage or a date only take a candidate of that kind: "how many" never
gets a bare year, a paragraph number or a list ordinal; with none, there is no short answer.
A count is the figure without the noun the question already says ("14", not "14
fact-sheets"), and of figures dated in the sentence, those of the question's year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np

from indexer.index.analysis import stem, stopwords
from indexer.metadata.gazetteer import TOKEN, country_names, organizations, places
from search_app.qa import answer_types as types
from search_app.qa import fitted, span_rules, word_classes
from search_app.qa.answer_types import Span
from search_app.qa.question import Question

MAX_SPAN_WORDS = 6
MAX_QUOTED_WORDS = 8  # a quoted phrase is one candidate up to this length
# Question classes: the answer type when the wording gives one, else the question word.
CLASSES = (
    *types.ALL_TYPES,
    "what",
    "which",
    "how",
    "why",
    "other",
)
# Only a candidate of the asked kind answers these: no quantity, no short answer.
STRICT = {
    types.NUMBER: ("quantity", "quantity_unit"),
    types.PERCENT: ("percent",),
    types.YEAR: ("year", "date", "time"),
    types.DATE: ("date", "year", "time"),
}
SPAN_KINDS = (
    "quantity",
    "quantity_unit",
    "money",
    "percent",
    "year",
    "date",
    "time",
    "capitalised",
    "opens_capital",
    "lower",
    "place",
    "organization",
    "country",
    "person",
    "len1",
    "len2",
    "len3",
    "len4",
    "len5",
    "has_head",
    "next_head",
    "ends_head",
    "cuts_name_left",
    "cuts_name_right",
    "first_ed",
    "first_ing",
    "first_ly",
    "first_s",
    "last_ed",
    "last_ing",
    "last_ly",
    "last_s",
    "question_words",
    "left_of_question",
    "right_of_question",
    "in_parentheses",
    "before_comma",
    "ends_sentence",
    "left_share",
    "clean_left",
    "clean_right",
    "near",
    "context_left",
    "context_right",
    "quoted",
    "head_before",
    "first_verb",
    "first_noun",
    "first_adjective",
    "first_adverb",
    "last_verb",
    "last_noun",
    "last_adjective",
    "last_adverb",
    "inner_verb",
    "verb_before",
    "verb_after",
    "coordinated",
    "verb_asked",
    "verb_other",
)
# Position features crossed with the question class as well as given alone.
CROSSED_POSITION = (
    "segment_share",
    "bound_left",
    "bound_right",
    "near",
    "context_left",
    "context_right",
    "question_words",
    "left_of_question",
    "right_of_question",
    "in_parentheses",
    "before_comma",
    "ends_sentence",
    "left_share",
)
BEFORE_WORDS = ("in", "on", "at", "by", "of", "from", "to", "as", "for", "with", "the", "is")
AFTER_WORDS = ("in", "of", "and", "to", "was", "is", "were", "are", "which", "that", ",", ".")
VERB_REACH = 4  # words left of a candidate searched for the verb that governs it
CONTEXT = 3  # words either side of a candidate compared with the question's words
GENERAL = (
    "segment_share",
    "bound_left",
    "bound_right",
    "question_words",
    "near",
    "left_of_question",
    "right_of_question",
    "in_parentheses",
    "before_comma",
    "ends_sentence",
    "context_left",
    "context_right",
    "left_share",
    "asked_late:left_share",
)
# Words: figures with their separators, initials ("U.S.", "William P. Bell"), words with
# inner hyphens or apostrophes; any other character is a word of its own (punctuation).
_WORD = re.compile(r"\d[\d,.]*\d%?|(?:[A-Z]\.){2,}|[A-Z]\.(?=\s+[A-Z])|\w+(?:[-'’]\w+)*|\S")
# Lowercase words of a unit after a figure ("151 votes", "26,000 square kilometres").
_UNIT = re.compile(r"\s+([a-z][a-z-]*)(?:\s+([a-z][a-z-]*))?")
# Words asking "of what kind" ("what kind of district"): the noun after them is the head.
_KIND_OF = r"(?:(?:kind|kinds|type|types|sort|form|forms|part|parts)\s+of\s+)?"
_NAME_OF = re.compile(
    r"\bwhat\s+(?:is|was|are|were)\s+the\s+(?:name|term|title|word)s?\s+(?:of|for)\s+"
    r"(?:the\s+|a\s+|an\s+)?(\w+)",
    re.IGNORECASE,
)
_WH = re.compile(r"\b(what|which|how|why|who|whom|whose|when|where)\b", re.IGNORECASE)
_PARAGRAPH_NUMBER = re.compile(r"^\s*\(?\d{1,3}[.)]\s")
_MONEY = re.compile(r"[$£€¥]|\b(?:dollars?|euros?|pounds?|yen|francs?|USD|EUR)\b", re.IGNORECASE)
_ORDINAL_WORD = re.compile(r"^\(?(?:\d+|[ivx]+|[a-z])[.)]$")
# A quoted phrase of one to eight words ("a strategy of \u201ctreat, train and retain\u201d"):
# one candidate, commas and all, without the closing punctuation inside the quotes.
_QUOTED = re.compile(r"[\"\u201c]([^\"\u201c\u201d]{1,80}?)[.,;:!?]?[\"\u201d]")
# Where a sentence's clauses part: a semicolon, a colon, a parenthesis, a dash, or a comma
# followed by a word that opens a coordinate clause ("..., held in the UAE, and I hope ...
# COP29, to be hosted by Azerbaijan": the second host belongs to the second clause).
_CLAUSE_MARKS = frozenset(";:()\u2014\u2013")
_CLAUSE_OPENERS = frozenset({"and", "but", "while", "whereas", "although", "though", "yet"})
# Words skipped when looking for the question word a candidate is bound to ("held in the
# United Arab Emirates", "a strategy of \u201ctreat...\u201d"): prepositions, articles, quotes.
# Not "to": in "from 4 per cent in 2016 to 7.6 per cent" the year belongs to the first.
_BINDING_SKIP = frozenset(
    {"in", "by", "at", "on", "of", "the", "a", "an", "as", '"', "\u201c", "\u201d"}
)
_CLITIC = re.compile(r"(\w+)['’](?:ve|m|re|ll|d|s|t)")


@dataclass(frozen=True)
class Word:
    text: str
    start: int
    end: int
    term: str  # lowercased stem, "" for punctuation


def question_class(question: Question) -> str:
    """The answer type when the wording gives one, else the (first) question word."""
    if question.answer_type:
        return question.answer_type
    found = _WH.search(question.text)
    word = found.group(1).lower() if found else ""
    return word if word in CLASSES else "other"


@cache
def feature_names() -> tuple[str, ...]:
    after = [f"after_{w}" for w in AFTER_WORDS]
    crossed = [f"{c}:{k}" for c in CLASSES for k in (*SPAN_KINDS, *BEFORE_WORDS, *after)]
    return (*GENERAL, *crossed)


def _known_feature(name: str) -> bool:
    """A feature this code describes candidates by: a fixed one, or a word at an edge."""
    return name in frozenset(feature_names()) or name.split("=", 1)[0] in EDGE_WORDS


# Fitted by `python -m bench.qa_squad --fit-spans` (SQuAD v1.1 dev questions outside the
# sample): models/span.json, with the edge words seen often enough in the tuning questions.
MODEL_VERSION = 1
EDGE_WORDS = ("before", "after", "first", "last")  # the "first=called" features
WEIGHTS = fitted.load("span", MODEL_VERSION, allowed=_known_feature).weights


def candidates(sentence: str, question: Question) -> list[tuple[Span, dict[str, float]]]:
    """Every candidate short answer of the sentence with its features."""
    words = _words(sentence)
    asked = set(question.terms)
    typed = _typed_spans(sentence)
    if types.asks_for_a_measure(question.text):
        typed = _without_shares(typed, sentence)
    if question.answer_type in (types.DATE, types.YEAR) and not (typed["date"] or typed["year"]):
        # No date: a phrase that says when otherwise ("after liberation") answers "when".
        typed["time"] = _snapped(types.time_phrases(sentence, asked), words)
    at = [k for k, w in enumerate(words) if w.term in asked]
    qclass = question_class(question)
    late = _asked_late(question)
    ctx = _Sentence(
        sentence, words, typed, asked, at, _head_term(question), qclass, late, _clauses(words)
    )
    allowed = STRICT.get(question.answer_type or "")
    # A question asking for a quantity, a percentage or a date takes only a phrase of that
    # kind: the other phrases are not even described.
    wanted = {r for kind in allowed for r in typed[kind]} if allowed else None
    seen: dict[tuple[int, int], tuple[Span, dict[str, float]]] = {}
    for i, j in _phrase_bounds(words, asked):
        start, end = words[i].start, words[j - 1].end
        if wanted is None or (start, end) in wanted:
            seen[(start, end)] = _described(ctx, i, j)
    for kind_spans in typed.values():
        for start, end in kind_spans:
            if (start, end) in seen:
                continue
            i = next((k for k, w in enumerate(words) if w.start >= start), len(words))
            j = next((k for k, w in enumerate(words) if w.end >= end), len(words) - 1) + 1
            if i < j and not all(w.term in asked for w in words[i:j] if w.term):
                seen[(start, end)] = _described(ctx, i, j)
    out = [c for c in seen.values() if not allowed or _of_kind(c[1], qclass, allowed)]
    return span_rules.answering(out, sentence, question, qclass, asked)


@dataclass(frozen=True)
class SpanChoice:
    """The sentence's short answer with how strongly the model prefers its top candidate."""

    span: Span | None
    probability: float  # of the model's top candidate among the sentence's candidates
    score: float  # the model's raw score of its top candidate (NO_SPAN_SCORE for none)
    count: int  # how many candidates the sentence offered


# The raw score given to a sentence with no candidate at all: below almost every real one.
NO_SPAN_SCORE = -10.0


def choose_span(sentence: str, question: Question) -> SpanChoice:
    """The short answer of the sentence, and the probability and raw score of the model's top
    candidate."""
    found = span_rules.within_holder(candidates(sentence, question), sentence, question)
    if not found:
        return SpanChoice(None, 0.0, NO_SPAN_SCORE, 0)
    scores = np.array([sum(WEIGHTS.get(n, 0.0) * v for n, v in f.items()) for _, f in found])
    p = np.exp(scores - scores.max())
    p /= p.sum()
    chosen = _consensus([span for span, _ in found], p)
    return SpanChoice(found[chosen][0], float(p.max()), float(scores.max()), len(found))


def _of_kind(features: dict[str, float], qclass: str, allowed: tuple[str, ...]) -> bool:
    return any(features.get(f"{qclass}:{kind}") for kind in allowed)


def _consensus(spans: list[Span], p: np.ndarray) -> int:
    """The candidate with the highest expected overlap (F1 over characters) with a candidate
    drawn with probabilities `p`."""
    start = np.array([s.start for s in spans])
    end = np.array([s.end for s in spans])
    shared = np.minimum(end[:, None], end[None, :]) - np.maximum(start[:, None], start[None, :])
    length = end - start
    overlap = 2 * np.clip(shared, 0, None) / np.maximum(1, length[:, None] + length[None, :])
    return int(np.argmax(overlap @ p))


def best_span(sentence: str, question: Question) -> tuple[Span | None, float]:
    """The best candidate and its probability among the sentence's candidates."""
    choice = choose_span(sentence, question)
    return choice.span, choice.probability


def _words(sentence: str) -> list[Word]:
    out = []
    for m in _WORD.finditer(sentence):
        text = m.group()
        term = stem(text.lower()) if text[0].isalnum() else ""
        out.append(Word(text, m.start(), m.end(), term))
    return out


def _phrase_bounds(words: list[Word], asked: set[str]):
    """(i, j) word ranges that may be an answer: no punctuation inside, no stopword at an
    edge, not only the question's words."""
    stop = {w.text for w in words if _is_stopword(w.text)}
    for i, first in enumerate(words):
        if not first.term or first.text in stop:
            continue
        for j in range(i + 1, min(i + MAX_SPAN_WORDS, len(words)) + 1):
            last = words[j - 1]
            if not last.term:
                break
            if last.text in stop:
                continue
            if all(w.term in asked or w.text in stop for w in words[i:j]):
                continue
            yield i, j


def _is_stopword(word: str) -> bool:
    """A stopword, or one with its clitic: "I’ve", "it's", "we'll"."""
    word = word.lower()
    return word in stopwords() or (
        (m := _CLITIC.fullmatch(word)) is not None and m.group(1) in stopwords()
    )


def _typed_spans(sentence: str) -> dict[str, list[tuple[int, int]]]:
    """Character ranges of quantities, money, percentages, years and dates."""
    numbered = _PARAGRAPH_NUMBER.match(sentence)
    dates = [(s.start, s.end) for s in types.find_spans(sentence, types.DATE)]
    quantities = [
        (s.start, s.end)
        for s in types.find_spans(sentence, types.NUMBER)
        if not types.YEAR_RE.fullmatch(s.text)
        and not (numbered and s.start < numbered.end())
        and not _is_ordinal(sentence, s)
        and not any(start <= s.start and s.end <= end for start, end in dates)  # "4 November"
    ]
    return {
        "quoted": _quoted(sentence),
        "quantity": quantities,
        "quantity_unit": _with_units(sentence, quantities),
        "percent": [(s.start, s.end) for s in types.find_spans(sentence, types.PERCENT)],
        "year": [(s.start, s.end) for s in types.find_spans(sentence, types.YEAR)],
        "date": dates,
        "time": [],  # filled for "when" questions whose sentence holds no date
    }


def _quoted(sentence: str) -> list[tuple[int, int]]:
    """Character ranges of the phrases in quotation marks, of up to MAX_QUOTED_WORDS words."""
    out = []
    for m in _QUOTED.finditer(sentence):
        inner = m.group(1)
        start = m.start(1) + len(inner) - len(inner.lstrip())
        end = m.start(1) + len(inner.rstrip())
        if start < end and len(sentence[start:end].split()) <= MAX_QUOTED_WORDS:
            out.append((start, end))
    return out


def _snapped(ranges: list[tuple[int, int]], words: list[Word]) -> list[tuple[int, int]]:
    """Character ranges widened to the words they touch ("700 years" of "11,700 years")."""
    out = []
    for start, end in ranges:
        inside = [w for w in words if w.start < end and start < w.end]
        if inside:
            out.append((inside[0].start, inside[-1].end))
    return out


def _without_shares(
    typed: dict[str, list[tuple[int, int]]], sentence: str
) -> dict[str, list[tuple[int, int]]]:
    """The typed ranges without the figures of percentages: "98" of "98 per cent" is no
    length, age or height."""
    shares = types.percent_parts(sentence)

    def in_share(r: tuple[int, int]) -> bool:
        return any(start <= r[0] and r[1] <= end for start, end in shares)

    quantities = ("quantity", "quantity_unit")
    return {
        k: [r for r in v if not in_share(r)] if k in quantities else v for k, v in typed.items()
    }


def _with_units(sentence: str, quantities: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Each quantity with the one or two lowercase words after it that say what it counts or
    measures ("151 votes", "26,000 square kilometres"), unless they are stopwords."""
    stop = stopwords()
    out = []
    for start, end in quantities:
        unit = _UNIT.match(sentence, end)
        if not unit or unit.group(1) in stop:
            continue
        out.append((start, unit.end(1)))
        if unit.group(2) and unit.group(2) not in stop:
            out.append((start, unit.end(2)))
    return out


def _is_ordinal(sentence: str, span: Span) -> bool:
    """A list number: "(3)", "3." opening a clause, "No. 3"."""
    after = sentence[span.end : span.end + 1]
    before = sentence[max(0, span.start - 4) : span.start]
    return (before.endswith("(") and after == ")") or before.endswith(("No. ", "no. "))


@dataclass(frozen=True)
class _Sentence:
    """A sentence read once for all its candidates."""

    text: str
    words: list[Word]
    typed: dict[str, list[tuple[int, int]]]
    asked: set[str]  # the question's terms
    asked_at: list[int]  # positions of the words that are question terms
    head: frozenset[str]
    qclass: str
    asked_late: bool  # the question word comes after the question's topic ("... became what?")
    clause: list[int]  # per word, the number of the clause it belongs to (_clauses)


def _described(ctx: _Sentence, i: int, j: int) -> tuple[Span, dict[str, float]]:
    """The candidate of words i..j-1 and its features."""
    sentence, words, typed, head, qclass = ctx.text, ctx.words, ctx.typed, ctx.head, ctx.qclass
    start, end = words[i].start, words[j - 1].end
    text = sentence[start:end]
    inside = words[i:j]
    kinds = _kinds(text, inside, typed, start, end)
    kinds["has_head"] = float(any(w.term in head for w in inside))
    kinds["next_head"] = float(j < len(words) and words[j].term in head)
    kinds["head_before"] = float(_bound(words, range(i - 1, -1, -1), head))
    kinds["ends_head"] = float(inside[-1].term in head)
    kinds["cuts_name_left"] = float(
        i > 0 and words[i - 1].text[:1].isupper() and inside[0].text[:1].isupper()
    )
    kinds["cuts_name_right"] = float(
        j < len(words) and words[j].text[:1].isupper() and inside[-1].text[:1].isupper()
    )
    for edge, word in (("first", inside[0].text), ("last", inside[-1].text)):
        suffix = _suffix(word)
        if suffix:
            kinds[f"{edge}_{suffix}"] = 1.0
    if not kinds.get("quoted"):  # a quoted phrase is a name, whatever its words
        kinds.update(_word_classes(words, i, j))
    kinds["coordinated"] = float(_coordinated(words, i, j, ctx.asked))
    verb = _verb_before(words, i)
    if verb is not None:
        kinds["verb_asked" if verb.term in ctx.asked else "verb_other"] = 1.0
    before = words[i - 1].text.lower() if i > 0 else ""
    after = words[j].text.lower() if j < len(words) else ""
    position = _position(words, i, j, ctx.asked, ctx.asked_at)
    position.update(_binding(ctx, i, j))
    stop = stopwords()
    kinds["clean_left"] = float(not before or before in stop or not words[i - 1].term)
    kinds["clean_right"] = float(not after or after in stop or not words[j].term)
    for name in CROSSED_POSITION:
        kinds[name] = position[name]
    features = {f"{qclass}:{k}": v for k, v in kinds.items() if v}
    if before in BEFORE_WORDS:
        features[f"{qclass}:{before}"] = 1.0
    if after in AFTER_WORDS:
        features[f"{qclass}:after_{after}"] = 1.0
    features.update(position)
    # The words at and around its edges, whatever the question: "called Abilene" and
    # "still pay" start with words that seldom open an answer.
    for name, word in (
        ("before", before),
        ("after", after),
        ("first", inside[0].text),
        ("last", inside[-1].text),
    ):
        if word.islower():
            features[f"{name}={word}"] = 1.0
    if ctx.asked_late:
        features["asked_late:left_share"] = position["left_share"]
    return Span(start, end, text, bool(kinds.get("place") or kinds.get("organization"))), features


def _word_classes(words: list[Word], i: int, j: int) -> dict[str, float]:
    """The parts of speech the lexicon allows at the candidate's edges, inside it and next
    to it (word_classes): a noun phrase ends on a noun, seldom on a verb."""
    out = {}
    for edge, word in (("first", words[i]), ("last", words[j - 1])):
        if word.text[:1].isupper() and edge == "last":
            out[f"{edge}_noun"] = 1.0  # a name's last word
            continue
        found = word_classes.classes(word.text)
        if found == {word_classes.VERB}:
            out[f"{edge}_verb"] = 1.0
        elif word_classes.NOUN in found:
            out[f"{edge}_noun"] = 1.0
        elif word_classes.ADJECTIVE in found:
            out[f"{edge}_adjective"] = 1.0
        elif word_classes.ADVERB in found:
            out[f"{edge}_adverb"] = 1.0
    verb = word_classes.VERB
    out["inner_verb"] = float(any(word_classes.only(w.text, verb) for w in words[i + 1 : j - 1]))
    out["verb_before"] = float(i > 0 and word_classes.only(words[i - 1].text, verb))
    out["verb_after"] = float(j < len(words) and word_classes.only(words[j].text, verb))
    return out


def _verb_before(words: list[Word], i: int) -> Word | None:
    """The verb governing the candidate from its left, if any within VERB_REACH words of
    its clause: "held" of "held in Lisbon", "hosted" of "hosted this year by Nairobi"."""
    stop = stopwords()
    for k in range(i - 1, max(-1, i - 1 - VERB_REACH), -1):
        word = words[k]
        if not word.term:
            return None  # punctuation: another clause
        text = word.text
        if text.islower() and text not in stop and word_classes.VERB in word_classes.classes(text):
            return word
    return None


def _coordinated(words: list[Word], i: int, j: int, asked: set[str]) -> bool:
    """Whether the candidate is one of a list with a question word ("literacy and
    numeracy" asked what is like literacy; "Bavaria and Baden-Württemberg")."""
    joins = {"and", "or", ","}
    left = i > 1 and words[i - 1].text.lower() in joins and words[i - 2].term in asked
    right = j + 1 < len(words) and words[j].text.lower() in joins and words[j + 1].term in asked
    return left or right


def _kinds(
    text: str, inside: list[Word], typed: dict[str, list[tuple[int, int]]], start: int, end: int
) -> dict[str, float]:
    """What the phrase is: its type, its case, a name the gazetteers know, its length."""
    kinds = {kind: float((start, end) in spans) for kind, spans in typed.items()}
    kinds["money"] = float(kinds["quantity"] > 0 and bool(_MONEY.search(text)))
    alpha = [w.text for w in inside if w.text[:1].isalpha()]
    stop = stopwords()
    kinds["capitalised"] = float(
        bool(alpha) and all(w[0].isupper() for w in alpha if w.lower() not in stop)
    )
    kinds["opens_capital"] = float(text[:1].isupper())
    kinds["lower"] = float(bool(alpha) and all(w.islower() for w in alpha))
    key = tuple(TOKEN.findall(text))
    kinds["place"] = float(key in places().entries)
    kinds["organization"] = float(key in organizations().entries)
    kinds["country"] = float(text in country_names())
    kinds["person"] = float(
        kinds["capitalised"] > 0
        and 2 <= len(inside) <= 3
        and not kinds["place"]
        and not kinds["organization"]
        and all(w.text[:1].isupper() for w in inside)
    )
    kinds[f"len{min(len(inside), 5)}"] = 1.0
    return kinds


def _position(
    words: list[Word], i: int, j: int, asked: set[str], asked_at: list[int]
) -> dict[str, float]:
    """Where the phrase stands relative to the question's words and the punctuation."""
    inside = [w for w in words[i:j] if w.term]
    at = [k for k in asked_at if not i <= k < j]
    distance = min((min(abs(k - i), abs(k - (j - 1))) for k in at), default=len(words))
    left = sum(k < i for k in at)
    return {
        "left_share": left / len(at) if at else 0.5,
        "question_words": sum(w.term in asked for w in inside) / (len(inside) or 1),
        "near": 1.0 / (1 + distance),
        "left_of_question": float(j < len(words) and words[j].term in asked),
        "right_of_question": float(i > 0 and words[i - 1].term in asked),
        "in_parentheses": float(i > 0 and words[i - 1].text == "("),
        "before_comma": float(j < len(words) and words[j].text in ",;:"),
        "ends_sentence": float(j >= len(words) or (j == len(words) - 1 and not words[j].term)),
        "context_left": _share_asked(words[max(0, i - CONTEXT) : i], asked),
        "context_right": _share_asked(words[j : j + CONTEXT], asked),
    }


def _clauses(words: list[Word]) -> list[int]:
    """Per word, the number of its clause: clauses part at a semicolon, a colon, a
    parenthesis or a dash, and at a comma before a word opening a coordinate clause."""
    out, clause = [], 0
    for k, word in enumerate(words):
        opens = word.text.lower() in _CLAUSE_OPENERS and k > 0 and words[k - 1].text == ","
        if word.text in _CLAUSE_MARKS or opens:
            clause += 1
        out.append(clause)
    return out


def _binding(ctx: _Sentence, i: int, j: int) -> dict[str, float]:
    """How the candidate of words i..j-1 is bound to the question's words: the share of
    them (outside it) in its own clause, and whether one stands just before it ("held in
    the United Arab Emirates") or just after it, prepositions and articles aside."""
    at = [k for k in ctx.asked_at if not i <= k < j]
    own = ctx.clause[i]
    return {
        "segment_share": sum(ctx.clause[k] == own for k in at) / len(at) if at else 0.0,
        "bound_left": float(_bound(ctx.words, range(i - 1, -1, -1), ctx.asked)),
        "bound_right": float(_bound(ctx.words, range(j, len(ctx.words)), ctx.asked)),
    }


def _bound(words: list[Word], order: range, terms: set[str] | frozenset[str]) -> bool:
    """Whether the first word in `order` that is no preposition, article or quotation mark
    (at most three of those skipped) is one of `terms`."""
    for skipped, k in enumerate(order):
        if words[k].text.lower() not in _BINDING_SKIP:
            return words[k].term in terms
        if skipped >= 3:
            break
    return False


def _asked_late(question: Question) -> bool:
    """Whether the question word comes after three or more words ("Tumors that evade the
    immune response can become what?"): the answer then follows the topic's words."""
    found = _WH.search(question.text)
    return found is not None and len(question.text[: found.start()].split()) >= 3


def _share_asked(words: list[Word], asked: set[str]) -> float:
    return sum(w.term in asked for w in words) / CONTEXT


def _suffix(word: str) -> str:
    """The ending that hints at a word's part of speech: -ed, -ing, -ly, -s (lowercase)."""
    if not word.islower() or len(word) < 4:
        return ""
    return next((e for e in ("ing", "ed", "ly", "s") if word.endswith(e)), "")


def _head_term(question: Question) -> frozenset[str]:
    """The words of the noun phrase after "what"/"which" ("which river" -> river, "what
    notable private school" -> notable, private, school; "what kind of district" ->
    district; "what is the name of the satellite" -> satellite), stemmed."""
    named = _NAME_OF.search(question.text)
    if named:
        return frozenset({stem(named.group(1).lower())})
    found = re.search(
        rf"\b(?:what|which)\s+{_KIND_OF}((?:[\w-]+\s+){{0,2}}[\w-]+)",
        question.text,
        re.IGNORECASE,
    )
    if not found:
        return frozenset()
    stop = stopwords()
    head = []
    for word in found.group(1).lower().split():
        if word in stop:
            break
        head.append(stem(word))
    return frozenset(head)
