"""Question answering with citations: the sentence that answers, its passage and its page.

Analyse the question (search_app.qa.question), retrieve candidate passages ranked as search
ranks them, by exact BM25F (search_app.engine.retrieval; OR semantics: an answer seldom
repeats every word), score every sentence of those passages by its words
(search_app.qa.sentence_scoring), cut the short answer out of the best sentences, re-order
those by how good a short answer each holds and by how close in meaning each is to the
question (search_app.qa.semantic, a small sentence-embedding model, optional), and refuse
to answer when even the best sentence covers too little of the question.

The short answer (search_app.qa.short_answer) is a phrase of the kind asked for, never the
whole sentence: with none, `answer` is null and the sentence is given to read. Each answer has
its raw ranking `score`, a `sentence_confidence` in [0, 1], the calibrated probability that its
sentence answers the question (which refuses), and a `confidence`, the calibrated probability
that it is right as shown: its short answer, or its sentence without one (both checked in the
reliability tables of bench/qa_squad.py).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from markupsafe import escape

from indexer.metadata.gazetteer import city_countries, country_names, organizations, places
from search_app.engine.highlight import snippet
from search_app.engine.index_handle import Snapshot
from search_app.engine.params import MAX_ANSWERS, AskRequest, parse_ask_args  # noqa: F401 - qa's API
from search_app.engine.results import citation
from search_app.engine.retrieval import top_passages
from search_app.qa import confidence, rerank, semantic, word_classes
from search_app.qa.answer_types import (
    DATE,
    NUMBER,
    ORGANIZATION,
    PERCENT,
    PERSON,
    YEAR,
    Span,
    could_be_a_person,
    find_spans,
    without_address,
)
from search_app.qa.confidence import NAME_TYPES
from search_app.qa.events import asked_events, event_missing
from search_app.qa.ordinals import another_of_the_series
from search_app.qa.question import Question, analyze_question
from search_app.qa.relation import asked_relation, opens_with_office, unbound
from search_app.qa.scope import about_the_speaker, own_figure, place_figure
from search_app.qa.sentence_scoring import Scored, score_passages
from search_app.qa.short_answer import choose_span

# Passages whose sentences are scored: the answer is in BM25F's top 20 for most questions,
# and scoring more only adds near-misses (measured on SQuAD questions outside the sample).
CANDIDATE_PASSAGES = 20
# And the passages nearest the question in meaning (the index's stored embeddings) that words
# did not find: an answer put in other words than the question's.
MEANING_PASSAGES = 5
# At most this many answers from one passage, so that alternatives also come from elsewhere.
# The answer is often another sentence of the best passage: 5 rather than 3 put it among the
# first five answers 0.6 points more often on SQuAD questions outside the sample.
PER_PASSAGE = 5
# Below this probability that it is right as shown the best answer is not given: "no answer
# found" (chosen on tuning questions, bench/qa_fit.py). This is the threshold with the
# sentence-embedding model; confidence.answer_threshold() gives the one of the model in use.
NO_ANSWER_THRESHOLD = confidence.ANSWER_MODEL.threshold or 0.0
CLOSEST_PASSAGES = 3


def warm() -> None:
    """Load the place and organization lists and the word classes that answer typing uses
    and the sentence-embedding model (index-independent)."""
    word_classes.classes("answer")
    organizations()
    places()
    country_names()
    city_countries()
    semantic.warm()


@dataclass(frozen=True)
class Ranking:
    """Everything ask() found before shaping it for JSON."""

    question: Question
    answers: list[Scored]  # best first, at most PER_PASSAGE per passage
    # Candidate passages with their search scores, the one holding the best answer first.
    passages: list[tuple[dict[str, Any], float]]
    by_meaning: bool = False  # the sentence-embedding model weighed the answers


def ask(
    handle: Any,
    question: str,
    filters: Mapping[str, Sequence[str]] | None = None,
    limit: int = 5,
    year_from: int | None = None,
    year_to: int | None = None,
) -> dict[str, Any]:
    """Answer a question from the index, within the facet filters and the year range:
    exactly the /api/ask JSON body."""
    started = time.perf_counter()
    snapshot = handle.snapshot()
    ranking = rank_answers(snapshot, question, filters, limit, year_from, year_to)
    shown = shown_answers(ranking.answers)
    confident = bool(shown)
    answers = [answer_json(snapshot, a, ranking.question) for a in shown]
    body: dict[str, Any] = {
        "question": question,
        "took_ms": 0,
        "answers": answers,
        "no_answer": not confident,
        "ranked_by": "meaning" if ranking.by_meaning else "words",
    }
    if not confident:
        body["passages"] = [
            passage_json(snapshot, fields, score, ranking.question)
            for fields, score in _distinct(ranking.passages)[:CLOSEST_PASSAGES]
        ]
    body["took_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return body


def rank_answers(
    snapshot: Snapshot,
    question: str,
    filters: Mapping[str, Sequence[str]] | None = None,
    limit: int = 5,
    year_from: int | None = None,
    year_to: int | None = None,
) -> Ranking:
    """Retrieve candidate passages and rank their sentences as answers (by words alone
    when the sentence-embedding model is absent or off)."""
    analysed = analyze_question(question)
    if not analysed.terms:
        return Ranking(analysed, [], [])
    passages = retrieve(snapshot, analysed, filters, year_from, year_to)
    scored = score_passages(snapshot.searcher(), analysed, passages)
    reranked, by_meaning = reordered(question, analysed, scored, limit)
    listed = clean_list(reranked, analysed)[:limit]
    answers = [with_list_confidence(a, listed[0], k == 0) for k, a in enumerate(listed)]
    passages = _by_best_sentence(passages, [*answers, *scored])
    return Ranking(analysed, answers, passages, by_meaning)


def reordered(
    question: str, analysed: Question, scored: list[Scored], limit: int = rerank.DEPTH
) -> tuple[list[Scored], bool]:
    """The best sentences (at least rerank.DEPTH of them, at most PER_PASSAGE from a
    passage), each with its short answer and re-ordering score, best first, before the list
    is cleaned (clean_list drops the later sentences of a passage already listed); and
    whether the sentence-embedding model weighed them. The re-ordering is fitted on this
    whole list (bench.qa_fit.fit_rerank): which sentences clean_list keeps depends on the
    weights being fitted."""
    best = _diverse(scored, max(limit, rerank.DEPTH))
    similar = semantic.similarities(question, [item.sentence for item in best])
    reranked = with_agreement(
        with_antecedent(
            sorted(
                (
                    with_short_answer(item, analysed, similar[k] if similar else None)
                    for k, item in enumerate(best)
                ),
                # After every answer bound to the entity asked about ("Ed Lee" in "San
                # Francisco mayor Ed Lee said", before a sentence that only names the city).
                # A date of another event is not moved: the sentences naming that kind of
                # event may name another body's ("the Fund for Coastal Towns was founded").
                # So is a figure the speaker gives of their own country ("eleven million of
                # our people"), or one of a place, asked of the world.
                key=lambda a: (
                    a.features["relation_unbound"]
                    or a.features["own_figure"]
                    or a.features["place_figure"],
                    -a.score,
                ),
            )
        )
    )
    return reranked, similar is not None


# A sentence that opens by pointing back ("This approach, advocated by the Global Health
# Workforce Alliance, ...", "These measures"): what it says is said of the sentence before.
_POINTS_BACK = re.compile(r"^(?:This|These|That|Those|Such)\s+[a-z]+\b(?!\s+(?:of|is|was)\b)")


def with_antecedent(answers: list[Scored]) -> list[Scored]:
    """The answers, where the first opens by pointing back to the sentence before it in its
    passage and that sentence is listed with a short answer the short-answer model prefers:
    that sentence first, with the first's score (the two are one statement: "a strategy of
    'treat, train and retain.' This approach, advocated by the Alliance, ...")."""
    if len(answers) < 2 or not _POINTS_BACK.match(answers[0].sentence):
        return answers
    first = answers[0]
    sentences = list(first.fields.get("sentences") or ())
    at = sentences.index(first.sentence) if first.sentence in sentences else 0
    if at == 0:
        return answers
    for k, other in enumerate(answers[1:], start=1):
        if other.fields["passage_id"] == first.fields["passage_id"] and (
            other.sentence == sentences[at - 1]
        ):
            if other.span is not None and (
                first.span is None or other.features["span_score"] > first.features["span_score"]
            ):
                return [replace(other, score=first.score), *answers[:k], *answers[k + 1 :]]
            break
    return answers


