"""Postings and positions read from Whoosh's blocks, and phrase matching on them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from whoosh.formats import Positions

from indexer.index import generations
from indexer.index.whoosh_private import decode_positions
from indexer.index.writer import add_document
from indexer.models import Document, IndexedDocument, Page, Passage
from search_app.engine.index_handle import IndexHandle, Snapshot
from search_app.engine.matchsets import MaskBuilder
from search_app.engine.postings import SHIFT, read_positions, read_postings
from search_app.engine.query import parse

FILLER = " ".join(["filler"] * 300)  # pushes the next words past position 255
PASSAGES = {
    "tricky.txt": [
        "The land land is wide.",  # 0: a repeated word
        "Land grows crops, and land rests.",  # 1: the word twice, not adjacent
        "We spoke about human",  # 2: "human" ends a passage ...
        "rights for everyone.",  # 3: ... "rights" starts the next one
        "State of the art methods.",  # 4: stopwords inside the phrase
        "State art collection.",  # 5
        "Art of the state.",  # 6: the words in the other order
        "Climate finance climate finance.",  # 7: a two-word phrase twice
        "Bla bla bla.",  # 8: three times the same word
        "Bla bla.",  # 9: only twice
        "Peace lasting keeping.",  # 10: one word between
        f"{FILLER} peace keeping at last.",  # 11: positions above 255
        "Human rights matter.",  # 12
    ],
    # Enough passages for several postings blocks (128 each), the phrase in only a few.
    "common.txt": [
        f"Common ground number {i}." if i % 97 else f"Common target number {i}." for i in range(400)
    ],
}


def build(index_dir: Path, segments: int = 1) -> Path:
    """An index of PASSAGES, one document per commit when `segments` > 1."""
    generation = generations.new_generation(index_dir)
    writer = generations.open_generation(generation).writer()
    for name, texts in PASSAGES.items():
        document = Document(name, "/dev/null", "text", name, (Page(1, ""),), title=name)
        passages = tuple(
            Passage(name, i, text, (text,), (), 1, 1, {"doc_type": ("report",)})
            for i, text in enumerate(texts)
        )
        add_document(writer, IndexedDocument(document, name, (), passages))
        if segments > 1:
            writer.commit(merge=False)
            writer = generations.open_generation(generation).writer()
    writer.commit(merge=False)
    generations.publish(index_dir, generation)
    return index_dir


@pytest.fixture(scope="module", params=[1, 2], ids=["one-segment", "two-segments"])
def snapshot(request, tmp_path_factory) -> Snapshot:
    index_dir = build(tmp_path_factory.mktemp("phrases") / "index", request.param)
    return IndexHandle(index_dir).snapshot()


def ordinals(snapshot: Snapshot, docnums) -> set[tuple[str, int]]:
    searcher = snapshot.searcher()
    return {
        (searcher.stored_fields(d)["document_id"], searcher.stored_fields(d)["ordinal"])
        for d in docnums
    }


def phrase_matches(snapshot: Snapshot, text: str) -> tuple[set, set]:
    """(ours, Whoosh's) passages matching a query, as (document, ordinal) pairs."""
    searcher = snapshot.searcher()
    q = parse(text, searcher.schema).relaxed
    ours = np.flatnonzero(MaskBuilder(snapshot, searcher).mask(q)).tolist()
    return ordinals(snapshot, ours), ordinals(snapshot, searcher.docs_for_query(q))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"land land"', {0}),
        ('"human rights"', {12}),  # not across passages 2 and 3
        ('"state of the art"', {4, 5}),  # stopwords leave no gap (StopFilter renumbers)
        ('"art state"', {6}),
        ('"climate finance"', {7}),
        ('"finance climate"', {7}),
        ('"bla bla bla"', {8}),
        ('"bla bla"', {8, 9}),
        ('"peace keeping"', {11}),
        ('"peace keeping"~2', {10, 11}),
        ('"filler peace"', {11}),
        ('"keeping peace"', set()),
        ('"land absentword"', set()),
    ],
)
def test_tricky_phrases(snapshot, text, expected):
    ours, whoosh = phrase_matches(snapshot, text)
    assert ours == whoosh
    assert ours == {("tricky.txt", i) for i in expected}


