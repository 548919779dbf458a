"""How likely an answer is right: a calibrated probability, and the no-answer decision.

A logistic model over the answer sentence's coverage of the question (its own words, its
passage's, as near forms too, in the question's order, the weight of the rarest question
word it lacks), how few words the question has (two matched words say less than six),
whether the short answer of the kind asked for is missing and how clearly the short-answer
model prefers its phrase, whether the short answer is of the kind asked for at all (no
person for "who is the president of", a year of the question that the passage does not
hold), and how close in meaning the sentence is to the question (search_app.qa.semantic).
Without the sentence-embedding model a second model, fitted without that input, weighs the
answer, with its own threshold.
Fitted by `python -m bench.qa_squad --calibrate` on SQuAD questions outside the evaluation
sample, each asked of the full index (right when the first sentence holds a gold answer) and
of an index without its article (always wrong): the output is the probability that the
answer's sentence answers the question, checked bin by bin in the bench's reliability table.
Apart from the model, rules: a "when" answered by a sentence that says nothing of time, or a
"who" by a phrase that cannot be a person, is no answer (answers_the_question).
A second model (answer_probability) gives the probability shown with each answer: that the
answer is right as shown, its short answer or its sentence, knowing its place in the list.
"""

from __future__ import annotations

import math
import re

from search_app.qa import fitted
from search_app.qa.answer_types import (
    DATE,
    NAME_TYPES,
    NUMBER,
    PERCENT,
    PERSON,
    ROLE_WORDS,
    YEAR,
    YEAR_RE,
    Span,
    asks_for_a_person,
    could_be_a_person,
    vague_quantity,
)
from search_app.qa.question import Question
from search_app.qa.sentence_scoring import logistic, tokens

FEATURES: tuple[str, ...] = (
    "overlap",
    "passage_overlap",
    "unmatched",
    "type_missing",
    "span_probability",
    "few_terms",
    "missing_names",
    "span_in_question",
    "missing_phrases",
    "bigrams",
    "passage_bigrams",
    "when_missing",
    "name_unknown",
    "span_echo",
    "not_a_person",
    "years_missing",
    "order",
    "passage_near",
    "similarity",
)
# The model with the sentence-embedding model's similarity (search_app.qa.semantic) and
# without it (REPORT_SEARCH_SEMANTIC=0 or the model not installed: the similarity counts 0),
# fitted by the same command run with REPORT_SEARCH_SEMANTIC=0; models/confidence*.json.
# The sentence's probability no longer refuses: the answer's own does (answer_threshold).
MODEL_VERSION = 1
MODEL = fitted.load("confidence", MODEL_VERSION, FEATURES)
WORDS_MODEL = fitted.load("confidence-words", MODEL_VERSION, FEATURES)
WEIGHTS, WORDS_WEIGHTS = MODEL.weights, WORDS_MODEL.weights


def answer_features(
    sentence_features: dict[str, float],
    question: Question,
    passage: str,
    span: Span | None,
    span_p: float,
    similarity: float | None = None,
    sentence: str = "",
) -> dict[str, float]:
    """The model's inputs for one answer: its sentence's features, its passage (title and
    text), its short answer (offsets within `sentence`) and its similarity in meaning to the
    question (None without the sentence-embedding model)."""
    span_terms = [t for t, _, _ in tokens(span.text)] if span else []
    return {
        "overlap": sentence_features["overlap"],
        "passage_overlap": sentence_features["passage_overlap"],
        "unmatched": sentence_features["unmatched"],
        "type_missing": float(question.answer_type is not None and span is None),
        "span_probability": span_p,
        "few_terms": 1.0 / max(1, len(set(question.terms))),
        "missing_names": _missing_names(question, passage),
        "span_in_question": sum(t in question.terms for t in span_terms) / (len(span_terms) or 1),
        "missing_phrases": _missing_phrases(question, passage),
        "bigrams": sentence_features["bigrams"],
        "passage_bigrams": sentence_features["passage_bigrams"],
        "when_missing": sentence_features["when_missing"],
        "name_unknown": float(
            question.answer_type in NAME_TYPES and span is not None and not looks_like_a_name(span)
        ),
        "span_echo": _echo(span_terms, question),
        "not_a_person": float(_not_a_person(span, question, sentence)),
        # Not an input of the model: a rule of its own (answers_the_question).
        "no_time": float(question.answer_type in (DATE, YEAR) and span is None),
        # ... and this one: "how long", "how many" answered by a sentence without a figure.
        "no_figure": float(question.answer_type in (NUMBER, PERCENT) and span is None),
        # ... and this one: "how many migrants" answered "millions" ("endanger millions").
        "vague_figure": float(_vague_figure(question, sentence, span)),
        # ... and this one: "how many people" answered by a count of countries.
        "counts_other": float(counts_other(question.text, sentence, span)),
        "years_missing": float(_years_missing(question, passage)),
        "order": sentence_features["order"],
        "passage_near": sentence_features["passage_near"],
        "similarity": similarity or 0.0,
        # Which model weighs the answer: with the similarity or by words alone.
        "semantic": float(similarity is not None),
    }