def with_agreement(answers: list[Scored]) -> list[Scored]:
    """The answers, each with the agreement of other passages: log(1 + the summed
    probabilities that their sentences answer) over the listed answers of other passages
    giving the same short answer once normalised, or a city within it when it is a country
    ("Dubai" agrees with "United Arab Emirates": if COP28 was held in Dubai, it was held in
    the Emirates, so the country is never shown less likely than the city). A fact stated
    by independent passages that answer the question is likelier stated; "three" cut from
    sentences that do not answer it ("in three key areas") agrees by chance and counts
    little."""
    keys = [normalized(a.span.text) if a.span else "" for a in answers]
    within = [_country_of(a.span.text) if a.span else "" for a in answers]
    out = []
    for k, item in enumerate(answers):
        pid = item.fields["passage_id"]
        best: dict[str, float] = {}  # passage -> its best sentence's probability
        for other, key, country in zip(answers, keys, within, strict=True):
            other_pid = other.fields["passage_id"]
            if keys[k] and keys[k] in (key, country) and other_pid != pid:
                p = other.features["sentence_probability"]
                best[other_pid] = max(best.get(other_pid, 0.0), p)
        agreement = math.log1p(sum(best.values()))
        out.append(replace(item, features={**item.features, "agreement": agreement}))
    return out


