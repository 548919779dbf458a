"""Bulk indexing on a Dask distributed cluster: `report-search index FOLDER --cluster ADDRESS`.

The workers run the same per-file work as the local worker processes (extract, structure,
metadata, analysis); everything else (incremental by hash, the atomic rebuild, the report,
the progress bar) is the pipeline's.

- Files: when every worker reads the first file at its path with the same content hash (a
  folder they share), jobs carry paths; otherwise each job carries the file's bytes, its
  sidecar and its metadata.csv files, which the worker writes into a temporary folder.
- Writing: when the workers also reach the index's generation folder at its path (a shared
  file system) they write the passages into index segments of their own, as local workers
  do (`segment_workers.write_one`), and hand the segments over at the end; otherwise each
  file's passages come back to the one index writer in this process.
- On a worker, each file runs in a child process (`indexer.file_process`), one per busy
  worker thread: the per-file time limit needs a process's main thread (Dask runs tasks on
  threads), and workers under a nanny are daemonic processes, which multiprocessing does not
  let start children of their own.
- A worker that dies: the scheduler gives its files to another worker (Dask's own retry,
  `distributed.scheduler.allowed-failures` times per file). Files whose passages were in its
  segments (lost with it) are processed again and come back to this process.
- A scheduler that goes away: ClusterError; the pipeline then drops the unpublished
  generation (or writes nothing into the live one) and the live index keeps serving.

Needs `pip install report-search[cluster]` here and on every worker.
"""

from __future__ import annotations

import asyncio
import secrets
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from indexer.extraction import Limits, file_hash
from indexer.file_process import GRACE_SECONDS, ChildGone, ChildTimeout, FileProcess
from indexer.index.writer import worker_segments_supported
from indexer.metadata.overrides import METADATA_CSV, SIDECAR_SUFFIX
from indexer.models import FileStatus
from indexer.processing import Job, Processed

# Files in flight per worker thread: enough to keep workers busy, few enough to keep memory
# flat on this side (results arrive faster than the writer takes them otherwise).
IN_FLIGHT_PER_THREAD = 4
CONNECT_SECONDS = 10
PROBE = ".cluster-probe"


class ClusterError(RuntimeError):
    """The cluster cannot be used or went away during the run."""


# Bytes of one file and of the files that give it metadata, by path relative to its root.
Payload = dict[str, bytes]


def process_all(
    jobs: list[Job],
    limits: Limits,
    address: str,
    write_into: tuple[Path, list[Any]] | None = None,
) -> Iterator[Processed]:
    """Every job processed on the cluster's workers; results in completion order. With
    `write_into` (generation, segments) and workers that reach both the files and the
    generation folder, they write the passages into segments of their own, added to the list
    at the end. Raises ClusterError when the scheduler cannot be reached or goes away."""
    client = _connect(address)
    try:
        yield from _Run(client, jobs, limits, address, write_into).results()
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


class _Run:
    """One run's tasks on the cluster, kept a bounded number in flight."""

    def __init__(
        self,
        client: Any,
        jobs: list[Job],
        limits: Limits,
        address: str,
        write_into: tuple[Path, list[Any]] | None,
    ) -> None:
        self.client, self.jobs, self.limits, self.address = client, jobs, limits, address
        self.write_into = write_into
        self.generation = ""  # set when the workers write segments into it
        self.written: dict[str, list[Job]] = {}  # segment id -> the jobs written into it

    def results(self) -> Iterator[Processed]:
        if not self.jobs:
            return
        if not sum(self._call(self.client.nthreads).values()):
            raise ClusterError(f"the Dask scheduler at {self.address} has no workers")
        files_shared = _workers_share(self.client, self.jobs[0])
        if files_shared and self.write_into and worker_segments_supported():
            generation = self.write_into[0]
            if _workers_reach(self.client, generation):
                self.generation = str(generation)
        yield from self._stream(self.jobs, files_shared)
        if self.generation and self.write_into:
            lost = self._collect_segments(self.write_into[1])
            # Their passages were in segments that went with a worker: read them again.
            yield from self._stream(lost, files_shared, write=False)

    def _stream(self, jobs: list[Job], shared: bool, write: bool = True) -> Iterator[Processed]:
        from distributed import as_completed

        if not jobs:
            return
        write = write and bool(self.generation)
        queue = iter(jobs)
        in_flight: dict[str, Job] = {}

        def submit(job: Job) -> Any:
            if write:
                future = self.client.submit(
                    write_job, job, self.limits, self.generation, pure=False
                )
            else:
                payload = None if shared else _payload(job)
                future = self.client.submit(run_job, job, self.limits, payload, pure=False)
            in_flight[future.key] = job
            return future

        threads = sum(self._call(self.client.nthreads).values()) or 1
        window = threads * IN_FLIGHT_PER_THREAD
        first = [submit(job) for _, job in zip(range(window), queue, strict=False)]
        pending = as_completed(first, loop=self.client.loop)  # this client, not a default one
        for future in pending:
            job = in_flight.pop(future.key)
            result = _result(future, job, self.address)
            future.release()
            next_job = next(queue, None)
            if next_job is not None:
                pending.add(submit(next_job))
            if write and isinstance(result, tuple) and len(result) == 2:
                result, segment_id = result
                if result[2] is not None:  # written into that segment
                    self.written.setdefault(segment_id, []).append(job)
            yield result

    def _collect_segments(self, segments: list[Any]) -> list[Job]:
        """The workers' finished segments into `segments`; the jobs whose segment is lost."""
        try:
            found = self.client.run(_finish_writing, self.generation, on_error="return")
        except Exception as error:  # noqa: BLE001 - the scheduler went away
            raise ClusterError(
                f"the Dask cluster at {self.address} stopped answering: {error}"
            ) from None
        collected: set[str] = set()
        for answer in found.values():
            if isinstance(answer, BaseException):
                continue  # a worker that died now: its files are read again below
            for segment_id, segment in answer:
                segments.append(segment)
                collected.add(segment_id)
        return [job for sid, jobs in self.written.items() if sid not in collected for job in jobs]

    def _call(self, method: Any) -> Any:
        try:
            return method()
        except Exception as error:  # noqa: BLE001
            raise ClusterError(
                f"the Dask cluster at {self.address} stopped answering: {error}"
            ) from None