VAGUE_COUNTS_WITHIN = 3  # words after "hundreds of thousands" that say what it counts


def _vague_figure(question: Question, sentence: str, span: Span | None) -> bool:
    """Whether "how many" is answered by a quantity without a figure that does not count
    what was asked: "hundreds of thousands of Syrian refugees" counts the refugees asked
    about, "networks ... that endanger millions" does not count migrants."""
    if question.answer_type != NUMBER or span is None or not vague_quantity(span.text):
        return False
    counted = [t for t, _, _ in tokens(sentence[span.end :])][:VAGUE_COUNTS_WITHIN]
    return not set(counted) & set(question.terms)


# "How many" of people, and what a figure counts when it counts places, times or things:
# "the world's top 50 most climate-vulnerable countries" counts no people.
PEOPLE = (
    *("people", "persons", "migrants", "refugees", "children", "women", "men", "workers"),
    *("individuals", "inhabitants", "residents", "citizens", "lives"),
)
_HOW_MANY_PEOPLE = re.compile(rf"\bhow many (?:\w+ ){{0,2}}?(?:{'|'.join(PEOPLE)})\b", re.I)
OTHER_COUNTS = frozenset(
    {
        *("countries", "states", "nations", "cities", "regions", "provinces", "projects"),
        *("years", "months", "weeks", "days", "hours", "times", "dollars", "organizations"),
    }
)
COUNTED_WITHIN = 4  # words after a figure that say what it counts ("50 most vulnerable countries")


def counts_other(question: str, sentence: str, span: Span | None) -> bool:
    """Whether "how many people" (migrants, refugees, children...) is answered by a figure
    that counts something else: the first of the next few words that names what is counted
    is a place, a time or a thing ("50 ... countries", "20 years"), not people."""
    if span is None or not _HOW_MANY_PEOPLE.search(question):
        return False
    for word in re.findall(r"[A-Za-z]+", sentence[span.end :])[:COUNTED_WITHIN]:
        if word.lower() in PEOPLE:
            return False
        if word.lower() in OTHER_COUNTS:
            return True
    return False


# A name as the question writes it: capitalised words, with "of", "and", "in"... between
# ("War and Peace", "Nobel Prize in Literature", "Federal Reserve").
_QUESTION_NAME = re.compile(
    r"\b[A-Z][\w'’-]*(?:\s+(?:(?:of|and|in|the|for|on|de)\s+)*[A-Z][\w'’-]*)+"
)
ECHO_PREFIX = 4  # letters a short answer's word shares with a question word to echo it


def _missing_phrases(question: Question, passage: str) -> float:
    """Share of the question's names of two or more words (the first word of the question
    aside) that the passage does not hold as written: "War and Peace" is not "war" and
    "peace" apart."""
    text = question.text
    names = [m.group() for m in _QUESTION_NAME.finditer(text) if m.start() > 0]
    if not names:
        return 0.0
    lowered = " ".join(passage.lower().split())
    return sum(name.lower() not in lowered for name in names) / len(names)


def looks_like_a_name(span: Span) -> bool:
    """Whether a short answer looks like a name: capitalised words, or a name the
    gazetteers know."""
    words = [w for w in span.text.split() if w[:1].isalpha()]
    return span.known or (bool(words) and all(w[:1].isupper() for w in words))


def _echo(span_terms: list[str], question: Question) -> float:
    """Share of the short answer's words that only echo a question word ("Roman" for
    "Rome", "Federal" for "Federal Reserve"): an answer made of the question's words."""
    if not span_terms:
        return 0.0
    prefixes = {t[:ECHO_PREFIX] for t in question.terms}
    return sum(t[:ECHO_PREFIX] in prefixes for t in span_terms) / len(span_terms)


