"""An approximate nearest-neighbour index over one generation's vector table, for search by
meaning past ANN_FROM passages (below it exact numpy search is fast enough and exact).

The index is faiss's HNSW graph over 8-bit copies of the vectors (inner product on unit
vectors: cosine), built once per generation from the table's float32 rows: by the server's
warm-up, or in a background thread started by the first query that wants it, exact search
answering until it is ready. Filters are applied inside the search (a bitmap of the rows
allowed), so the candidates are all allowed ones; `meaning.nearest` re-scores them exactly
and falls back to exact search when the filter is selective or the candidates cannot vouch
for the answer being complete. The library's filter and its bitmap layout are used here
only, checked by a self-check on every build (failing it, search stays exact).
bench/ann.py measured the libraries; docs/vector-index.md has the figures.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

ENV = "REPORT_SEARCH_ANN_FROM"  # passages from which the approximate index is used
ANN_FROM = 50_000  # exact search by meaning: 18 ms at 50,000, 159 ms at 279,000
LINKS = 16  # HNSW's M: graph links per passage
EXPANSION_ADD = 100  # efConstruction
EXPANSION_SEARCH = 1024  # efSearch (at least the candidates asked for)
# A filter leaving a share s of the passages widens the search by 1/sqrt(s), up to this:
# a graph walk through a filter finds fewer of the allowed nearest (bench/ann.py --shipped).
MAX_EXPANSION = 4096
# The graph holds 8-bit vectors (a quarter of float32's memory: 141 MB at 279,000 passages
# instead of 447): it is asked for CANDIDATES x the passages wanted, and the float32 table
# re-scores them (recall@100 as with float32 vectors in bench/ann.py).
CANDIDATES = 2
# Allowed passages up to which a filtered search stays exact (the product of so few rows
# takes a few milliseconds, and a graph walk through a sparse filter loses some).
EXACT_ROWS = 20_000


def threshold() -> int:
    """Passages from which search by meaning goes through the approximate index."""
    try:
        return int(os.environ.get(ENV, ANN_FROM))
    except ValueError:
        return ANN_FROM


def _library() -> Any | None:
    """faiss, or None when it is not installed (search by meaning stays exact)."""
    try:
        import faiss
    except ImportError:
        return None
    # One thread: the server's other requests share the cores (and an OpenMP pool made
    # before a fork can hang the forked server processes).
    faiss.omp_set_num_threads(1)
    return faiss


def available() -> bool:
    return _library() is not None


def approximate_for(matrix: np.ndarray) -> Approximate | None:
    """An (unbuilt) index for a table of this many rows, if it is to have one."""
    if len(matrix) < max(1, threshold()) or not available():
        return None
    return Approximate(matrix, exact_up_to=min(EXACT_ROWS, threshold()))


class Approximate:
    """The HNSW index of one table's rows (row numbers are the index's ids)."""

    def __init__(self, matrix: np.ndarray, exact_up_to: int = EXACT_ROWS) -> None:
        self.matrix = matrix
        self.exact_up_to = exact_up_to  # allowed rows up to which search stays exact
        self._index: Any = None
        self._faiss: Any = None  # the library, once the index is built with it
        self._lock = threading.Lock()  # guards _started_in
        self._building = threading.Lock()  # one build at a time: the warm-up's or a thread's
        self._started_in = 0  # the process that started a background build (0: none)
        self.failed = False  # the build or its self-check failed: search stays exact
        self.searches = 0  # searches answered (health and tests: is the index in use?)

    def state(self) -> str:
        """The index's state: "ready", "failed" (search stays exact), "building" (in this
        process: exact search answers meanwhile) or "pending" (not started here: the warm-up
        or the first search by meaning starts it)."""
        if self._index is not None:
            return "ready"
        if self.failed:
            return "failed"
        return "building" if self._started_in == os.getpid() else "pending"

    def ready(self) -> bool:
        """Whether the index is built; if not, start building it in the background (once a
        process: a build started before a fork does not go on in the child)."""
        if self._index is not None:
            return True
        if self.failed:
            return False
        with self._lock:
            if self._started_in != os.getpid():
                self._started_in = os.getpid()
                # A lock held by a parent's build thread stays held in a forked child.
                self._building = threading.Lock()
                threading.Thread(target=self.build, name="ann-build", daemon=True).start()
        return False

    def build(self) -> None:
        """Build the index now (the warm-up's way; a no-op once built or failed). Any error
        of the library's, like a failed self-check, leaves search by meaning exact."""
        with self._lock:
            self._started_in = os.getpid()
        with self._building:
            if self._index is not None or self.failed:
                return
            faiss = _library()
            if faiss is None:
                return
            try:
                index = _built(faiss, self.matrix)
                checked = _self_check(faiss, index, self.matrix)
            except Exception:  # a library version whose interface moved: stay exact
                log.exception("the approximate index could not be built: search stays exact")
                self.failed = True
                return
            if checked:
                self._faiss, self._index = faiss, index
            else:
                self.failed = True
                log.warning("the approximate index failed its self-check: search stays exact")

    def search(self, query: np.ndarray, count: int, rows: np.ndarray | None) -> np.ndarray:
        """Up to CANDIDATES x `count` rows near the query, among `rows` (a mask by row) if
        given (only once `ready`), to be re-scored with their float32 vectors."""
        count *= CANDIDATES
        query = np.ascontiguousarray(query, dtype=np.float32)[None, :]
        found = _search(self._faiss, self._index, query, count, _expansion(rows), rows)
        self.searches += 1
        return found[found >= 0]


def _search(
    faiss: Any, index: Any, query: np.ndarray, count: int, ef: int, rows: np.ndarray | None
) -> np.ndarray:
    """The index's ids for one (1, dimensions) float32 query, among `rows` if given."""
    params = faiss.SearchParametersHNSW(efSearch=max(ef, count))
    bitmap = None
    if rows is not None:
        bitmap = np.packbits(rows, bitorder="little")
        params.sel = faiss.IDSelectorBitmap(len(rows), faiss.swig_ptr(bitmap))
    found = index.search(query, count, params=params)[1][0]
    del bitmap  # kept alive until the search is over: the selector only points at it
    return found


def _expansion(rows: np.ndarray | None) -> int:
    """efSearch: EXPANSION_SEARCH, widened as a filter narrows."""
    share = 1.0 if rows is None else max(float(rows.mean()), 1e-6)
    return min(MAX_EXPANSION, round(EXPANSION_SEARCH / np.sqrt(share)))


def _built(faiss: Any, matrix: np.ndarray) -> Any:
    """The HNSW graph of the rows' 8-bit vectors (inner product: cosine on unit vectors)."""
    index = faiss.IndexHNSWSQ(
        matrix.shape[1], faiss.ScalarQuantizer.QT_8bit, LINKS, faiss.METRIC_INNER_PRODUCT
    )
    index.hnsw.efConstruction = EXPANSION_ADD
    rows = np.ascontiguousarray(matrix, dtype=np.float32)
    index.train(rows)  # each dimension's range, for its 8 bits
    index.add(rows)
    return index


def _self_check(faiss: Any, index: Any, matrix: np.ndarray) -> bool:
    """Whether the index finds a row's own vector, and a filter to one row keeps only it
    (the bitmap's bit order is the library's to define)."""
    last = len(matrix) - 1
    only = np.zeros(len(matrix), dtype=bool)
    only[last] = True
    query = np.ascontiguousarray(matrix[last : last + 1], dtype=np.float32)
    found = _search(faiss, index, query, 2, EXPANSION_SEARCH, only)
    return [int(r) for r in found if r >= 0] == [last]