def test_phrase_in_a_few_postings_blocks(snapshot):
    ours, whoosh = phrase_matches(snapshot, '"common target"')
    assert ours == whoosh == {("common.txt", i) for i in range(0, 400, 97)}
    ours, whoosh = phrase_matches(snapshot, '"common ground number"')
    assert ours == whoosh and len(ours) == 400 - 5


def whoosh_postings(reader, field: str, btext: bytes):
    """Document numbers, weights and position keys, one posting at a time through Whoosh."""
    matcher = reader.postings(field, btext)
    ids, weights, keys = [], [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        keys += [(matcher.id() << SHIFT) | p for p in matcher.value_as("positions")]
        matcher.next()
    return ids, weights, keys


def test_postings_and_positions_equal_whoosh(snapshot):
    reader = snapshot.searcher().reader()
    for field in ("title", "text"):
        for btext in reader.lexicon(field):
            ids, weights, keys = whoosh_postings(reader, field, btext)
            read_ids, read_weights = read_postings(reader.postings(field, btext))
            assert read_ids.tolist() == ids
            assert read_weights.tolist() == pytest.approx(weights)
            read_keys, complete = read_positions(reader.postings(field, btext))
            assert complete and read_keys.tolist() == keys


def test_positions_of_candidate_blocks_only(snapshot):
    reader = snapshot.searcher().reader()
    ids, _ = read_postings(reader.postings("text", b"common"))
    candidates = np.zeros(reader.doc_count_all(), dtype=bool)
    candidates[ids[200]] = True
    keys, complete = read_positions(reader.postings("text", b"common"), candidates)
    assert not complete
    assert ids[200] in set((keys >> SHIFT).tolist())
    assert len(set((keys >> SHIFT).tolist())) < len(ids)


def test_deleted_passages(tmp_path):
    """A segment with deletions: Whoosh filters its postings; phrases skip deleted passages."""
    index_dir = build(tmp_path / "index")
    generation = generations.current_generation(index_dir)
    writer = generations.open_generation(generation).writer()
    writer.delete_by_term("passage_id", "tricky.txt#0")  # "The land land is wide."
    writer.delete_by_term("document_id", "common.txt")
    writer.commit(merge=False)
    snapshot = IndexHandle(index_dir).snapshot()
    reader = snapshot.searcher().reader()
    assert reader.has_deletions()
    for btext in reader.lexicon("text"):
        ids, weights, _ = whoosh_postings(reader, "text", btext)
        read_ids, read_weights = read_postings(reader.postings("text", btext))
        assert read_ids.tolist() == ids and read_weights.tolist() == pytest.approx(weights)
    for text, expected in (('"land land"', set()), ('"bla bla"', {8, 9}), ('"common target"', ())):
        ours, whoosh = phrase_matches(snapshot, text)
        assert ours == whoosh == {("tricky.txt", i) for i in expected}


@pytest.mark.parametrize(
    "lists",
    [
        [[0]],
        [[3, 4, 9]],
        [[300]],  # a two-byte delta
        [[5, 70_000]],  # a four-byte delta
        [list(range(0, 3000, 2))],  # more than 1,000 deltas: pickled in two batches
        [[1], [2, 600], [7, 8], [70_000], [4]],  # the slow kinds between fast ones
    ],
)
def test_decode_positions_equals_whoosh(lists):
    fmt = Positions()
    values = [fmt.encode(positions) for positions in lists]
    counts, positions = decode_positions(values)
    assert counts.tolist() == [len(p) for p in lists]
    assert positions.tolist() == [p for v in values for p in fmt.decode_positions(v)]
