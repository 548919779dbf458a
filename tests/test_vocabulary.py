"""The per-generation vocabulary counts and orders terms as Whoosh's own reader does."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.pipeline import run
from search_app.engine.index_handle import IndexHandle
from search_app.engine.vocabulary import vocabulary

WORDS = [
    "migration",
    "migrant",
    "migrants",
    "mitigation",
    "remittances",
    "refugees",
    "resettlement",
    "health",
]


@pytest.fixture(scope="module")
def segmented_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two runs over a growing shelf: the second writes another segment."""
    root = tmp_path_factory.mktemp("vocabulary")
    shelf = root / "shelf"
    shelf.mkdir()
    for run_number in range(2):
        for k in range(4):
            words = " ".join(WORDS[(k + run_number) % len(WORDS) :] + [f"word{run_number}{k}"])
            (shelf / f"r{run_number}-{k}.txt").write_text(
                f"Report {run_number} {k}\n\nThe report discusses {words} at length.", "utf-8"
            )
        assert not run([shelf], root / "index", workers=1).summary()["failures"]
    return root / "index"


def test_counts_and_prefixes_equal_the_readers(segmented_index: Path):
    snapshot = IndexHandle(segmented_index).snapshot()
    reader = snapshot.searcher().reader()
    assert len(reader.leaf_readers()) >= 2  # terms summed over segments, not read from one
    known = vocabulary(snapshot, "text")
    lexicon = [t.decode("utf-8") for t in reader.lexicon("text")]
    assert known.terms == lexicon
    for term in lexicon:
        assert known.count(term) == reader.doc_frequency("text", term)
    assert known.count("absent") == 0
    for prefix in ("mi", "migr", "re", "word1", "zz", ""):
        expected = [t.decode("utf-8") for t in reader.expand_prefix("text", prefix)]
        assert known.starting(prefix, 1000) == expected
        assert known.starting(prefix, 2) == expected[:2]
