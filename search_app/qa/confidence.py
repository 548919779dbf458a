"""How likely an answer is right: a calibrated probability, and the no-answer decision.

A logistic model over the answer sentence's coverage of the question (its own words, its
passage's, the weight of the rarest question word it lacks), how few words the question has
(two matched words say less than six), whether the short answer of the kind asked for is
missing and how clearly the short-answer model prefers its phrase. Fitted by
`python -m bench.qa_squad --calibrate` on SQuAD questions outside the evaluation sample,
each asked of the full index (right when the first sentence holds a gold answer) and of an
index without its article (always wrong): the output is the probability that the answer's
sentence answers the question, checked bin by bin in the bench's reliability table.
"""

from __future__ import annotations

import math
import re

from search_app.qa.answer_types import Span
from search_app.qa.question import Question
from search_app.qa.sentence_scoring import tokens

FEATURES: tuple[str, ...] = (
    "overlap",
    "passage_overlap",
    "unmatched",
    "type_missing",
    "span_probability",
    "few_terms",
    "missing_names",
    "span_in_question",
)
WEIGHTS: dict[str, float] = {
    "bias": -4.34,
    "overlap": 6.707,
    "passage_overlap": 2.007,
    "unmatched": 1.292,
    "type_missing": -0.974,
    "span_probability": 0.676,
    "few_terms": -7.342,
    "missing_names": -1.55,
    "span_in_question": -0.224,
}
# Below this probability the best answer is not given: "no answer found". Chosen with
# `--calibrate` on 1,500 tuning questions: at 0.15 it refused 7.7% of them on the full index
# and 88.2% asked without their article, at 0.20 10.3% and 92.1%; 0.18 keeps false refusals
# under 10%.
NO_ANSWER_THRESHOLD = 0.18


def answer_features(
    sentence_features: dict[str, float],
    question: Question,
    passage: str,
    span: Span | None,
    span_p: float,
) -> dict[str, float]:
    """The model's inputs for one answer: its sentence's features, its passage (title and
    text) and its short answer."""
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
    }


def _missing_names(question: Question, passage: str) -> float:
    """Share of the question's names and numbers ("War and Peace", "2016") that its answer's
    passage does not hold as written: a passage about "peace" is not about "War and Peace"."""
    names = [w for w in question.words if w[:1].isupper() or any(c.isdigit() for c in w)]
    names = [w for w in names if not question.text.startswith(w)]
    if not names:
        return 0.0
    return sum(re.search(rf"\b{re.escape(w)}\b", passage) is None for w in names) / len(names)


def probability(features: dict[str, float]) -> float:
    """The calibrated probability that the answer is right."""
    x = WEIGHTS["bias"] + sum(WEIGHTS[name] * features[name] for name in FEATURES)
    return 1.0 / (1.0 + math.exp(-x))
