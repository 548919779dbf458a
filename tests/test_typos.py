"""Typos: a query that finds nothing or far less than its correction searches the correction,
and says so; word~ counts a transposition as one edit. On the real test index."""

from __future__ import annotations

import pytest


def body(client, **params):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def passage_ids(found) -> list[str]:
    return [r["passage_id"] for r in found["results"]]


@pytest.mark.parametrize(("typo", "word"), [("migartion", "migration"), ("nursse", "nurses")])
def test_a_misspelt_word_searches_its_correction(client, typo: str, word: str) -> None:
    found = body(client, q=typo)
    assert found["corrected_query"] == word and found["query"] == typo
    assert found["suggestion"] is None
    assert passage_ids(found) == passage_ids(body(client, q=word))


def test_a_correction_in_a_longer_query(client) -> None:
    found = body(client, q="ethical recruitmnet of nurses")
    assert found["corrected_query"] == "ethical recruitment of nurses"


def test_correct_off_searches_as_typed_and_suggests(client) -> None:
    found = body(client, q="migartion", correct="off")
    assert found["total"] == 0 and found["corrected_query"] is None
    assert found["suggestion"] == "migration"


def test_a_correct_query_is_left_alone(client) -> None:
    found = body(client, q="migration")
    assert found["corrected_query"] is None and found["total"] > 0


def test_fuzzy_counts_a_transposition_as_one_edit(client) -> None:
    assert passage_ids(body(client, q="migartion~")) == passage_ids(body(client, q="migration"))
    assert body(client, q="migartion~", correct="off")["total"] > 0


def test_the_page_says_which_query_it_shows(client) -> None:
    page = client.get("/search", query_string={"q": "migartion"}).get_data(as_text=True)
    assert "Showing results for" in page and "migration" in page
    assert "correct=off" in page