def _country_of(text: str) -> str:
    """The country of a city the gazetteers know, normalised ("Dubai" -> "united arab
    emirates"); "" for anything else."""
    country = city_countries().get(text.strip())
    return normalized(country) if country else ""


def with_list_confidence(item: Scored, first: Scored, is_first: bool) -> Scored:
    """The answer with the calibrated probability that it is right as shown (its short
    answer, or its sentence without one), knowing its place below the `first` answer."""
    inputs = confidence.answer_inputs(
        item.features, item.span is not None, is_first, first.score - item.score
    )
    return replace(item, confidence=confidence.answer_probability(item.features, inputs))


def with_short_answer(item: Scored, question: Question, similarity: float | None = None) -> Scored:
    """The answer with its short answer (or none), its sentence's calibrated probability
    (as `confidence` until with_list_confidence()) and its score re-weighed
    (search_app.qa.rerank) knowing that short answer and its `similarity` in meaning to the
    question (search_app.qa.semantic; None without the model)."""
    item = with_office_holder_before(item, question)
    choice = choose_span(item.sentence, question)
    fields = item.fields
    passage = f"{fields.get('title', '')}\n{fields.get('text', '')}"
    features = confidence.answer_features(
        item.features,
        question,
        passage,
        choice.span,
        choice.probability,
        similarity,
        item.sentence,
    )
    known = {
        **item.features,
        **features,
        "sentence_score": item.score,
        "span_score": choice.score,
        "span_candidates": math.log1p(choice.count),
        "names_away": confidence.names_away(question, f"{_title_near(item)}\n{item.sentence}"),
        # Not inputs of any model: rules (confidence.answers_the_question).
        "first_missing": float(confidence.first_missing(question, item.sentence)),
        "another_of_series": float(
            another_of_the_series(question.text, item.sentence, str(fields.get("title") or ""))
        ),
        "body_missing": float(
            confidence.body_missing(
                question, item.sentence, " ".join(fields.get("section_path") or ())
            )
        ),
        **_unbound(item, question, choice.span),
    }
    # The re-ordering weighs the sentence as its phrase was found (as it was fitted).
    score = rerank.score(known)
    span = choice.span
    if is_unbound(known):
        # "with Jerusalem as the capital" asked "What is the capital of France?": its phrase
        # is no answer; the sentence stays, to read, weighed as one without a short answer.
        span = None
        known.update(
            confidence.answer_features(
                item.features, question, passage, None, 0.0, similarity, item.sentence
            )
        )
    known["sentence_probability"] = sentence_probability = confidence.probability(known)
    return replace(item, span=span, score=score, features=known, confidence=sentence_probability)


