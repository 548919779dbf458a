"""The ranking model shipped in indexer.schema: Robertson idf and the tuned BM25 parameters."""

from __future__ import annotations

import math
from pathlib import Path

from whoosh import index as whoosh_index

from indexer.index.schema import BM25_B, BM25_K1, build_schema, weighting


def _index(tmp_path: Path, texts: list[str]):
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    with ix.writer() as writer:
        for n, text in enumerate(texts):
            writer.add_document(passage_id=f"d#{n}", document_id="d", title="", text=text)
    return ix


def test_idf_is_robertson(tmp_path: Path) -> None:
    ix = _index(tmp_path, ["common rare", "common", "common", "common"])
    with ix.searcher(weighting=weighting()) as searcher:
        assert searcher.idf("text", "rare") == math.log(1 + (4 - 1 + 0.5) / 1.5)
        assert searcher.idf("text", "common") == math.log(1 + 0.5 / 4.5)


def test_weighting_uses_the_tuned_parameters() -> None:
    model = weighting()
    assert (model.K1, model.B) == (BM25_K1, BM25_B)