def _missing_names(question: Question, passage: str) -> float:
    """Share of the question's names and numbers ("War and Peace", "2016") that its answer's
    passage does not hold as written: a passage about "peace" is not about "War and Peace"."""
    names = [w for w in question.words if w[:1].isupper() or any(c.isdigit() for c in w)]
    names = [w for w in names if not question.text.startswith(w)]
    if not names:
        return 0.0
    return sum(re.search(rf"\b{re.escape(w)}\b", passage) is None for w in names) / len(names)


def _not_a_person(span: Span | None, question: Question, sentence: str = "") -> bool:
    """Whether a short answer to "who" cannot be a person: it holds a figure ("Expo 2030"),
    or the question asks for a person only ("who is the president of") and the answer
    cannot name one (answer_types.could_be_a_person: a body, a place, a country, a title or
    a lowercase phrase, a common noun after an article in its `sentence`: "the Parties"), or
    is one word echoing the question's ("Roman" for "Who was the first emperor of Rome?")."""
    if question.answer_type != PERSON or span is None:
        return False
    if any(c.isdigit() for c in span.text):
        return True
    if not asks_for_a_person(question.text):
        return False
    if not could_be_a_person(span, sentence):
        return True
    terms = [t for t, _, _ in tokens(span.text)]
    return len(terms) == 1 and _echoes(terms[0], question)


def _echoes(term: str, question: Question) -> bool:
    """Whether a term is a question's term or starts as one does but for its last letter
    ("roman" for "rome")."""
    return any(term == t or (len(t) >= 4 and term[: len(t) - 1] == t[:-1]) for t in question.terms)


def names_away(question: Question, near: str) -> float:
    """Share of the question's names, years and numbers ("International Maritime
    Organization", "COP28", "2009") that `near` (the answer's sentence and its document's
    title) does not hold, as written or by its initials ("IOM"): a shelf that discusses the
    topic elsewhere in the passage need not state the fact asked about."""
    text = question.text
    phrases = [m for m in _QUESTION_NAME.finditer(text) if m.start() > 0]
    # "Director-General of the World Health Organization": the body, not the title.
    names = [_without_title(m.group()) for m in phrases]
    names += [
        m.group()
        for m in re.finditer(r"[\w'’-]+", text)
        if m.start() > 0
        and (m.group()[:1].isupper() or any(c.isdigit() for c in m.group()))
        and not any(p.start() <= m.start() < p.end() for p in phrases)
    ]
    if not names:
        return 0.0
    # "Costa Rica's inhabitants": the name is "Costa Rica", however the text declines it.
    names = [_POSSESSIVE.sub("", name) for name in names]
    lowered = " ".join(near.lower().split())
    return sum(not _holds_name(name, near, lowered) for name in names) / len(names)


_POSSESSIVE = re.compile(r"['’]s?$")


def _without_title(name: str) -> str:
    """A capitalised name without the titles before its "of" ("First President of the
    International Court of Justice" -> "International Court of Justice")."""
    found = re.match(r"(.+?)\s+of(?:\s+the)?\s+(.+)", name)
    while found and _only_roles(found.group(1)):
        name = found.group(2)
        found = re.match(r"(.+?)\s+of(?:\s+the)?\s+(.+)", name)
    return name


def _holds_name(name: str, near: str, lowered: str) -> bool:
    """Whether a text holds a name as written (any case) or by its initials."""
    if re.search(rf"(?<!\w){re.escape(name.lower())}(?!\w)", lowered):
        return True
    initials = "".join(w[0] for w in name.split() if w[:1].isupper())
    return len(initials) >= 2 and re.search(rf"\b{initials}\b", near) is not None


def _years_missing(question: Question, passage: str) -> bool:
    """Whether a year the question names ("in 2016", "the 1970's") is not in the answer's
    passage: a passage of another year does not say what happened in that one."""
    years = [m.group()[:4] for m in YEAR_RE.finditer(question.text.replace("'s", "s"))]
    return any(re.search(rf"\b{y}", passage) is None for y in years)


_ACRONYM = re.compile(r"\b[A-Z]{2,}[a-z]?[A-Z]*\b")  # "UNICEF", "UNESCO", "IOM", "UNDPs"


