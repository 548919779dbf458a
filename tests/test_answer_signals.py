"""Signals that tell a shelf stating a fact from one discussing its topic: the question's
names near the answer, and the agreement of independent passages, on a small shelf written by
the test."""

from __future__ import annotations

import math

import pytest
from shelves import index_shelf

from search_app import qa
from search_app.engine.index_handle import IndexHandle
from search_app.qa import confidence
from search_app.qa.question import analyze_question

IMO = analyze_question("Where is the headquarters of the International Maritime Organization?")

REPORTS = {
    "kelp-2031.md": "Kelp summit 2031\n\nThe Kelp Summit was held in Nairobi, the delegates"
    " recalled, and its declaration on coastal fisheries was adopted there.\n",
    "kelp-review.md": "Review of ocean meetings\n\nAs the review notes, the Kelp Summit was held"
    " in Nairobi and brought together ministers of fisheries from forty states.\n",
    "tide.md": "Tide forum\n\nThe Tide Forum was held in Geneva and discussed tidal energy"
    " for small island states.\n",
}


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory):
    return IndexHandle(index_shelf(tmp_path_factory.mktemp("signals"), REPORTS)).snapshot()


def test_the_questions_names_away_from_the_answer():
    other_body = "Since 2005, UNITAR, supported by the International Organization for Migration"
    assert confidence.names_away(IMO, f"{other_body} (IOM), met in New York.") == 1.0
    stated = "The International Maritime Organization has its headquarters in London."
    assert confidence.names_away(IMO, stated) == 0.0
    assert confidence.names_away(IMO, "IMO has its headquarters in London.") == 0.0
    cop = analyze_question("Where was COP28 held in 2023?")
    assert confidence.names_away(cop, "COP28 was held in Dubai.") == 0.5


def test_independent_passages_agreeing_on_the_answer(snapshot):
    kelp = qa.rank_answers(snapshot, "Where was the Kelp Summit held?").answers
    assert kelp[0].span is not None and kelp[0].span.text == "Nairobi"
    # The other passage stating it, weighed by the probability that its sentence answers
    # (the list shows "Nairobi" once).
    assert 0 < kelp[0].features["agreement"] <= math.log(2)
    tide = qa.rank_answers(snapshot, "Where was the Tide Forum held?").answers
    assert tide[0].span is not None and tide[0].span.text == "Geneva"
    assert tide[0].features["agreement"] == 0.0


def test_the_answer_model_weighs_both_signals():
    weights = confidence.ANSWER_MODEL.weights
    assert weights["names_away"] < 0
    assert {"names_away", "agreement"} <= set(confidence.ANSWER_FEATURES)