def with_office_holder_before(item: Scored, question: Question) -> Scored:
    """The answer with the sentence before it in its passage, where it opens with the office
    asked and that sentence may end with its holder's name ("His Excellency Mr. Joe Biden.
    President of the United States; ..." asked who is the President of the United States)."""
    relation = asked_relation(question.text, titles=True)
    if relation is None or not opens_with_office(relation, item.sentence):
        return item
    sentences = list(item.fields.get("sentences") or ())
    at = sentences.index(item.sentence) if item.sentence in sentences else 0
    if at == 0:
        return item
    return replace(item, sentence=f"{sentences[at - 1]} {item.sentence}")


def _title_near(item: Scored) -> str:
    """The title as near a sentence's answer: without the speaker's own country
    (topic_title), unless the sentence speaks in the first person ("11 per cent of our
    inhabitants are migrants", from Costa Rica's statement, is said of Costa Rica)."""
    if about_the_speaker(item.sentence):
        return str(item.fields.get("title") or "")
    return topic_title(item.fields)


def _pointed_to(item: Scored) -> str:
    """What "its", "our" or a sentence's opening "It" may point back to: its document's
    title (the speaker's country too: "our capital") and the sentence before it."""
    sentences = list(item.fields.get("sentences") or ())
    at = sentences.index(item.sentence) if item.sentence in sentences else 0
    before = sentences[at - 1] if at > 0 else ""
    return f"{item.fields.get('title', '')}\n{before}"


def _unbound(item: Scored, question: Question, span: Span | None) -> dict[str, float]:
    """Whether the answer's sentence says the relation asked of something else ("with
    Jerusalem as the capital" asked "What is the capital of France?": search_app.qa.relation)
    or gives no name where one is asked ("private sector" for the capital of Australia), or,
    asked when a founding, adoption, birth or death happened, dates another event ("the
    Fund's replenishment consultation in December": search_app.qa.events), or its figure is
    the speaker's own country's ("eleven million of our people") or, asked of the world, one
    place's ("17 million Chadians, nearly 2 million are refugees": search_app.qa.scope)."""
    sentence = item.sentence
    asked = asked_relation(question.text)
    relation = unbound(asked, sentence, question.answer_type, _pointed_to(item)) or (
        asked is not None
        and question.answer_type in NAME_TYPES
        and span is not None
        and not confidence.looks_like_a_name(span)
    )
    other_event = question.answer_type in (DATE, YEAR) and event_missing(
        asked_events(question.text), sentence
    )
    own = own_figure(
        question.text, question.answer_type, sentence, span, str(item.fields.get("country") or "")
    )
    return {
        "relation_unbound": float(relation),
        "event_missing": float(other_event),
        "own_figure": float(own),
        "place_figure": float(place_figure(question.text, question.answer_type, sentence, span)),
    }


def is_unbound(features: Mapping[str, float]) -> bool:
    """Whether an answer's sentence cannot give the short answer asked for (_unbound)."""
    return bool(
        features.get("relation_unbound")
        or features.get("event_missing")
        or features.get("own_figure")
        or features.get("place_figure")
    )


def topic_title(fields: Mapping[str, Any]) -> str:
    """A passage's document title without the name of the document's own country (a
    statement's speaker: "France - General Debate statement"): who speaks is not what the
    passage is about, so "France" there does not place a question's "France" near an answer."""
    title = str(fields.get("title") or "")
    own = str(fields.get("country") or "")
    return title.replace(own, " ") if own else title


def retrieve(
    snapshot: Snapshot,
    question: Question,
    filters: Mapping[str, Sequence[str]] | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
) -> list[tuple[dict[str, Any], float]]:
    """The candidate passages (stored fields and BM25F score), best first, within `filters`
    (facet -> values as people type them) and the year range."""
    text = query_text(question)
    near = (question.text, MEANING_PASSAGES)
    hits = top_passages(snapshot, text, filters, year_from, year_to, CANDIDATE_PASSAGES, near)
    searcher = snapshot.searcher()
    return [(searcher.stored_fields(docnum), score) for docnum, score in hits]


def query_text(question: Question) -> str:
    """The search query for a question: any content word or quoted phrase may match."""
    # Lowercased so that a word like "NOT" is never read as an operator.
    parts = [f'"{p}"' for p in question.phrases] + [w.lower() for w in question.words]
    return " OR ".join(parts)