def body_missing(question: Question, sentence: str, heading: str = "") -> bool:
    """Whether a question asking for a person by role and body ("Who was Director General of
    the International Organization for Migration in 2009?") gets an answer whose sentence
    (under its heading) names none of the question's bodies, as written or by their
    initials ("IOM"): the sentence then names the holder of another office ("Carlos Lopes,
    Executive Director of UNITAR")."""
    if not asks_for_a_person(question.text):
        return False
    text = question.text
    # "Director General of the International Organization for Migration": a title, then
    # the body it names.
    found = [m.group() for m in _QUESTION_NAME.finditer(text) if m.start() > 0]
    names = [p for n in found for p in re.split(r"\s+of(?:\s+the)?\s+", n)]
    names = [n for n in names if not _only_roles(n)]
    names += [a for a in _ACRONYM.findall(text) if not any(a in n for n in names)]
    if not names:
        return False
    held = f"{heading}\n{sentence}"
    lowered = held.lower()
    for name in names:
        initials = "".join(w[0] for w in name.split() if w[:1].isupper())
        if name.lower() in lowered or (len(initials) >= 2 and re.search(rf"\b{initials}\b", held)):
            return False
    return True


# "Who was the first Secretary-General of...": the first holder of an office...
_FIRST_HOLDER = re.compile(r"^(?:who|whom)\s+(?:is|was|are|were)\s+the\s+first\b", re.IGNORECASE)
# ... is named by a sentence that says so ("the first", "1st", "founding", "since its creation").
_SAYS_FIRST = re.compile(
    r"\b(?:first|1st|founding|inaugural|original|founder|founded|established|creation)\b",
    re.IGNORECASE,
)


def first_missing(question: Question, sentence: str) -> bool:
    """Whether a question asking for a person who first held an office ("Who was the first
    Executive Director of UNAIDS?") gets a sentence that does not say first: it names a
    holder (the present one, most often), not the first."""
    return (
        _FIRST_HOLDER.match(question.text) is not None
        and asks_for_a_person(question.text)
        and _SAYS_FIRST.search(sentence) is None
    )


def _only_roles(name: str) -> bool:
    """Whether a capitalised phrase of the question is only a title ("Director General")."""
    words = [w.lower() for w in re.split(r"[\s-]+", name) if w.lower() not in ("of", "the")]
    return all(w in ROLE_WORDS or w.rstrip("s") in ROLE_WORDS for w in words)


def answers_the_question(features: dict[str, float]) -> bool:
    """Whether an answer can answer at all, whatever its probability: a question asking when
    is not answered by a sentence that says nothing of time (no date, no phrase of time), nor
    one asking how many, how long or what share by a sentence without a figure of that kind,
    nor one asking who by a short answer that cannot be a person (_not_a_person), nor one
    asking for a person by role and body by a sentence naming none of its bodies
    (body_missing), nor one naming a year ("in 2010") by a passage that does not hold it
    (_years_missing), nor one asking the relation of a named entity ("the capital of
    France") by a sentence stating it of something else (search_app.qa.relation), nor one
    dating a founding, an adoption, a birth or a death by a sentence naming no such event
    (search_app.qa.events), nor one asking a figure of the world by one a speaker gives of
    their own country or by one of a place (search_app.qa.scope), nor one asking who first
    held an office by a sentence that does not say first (first_missing), nor one numbering
    one of a series ("its sixty-fourth session") by a sentence about another of it ("the 79th
    Session": search_app.qa.ordinals), nor one whose names are nowhere near its answer
    (names_absent).

    Rules, not only inputs of the model: the best answers are re-ordered towards sentences
    holding a short answer of the asked kind, so on SQuAD the first fires for 1 first answer
    in 3,000 asked of the full index and the second for 7, too few to weigh (the second's
    fitted weight fell from -3.4 to -1.4 once the re-ordering weighed it too), while a shelf
    that does not know "When did the Berlin Wall fall?" or "Who was the first emperor of
    Rome?" offers only sentences that name it. A "when" that opens a condition asks no time
    (answer_types.expected_type)."""
    return not (
        features.get("no_time")
        or features.get("no_figure")
        or features.get("vague_figure")
        or features.get("counts_other")
        or features.get("not_a_person")
        or features.get("body_missing")
        or features.get("years_missing")
        or features.get("relation_unbound")
        or features.get("event_missing")
        or features.get("own_figure")
        or features.get("place_figure")
        or features.get("first_missing")
        or features.get("another_of_series")
        or names_absent(features)
    )


