"""A figure that is part of a name is no answer: "the Group of 20" counts no members of the
African Union, "resolution 1325" and "Agenda 2063" date nothing, "the Committee of Ten" is
no count; and "when did X join" needs a sentence about joining. Asked through the real app on
statements written by the test, and of the rules themselves."""

from __future__ import annotations

import pytest
from shelves import ask, shelf_client

from search_app.qa.events import asked_events, event_missing
from search_app.qa.question import analyze_question
from search_app.qa.short_answer import candidates

STATEMENTS = {
    "mauritius.txt": (
        "Mauritius - General Debate statement\n\n"
        "We proudly welcome the admission of the African Union as a member of the Group"
        " of 20.\n"
    ),
    "sudan.txt": (
        "South Sudan - General Debate statement\n\n"
        "We are committed to the National Action Plan on Security Council resolution 1325,"
        " and to African Union Agenda 2063.\n\n"
        "Our country was admitted to the United Nations in 2011, the year of our"
        " independence.\n"
    ),
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    return shelf_client(tmp_path_factory, "name-numbers", STATEMENTS)


def test_the_number_of_a_name_is_no_count(client):
    body = ask(client, "How many member states does the African Union have?")
    assert body["no_answer"], body["answers"][:1]
    assert all(a["answer"] != "20" for a in body["answers"])


def test_a_documents_number_is_no_year_and_joining_needs_a_sentence_about_it(client):
    body = ask(client, "When did South Sudan join the United Nations?")
    assert not body["no_answer"], body["answers"][:1]
    assert body["answers"][0]["answer"] == "2011"
    shown = {a["answer"] for a in body["answers"]}
    assert not shown & {"1325", "2063"}, shown


def _texts(sentence: str, question: str) -> set[str]:
    return {span.text for span, _ in candidates(sentence, analyze_question(question))}


def test_figures_inside_names_are_no_candidates():
    count = "How many heads of state are on the committee?"
    assert "Ten" not in _texts("He chairs the Committee of Ten Heads of State.", count)
    assert "Ten" in _texts("Ten Heads of State met.", count)
    when = "When was the plan adopted?"
    assert "1325" not in _texts("The plan on resolution 1325 was adopted.", when)
    assert "2063" not in _texts("Agenda 2063 was adopted by the Union.", when)
    # A year closing an event's name dates it.
    capital = "When did Warsaw become the capital of Congress Poland?"
    assert "1815" in _texts(
        "Following the Congress of Vienna of 1815, Warsaw became its capital.", capital
    )


def test_joining_is_an_event_of_its_own():
    joined = asked_events("When did South Sudan join the United Nations?")
    assert joined == {"membership"}
    assert event_missing(joined, "We are committed to the SDG's 2030 agenda.")
    assert not event_missing(joined, "It was admitted to the United Nations in 2011.")
    # "admit to a reporter" is no membership.
    assert not asked_events("When did Tesla admit to a reporter that he was wrong?")