# Words for a confidence, from the highest band down (the page and the CLI show them).
# "Possible" spans the middle: a 45% short answer is near a coin toss, not "unlikely".
CONFIDENCE_WORDS: tuple[tuple[float, str], ...] = (
    (0.9, "very likely"),
    (0.7, "likely"),
    (0.3, "possible"),
    (0.0, "unlikely"),
)


def confidence_label(confidence: float) -> str:
    """A confidence in words: "very likely", "likely", "possible" or "unlikely"."""
    return next(label for low, label in CONFIDENCE_WORDS if confidence >= low)


def shown_answers(answers: Sequence[Scored]) -> list[Scored]:
    """The answers worth showing, in order: none unless the first is (is_confident), then
    each that is too. A later answer at 1% is not a possible answer, only noise in the list."""
    if not answers or not is_confident(answers[0]):
        return []
    return [answers[0], *(a for a in answers[1:] if is_confident(a))]


def is_confident(best: Scored) -> bool:
    """Whether the best answer is worth giving: the calibrated probability that it is right
    as shown (its short answer, or its sentence without one; with_list_confidence()) clears
    the threshold chosen on tuning questions, and it can answer at all (a "who" answered by
    a person, a "when" by a time: confidence.answers_the_question)."""
    return best.confidence >= confidence.answer_threshold(
        best.features
    ) and confidence.answers_the_question(best.features)


def _by_best_sentence(
    passages: list[tuple[dict[str, Any], float]], scored: list[Scored]
) -> list[tuple[dict[str, Any], float]]:
    """The passages in the order of their best sentences (then in search order); `scored`
    lists the answers first, so that the first answer's passage comes first.

    The sentence scores weigh the search score with the question's words in each sentence:
    on SQuAD questions outside the sample this puts the passage holding the answer first
    more often than the search order alone (passage@1 0.84 against 0.79).
    """
    first: dict[str, int] = {}
    for position, item in enumerate(scored):  # best first
        first.setdefault(item.fields["passage_id"], position)
    return sorted(passages, key=lambda p: first.get(p[0]["passage_id"], len(scored)))


def _distinct(
    passages: list[tuple[dict[str, Any], float]],
) -> list[tuple[dict[str, Any], float]]:
    """The passages without repeats of the same text (a report's copies in two formats)."""
    seen: set[str] = set()
    out = []
    for fields, score in passages:
        key = normalized(fields.get("text", ""))
        if key not in seen:
            seen.add(key)
            out.append((fields, score))
    return out


def _diverse(scored: list[Scored], limit: int) -> list[Scored]:
    """The best sentences, at most PER_PASSAGE from each passage, no sentence twice."""
    chosen: list[Scored] = []
    per_passage: dict[str, int] = {}
    seen: set[str] = set()
    for item in scored:
        pid = item.fields["passage_id"]
        key = normalized(item.sentence)
        if per_passage.get(pid, 0) >= PER_PASSAGE or key in seen:
            continue
        per_passage[pid] = per_passage.get(pid, 0) + 1
        seen.add(key)
        chosen.append(item)
        if len(chosen) == limit:
            break
    return chosen


def clean_list(answers: list[Scored], question: Question) -> list[Scored]:
    """The answers, best first, without noise: no answer whose text (or, without a short
    answer, whose sentence) repeats an earlier one once normalised, and after the first, no
    short answer that is not of the kind asked for (a name for "who", "where"...): its
    sentence is then given to read, as for a sentence without one; no short answer that is
    part of one above; from a passage listed above, only another short answer of an asked
    type ("Dubai" after "United Arab Emirates"), not another sentence to read or phrase of
    an untyped question (the passage to read is already there). The first stays as ranked:
    it decides whether to answer at all (is_confident)."""
    kept: list[Scored] = []
    seen: set[str] = set()
    spans: list[str] = []  # the short answers kept, normalised
    passages: set[str] = set()  # the passages listed
    for k, item in enumerate(answers):
        if k > 0 and item.span is not None and not of_asked_type(item, question):
            # The phrase is of another kind: the sentence stays, to read, without it.
            item = replace(item, span=None)
        if k > 0 and item.fields["passage_id"] in passages and not _typed(item, question):
            continue
        text = normalized(without_address(item.span).text) if item.span else ""
        if item.span is not None and _within(text, spans):
            # A part of an answer above ("treat" after "treat, train and retain", "2009"
            # after "1 June 2009") says nothing new; without its phrase, its sentence would
            # be weighed as a sentence that answers, and shown likelier than the answer.
            continue
        keys = {normalized(item.sentence)}
        if item.span is not None:
            keys.add(text)
        if keys & seen:
            continue
        seen |= keys
        if item.span is not None:
            spans.append(text)
        passages.add(item.fields["passage_id"])
        kept.append(item)
    return kept


