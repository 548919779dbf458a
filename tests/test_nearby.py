"""Terms within a few edits, found per segment in C, are those Whoosh's automaton finds."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.fields import TEXT, Schema
from whoosh.writing import NO_MERGE

from search_app.engine.nearby import segment_terms_within
from search_app.engine.query import terms_within

TEXTS = [
    "development developments developing develop developer envelope",
    "government governments governance govern goverment governor",
    "conflict conflicts conflicted confident confluence conflate",
    "economy economic economies ecumenical economist ecology",
    "migration migrants migrate emigration immigration mitigation",
    "élan elan élite elite café cafe naïve naive",
]


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory):
    folder: Path = tmp_path_factory.mktemp("nearby")
    index = whoosh_index.create_in(str(folder), Schema(text=TEXT(stored=True)))
    for half in (TEXTS[::2], TEXTS[1::2]):  # two segments, each with its own terms
        writer = index.writer()
        for text in half:
            writer.add_document(text=text)
        writer.commit(merge=False) if half is TEXTS[::2] else writer.commit(mergetype=NO_MERGE)
    searcher = index.searcher()
    yield searcher.reader()
    searcher.close()


WORDS = ["developmnt", "goverment", "conflit", "ecomomy", "migraton", "elan", "cafe", "zz", "e"]


@pytest.mark.parametrize("word", WORDS)
@pytest.mark.parametrize(("most", "prefix"), [(1, 1), (2, 1), (3, 1), (2, 0)])
def test_as_whoosh_finds_them(reader, word: str, most: int, prefix: int) -> None:
    leaves = [leaf for leaf, _ in reader.leaf_readers()]
    assert len(leaves) == 2
    for leaf in leaves:
        expected = [
            t.decode("utf-8") if isinstance(t, bytes) else t
            for t in leaf.terms_within("text", word, most, prefix)
        ]
        assert segment_terms_within(leaf, "text", word, most, prefix) == expected


@pytest.mark.parametrize("count", [1, 2, 3, 50])
def test_terms_within_cuts_as_before(reader, count: int) -> None:
    """Segment by segment, the first `count` of each, until `count` are found."""
    expected: dict[str, None] = {}
    for leaf, _ in reader.leaf_readers():
        found = [
            t.decode() if isinstance(t, bytes) else t
            for t in leaf.terms_within("text", "ecomomy", 2, 1)
        ]
        expected.update(dict.fromkeys(found[:count]))
        if len(expected) >= count:
            break
    assert terms_within(reader, "text", "ecomomy", 2, 1, count) == list(expected)[:count]
