"""Local worker processes that write the files they process into index segments of their
own, so that the indexing process no longer writes every posting itself.

Each worker opens a writer for a segment of its own (without the index's lock: the indexing
process holds it), writes each file it processes into it, finishes it before Whoosh would
spill its postings to disk (`writer.segment_full`), and hands its finished segments over at
the end (`finish`).
The indexing process still decides everything else: it deletes a changed file's old
passages, keeps the manifest, and commits the workers' segments with its own
(`indexer.index.writer.commit`). A failed run leaves their files to
`generations.discard_uncommitted`, like any unfinished segment.
"""

from __future__ import annotations

import multiprocessing
import uuid
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh.index import Index
from whoosh.writing import IndexWriter

from indexer import duplicates
from indexer.extraction import Limits
from indexer.index import generations
from indexer.index.writer import (
    add_document,
    analyze_document,
    analyzed_writes,
    finish_segment,
    open_segment_writer,
    segment_full,
)
from indexer.processing import (
    Job,
    Processed,
    check_record,
    embedded,
    process_file,
    unwritable,
    watch_parent,
)

# Put where `process_and_analyze` puts the analysed fields: the passages are in a segment.
WRITTEN = "written-by-worker"
_FINISH_SECONDS = 600.0  # every worker reaches `finish` within this, or the run fails


@dataclass
class _Worker:
    index: Index
    barrier: Any  # multiprocessing.Barrier: one `finish` task per process (local pools)
    generation: str = ""
    writer: IndexWriter | None = None
    segment_id: str = ""  # names the open segment for `write_one`'s callers
    passages: int = 0
    finished: list[tuple[str, Any]] = field(default_factory=list)  # (segment_id, segment)


_worker: _Worker | None = None


def pool(workers: int, generation: Path, parent: int) -> ProcessPoolExecutor:
    """A process pool whose workers write into `generation` (run `process_and_write` on it,
    then `finish`)."""
    context = multiprocessing.get_context()
    barrier = context.Barrier(workers)
    return ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_start,
        initargs=(parent, str(generation), barrier),
    )


def _start(parent: int, generation: str, barrier: Any) -> None:
    global _worker
    watch_parent(parent)
    _worker = _Worker(generations.open_generation(Path(generation)), barrier, generation)


def write_one(generation: str, job: Job, limits: Limits) -> tuple[Processed, str]:
    """In a Dask worker's child process (indexer.file_process): `process_and_write` into a
    segment of `generation`, and the id of the segment the passages went into.

    A child keeps its segment open from file to file, as a local worker does; a request for
    another generation (a new run) drops what an earlier, unfinished run left open.
    """
    global _worker
    if _worker is None or _worker.generation != generation:
        if _worker is not None and _worker.writer is not None:
            _worker.writer.cancel()
        _worker = _Worker(generations.open_generation(Path(generation)), None, generation)
    worker = _worker
    if worker.writer is None:
        worker.writer = open_segment_writer(worker.index)
        worker.segment_id = uuid.uuid4().hex
    segment_id = worker.segment_id
    return process_and_write(job, limits), segment_id


def take_segments(generation: str) -> list[tuple[str, Any]]:
    """In a Dask worker's child process: its segments of `generation`, finished, as
    (segment id, segment); none when it wrote into another generation."""
    worker = _worker
    if worker is None or worker.generation != generation:
        return []
    _finish_segment(worker)
    segments, worker.finished = worker.finished, []
    return segments


def process_and_write(job: Job, limits: Limits) -> Processed:
    """In a worker: `process_file`, then the passages written into this worker's segment;
    `analyzed` is WRITTEN when they were."""
    indexed, status = embedded(*process_file(job, limits), limits, job.known_vectors)
    if indexed is None:
        return None, status, None, None
    worker = _current()
    try:
        check_record(indexed, job)
        if worker.writer is None:
            worker.writer = open_segment_writer(worker.index)
            worker.segment_id = uuid.uuid4().hex
        with analyzed_writes(worker.writer):  # writes nothing unless all of it can be
            add_document(worker.writer, indexed, analyze_document(indexed))
    except OSError:
        raise  # the machine's (a full disk), not the document's: stop the run
    except Exception as error:  # noqa: BLE001 - writer.DocumentError, or Whoosh's own
        return None, unwritable(status, error), None, None
    worker.passages += len(indexed.passages)
    if segment_full(worker.writer, worker.passages):
        _finish_segment(worker)
    return indexed, status, WRITTEN, duplicates.signature(indexed)


def finish(executor: Executor, workers: int) -> list[Any]:
    """Every worker's finished segments, once all files are processed."""
    futures = [executor.submit(_finish_worker) for _ in range(workers)]
    return [segment for future in futures for segment in future.result()]


def _finish_worker() -> list[Any]:
    worker = _current()
    _finish_segment(worker)
    segments, worker.finished = worker.finished, []
    # Wait for the others, so that no process takes a second of these tasks.
    worker.barrier.wait(timeout=_FINISH_SECONDS)
    return [segment for _, segment in segments]


def _finish_segment(worker: _Worker) -> None:
    if worker.writer is not None:
        segment = finish_segment(worker.writer)
        if segment is not None:
            worker.finished.append((worker.segment_id, segment))
    worker.writer, worker.passages = None, 0


def _current() -> _Worker:
    if _worker is None:
        raise RuntimeError("not a segment-writing worker process (see segment_workers.pool)")
    return _worker