def _result(future: Any, job: Job, address: str) -> Any:
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


def _workers_reach(client: Any, generation: Path) -> bool:
    """Whether every worker sees this process's generation folder at its path (a shared
    file system): a random token written here must read back the same there."""
    probe = generation / PROBE
    token = secrets.token_hex(16)
    try:
        probe.write_text(token, "utf-8")
        seen = client.run(_read_or_none, str(probe))
    except OSError:
        return False
    except Exception as error:  # noqa: BLE001
        raise ClusterError(f"the Dask workers did not answer: {error}") from error
    finally:
        probe.unlink(missing_ok=True)
    return bool(seen) and all(value == token for value in seen.values())


def _hash_or_none(path: str) -> str | None:
    try:
        return file_hash(Path(path))
    except OSError:
        return None


def _read_or_none(path: str) -> str | None:
    try:
        return Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
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

_idle: list[FileProcess] = []  # children not working on a file now
_children: list[FileProcess] = []  # every live child of this worker process
_children_lock = threading.Lock()


def run_job(job: Job, limits: Limits, payload: Payload | None) -> Processed:
    """The Dask task: one file through `process_and_analyze`, in a child process."""
    if payload is None:
        return _in_child(job, limits, ("process", job, limits))
    with tempfile.TemporaryDirectory(prefix="report-search-") as folder:
        root = Path(folder) / Path(job.root).name
        for relative, data in payload.items():
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        local = replace(job, path=root / Path(job.path).resolve().relative_to(job.root), root=root)
        indexed, status, analyzed, signature = _in_child(local, limits, ("process", local, limits))
    # Report the file where it lives, not where this worker copied it.
    status = replace(status, path=str(job.path))
    if indexed is not None:
        indexed = replace(indexed, document=replace(indexed.document, path=str(job.path)))
    return indexed, status, analyzed, signature


def write_job(job: Job, limits: Limits, generation: str) -> tuple[Processed, str]:
    """The Dask task when workers share the index folder: one file processed and written
    into its child's segment of `generation`; the result and that segment's id."""
    answer = _in_child(job, limits, ("write", generation, job, limits))
    if isinstance(answer, tuple) and len(answer) == 2:
        return answer
    return answer, ""  # the file failed before it was written


async def _finish_writing(generation: str) -> list[tuple[str, Any]]:
    """Run by `client.run` on every worker: each child's finished segments of `generation`.
    A coroutine, so that the worker's event loop keeps answering while segments are
    written out (on a thread)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, _finish_children, generation)


def _finish_children(generation: str) -> list[tuple[str, Any]]:
    with _children_lock:
        children = [child for child in _children if child.alive()]
    segments: list[tuple[str, Any]] = []
    for child in children:
        segments += child.call(("finish", generation), timeout=600)
    return segments


def _in_child(job: Job, limits: Limits, request: tuple[Any, ...]) -> Any:
    """The child's answer to `request` about `job`; a failed status if it crashed or hung."""
    child = _take_child()
    try:
        answer = child.call(request, timeout=limits.seconds + GRACE_SECONDS)
    except ChildTimeout:
        error = f"gave up after {limits.seconds:g} seconds; the process reading it was stopped"
        return _failed(job, "timeout", error)
    except ChildGone:
        return _failed(job, "error", "the process reading this file crashed")
    finally:
        _give_back(child)
    return answer


def _failed(job: Job, reason: str, error: str) -> Processed:
    return None, FileStatus(str(job.path), job.document_id, "failed", reason, error), None, None


def _take_child() -> FileProcess:
    with _children_lock:
        while _idle:
            child = _idle.pop()
            if child.alive():
                return child
        child = FileProcess()
        _children.append(child)
        return child


def _give_back(child: FileProcess) -> None:
    with _children_lock:
        if child.alive():
            _idle.append(child)
        elif child in _children:
            _children.remove(child)
