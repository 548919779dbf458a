"""Score the sentences of retrieved passages as answers to an analysed question.

Each sentence gets features, all in [0, 1], combined linearly with weights fitted on SQuAD
questions outside the evaluation sample (`python -m bench.qa_squad --fit`):

- its own words (its section heading counted with them): share of the question's IDF mass it
  holds, exactly or as a near form sharing the first letters; BM25; shared word pairs; word
  order; proximity of the matched words; the overlap of the sentences next to it;
- its passage: BM25F score relative to the best passage, rank, overlap (title and section
  included), shared word pairs, the best sentence overlap in it;
- the answer: whether it holds a date, number or name of the kind asked for, outside the
  question's words, how near them, whether a gazetteer knows the name, whether a date is
  given to the day.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from whoosh.searching import Searcher
from whoosh.support.charset import accent_map

from indexer.index import ranking
from indexer.index.analysis import TOKEN_PATTERN, stem, stopwords
from search_app.qa import fitted
from search_app.qa.answer_types import (
    COUNTRY,
    DATE,
    NUMBER,
    ORGANIZATION,
    PERCENT,
    PERSON,
    PLACE,
    YEAR,
    Span,
    find_spans,
)
from search_app.qa.question import Question

FEATURES: tuple[str, ...] = (
    "overlap",
    "bigrams",
    "proximity",
    "neighbours",
    "passage_score",
    "passage_overlap",
    "rank",
    "when_found",
    "when_missing",
    "quantity_found",
    "quantity_missing",
    "name_found",
    "name_missing",
    "bm25",
    "novel",
    "overlap_x_passage",
    "order",
    "exact_names",
    "span_near",
    "passage_bigrams",
    "passage_best",
    "span_known",
    "span_precise",
    "near_overlap",
    "passage_near",
    "title_overlap",
)
# Fitted by `python -m bench.qa_squad --fit` (softmax over each question's candidate
# sentences, 5,000 SQuAD v1.1 dev questions outside the evaluation sample): models/sentence.json.
MODEL_VERSION = 1
WEIGHTS = fitted.load("sentence", MODEL_VERSION, FEATURES).weights

# BM25 constants for sentences: Whoosh's defaults, and the typical number of index terms in
# a sentence (SQuAD dev: about 13 once stopwords are dropped).
SENTENCE_K1, SENTENCE_B, SENTENCE_TERMS = 1.2, 0.75, 13.0
# Words of a sentence that are not in the question, counted up to this many: a sentence made
# only of the question's words cannot hold the answer.
NOVEL_CAP = 5
NEAR_PREFIX = 4  # letters two terms must share to count as a near match

# Answer types grouped by how their spans are found: each group has its own weights.
TYPE_GROUPS: dict[str, str] = {
    DATE: "when",
    YEAR: "when",
    NUMBER: "quantity",
    PERCENT: "quantity",
    PERSON: "name",
    ORGANIZATION: "name",
    PLACE: "name",
    COUNTRY: "name",
}

# A date down to the day ("1 June 2009", "June 1, 2009"): the most precise answer to "when".
_FULL_DATE = re.compile(r"\d{1,2}(?:st|nd|rd|th)? \w+,? \d{4}|\w+ \d{1,2}, \d{4}")

Token = tuple[str, int, int]  # index term, start and end character
_TOKEN = re.compile(TOKEN_PATTERN)
MIN_TERM = 2  # the analyzer's StopFilter minsize


@dataclass(frozen=True)
class Scored:
    """A candidate answer sentence with its passage, features and score."""

    fields: dict[str, Any]  # the passage's stored fields
    passage_score: float
    sentence: str
    features: dict[str, float]
    score: float
    confidence: float
    span: Span | None  # the short answer within the sentence, when the type allows one


@lru_cache(maxsize=200_000)
def tokens(text: str) -> tuple[Token, ...]:
    """Index terms of a text with their character offsets (stopwords dropped): the terms
    text_analyzer() gives, by the same steps without its per-token objects (4x faster)."""
    stop = stopwords()
    out = []
    for match in _TOKEN.finditer(text):
        word = match.group().lower().translate(accent_map)
        if len(word) >= MIN_TERM and word not in stop:
            out.append((stem(word), match.start(), match.end()))
    return tuple(out)


def term_weights(searcher: Searcher, question: Question) -> dict[str, float]:
    """IDF of each distinct question term in the passage text field (the ranking's idf)."""
    n = searcher.doc_count_all()
    terms = dict.fromkeys(question.terms)
    return {t: ranking.idf(n, searcher.doc_frequency("text", t)) for t in terms}


def score_passages(
    searcher: Searcher, question: Question, passages: list[tuple[dict[str, Any], float]]
) -> list[Scored]:
    """All sentences of the passages, scored, best first."""
    if not passages:
        return []
    weights = term_weights(searcher, question)
    rows = []
    for rank, (fields, score) in enumerate(passages):
        sentences = tuple(fields.get("sentences") or (fields.get("text", ""),))
        # The passage's terms as its sentences' (each tokenized once, cached): the same
        # words as the text's, without tokenizing the text a second time.
        text_terms = [t for sentence in sentences for t in _term_list(sentence)]
        relative = score / (passages[0][1] or 1.0)
        shared = passage_features(fields, relative, rank, weights, text_terms)
        shared["passage_bigrams"] = _bigram_share(text_terms, question)
        heading = (fields.get("section_path") or ("",))[-1]
        overlaps = [_coverage(_terms(s), weights) for s in sentences]
        shared["passage_best"] = max(overlaps, default=0.0)
        for i, sentence in enumerate(sentences):
            features, span = sentence_features(sentence, question, weights, heading)
            near = overlaps[max(0, i - 1) : i] + overlaps[i + 1 : i + 2]
            features["neighbours"] = max(near, default=0.0)
            features["overlap_x_passage"] = features["overlap"] * shared["passage_overlap"]
            rows.append((fields, score, sentence, {**features, **shared}, span))
    best_bm25 = max(row[3]["bm25"] for row in rows) or 1.0
    for row in rows:
        row[3]["bm25"] /= best_bm25  # relative to the best candidate: scale-free
    scored = [_scored(*row) for row in rows]
    scored.sort(key=lambda s: s.score, reverse=True)
    return scored


def passage_features(
    fields: dict[str, Any],
    relative_score: float,
    rank: int,
    weights: dict[str, float],
    text_terms: list[str],
) -> dict[str, float]:
    """Features every sentence of a passage shares (`text_terms`: the terms of its text)."""
    header = f"{fields.get('title', '')} {fields.get('section', '')}"
    in_passage = set(text_terms) | _terms(header)
    near = _near_matches(list(in_passage), weights, in_passage)
    return {
        "passage_score": relative_score,
        "passage_overlap": _coverage(in_passage, weights),
        "passage_near": _coverage(near, weights),
        "title_overlap": _coverage(_terms(fields.get("title", "")), weights),
        "rank": 1.0 / (rank + 1),
    }


def sentence_features(
    sentence: str, question: Question, weights: dict[str, float], heading: str = ""
) -> tuple[dict[str, float], Span | None]:
    """The features of one sentence under its heading, and its short answer if it has one."""
    toks = tokens(sentence)
    own = [t for t, _, _ in toks]
    # The heading says what the sentence is about ("A. UNITAR chairmanship of the Global
    # Migration Group"), as a preceding sentence would: its words count as the sentence's.
    terms = _term_list(heading) + own
    matched = {t for t in terms if t in weights}
    span = best_span(sentence, toks, question) if question.answer_type else None
    features = {
        "bm25": _bm25(terms, weights),
        "novel": min(sum(t not in weights for t in own), NOVEL_CAP) / NOVEL_CAP,
        "overlap": _coverage(matched, weights),
        "near_overlap": _coverage(_near_matches(terms, weights, matched), weights),
        "unmatched": max((w for t, w in weights.items() if t not in matched), default=0.0)
        / (sum(weights.values()) or 1.0),
        "type_missing": float(question.answer_type is not None and span is None),
        "span_known": float(span is not None and span.known),
        "span_precise": float(span is not None and _FULL_DATE.search(span.text) is not None),
        "bigrams": _bigram_share(terms, question),
        "proximity": _proximity(terms, matched),
        "order": _common_order(question.terms, terms) / max(1, len(set(question.terms))),
        "exact_names": _exact_names(sentence, question),
        "span_near": _span_near(span, toks, set(question.terms)),
    }
    group = TYPE_GROUPS.get(question.answer_type or "")
    for name in set(TYPE_GROUPS.values()):
        features[f"{name}_found"] = float(group == name and span is not None)
        features[f"{name}_missing"] = float(group == name and span is None)
    return features, span


def best_span(sentence: str, toks: tuple[Token, ...], question: Question) -> Span | None:
    """The span of the expected type nearest the question's words, outside them."""
    spans = find_spans(sentence, question.answer_type)
    asked = set(question.terms)
    inside = [(s, e) for t, s, e in toks if t in asked]
    spans = [sp for sp in spans if not any(s < sp.end and sp.start < e for s, e in inside)]
    spans = [sp for sp in spans if sp.known] or spans  # a known place beats any name
    if not spans:
        return None
    if not inside:
        return spans[0]
    return min(spans, key=lambda sp: min(abs(sp.start - e) + abs(s - sp.end) for s, e in inside))


def _scored(
    fields: dict[str, Any],
    passage_score: float,
    sentence: str,
    features: dict[str, float],
    span: Span | None,
) -> Scored:
    score = sum(WEIGHTS[name] * features[name] for name in FEATURES)
    # The confidence is known once the short answer is (answering.with_short_answer).
    return Scored(fields, passage_score, sentence, features, score, 0.0, span)


def _terms(text: str) -> set[str]:
    return {t for t, _, _ in tokens(text)}


def _coverage(terms: set[str], weights: dict[str, float]) -> float:
    """Share of the question's IDF mass whose terms are among `terms`."""
    total = sum(weights.values()) or 1.0
    return sum(w for t, w in weights.items() if t in terms) / total


def _bm25(terms: list[str], weights: dict[str, float]) -> float:
    """BM25 of the sentence for the question terms (sentence length against a typical one)."""
    norm = SENTENCE_K1 * (1 - SENTENCE_B + SENTENCE_B * len(terms) / SENTENCE_TERMS)
    score = 0.0
    for term, idf in weights.items():
        tf = terms.count(term)
        if tf:
            score += idf * tf * (SENTENCE_K1 + 1) / (tf + norm)
    return score


def _near_matches(terms: list[str], weights: dict[str, float], matched: set[str]) -> set[str]:
    """Question terms the stemmer did not match but whose first letters a sentence term shares
    ("death" for "die" no, "France" for "French" yes): derivations Porter keeps apart."""
    prefixes = {t[:NEAR_PREFIX] for t in terms if len(t) >= NEAR_PREFIX}
    return {
        t
        for t in weights
        if t not in matched and len(t) >= NEAR_PREFIX and t[:NEAR_PREFIX] in prefixes
    }


def _term_list(text: str) -> list[str]:
    return [t for t, _, _ in tokens(text)]


def _bigram_share(terms: list[str], question: Question) -> float:
    """Share of the question's adjacent term pairs that are adjacent in `terms`."""
    pairs = set(zip(question.terms, question.terms[1:], strict=False))
    if not pairs:
        return 0.0
    return len(set(zip(terms, terms[1:], strict=False)) & pairs) / len(pairs)


def _common_order(a: tuple[str, ...], b: list[str]) -> int:
    """Length of the longest common subsequence of two term lists (word order kept)."""
    a = tuple(dict.fromkeys(a))
    b = [t for t in b if t in a]
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def _exact_names(sentence: str, question: Question) -> float:
    """Share of the question's capitalised words found verbatim in the sentence."""
    names = [w for w in question.words[1:] if w[:1].isupper()] or []
    if not names:
        return 0.0
    return sum(1 for w in names if w in sentence) / len(names)


def _span_near(span: Span | None, toks: tuple[Token, ...], asked: set[str]) -> float:
    """How close the short answer is to the question's words (1 when adjacent)."""
    if span is None:
        return 0.0
    positions = [i for i, (t, _, _) in enumerate(toks) if t in asked]
    if not positions:
        return 0.0
    at = sum(1 for _, s, _ in toks if s < span.start)  # token index where the span starts
    return 1.0 / (1 + min(abs(at - p) for p in positions))


def _proximity(terms: list[str], matched: set[str]) -> float:
    """Distinct matched terms per position of the shortest window holding them all."""
    if len(matched) < 2:
        return 0.0
    need, have = len(matched), 0
    counts: dict[str, int] = {}
    best, left = len(terms), 0
    for right, term in enumerate(terms):
        if term in matched:
            counts[term] = counts.get(term, 0) + 1
            have += counts[term] == 1
        while have == need:
            best = min(best, right - left + 1)
            gone = terms[left]
            if gone in matched:
                counts[gone] -= 1
                have -= counts[gone] == 0
            left += 1
    return need / best


def logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))
