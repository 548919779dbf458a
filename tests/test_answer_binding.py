"""The right span: of several phrases of the asked kind in one sentence, the one bound to the
question's words (its clause, "held in", "hosted by", a quoted name after the asked noun), on
a small shelf written by the test and asked through the real app."""

from __future__ import annotations

import pytest
from shelves import shelf_client

from search_app.qa.question import analyze_question
from search_app.qa.short_answer import best_span, candidates
from search_app.qa.span_rules import within_holder

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
    return shelf_client(tmp_path_factory, "binding", {"ocean-summits.md": SUMMITS})


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


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What was the growth rate in 2016?", "4 per cent"),
        ("What was the growth rate in 2019?", "7.6 per cent"),
    ],
)
def test_the_figure_dated_by_the_questions_year(question, expected):
    sentence = "Our growth rate rose from 4 per cent in 2016 to 7.6 per cent in 2019."
    span, _ = best_span(sentence, analyze_question(question))
    assert span is not None and span.text == expected


def test_how_many_is_answered_by_the_count_not_the_noun_asked_again():
    sentence = "Furthermore, 14 fact-sheets on the crisis were made available to participants."
    question = analyze_question("How many fact-sheets were made available?")
    assert all(span.text != "14 fact-sheets" for span, _ in candidates(sentence, question))
    assert best_span(sentence, question)[0].text == "14"


@pytest.mark.parametrize(
    ("sentence", "question", "expected"),
    [
        (
            "Plotting the relationship between level of income and inequality, Kuznets saw"
            " middle-income developing economies level of inequality bulging out.",
            "Who plotted the relationships between levels of income and inequality?",
            "Kuznets",
        ),
        (
            "The principle of cross-cutting relationships pertains to the formation of faults.",
            "What principle relates to the formation of faults?",
            "cross-cutting relationships",
        ),
    ],
)
def test_a_short_answer_does_not_run_on_into_a_verb(sentence, question, expected):
    """The lexicon's word classes: a noun phrase ends on a noun, not on "saw" or "pertains"."""
    span, _ = best_span(sentence, analyze_question(question))
    assert span is not None and span.text == expected


def test_a_name_in_another_item_of_the_list_is_not_the_office_holder():
    question = analyze_question("Who is the President of the United States?")
    sentence = "Mr. President; President of the United States; His Excellency Mr. Dennis Francis."
    assert all(span.text != "Dennis Francis" for span, _ in _chosen_from(sentence, question))


def test_a_former_holder_is_no_answer_to_who_holds_the_office_now():
    sentence = "Let me quote the former President of the United States of America Barack Obama."
    now = analyze_question("Who is the President of the United States?")
    before = analyze_question("Who was the President of the United States?")
    assert best_span(sentence, now)[0] is None
    assert best_span(sentence, before)[0] is not None


def test_a_pronoun_with_its_clitic_is_no_candidate():
    sentence = "Today I’ve had the honour of speaking as president of the United States."
    question = analyze_question("Who spoke as president?")
    assert all(not span.text.startswith("I’ve") for span, _ in candidates(sentence, question))


def _chosen_from(sentence, question):
    return within_holder(candidates(sentence, question), sentence, question)


DIGNITARIES = (
    "Opening of the session\n\n"
    "Allow me to cite the statements delivered from this rostrum at the opening of this"
    " session by His Excellency Secretary-General Antonio Guterres; His Excellency Mr. Joe"
    " Biden. President of the United States; His Excellency Mr. Dennis Francis. President of"
    " the General Assembly.\n"
)


def test_the_holder_named_before_the_office_in_a_list_of_dignitaries(tmp_path_factory):
    """The sentence splitter cuts "Mr. Joe Biden. President of the United States;" at the
    name's full stop: the office's sentence is read with the one before it."""
    client = shelf_client(tmp_path_factory, "dignitaries", {"opening.md": DIGNITARIES})
    assert _first(client, "Who is the President of the United States?") == "Joe Biden"
