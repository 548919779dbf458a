"""Search by meaning: the passages' stored embeddings (indexer.index.vectors) against the
query's, exactly with numpy, or past neighbours.threshold() passages through an approximate
index (search_app/engine/neighbours.py) whose candidates are re-scored exactly.

Per generation, the vectors of the live passages are gathered once from their memory-mapped
files into one float32 matrix in document-number order (float16 on disk halves the index's
growth; numpy multiplies float32 with BLAS, float16 some ten times slower). One query is then
one matrix-vector product: about 3 ms at 9,300 passages and 100 ms at 279,000 on a busy
2-core machine (bench/meaning_speed.py), which is where the approximate index pays.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from indexer import embedding
from indexer.index.vectors import embedded_passages, location, open_shards
from search_app.engine.columns import columns
from search_app.engine.index_handle import Snapshot, built_already, per_generation
from search_app.engine.neighbours import Approximate, approximate_for, available, threshold

_QUERY_CACHE = 256  # query vectors kept per process (a query costs 20-60 ms to encode)
_queries: OrderedDict[str, np.ndarray] = OrderedDict()
_queries_lock = threading.Lock()


@dataclass(frozen=True)
class VectorTable:
    """The embedded live passages of one generation."""

    label: str | None  # the model the query must be encoded with (None: no model here)
    matrix: np.ndarray  # float32 (rows, dimensions)
    docnums: np.ndarray  # the Whoosh document number of each row
    row_of: np.ndarray  # per document number: its row, or -1 (deleted, or not embedded)
    # Past neighbours.threshold() rows (and with the library installed): the ANN index.
    approximate: Approximate | None = field(default=None, compare=False)

    @property
    def available(self) -> bool:
        return self.label is not None and len(self.docnums) > 0


@per_generation
def vector_table(snapshot: Snapshot) -> VectorTable:
    """The snapshot's VectorTable (built on first use; the model is loaded only for an index
    that has vectors)."""
    cols = columns(snapshot)
    row_of = np.full(len(cols.doc), -1, dtype=np.int64)
    shards = open_shards(snapshot.path)
    model = embedding.encoder(threads=1) if shards else None
    label = model.label if model is not None else None
    empty = VectorTable(label, np.zeros((0, 0), np.float32), np.zeros(0, np.int64), row_of)
    shards = {n: s for n, s in shards.items() if s.label == label}
    if label is None or not shards:
        return empty
    live = np.flatnonzero(cols.doc >= 0)
    rank = _rank_in_document(cols.doc[live])
    # Per document: its file and first row, when they hold all of its passages.
    where = np.full((len(cols.document_ids), 2), -1, dtype=np.int64)
    for number, document_id in enumerate(cols.document_ids):
        record = snapshot.manifest.get(document_id) or {}
        found = location(record, label)
        shard = shards.get(found[0]) if found else None
        passages = int(record.get("passages") or 0)
        if found and shard is not None and found[1] + passages <= len(shard.array):
            where[number] = found
    shard_of, first = where[cols.doc[live], 0], where[cols.doc[live], 1]
    keep = shard_of >= 0
    live, rank, shard_of, first = live[keep], rank[keep], shard_of[keep], first[keep]
    matrix = np.empty((len(live), next(iter(shards.values())).array.shape[1]), np.float32)
    for number, shard in shards.items():
        rows = np.flatnonzero(shard_of == number)
        matrix[rows] = shard.array[first[rows] + rank[rows]]
    row_of[live] = np.arange(len(live))
    return VectorTable(label, matrix, live, row_of, approximate_for(matrix))


def quick(table: VectorTable) -> bool:
    """Whether search by meaning is quick on the table: exact below neighbours.threshold()
    passages, past it through an approximate index that has not failed (faiss-cpu missing
    or broken leaves it exact, and slow)."""
    if table.approximate is None:
        return len(table.docnums) < threshold()
    return not table.approximate.failed


def warm(snapshot: Snapshot) -> None:
    """Gather the snapshot's vectors (the model loaded) and build its approximate index."""
    table = vector_table(snapshot)
    if table.approximate is not None:
        table.approximate.build()


def search_state(snapshot: Snapshot) -> dict[str, Any]:
    """How search by meaning answers in this process now, without building anything:
    `passages` embedded, `search` "none" | "exact" | "building" (exact until the approximate
    index is built) | "approximate", `approximate_index` (neighbours.Approximate.state(), or
    "not_needed" below `approximate_from` passages, "unavailable" without the library)."""
    table = built_already(snapshot, vector_table)
    if table is None:  # not gathered yet in this process: the manifest counts them
        passages, approximate = embedded_passages(snapshot.manifest), None
    else:
        passages, approximate = (len(table.docnums) if table.available else 0), table.approximate
    if approximate is not None:
        index = approximate.state()
    elif passages < max(1, threshold()):
        index = "not_needed"
    else:
        # Past the threshold without an index: the library is missing, or the table is not
        # gathered yet (the warm-up or the first search by meaning does it).
        index = "unavailable" if table is not None or not available() else "pending"
    search = {"ready": "approximate", "building": "building"}.get(index, "exact")
    return {
        "passages": passages,
        "search": search if passages else "none",
        "approximate_index": index,
        "approximate_from": threshold(),
    }