def _typed(item: Scored, question: Question) -> bool:
    """Whether the answer has a short answer and the question asks for a type of answer."""
    return item.span is not None and question.answer_type is not None


def _within(text: str, others: list[str]) -> bool:
    """Whether `text` is, in whole words, a part (not the whole) of one of the `others`."""
    return any(text != other and f" {text} " in f" {other} " for other in others)


def of_asked_type(item: Scored, question: Question) -> bool:
    """Whether an answer is of the kind the question asks for: a short answer that is (or
    lies within) a phrase of that type in its sentence; any answer when no type is asked."""
    if question.answer_type is None:
        return True
    span = item.span
    if span is None:
        return False
    if question.answer_type == NUMBER:
        # A share is no count: "40 per cent of those refugees" for "how many refugees".
        percentages = find_spans(item.sentence, PERCENT)
        return not any(s.start <= span.start and span.end <= s.end for s in percentages)
    if question.answer_type not in NAME_TYPES:
        return True  # the short-answer model only offers dates, figures, shares for these
    names = find_spans(item.sentence, question.answer_type)
    if question.answer_type != ORGANIZATION:
        # A place or a country the gazetteers know, a person named with a title or by two
        # words that are no place or body: not "Conference" for "where", "Secretary-General"
        # for "who". The gazetteers know too few bodies to ask the same of organizations.
        names = [s for s in names if s.known]
    if question.answer_type == PERSON and not could_be_a_person(span, item.sentence):
        return False  # "Deputy Secretary-General", "Mr President"
    return any(s.start <= span.start and span.end <= s.end for s in names)


_ARTICLES = re.compile(r"\b(?:a|an|the)\b")
_NOT_WORD = re.compile(r"[^\w\s]")


def normalized(text: str) -> str:
    """A text as compared for repeats: lowercase, without punctuation, articles or extra
    spaces ("the Baku," and "Baku" are one answer)."""
    return " ".join(_ARTICLES.sub(" ", _NOT_WORD.sub(" ", text.lower())).split())


def answer_json(snapshot: Snapshot, item: Scored, question: Question) -> dict[str, Any]:
    """One answer with its citation, the fields every search result cites its passage by
    (search_app.engine.results.citation): `answer` is the short answer, or null when the
    sentence holds none of the kind asked for (then the sentence is the thing to read)."""
    fields = item.fields
    shown = without_address(item.span) if item.span else None
    return {
        "answer": shown.text if shown else None,
        "sentence": item.sentence,
        "snippet": _marked_snippet(fields.get("text", ""), item.sentence, shown),
        "confidence": round(item.confidence, 3),
        "sentence_confidence": round(item.features["sentence_probability"], 3),
        "score": round(item.score, 4),
        **citation(snapshot, fields, question.text),
    }


def passage_json(
    snapshot: Snapshot, fields: dict[str, Any], score: float, question: Question
) -> dict[str, Any]:
    """A closest passage, shown when no answer is confident enough."""
    return {
        "snippet": snippet(
            fields.get("sentences") or (), fields.get("text", ""), frozenset(question.terms)
        ),
        "score": round(score, 4),
        **citation(snapshot, fields, question.text),
    }


def _marked_snippet(text: str, sentence: str, span: Span | None) -> str:
    """The passage as escaped HTML with <mark> around the answer (the span, else the sentence)."""
    at = text.find(sentence)
    if at < 0:
        # The stored sentence is not verbatim in the text (whitespace): show the sentence.
        text, at = sentence, 0
    start, end = (at + span.start, at + span.end) if span else (at, at + len(sentence))
    return f"{escape(text[:start])}<mark>{escape(text[start:end])}</mark>{escape(text[end:])}"
