"""Per-generation arrays indexed by document number: which document, and its sort keys.

Built once per snapshot from the `document_id` postings and one stored value per document,
so that grouping, sorting and counting per document are numpy operations instead of stored
field loads per hit. A document's passages are written together and in order
(indexer.index.writer.add_document), so within a document, document-number order is passage
order, and a document's passages are one run of document numbers: counting the documents of
a large mask is a reduction over runs rather than a gather and a count per document (up to
3.5 ms at 279,000 passages). Should a document ever span several runs, the counts stay exact.

Each run is cut into windows of up to 64 passages, so that a mask's passages in one window
are one 64-bit word (Windows): a dense mask's runs are found from 11,000 words rather than
279,000 booleans (0.065 ms), and a set of passages that lies in one window (a facet value in
one report) is tested against a mask with one AND.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from search_app.engine.index_handle import Snapshot, per_generation
from search_app.engine.matchsets import live_mask, term_ids

# A mask with fewer than 1 in SPARSE passages set is counted from its passages, a denser one
# from its window words (at 279,000 passages: 0.04-0.05 ms below 1% of them, against the
# 0.065 ms the window words take at any density; 0.08 ms against 0.065 ms at 4-8%).
SPARSE = 32
WINDOW = 64  # passages in a window: the bits of one unsigned 64-bit word
_ONE = np.uint64(1)


@dataclass(frozen=True)
class Windows:
    """Every run of passages cut into windows of up to WINDOW consecutive passages."""

    start: np.ndarray  # first document number of each window
    valid: np.ndarray  # per window, the bits of the passages it holds (uint64)
    run_first: np.ndarray  # the first window of each run
    of: np.ndarray  # the window of each passage
    word: np.ndarray  # the 64-passage word of the mask where each window starts,
    shift: np.ndarray  # and how far into it (uint64),
    rest: np.ndarray  # 63 - shift: the next word's bits go up by rest + 1 (uint64)

    def bits(self, mask: np.ndarray) -> np.ndarray:
        """Per window, the passages of `mask` in it: bit i is passage start + i (uint64)."""
        if not len(self.start):
            return np.zeros(0, dtype=np.uint64)
        packed = np.packbits(mask, bitorder="little")
        # Whole words, and one more of zeros: a window's bits are read from two words.
        buffer = np.zeros((len(packed) // 8 + 2) * 8, dtype=np.uint8)
        buffer[: len(packed)] = packed
        words = buffer.view("<u8")
        # Shifted in two steps: by 64 at once is undefined, and a window that starts on a
        # word boundary takes nothing from the next word.
        high = (words[self.word + 1] << self.rest) << _ONE
        return ((words[self.word] >> self.shift) | high) & self.valid

    def bit_of(self, docnums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The window of each passage of `docnums` and its bit there."""
        windows = self.of[docnums]
        return windows, np.left_shift(_ONE, (docnums - self.start[windows]).astype(np.uint64))


def make_windows(run_starts: np.ndarray, size: int) -> Windows:
    """Windows over `size` passages in runs beginning at `run_starts`."""
    lengths = np.diff(run_starts, append=size).astype(np.int64)
    per_run = (lengths + WINDOW - 1) // WINDOW
    run_first = np.cumsum(per_run) - per_run
    nth = np.arange(int(per_run.sum())) - np.repeat(run_first, per_run)  # within its run
    start = np.repeat(run_starts.astype(np.int64), per_run) + WINDOW * nth
    held = np.minimum(np.diff(start, append=size), WINDOW).astype(np.uint64)
    valid = np.where(held == WINDOW, ~np.uint64(0), (_ONE << (held % WINDOW)) - _ONE)
    of = np.repeat(np.arange(len(start), dtype=np.int32), np.diff(start, append=size))
    shift = (start % WINDOW).astype(np.uint64)
    return Windows(
        start=start,
        valid=valid.astype(np.uint64),
        run_first=run_first,
        of=of,
        word=start // WINDOW,
        shift=shift,
        rest=np.uint64(WINDOW - 1) - shift,
    )


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
    windows: Windows

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

    def passages_of(self, docnums: np.ndarray) -> np.ndarray:
        """Every passage (ascending) of the documents of `docnums`: a page's few reports
        without a pass over every passage."""
        if not self.one_run_each:
            documents = np.unique(self.doc[docnums])
            return np.flatnonzero(np.isin(self.doc, documents[documents >= 0]))
        runs = np.unique(self.run_of[docnums])
        runs = runs[self.run_doc[runs] >= 0]
        ends = np.append(self.run_starts, len(self.doc))[runs + 1]
        parts = [
            np.arange(start, end) for start, end in zip(self.run_starts[runs], ends, strict=True)
        ]
        return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, np.int64)

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
        else:  # many: a pass over the windows' words
            hit = np.logical_or.reduceat(self.windows.bits(mask) != 0, self.windows.run_first)
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
        windows=make_windows(starts, len(doc)),
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
