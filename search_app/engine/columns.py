"""Per-generation arrays indexed by document number: which document, and its sort keys.

Built once per snapshot from the `document_id` postings and one stored value per document,
so that grouping, sorting and counting per document are numpy operations instead of stored
field loads per hit. A document's passages are written together and in order
(indexer.index.writer.add_document), so within a document, document-number order is passage
order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from search_app.engine.index_handle import Snapshot, per_generation
from search_app.engine.matchsets import live_mask, term_ids


@dataclass(frozen=True)
class Columns:
    """Per-passage arrays (index = Whoosh document number)."""

    doc: np.ndarray  # index into document_ids, -1 for deleted slots
    document_ids: tuple[str, ...]
    date_rank: np.ndarray  # rank of the document's date string; "" (unknown) ranks lowest
    title_rank: np.ndarray  # rank of the document's lowercased title

    def first_passages(self, mask: np.ndarray) -> np.ndarray:
        """For each document with a passage in `mask`, its first passage there."""
        docnums = np.flatnonzero(mask)
        _, first = np.unique(self.doc[docnums], return_index=True)
        return docnums[first]

    def count_documents(self, mask: np.ndarray) -> int:
        """How many documents have a passage in `mask`."""
        present = np.bincount(self.doc[mask], minlength=len(self.document_ids))
        return int(np.count_nonzero(present))


@per_generation
def columns(snapshot: Snapshot) -> Columns:
    """The snapshot's Columns (built on first use)."""
    live = live_mask(snapshot)
    searcher = snapshot.searcher()
    reader = searcher.reader()
    doc = np.full(reader.doc_count_all(), -1, dtype=np.int64)
    document_ids: list[str] = []
    firsts: list[int] = []
    for btext in reader.lexicon("document_id"):
        ids = term_ids(reader, "document_id", btext)
        ids = ids[live[ids]]  # a re-indexed document's old passages linger until a merge
        if len(ids):
            doc[ids] = len(document_ids)
            document_ids.append(btext.decode("utf-8"))
            firsts.append(int(ids.min()))
    stored = [searcher.stored_fields(d) for d in firsts]
    dates = [str(s.get("date") or "") for s in stored]
    titles = [str(s.get("title") or "").lower() for s in stored]
    return Columns(
        doc=doc,
        document_ids=tuple(document_ids),
        date_rank=_per_passage(doc, _ranks(dates)),
        title_rank=_per_passage(doc, _ranks(titles)),
    )


def _ranks(values: list[str]) -> np.ndarray:
    """Dense ranks of values (equal values share a rank)."""
    if not values:
        return np.empty(0, dtype=np.int64)
    _, inverse = np.unique(np.array(values, dtype=str), return_inverse=True)
    return inverse.astype(np.int64)


def _per_passage(doc: np.ndarray, per_document: np.ndarray) -> np.ndarray:
    """Spread per-document values onto passages (deleted slots get 0)."""
    values = np.zeros(len(doc), dtype=np.int64)
    present = doc >= 0
    values[present] = per_document[doc[present]]
    return values