def _rank_in_document(doc: np.ndarray) -> np.ndarray:
    """Each passage's place within its document (document-number order is passage order)."""
    order = np.argsort(doc, kind="stable")
    ordered = doc[order]
    starts = np.r_[0, np.flatnonzero(ordered[1:] != ordered[:-1]) + 1]
    sizes = np.diff(np.r_[starts, len(ordered)])
    rank = np.empty(len(doc), dtype=np.int64)
    rank[order] = np.arange(len(doc)) - np.repeat(starts, sizes)
    return rank


def query_vector(table: VectorTable, text: str) -> np.ndarray | None:
    """The query's embedding, with the model that made the passages' (None without one)."""
    model = embedding.encoder(threads=1)
    if model is None or model.label != table.label or not text.strip():
        return None
    with _queries_lock:
        found = _queries.get(text)
        if found is not None:
            _queries.move_to_end(text)
            return found
    vector = model.encode([text])[0]
    with _queries_lock:
        _queries[text] = vector
        while len(_queries) > _QUERY_CACHE:
            _queries.popitem(last=False)
    return vector


def mean_vector(table: VectorTable, passages: np.ndarray) -> np.ndarray | None:
    """The normalised mean of the vectors of the passages in a mask (None: none has one)."""
    rows = table.row_of[np.flatnonzero(passages)]
    rows = rows[rows >= 0]
    if not len(rows):
        return None
    mean = table.matrix[rows].mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm > 0 else None


def similarities(table: VectorTable, query: np.ndarray) -> np.ndarray:
    """Cosine similarity of every embedded passage to the query, by row."""
    return table.matrix @ query


def nearest(
    table: VectorTable,
    query: np.ndarray,
    count: int,
    allowed: np.ndarray | None = None,
    floor: float = -1.0,
) -> dict[int, float]:
    """The `count` passages nearest the query (among `allowed`, a mask by document number,
    and at least `floor` similar): document number -> cosine similarity. Exact, or through
    the approximate index when the table has one ready and the filter leaves it enough."""
    rows = None if allowed is None else allowed[table.docnums]
    if rows is not None and rows.all():
        rows = None  # no filter: the index need not look at a bitmap
    approximate = table.approximate
    if approximate is not None and approximate.ready():
        found = _approximate(table, approximate, query, count, rows, floor)
        if found is not None:
            return found
    return _exact(table, query, count, rows, floor)


def _approximate(
    table: VectorTable,
    approximate: Approximate,
    query: np.ndarray,
    count: int,
    rows: np.ndarray | None,
    floor: float,
) -> dict[int, float] | None:
    """The approximate index's answer, re-scored exactly; None when it cannot vouch that no
    allowed passage is missing (a selective filter: exact search over the few is quick)."""
    allowed = len(table.docnums) if rows is None else int(np.count_nonzero(rows))
    if allowed <= max(count, approximate.exact_up_to):
        return None
    found = approximate.search(query, count, rows)
    scores = table.matrix[found] @ query
    keep = scores >= floor
    if np.count_nonzero(keep) < count and (keep.all() or not len(found)):
        return None  # all it found were near enough, yet too few: there may be more
    return _top(table.docnums[found[keep]], scores[keep], count)


def _exact(
    table: VectorTable, query: np.ndarray, count: int, rows: np.ndarray | None, floor: float
) -> dict[int, float]:
    """Every allowed row against the query (a few: only those rows)."""
    if rows is None:
        index, scores = None, table.matrix @ query
    elif np.count_nonzero(rows) * 4 < len(rows):  # gathering a few rows beats the product of all
        index = np.flatnonzero(rows)
        scores = table.matrix[index] @ query
    else:
        index = np.flatnonzero(rows)
        scores = (table.matrix @ query)[index]
    docnums = table.docnums if index is None else table.docnums[index]
    keep = scores >= floor
    return _top(docnums[keep], scores[keep], count)


def _top(docnums: np.ndarray, scores: np.ndarray, count: int) -> dict[int, float]:
    if len(scores) > count:
        top = np.argpartition(-scores, count - 1)[:count]
        scores, docnums = scores[top], docnums[top]
    return {int(d): float(s) for d, s in zip(docnums, scores, strict=True)}


def cosines(table: VectorTable, query: np.ndarray, docnums: np.ndarray) -> np.ndarray:
    """Cosine similarity of the given passages to the query (NaN: not embedded)."""
    rows = table.row_of[docnums]
    out = np.full(len(docnums), np.nan, dtype=np.float32)
    present = rows >= 0
    out[present] = table.matrix[rows[present]] @ query
    return out
