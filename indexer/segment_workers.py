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
    barrier: Any  # multiprocessing.Barrier: one `finish` task per process
    writer: IndexWriter | None = None
    passages: int = 0
    finished: list[Any] = field(default_factory=list)


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
    _worker = _Worker(generations.open_generation(Path(generation)), barrier)


def process_and_write(job: Job, limits: Limits) -> Processed:
    """In a worker: `process_file`, then the passages written into this worker's segment;
    `analyzed` is WRITTEN when they were."""
    indexed, status = process_file(job, limits)
    if indexed is None:
        return None, status, None, None
    worker = _current()
    try:
        check_record(indexed, job)
        if worker.writer is None:
            worker.writer = open_segment_writer(worker.index)
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
    return segments


def _finish_segment(worker: _Worker) -> None:
    if worker.writer is not None:
        segment = finish_segment(worker.writer)
        if segment is not None:
            worker.finished.append(segment)
    worker.writer, worker.passages = None, 0


def _current() -> _Worker:
    if _worker is None:
        raise RuntimeError("not a segment-writing worker process (see segment_workers.pool)")
    return _worker
