"""Bulk indexing on a Dask distributed cluster: `report-search index FOLDER --cluster ADDRESS`.

The workers run the same per-file function as the local worker processes
(`processing.process_and_analyze`: extract, structure, metadata, analysis) and the results
stream back, in completion order, to the one index writer in this process; everything else
(incremental by hash, the atomic rebuild, the report, the progress bar) is the pipeline's.

- Files: when every worker reads the first file at its path with the same content hash (a
  folder they share), jobs carry paths; otherwise each job carries the file's bytes, its
  sidecar and its metadata.csv files, which the worker writes into a temporary folder.
- A worker that dies: the scheduler gives its files to another worker (Dask's own retry,
  `distributed.scheduler.allowed-failures` times per file).
- A scheduler that goes away: ClusterError; the pipeline then drops the unpublished
  generation (or writes nothing into the live one) and the live index keeps serving.
- On a worker, each file runs in a child process of its own pool: only a process's main
  thread can enforce the per-file time limit, and Dask runs tasks on threads.

Needs `pip install report-search[cluster]` here and on every worker.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path
from typing import Any

from indexer.extraction import Limits, file_hash
from indexer.metadata.overrides import METADATA_CSV, SIDECAR_SUFFIX
from indexer.models import FileStatus
from indexer.processing import Job, Processed, process_and_analyze, watch_parent

# Files in flight per worker thread: enough to keep workers busy, few enough to keep memory
# flat on this side (results arrive faster than the writer takes them otherwise).
IN_FLIGHT_PER_THREAD = 4
CONNECT_SECONDS = 10


class ClusterError(RuntimeError):
    """The cluster cannot be used or went away during the run."""


# Bytes of one file and of the files that give it metadata, by path relative to its root.
Payload = dict[str, bytes]


def process_all(jobs: list[Job], limits: Limits, address: str) -> Iterator[Processed]:
    """`process_and_analyze(job, limits)` for every job on the cluster's workers; results in
    completion order. Raises ClusterError when the scheduler cannot be reached or goes away."""
    client = _connect(address)
    try:
        yield from _stream(client, jobs, limits, address)
    finally:
        client.close()


def _connect(address: str) -> Any:
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError("--cluster needs Dask: pip install 'report-search[cluster]'") from None
    try:
        return Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {error}") from None


def _stream(client: Any, jobs: list[Job], limits: Limits, address: str) -> Iterator[Processed]:
    from distributed import as_completed

    if not jobs:
        return
    threads = sum(client.nthreads().values())
    if not threads:
        raise ClusterError(f"the Dask scheduler at {address} has no workers")
    shared = _workers_share(client, jobs[0])
    queue = iter(jobs)
    in_flight: dict[str, Job] = {}

    def submit(job: Job) -> Any:
        future = client.submit(run_job, job, limits, None if shared else _payload(job), pure=False)
        in_flight[future.key] = job
        return future

    window = threads * IN_FLIGHT_PER_THREAD
    first = [submit(job) for _, job in zip(range(window), queue, strict=False)]
    pending = as_completed(first, loop=client.loop)  # this client, not a default one
    for future in pending:
        job = in_flight.pop(future.key)
        result = _result(future, job, address)
        future.release()
        next_job = next(queue, None)
        if next_job is not None:
            pending.add(submit(next_job))
        yield result


def _result(future: Any, job: Job, address: str) -> Processed:
    """The task's result; a file that killed every worker it ran on fails on its own."""
    from distributed import KilledWorker

    try:
        return future.result()
    except KilledWorker:
        error = "the file took down the Dask workers that read it"
        return (
            None,
            FileStatus(str(job.path), job.document_id, "failed", "error", error),
            None,
            None,
        )
    except (Exception, asyncio.CancelledError) as error:
        if future.status == "error":
            raise  # the task raised: a machine error on a worker (e.g. its disk is full)
        raise ClusterError(
            f"the Dask cluster at {address} stopped answering: {type(error).__name__}: {error}"
        ) from None


def _workers_share(client: Any, job: Job) -> bool:
    """Whether every worker reads the job's file at its path, with the same content."""
    try:
        seen = client.run(_hash_or_none, str(job.path))
    except Exception as error:  # noqa: BLE001
        raise ClusterError(f"the Dask workers did not answer: {error}") from error
    return bool(seen) and all(digest == job.content_hash for digest in seen.values())


def _hash_or_none(path: str) -> str | None:
    try:
        return file_hash(Path(path))
    except OSError:
        return None


def _payload(job: Job) -> Payload:
    """The file, its sidecar and every metadata.csv from its folder up to its root."""
    path, root = Path(job.path).resolve(), Path(job.root).resolve()
    names = [path, path.with_name(path.name + SIDECAR_SUFFIX)]
    folder = path.parent
    while folder.is_relative_to(root):
        names.append(folder / METADATA_CSV)
        if folder == root:
            break
        folder = folder.parent
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in names if p.is_file()}


# --- on a worker ---------------------------------------------------------------------------

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def run_job(job: Job, limits: Limits, payload: Payload | None) -> Processed:
    """The Dask task: one file through `process_and_analyze`, in this worker's process pool."""
    if payload is None:
        return _in_pool(job, limits)
    with tempfile.TemporaryDirectory(prefix="report-search-") as folder:
        root = Path(folder) / Path(job.root).name
        for relative, data in payload.items():
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        local = replace(job, path=root / Path(job.path).resolve().relative_to(job.root), root=root)
        indexed, status, analyzed, signature = _in_pool(local, limits)
    # Report the file where it lives, not where this worker copied it.
    status = replace(status, path=str(job.path))
    if indexed is not None:
        indexed = replace(indexed, document=replace(indexed.document, path=str(job.path)))
    return indexed, status, analyzed, signature


def _in_pool(job: Job, limits: Limits) -> Processed:
    global _pool
    with _pool_lock:
        if _pool is None:
            # One child per worker thread; children exit when this worker process dies.
            size = _worker_threads()
            # spawn: forking a Dask worker (event loop and comm threads) can deadlock the child.
            _pool = ProcessPoolExecutor(
                size,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=watch_parent,
                initargs=(os.getpid(),),
            )
        pool = _pool
    try:
        return pool.submit(process_and_analyze, job, limits).result()
    except BrokenProcessPool:
        # The file took its process down (a crash in a parser): it fails, the pool is renewed.
        with _pool_lock:
            if _pool is pool:
                _pool = None
        status = FileStatus(
            str(job.path),
            job.document_id,
            "failed",
            reason="error",
            error="the process reading this file crashed",
        )
        return None, status, None, None


def _worker_threads() -> int:
    try:
        from distributed import get_worker

        return max(1, int(get_worker().state.nthreads))
    except (ImportError, ValueError, AttributeError):
        return 1
