"""What a search keeps between requests: only how a query reads, per index generation and
by its exact text, never what it matched. Filters, pages and a re-index still change what
the same query text finds."""

from __future__ import annotations

from pathlib import Path

from indexer.index.analysis import index_term
from indexer.pipeline import run
from search_app.engine.highlight import snippet
from search_app.web import create_app


def search(client, **params) -> dict:
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def passage_ids(body: dict) -> list[str]:
    return [r["passage_id"] for r in body["results"]]


def test_the_same_query_with_another_filter_finds_other_passages(client) -> None:
    everywhere = search(client, q="remittances", group="passage")
    in_mexico = search(client, q="remittances", group="passage", country="Mexico")
    in_india = search(client, q="remittances", group="passage", country="India")
    assert everywhere["total"] > in_india["total"] > 0
    assert set(passage_ids(in_india)) < set(passage_ids(everywhere))
    assert in_mexico["total"] != in_india["total"]
    again = search(client, q="remittances", group="passage")
    assert again | {"took_ms": 0} == everywhere | {"took_ms": 0}


def test_queries_differing_in_case_or_operators_are_read_apart(client) -> None:
    both = search(client, q="remittances development", group="passage")
    either = search(client, q="remittances OR development", group="passage")
    without = search(client, q="remittances -development", group="passage")
    assert either["total"] > both["total"] > 0
    assert without["total"] > 0 and not set(passage_ids(without)) & set(passage_ids(both))


def test_a_reindex_reads_the_same_query_anew(tmp_path: Path) -> None:
    """A field clause is read against the generation's values: "mexico" is the indexed
    "Mexico" once a report from Mexico is indexed, though it was read before."""
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Harbours\n\nThe harbour was rebuilt after the storm.\n")
    run([corpus], index_dir, workers=1)
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "WARM_UP": False})
    client = app.test_client()
    assert search(client, q="harbour country:mexico", group="passage")["total"] == 0
    (corpus / "b.txt").write_text("Ports\n\nThe harbour of Veracruz handles most trade.\n")
    (corpus / "b.txt.meta.json").write_text('{"country": ["Mexico"]}')
    run([corpus], index_dir, workers=1)
    after = search(client, q="harbour country:mexico", group="passage")
    assert after["total"] == 1 and after["results"][0]["country"] == ["Mexico"]


def test_each_query_marks_its_own_words_in_the_same_passage() -> None:
    """Which written words make a query's terms is learnt per query's terms: a word seen
    unmarked for one query is marked for the next that asks for it, and the other way round."""
    text = "Migrants sent remittances home; remittance costs fell for migrant workers."
    first = snippet([text], text, frozenset({index_term("migrants")}))
    second = snippet([text], text, frozenset({index_term("remittances")}))
    assert first.count("<mark>") == 2 and "<mark>Migrants</mark>" in first
    assert second.count("<mark>") == 2 and "<mark>remittances</mark>" in second
    assert "<mark>Migrants</mark>" not in second
    assert snippet([text], text, frozenset({index_term("migrants")})) == first