def names_absent(features: dict[str, float]) -> bool:
    """Whether the answer's passage holds none of the question's names and numbers
    ("Brazil" for "What language is spoken in Brazil?"), or none of its names of two or more
    words as written ("the International Maritime Organization", "the Paris Agreement")
    while its sentence holds none of the question's names, years or numbers: the passage
    discusses the topic (a headquarters, a signature), it does not state the fact asked
    about. On 600 SQuAD questions outside the sample, the first refused 5 first answers of
    the full index (none right) and 239 of the 591 asked of the half without their article;
    the second 15 (7 right) and 127."""
    if features.get("missing_names", 0.0) >= 1.0:
        return True
    return features.get("missing_phrases", 0.0) >= 1.0 and features.get("names_away", 0.0) >= 1.0


def probability(features: dict[str, float]) -> float:
    """The calibrated probability that the answer's sentence answers the question."""
    model = MODEL if features.get("semantic") else WORDS_MODEL
    return logistic(model.linear(features))


# The probability that an answer as shown is right, its short answer or (without one) its
# sentence: a logistic model over the sentence's probability (above), how clearly the
# short-answer model prefers its phrase, whether the phrase is of the asked kind, and the
# answer's place in the list (first, and how far its re-ordering score lies below the
# first's). Fitted by `python -m bench.qa_squad --fit-answer-confidence` on every listed
# answer to SQuAD questions outside the sample, asked of the full index, of the half
# without their article and of their own article without their paragraph (the shelf
# discusses the topic, it seldom states the fact): a short answer is right when it overlaps
# a gold answer by at least half (word F1 >= 0.5), a sentence when it holds one.
ANSWER_FEATURES: tuple[str, ...] = (
    "sentence_logit",
    "span_probability",
    "span_score",
    "quantity_found",
    "when_found",
    "first",
    "gap",
    "no_span",
    "no_span_logit",
    "no_span_first",
    "names_away",
    "agreement",
)
# Version 2: the question's names near the answer and the agreement between passages.
ANSWER_MODEL_VERSION = 2
ANSWER_MODEL = fitted.load("answer-confidence", ANSWER_MODEL_VERSION, ANSWER_FEATURES)
# ... and without the sentence-embedding model, fitted by the same command run with
# REPORT_SEARCH_SEMANTIC=0, before the own-article negatives: refitted on them, it refused
# 62.7% of the SQuAD sample's unanswerable questions (69.1% before) and was not kept.
WORDS_ANSWER_MODEL = fitted.load("answer-confidence-words", ANSWER_MODEL_VERSION, ANSWER_FEATURES)


def answer_inputs(
    features: dict[str, float], has_span: bool, first: bool, gap: float
) -> dict[str, float]:
    """The answer model's inputs: the answer's features (with its sentence's probability
    as `sentence_probability`), whether it has a short answer, whether it is listed first
    and how far its re-ordering score lies below the first answer's."""
    p = min(max(features["sentence_probability"], 1e-6), 1 - 1e-6)
    logit = math.log(p / (1 - p))
    span = float(has_span)
    return {
        "sentence_logit": logit * span,
        "span_probability": features["span_probability"] * span,
        "span_score": features["span_score"] * span,
        "quantity_found": features["quantity_found"] * span,
        "when_found": features["when_found"] * span,
        "first": float(first),
        "gap": gap,
        "no_span": 1.0 - span,
        "no_span_logit": logit * (1.0 - span),
        "no_span_first": float(first) * (1.0 - span),
        "names_away": features.get("names_away", 0.0),
        "agreement": features.get("agreement", 0.0),
    }


def answer_probability(features: dict[str, float], inputs: dict[str, float]) -> float:
    """The calibrated probability that the answer as shown is right (its short answer, or
    its sentence when it has none), from answer_inputs()."""
    model = ANSWER_MODEL if features.get("semantic") else WORDS_ANSWER_MODEL
    return logistic(model.linear(inputs))


def answer_threshold(features: dict[str, float]) -> float:
    """The probability that the answer as shown is right below which it is not given, for
    the model that weighed it (chosen on tuning questions: bench/qa_fit.py)."""
    model = ANSWER_MODEL if features.get("semantic") else WORDS_ANSWER_MODEL
    return model.threshold or 0.0
