"""Long queries and pasted paragraphs, and "more like this" (like=), on the real test index."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import query as wq

from indexer.index.schema import build_schema
from search_app.engine.index_handle import IndexHandle
from search_app.engine.limits import MAX_QUERY_CHARS, MAX_QUERY_TERMS
from search_app.engine.query import count_terms, parse
from search_app.engine.verbose import reads_as_text

PARAGRAPH = (
    'Our draft argues that the "brain drain" of nurses (and doctors) from Africa -- NOT only '
    "to Europe AND North America -- follows from low pay; ethical recruitment codes, such as "
    "the WHO code, try to slow health-worker emigration."
)


def body(client, **params):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def passages(client, **params) -> list[tuple[str, float]]:
    results = body(client, group="passage", per_page=20, **params)["results"]
    return [(r["passage_id"], r["score"]) for r in results]


def test_a_pasted_paragraph_is_read_as_its_words(client) -> None:
    # Its words, lower case but for the acronym (WHO in capitals is searched as WHO).
    words = " ".join("".join(c if c.isalnum() else " " for c in PARAGRAPH).split()).lower()
    words = words.replace("who", "WHO")
    assert reads_as_text(PARAGRAPH)
    assert passages(client, q=PARAGRAPH) == passages(client, q=words)
    assert passages(client, q=PARAGRAPH)  # NOT and the quotes did not empty it
    assert body(client, q=PARAGRAPH)["notice"] is None


def test_short_queries_and_clear_syntax_keep_the_syntax() -> None:
    schema = build_schema()
    assert isinstance(parse("nurses -recruitment", schema).strict, wq.AndNot)
    boolean = "(nurses OR doctors OR midwives) AND (emigration OR migration) AND " * 2
    assert not reads_as_text(boolean.strip())
    long_syntax = "title:migration " + " ".join(f"word{n}" for n in range(20))
    assert not reads_as_text(long_syntax)
    assert "title:migrat" in str(parse(long_syntax, schema).strict)


def test_queries_up_to_the_limit_are_answered(client) -> None:
    q = (PARAGRAPH + " ") * (MAX_QUERY_CHARS // len(PARAGRAPH) + 1)
    assert body(client, q=q[:MAX_QUERY_CHARS].strip())["total"] > 0
    response = client.get("/api/search", query_string={"q": "x" * (MAX_QUERY_CHARS + 1)})
    assert response.status_code == 400


def test_a_long_paragraph_keeps_a_bounded_number_of_terms(searcher) -> None:
    text = " ".join(f"w{n}" for n in range(2000))
    parsed = parse(text, searcher.schema, reader=searcher.reader())
    assert 0 < count_terms(parsed.strict) <= MAX_QUERY_TERMS
    assert parsed.tiers == (parsed.strict,)  # one BM25 tier: no all-words tier


def test_more_like_a_passage_ranks_others_like_it(client) -> None:
    source = body(client, q="ethical recruitment nurses", group="passage")["results"][0]
    found = body(client, like=source["passage_id"], group="passage")
    assert found["like"] == source["passage_id"] and found["results"]
    assert source["passage_id"] not in {r["passage_id"] for r in found["results"]}


def test_more_like_a_document_leaves_the_document_out(client) -> None:
    document_id = body(client, q="nurses")["results"][0]["document_id"]
    found = body(client, like=document_id)
    assert found["results"]
    assert document_id not in {r["document_id"] for r in found["results"]}


def test_like_an_unknown_id_finds_nothing_and_says_so(client) -> None:
    found = body(client, like="nothing-here")
    assert found["total"] == 0 and "nothing-here" in found["notice"]


def test_words_beside_like_narrow_its_matches(client) -> None:
    source = body(client, q="nurses", group="passage")["results"][0]["passage_id"]
    alone = body(client, like=source)["total"]
    narrowed = body(client, like=source, q="nurses")
    assert 0 < narrowed["total"] < alone


def test_result_and_document_pages_link_to_more_like_this(client) -> None:
    page = client.get("/search?q=nurses").get_data(as_text=True)
    assert "More like this" in page and "like=" in page
    document_id = body(client, q="nurses")["results"][0]["document_id"]
    assert "More like this" in client.get(f"/documents/{document_id}").get_data(as_text=True)


@pytest.fixture(scope="module")
def searcher(small_index: Path):
    return IndexHandle(small_index).snapshot().searcher()
