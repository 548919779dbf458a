"""Question answering: answers with citations from the seed report, refusals, API and CLI."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from search_app import engine, qa
from search_app.cli import main
from search_app.engine.index_handle import IndexHandle
from search_app.engine.limits import MAX_QUERY_CHARS
from search_app.qa import rerank
from search_app.qa.answer_types import (
    DATE,
    NUMBER,
    PERCENT,
    PERSON,
    PLACE,
    expected_type,
    find_spans,
)
from search_app.qa.question import analyze_question

CHAIR = "When did UNITAR take over the chairmanship of the Global Migration Group?"
ATHENS = "Where was the third Global Forum on Migration and Development held?"
OUTSIDE = "What is the capital of Australia?"


@pytest.fixture(scope="module")
def handle(small_index):
    return IndexHandle(small_index)


def test_question_words_are_dropped_and_type_detected():
    question = analyze_question("In what year did Tesla die?")
    assert question.words == ("Tesla", "die")
    assert question.answer_type == "year"
    assert expected_type(CHAIR) == DATE
    assert expected_type("How many fact-sheets were made available?") == NUMBER
    assert expected_type("What percentage of the population was HIV positive?") == PERCENT
    assert expected_type(ATHENS) == PLACE
    assert expected_type("Who delivered the joint statement?") == PERSON
    assert expected_type("Why did migration rise?") is None


def test_spans_of_the_asked_type():
    sentence = "UNITAR assumed the chairmanship of the GMG on 1 June 2009 for seven months."
    assert [s.text for s in find_spans(sentence, DATE)] == ["1 June 2009"]
    assert [s.text for s in find_spans("over 20 per cent of them", PERCENT)] == ["20 per cent"]
    assert [s.text for s in find_spans("held in Athens, Greece", PLACE) if s.known] == [
        "Athens",
        "Greece",
    ]


def test_answers_when_with_the_date_its_section_and_page(handle):
    body = qa.ask(handle, CHAIR)
    assert body["no_answer"] is False
    best = body["answers"][0]
    assert best["answer"] == "1 June 2009"
    assert "1 June 2009" in best["sentence"]
    assert best["section"].startswith("A. UNITAR CHAIRMANSHIP OF THE GLOBAL MIGRATION GROUP")
    assert best["page_start"] is None  # a text file: no page to cite
    assert "<mark>1 June 2009</mark>" in best["snippet"]
    assert best["document_id"].endswith("unitar-migration-2009.txt")
    assert best["url"].startswith(f"/documents/{best['document_id']}?passage=")
    assert best["url"].endswith(f"#p-{best['passage_id'].rsplit('#', 1)[1]}")


def test_answers_where_with_a_place(handle):
    best = qa.ask(handle, ATHENS)["answers"][0]
    assert best["answer"] == "Athens"
    assert "third meeting of the Global Forum" in best["sentence"]


def test_answers_how_many_and_who(handle):
    fact_sheets = "How many fact-sheets on the crisis were made available to participants?"
    assert qa.ask(handle, fact_sheets)["answers"][0]["answer"] == "14"
    statement = "Who delivered the joint GMG statement in Athens?"
    assert qa.ask(handle, statement)["answers"][0]["answer"] == "Carlos Lopes"


def test_alternatives_are_ranked_and_cited(handle):
    answers = qa.ask(handle, CHAIR, limit=3)["answers"]
    assert 1 < len(answers) <= 3
    scores = [a["score"] for a in answers]
    assert scores == sorted(scores, reverse=True)
    assert len({a["sentence"] for a in answers}) == len(answers)


@pytest.mark.parametrize(
    "question",
    [OUTSIDE, "When was the World Bank founded?"],  # the second names what the report names
)
def test_question_the_corpus_cannot_answer(handle, question):
    body = qa.ask(handle, question)
    assert body["no_answer"] is True
    assert body["answers"] == []
    assert isinstance(body["passages"], list)


def test_candidates_are_ranked_as_search_ranks_any_of_the_words(handle):
    question = analyze_question(CHAIR)
    candidates = qa.retrieve(handle.snapshot(), question)
    any_word = " OR ".join(w.lower() for w in question.words)
    request = engine.SearchRequest(q=any_word, group="passage", per_page=qa.CANDIDATE_PASSAGES)
    results = engine.search(handle, request)["results"]
    assert len(candidates) > 5
    assert [(f["passage_id"], round(score, 4)) for f, score in candidates] == [
        (r["passage_id"], r["score"]) for r in results
    ]


def test_filters_restrict_the_answers(handle):
    question = "What do remittances sent by migrant workers exceed?"
    mexico = {"corpus/remittances.txt", "corpus/escape.txt"}  # country: Mexico
    everywhere = qa.rank_answers(handle.snapshot(), question).passages
    assert {fields["document_id"] for fields, _ in everywhere} - mexico
    body = qa.ask(handle, question, filters={"country": ["mexico"]})
    assert body["answers"] and {a["document_id"] for a in body["answers"]} <= mexico
    assert "official development assistance" in body["answers"][0]["sentence"]
    ranking = qa.rank_answers(
        handle.snapshot(), question, {"country": ["Mexico"], "year": ["2015"]}
    )
    assert ranking.passages
    assert {fields["document_id"] for fields, _ in ranking.passages} <= mexico
    assert not qa.rank_answers(handle.snapshot(), question, {"year": ["1990"]}).passages


def test_api_ask_returns_the_answer(client):
    response = client.get("/api/ask", query_string={"q": CHAIR})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"question", "took_ms", "answers", "no_answer", "ranked_by"}
    assert body["question"] == CHAIR
    assert body["ranked_by"] == "meaning"
    assert body["answers"][0]["answer"] == "1 June 2009"
    assert set(body["answers"][0]) == {
        "answer",
        "sentence",
        "snippet",
        "confidence",
        "sentence_confidence",
        "score",
        *CITATION,
        "url",
    }


# The citation fields of a search result, which every answer carries too.
CITATION = (
    "passage_id",
    "document_id",
    "title",
    "section",
    "section_path",
    "page_start",
    "page_end",
    "paragraph",
    "paragraph_numbering",
    "file_url",
)


def test_answers_cite_their_passage_as_search_results_do(client):
    compared = 0
    for question in (CHAIR, ATHENS, OUTSIDE):
        body = client.get("/api/ask", query_string={"q": question}).get_json()
        for item in body["answers"] or body["passages"]:
            words = " ".join(re.findall(r"[A-Za-z]{4,}", item.get("sentence", question))[:6])
            found = client.get("/api/search", query_string={"q": words, "per_page": 50}).get_json()
            same = [r for r in found["results"] if r["passage_id"] == item["passage_id"]]
            if same:
                compared += 1
                assert {k: item[k] for k in CITATION} == {k: same[0][k] for k in CITATION}
                assert item["url"].split("?")[0] == same[0]["url"].split("?")[0]
    assert compared >= 3


def test_api_ask_no_answer_gives_closest_passages(client):
    body = client.get("/api/ask", query_string={"q": "Who won the football world cup in 1998?"})
    data = body.get_json()
    assert data["no_answer"] is True
    assert data["passages"] and "<mark>" in data["passages"][0]["snippet"]


@pytest.mark.parametrize(
    "params, code",
    [
        ({}, "missing_question"),
        ({"q": "   "}, "missing_question"),
        ({"q": "x" * (MAX_QUERY_CHARS + 1)}, "query_too_long"),
        ({"q": "why", "limit": "0"}, "bad_parameter"),
        ({"q": "why", "page": "2"}, "unknown_parameter"),
        ({"q": "why", "year": "last"}, "bad_parameter"),
    ],
)
def test_api_ask_refuses_bad_parameters(client, params, code):
    response = client.get("/api/ask", query_string=params)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == code


def test_cli_ask_json_is_the_api_body(client, small_index):
    result = CliRunner().invoke(main, ["ask", "--index-dir", str(small_index), "--json", CHAIR])
    assert result.exit_code == 0, result.output
    cli_body = json.loads(result.output)
    api_body = client.get("/api/ask", query_string={"q": CHAIR}).get_json()
    cli_body.pop("took_ms"), api_body.pop("took_ms")
    assert cli_body == api_body


def test_cli_ask_prints_answer_and_citation(small_index):
    result = CliRunner().invoke(main, ["ask", "--index-dir", str(small_index), CHAIR])
    assert result.exit_code == 0, result.output
    first = result.output.split("\n\n")[1]
    assert first.startswith("1. 1 June 2009")
    assert "A. UNITAR CHAIRMANSHIP OF THE GLOBAL MIGRATION GROUP" in first
    assert "p. " not in first  # a text file: no page to cite


def test_ask_page_shows_the_answer_highlighted_with_its_citation(client):
    response = client.get("/ask", query_string={"q": CHAIR})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<mark>1 June 2009</mark>" in page
    assert "A. UNITAR CHAIRMANSHIP OF THE GLOBAL MIGRATION GROUP" in page
    assert 'href="/documents/' in page and "p. 1" not in page  # a text file has no pages


def test_search_box_in_ask_mode_goes_to_the_ask_page(client):
    response = client.get("/search", query_string={"q": ATHENS, "mode": "ask"})
    assert response.status_code == 302
    followed = client.get(response.headers["Location"])
    assert "<mark>Athens</mark>" in followed.get_data(as_text=True)


def test_ask_page_says_when_there_is_no_answer(client):
    page = client.get("/ask", query_string={"q": OUTSIDE}).get_data(as_text=True)
    assert "No answer found" in page


def test_answers_are_reordered_by_their_short_answers(handle):
    """The best sentences are re-ordered by sentence score plus how good a short answer each
    holds, the same whatever the number of answers asked for."""
    for question in (CHAIR, ATHENS, "How many fact-sheets were made available?"):
        five = qa.rank_answers(handle.snapshot(), question, limit=5).answers
        one = qa.rank_answers(handle.snapshot(), question, limit=1).answers
        assert one[0].sentence == five[0].sentence
        scores = [a.score for a in five]
        assert scores == sorted(scores, reverse=True)
        for a in five:
            assert a.score == pytest.approx(rerank.score(a.features))
            # Every weighed input is computed: a misspelt name would silently count 0.
            assert set(rerank.WEIGHTS) <= set(a.features)
