"""plus_minus_plugin: hyphens inside words are not exclusions; a leading minus still is."""

from __future__ import annotations

from whoosh import query as wq
from whoosh.qparser import OrGroup, QueryParser

from indexer.schema import build_schema
from search_app.relevance import plus_minus_plugin


def _parse(text: str) -> wq.Query:
    parser = QueryParser("text", build_schema(), group=OrGroup)
    parser.replace_plugin(plus_minus_plugin())
    return parser.parse(text)


def _has_not(q: wq.Query) -> bool:
    return isinstance(q, wq.Not | wq.AndNot) or any(_has_not(c) for c in q.children())


def test_hyphenated_word_is_not_an_exclusion() -> None:
    q = _parse("climate-resilient agriculture")
    assert not _has_not(q)
    assert {"resili", "agricultur"} <= {text for _, text in q.iter_all_terms()}


def test_leading_minus_still_excludes() -> None:
    assert _has_not(_parse("migration -remittances"))
