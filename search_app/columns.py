"""Per-generation arrays indexed by document number: document, ordinal, sort keys.

Built once per snapshot from postings and Whoosh columns, so that grouping, sorting and
counting per document are numpy operations instead of stored-field loads per hit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from search_app.docsets import term_ids
from search_app.index_handle import Snapshot


@dataclass(frozen=True)
class Columns:
    """Per-passage arrays (index = Whoosh document number)."""

    doc: np.ndarray  # index into document_ids, -1 for deleted slots
    document_ids: tuple[str, ...]
    ordinal: np.ndarray
    date_rank: np.ndarray  # rank of the date string; "" (unknown) ranks lowest
    title_rank: np.ndarray  # rank of the lowercased title

    def first_passages(self, mask: np.ndarray) -> np.ndarray:
        """For each document with a passage in `mask`, its lowest-ordinal docnum there."""
        docnums = np.flatnonzero(mask)
        order = np.lexsort((self.ordinal[docnums], self.doc[docnums]))
        docnums = docnums[order]
        _, first = np.unique(self.doc[docnums], return_index=True)
        return docnums[first]


def columns(snapshot: Snapshot) -> Columns:
    """The snapshot's Columns (built on first use)."""
    return snapshot.cached("columns", _build)


def _build(snapshot: Snapshot) -> Columns:
    reader = snapshot.searcher().reader()
    size = reader.doc_count_all()
    doc = np.full(size, -1, dtype=np.int64)
    document_ids = []
    for btext in reader.lexicon("document_id"):
        doc[term_ids(reader, "document_id", btext)] = len(document_ids)
        document_ids.append(btext.decode("utf-8"))
    return Columns(
        doc=doc,
        document_ids=tuple(document_ids),
        ordinal=np.array(_column(reader, "ordinal", size, 0), dtype=np.int64),
        date_rank=_ranks(_column(reader, "date", size, "")),
        title_rank=_ranks(_column(reader, "title_sort", size, "")),
    )


def _column(reader, field: str, size: int, default) -> list:
    if not reader.has_column(field):
        return [default] * size
    values = list(reader.column_reader(field))
    return [default if v is None else v for v in values]


def _ranks(values: list) -> np.ndarray:
    """Dense ranks of values (equal values share a rank)."""
    _, inverse = np.unique(np.array(values, dtype=object).astype(str), return_inverse=True)
    return inverse.astype(np.int64)
