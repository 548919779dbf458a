"""Per-generation arrays indexed by document number: which document, and its sort keys.

Built once per snapshot from the `document_id` postings and one stored value per document,
so that grouping, sorting and counting per document are numpy operations instead of stored
field loads per hit. A document's passages are written together and in order
(indexer.index.writer.add_document), so within a document, document-number order is passage
order, and a document's passages are one run of document numbers: counting the documents of
a large mask is a reduction over runs (0.2-0.5 ms at 279,000 passages) rather than a gather
and a count per document (up to 3.5 ms). Should a document ever span several runs, the
counts stay exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from search_app.engine.index_handle import Snapshot, per_generation
from search_app.engine.matchsets import live_mask, term_ids

# A mask with fewer than 1 in SPARSE passages set is counted from its passages, a denser one
# over all runs (at 279,000 passages: 0.05-0.1 ms against 0.2-0.5 ms below 1%, the other way
# round above 10%).
SPARSE = 12


@dataclass(frozen=True)
class Columns:
    """Per-passage arrays (index = Whoosh document number)."""

    doc: np.ndarray  # index into document_ids, -1 for deleted slots
    document_ids: tuple[str, ...]
    date_rank: np.ndarray  # rank of the document's date string; "" (unknown) ranks lowest
    title_rank: np.ndarray  # rank of the document's lowercased title
    run_starts: np.ndarray  # first document number of each run of passages of one document
    run_doc: np.ndarray  # the document (index into document_ids, -1 deleted) of each run
    run_of: np.ndarray  # the run of each passage
    one_run_each: bool  # whether no document has more than one run

    def first_passages(self, mask: np.ndarray) -> np.ndarray:
        """For each document with a passage in `mask`, its first passage there."""
        docnums = np.flatnonzero(mask)
        _, first = np.unique(self.doc[docnums], return_index=True)
        return docnums[first]

    def count_documents(self, mask: np.ndarray) -> int:
        """How many documents have a passage in `mask`."""
        docs = self.run_doc[self._runs_hit(mask)]
        return len(docs) if self.one_run_each else len(np.unique(docs))

    def whole_documents(self, mask: np.ndarray) -> np.ndarray:
        """Every passage of the documents that have a passage in `mask`."""
        if self.one_run_each:
            hit = self._runs_hit(mask)
            return np.repeat(hit, np.diff(self.run_starts, append=len(self.doc)))
        return self.documents_with(mask)[self.doc]

    def documents_with(self, mask: np.ndarray) -> np.ndarray:
        """Per document, whether it has a passage in `mask` (one more slot at the end, for
        the deleted slots' -1, always False)."""
        present = np.zeros(len(self.document_ids) + 1, dtype=bool)
        present[self.run_doc[self._runs_hit(mask)]] = True
        return present

    def _runs_hit(self, mask: np.ndarray) -> np.ndarray:
        """For each run, whether it belongs to a document and has a passage in `mask`."""
        if not len(self.run_starts):
            return np.zeros(0, dtype=bool)
        if np.count_nonzero(mask) * SPARSE < len(mask):  # few passages: mark their runs
            hit = np.zeros(len(self.run_starts), dtype=bool)
            hit[self.run_of[np.flatnonzero(mask)]] = True
        else:  # many: one pass over the runs
            hit = np.logical_or.reduceat(mask, self.run_starts)
        return hit & (self.run_doc >= 0)


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
    return make_columns(doc, document_ids, dates, titles)


def make_columns(
    doc: np.ndarray, document_ids: list[str], dates: list[str], titles: list[str]
) -> Columns:
    """Columns from each passage's document (-1: deleted) and each document's date and title."""
    starts = np.flatnonzero(np.diff(doc, prepend=-2))  # -2: no document, so 0 starts a run
    run_doc = doc[starts]
    live_runs = run_doc[run_doc >= 0]
    return Columns(
        doc=doc,
        document_ids=tuple(document_ids),
        date_rank=_per_passage(doc, _ranks(dates)),
        title_rank=_per_passage(doc, _ranks(titles)),
        run_starts=starts,
        run_doc=run_doc,
        run_of=np.repeat(np.arange(len(starts), dtype=np.int32), np.diff(starts, append=len(doc))),
        one_run_each=len(np.unique(live_runs)) == len(live_runs),
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
