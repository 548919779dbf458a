"""The re-ordering of the best sentences once their short answers are cut and their
similarity in meaning to the question is known: one linear score over everything known of
each, fitted by `python -m bench.qa_squad --fit-rerank` on SQuAD questions outside the sample.
"""

from __future__ import annotations

from collections.abc import Mapping

from search_app.qa import confidence, fitted
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
# sentences, L2 1e-3), scaled so that the sentence score counts 1: models/rerank.json. An
# input an answer lacks counts 0: the similarity without the sentence-embedding model (the
# words-only ranking measured as well with these weights as with its own, on tuning questions).
MODEL_VERSION = 1
MODEL = fitted.load("rerank", MODEL_VERSION, INPUTS)
WEIGHTS = MODEL.weights


def score(features: Mapping[str, float]) -> float:
    """The re-ordering score of an answer with these features."""
    return MODEL.linear(features)
