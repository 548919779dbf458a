"""The re-ordering of the best sentences once their short answers are cut and their
similarity in meaning to the question is known: one linear score over everything known of
each, fitted by `python -m bench.qa_squad --fit-rerank` on SQuAD questions outside the sample.
"""

from __future__ import annotations

from collections.abc import Mapping

from search_app.qa import confidence
from search_app.qa.sentence_scoring import FEATURES as SENTENCE_FEATURES

# This many of the best sentences are re-ordered, whatever the number of answers asked for,
# so that the first answer does not depend on it. Each costs a few milliseconds to embed on
# 2 cores; deeper than 6 gained little on SQuAD questions outside the sample.
DEPTH = 6
# What the short-answer model says of a sentence's best phrase (short_answer.choose_span).
SPAN_FEATURES: tuple[str, ...] = ("span_score", "span_probability", "span_candidates")
# The inputs of the score, in the order the fit prints them: the sentence score, the short
# answer, the similarity, then every input of the sentence score and of the confidence model,
# re-weighed now that the similarity is known.
INPUTS: tuple[str, ...] = tuple(
    dict.fromkeys(
        ["sentence_score", *SPAN_FEATURES, "similarity", *SENTENCE_FEATURES, *confidence.FEATURES]
    )
)
# Fitted by `python -m bench.qa_squad --fit-rerank` (softmax over each question's DEPTH best
# sentences, L2 1e-3), scaled so that the sentence score counts 1. An input an answer lacks
# counts 0: the similarity without the sentence-embedding model (the words-only ranking
# measured as well with these weights as with its own, on tuning questions).
WEIGHTS: dict[str, float] = {
    "sentence_score": 1.0,
    "span_score": 0.38,
    "span_probability": -0.514,
    "span_candidates": -0.011,
    "similarity": 5.354,
    "overlap": 0.855,
    "bigrams": 0.457,
    "proximity": 0.172,
    "neighbours": -0.045,
    "passage_score": -0.062,
    "passage_overlap": -0.142,
    "rank": -0.117,
    "when_found": -0.11,
    "when_missing": 0.11,
    "quantity_found": -0.779,
    "quantity_missing": 0.779,
    "name_found": -0.039,
    "name_missing": 0.039,
    "bm25": -1.027,
    "novel": 0.028,
    "overlap_x_passage": 0.095,
    "order": 0.116,
    "exact_names": -0.86,
    "span_near": -0.204,
    "passage_bigrams": 0.14,
    "passage_best": -0.385,
    "span_known": -0.099,
    "span_precise": -0.294,
    "near_overlap": 0.282,
    "passage_near": 0.364,
    "title_overlap": 0.386,
    "unmatched": 0.011,
    "type_missing": 1.14,
    "few_terms": 0.0,
    "missing_names": -2.102,
    "span_in_question": -0.088,
    "missing_phrases": -0.351,
    "name_unknown": -0.047,
    "span_echo": -0.133,
    "not_a_person": -0.63,
    "years_missing": -0.294,
}


def score(features: Mapping[str, float]) -> float:
    """The re-ordering score of an answer with these features."""
    return sum(w * features.get(name, 0.0) for name, w in WEIGHTS.items())
