"""Question answering with citations: the sentence that answers, its passage and its page.

Lexical method, no model: analyse the question (search_app.question), retrieve candidate
passages with the BM25F engine (OR semantics: an answer seldom repeats every word), score
every sentence of those passages (search_app.sentence_scoring), cut the short answer out of
the best sentences when the question asks for a date, a number or a name, and refuse to answer
when even the best sentence covers too little of the question.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import escape
from whoosh.query import And, NumericRange, Or, Query, Term
from whoosh.searching import Searcher

from indexer.index.schema import NUMERIC_FACETS
from indexer.metadata.gazetteer import country_names, organizations, places
from search_app.engine.facets import resolve_value
from search_app.engine.highlight import snippet
from search_app.engine.params import MAX_ANSWERS, AskRequest, parse_ask_args  # noqa: F401 - qa's API
from search_app.engine.query import parse_query
from search_app.engine.results import document_url
from search_app.qa.answer_types import Span
from search_app.qa.question import Question, analyze_question
from search_app.qa.sentence_scoring import Scored, score_passages

# Passages whose sentences are scored: the answer is in BM25F's top 20 for most questions,
# and scoring more only adds near-misses (measured on SQuAD questions outside the sample).
CANDIDATE_PASSAGES = 20
# At most this many answers from one passage, so that alternatives come from elsewhere.
PER_PASSAGE = 3
# Below this confidence the best sentence is not shown as an answer: "no answer found".
# 0.5 is the decision boundary of the confidence model fitted by `python -m bench.qa_squad
# --calibrate` on as many answerable as unanswerable questions outside the sample; there it
# refused 10.8% of answerable questions and 92.0% of unanswerable ones.
NO_ANSWER_THRESHOLD = 0.5
CLOSEST_PASSAGES = 3


def warm() -> None:
    """Load the place and organization lists that answer typing uses (index-independent)."""
    organizations()
    places()
    country_names()


@dataclass(frozen=True)
class Ranking:
    """Everything ask() found before shaping it for JSON."""

    question: Question
    answers: list[Scored]  # best first, at most PER_PASSAGE per passage
    passages: list[tuple[dict[str, Any], float]]  # retrieved passages, best first


def ask(
    handle: Any,
    question: str,
    filters: Mapping[str, Sequence[str]] | None = None,
    limit: int = 5,
) -> dict[str, Any]:
    """Answer a question from the index: exactly the /api/ask JSON body."""
    started = time.perf_counter()
    snapshot = handle.snapshot()
    resolved = {
        name: tuple(resolve_value(snapshot, name, str(v)) for v in _as_list(values))
        for name, values in (filters or {}).items()
    }
    ranking = rank_answers(snapshot.searcher(), question, resolved, limit)
    confident = bool(ranking.answers) and is_confident(ranking.answers[0])
    body: dict[str, Any] = {
        "question": question,
        "took_ms": 0,
        "answers": [answer_json(a, question) for a in ranking.answers] if confident else [],
        "no_answer": not confident,
    }
    if not confident:
        body["passages"] = [
            passage_json(fields, score, ranking.question)
            for fields, score in ranking.passages[:CLOSEST_PASSAGES]
        ]
    body["took_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return body


def rank_answers(
    searcher: Searcher,
    question: str,
    filters: Mapping[str, Sequence[str]] | None = None,
    limit: int = 5,
) -> Ranking:
    """Retrieve candidate passages and rank their sentences as answers."""
    analysed = analyze_question(question)
    if not analysed.terms:
        return Ranking(analysed, [], [])
    passages = retrieve(searcher, analysed, filters)
    scored = score_passages(searcher, analysed, passages)
    return Ranking(analysed, _diverse(scored, limit), passages)


def retrieve(
    searcher: Searcher, question: Question, filters: Mapping[str, Sequence[str]] | None = None
) -> list[tuple[dict[str, Any], float]]:
    """The candidate passages (stored fields and BM25F score), best first."""
    query = candidate_query(question, searcher.schema)
    hits = searcher.search(
        query, limit=CANDIDATE_PASSAGES, filter=filter_query(filters or {}, searcher.schema)
    )
    return [(hit.fields(), hit.score) for hit in hits]


def is_confident(best: Scored) -> bool:
    """Whether the best sentence is worth giving as an answer (calibrated threshold)."""
    return best.confidence >= NO_ANSWER_THRESHOLD


def candidate_query(question: Question, schema: Any) -> Query:
    """The BM25F query for a question: any content word or quoted phrase may match."""
    # Lowercased so that a word like "NOT" is never read as an operator.
    parts = [f'"{p}"' for p in question.phrases] + [w.lower() for w in question.words]
    query, _notice = parse_query(" OR ".join(parts), schema)
    return query


def filter_query(filters: Mapping[str, Sequence[str]], schema: Any) -> Query | None:
    """Facet selections as a Whoosh filter: any selected value of each facet, all facets."""
    clauses = []
    for facet, given in filters.items():
        values = _as_list(given)
        if not values:
            continue
        if facet in NUMERIC_FACETS:
            terms = [NumericRange(facet, int(v), int(v)) for v in values]
        else:
            terms = [Term(facet, str(v)) for v in values]
        clauses.append(Or(terms))
    return And(clauses) if clauses else None


def _as_list(values: str | Sequence[Any]) -> list[Any]:
    return [values] if isinstance(values, str) else list(values)


def _diverse(scored: list[Scored], limit: int) -> list[Scored]:
    """The best sentences, at most PER_PASSAGE from each passage, no sentence twice."""
    chosen: list[Scored] = []
    per_passage: dict[str, int] = {}
    seen: set[str] = set()
    for item in scored:
        pid = item.fields["passage_id"]
        key = " ".join(item.sentence.lower().split())
        if per_passage.get(pid, 0) >= PER_PASSAGE or key in seen:
            continue
        per_passage[pid] = per_passage.get(pid, 0) + 1
        seen.add(key)
        chosen.append(item)
        if len(chosen) == limit:
            break
    return chosen


def answer_json(item: Scored, question: str) -> dict[str, Any]:
    """One answer with its citation."""
    fields = item.fields
    answer = item.span.text if item.span else item.sentence
    return {
        "answer": answer,
        "sentence": item.sentence,
        "snippet": _marked_snippet(fields.get("text", ""), item.sentence, item.span),
        "score": round(item.score, 4),
        **citation(fields, question),
    }


def passage_json(fields: dict[str, Any], score: float, question: Question) -> dict[str, Any]:
    """A closest passage, shown when no answer is confident enough."""
    return {
        "snippet": snippet(
            fields.get("sentences") or (), fields.get("text", ""), frozenset(question.terms)
        ),
        "score": round(score, 4),
        **citation(fields, question.text),
    }


def citation(fields: dict[str, Any], question: str) -> dict[str, Any]:
    """Where a passage comes from: report, section, pages and a link to it."""
    document_id = fields["document_id"]
    return {
        "passage_id": fields["passage_id"],
        "document_id": document_id,
        "title": fields.get("title", ""),
        "section": " > ".join(fields.get("section_path") or ()),
        "page_start": fields.get("page_start"),
        "page_end": fields.get("page_end"),
        "url": document_url(
            document_id, fields["passage_id"], question, int(fields.get("ordinal", 0))
        ),
    }


def _marked_snippet(text: str, sentence: str, span: Span | None) -> str:
    """The passage as escaped HTML with <mark> around the answer (the span, else the sentence)."""
    at = text.find(sentence)
    if at < 0:
        # The stored sentence is not verbatim in the text (whitespace): show the sentence.
        text, at = sentence, 0
    start, end = (at + span.start, at + span.end) if span else (at, at + len(sentence))
    return f"{escape(text[:start])}<mark>{escape(text[start:end])}</mark>{escape(text[end:])}"
