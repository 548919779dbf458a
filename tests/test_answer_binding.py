"""The right span: of several phrases of the asked kind in one sentence, the one bound to the
question's words (its clause, "held in", "hosted by", a quoted name after the asked noun), on
a small shelf written by the test and asked through the real app."""

from __future__ import annotations

import pytest
from shelves import index_shelf

from search_app.qa.question import analyze_question
from search_app.qa.short_answer import best_span, candidates
from search_app.web import create_app

SUMMITS = (
    "Ocean summits\n\n"
    "The delegates praised the outcomes of the Reef Summit, held in Lisbon at the end of last"
    " year, and they hope that these gains will be carried to the Kelp Summit, to be hosted"
    " this year by Nairobi. The Tide Forum met in Geneva; its successor, the Current Forum,"
    " will be hosted by Bonn.\n\n"
    "Fishing communities\n\n"
    'Governments were urged to protect coastal livelihoods through a strategy of "catch,'
    ' count and release." This approach, advocated by the Coastal Fisheries Alliance (CFA),'
    ' aimed to (a) limit the catch ("catch") and (b) record every landing ("count").\n'
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    index_dir = index_shelf(tmp_path_factory.mktemp("binding"), {"ocean-summits.md": SUMMITS})
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "CORPUS_DIRS": []})
    return app.test_client()


def _first(client, question: str) -> str | None:
    body = client.get("/api/ask", query_string={"q": question}).get_json()
    return body["answers"][0]["answer"] if body["answers"] else None


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Where was the Reef Summit held?", "Lisbon"),
        ("Where will the Kelp Summit be hosted?", "Nairobi"),
        ("Where did the Tide Forum meet?", "Geneva"),
        ("Where will the Current Forum be hosted?", "Bonn"),
    ],
)
def test_the_place_bound_to_the_question_not_the_other_in_the_sentence(client, question, expected):
    assert _first(client, question) == expected


def test_a_quoted_strategy_not_the_askers_own_initials(client):
    answer = _first(client, "What strategy did the Coastal Fisheries Alliance advocate?")
    assert answer == "catch, count and release"


def test_initials_of_the_questions_name_are_never_its_answer():
    sentence = "This approach, advocated by the Coastal Fisheries Alliance (CFA), aimed to help."
    question = analyze_question("What did the Coastal Fisheries Alliance advocate?")
    assert all(span.text != "CFA" for span, _ in candidates(sentence, question))


def test_a_quoted_phrase_is_one_candidate_commas_and_all():
    sentence = 'Donors backed a strategy of "catch, count and release."'
    question = analyze_question("What strategy did donors back?")
    texts = {span.text for span, _ in candidates(sentence, question)}
    assert "catch, count and release" in texts
    span, _ = best_span(sentence, question)
    assert span is not None and span.text == "catch, count and release"


def test_the_clause_holding_the_questions_words_wins_either_way():
    sentence = (
        "They praised the Reef Summit, held in Lisbon last year, and they hope to see"
        " the Kelp Summit, to be hosted this year by Nairobi."
    )
    for question, expected in (
        ("Where was the Reef Summit held?", "Lisbon"),
        ("Where will the Kelp Summit be hosted?", "Nairobi"),
    ):
        span, _ = best_span(sentence, analyze_question(question))
        assert span is not None and span.text == expected, question
