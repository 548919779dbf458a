"""discover -> extract -> structure -> enrich -> write, with a report of every file's fate.

Extraction runs in worker processes; the one Whoosh writer lives in this process. A run is
incremental by content hash unless `rebuild` is set, in which case it writes a new generation
and publishes it atomically at the end (see indexer.index.generations).
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from indexer import duplicates, ocr_status, segment_workers
from indexer.extraction import SUFFIXES, Limits, file_hash
from indexer.extraction.ocr_cache import FOLDER as OCR_CACHE
from indexer.index import generations, vectors
from indexer.index.writer import (
    add_document,
    analyzed_writes,
    cancel,
    commit,
    delete_document,
    open_writer,
    worker_segments_supported,
)
from indexer.metadata import read_overrides
from indexer.metadata.overrides import check_overrides
from indexer.models import FileStatus, IndexedDocument
from indexer.processing import (
    Job,
    Processed,
    check_record,
    in_main_thread,
    jsonable,
    keep_dates,
    manifest_record,
    process_and_analyze,
    unwritable,
    watch_parent,
)
from indexer.progress import Progress

# Files that describe a folder rather than being reports in it: README*, LICENSE*, LICENCE*,
# COPYING* (any case, then nothing or a '.', '-' or '_' and anything) and metadata.csv.
# Hidden files and folders (a name starting with '.') are skipped too; neither is reported.
IGNORED_NAME = re.compile(r"(readme|licen[cs]e|copying)([._-].*)?|metadata\.csv", re.I | re.S)
# A name with control characters (CR, LF, ...) or bytes that are not text cannot be put in a
# URL: such a file would be in results but its page and file unreachable. Reported, skipped.
_UNADDRESSABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


@dataclass
class RunReport:
    """What one indexing run did; saved as report.json next to the index."""

    index_dir: str
    generation: int = 0
    rebuild: bool = False
    started_at: float = field(default_factory=time.time)
    seconds: float = 0.0
    files: list[FileStatus] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)  # groups of copies
    embedded: int = 0  # passages whose embeddings this run made

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for status in self.files:
            counts[status.status] = counts.get(status.status, 0) + 1
        return counts

    def summary(self) -> dict[str, Any]:
        """What the run did, as `/api/stats` serves it: files named by their document ids
        (paths below the corpus roots), no absolute path of this machine."""
        indexed = [f for f in self.files if f.status == "indexed"]
        pages = sum(f.pages for f in indexed)
        passages = sum(f.passages for f in indexed)
        return {
            "generation": self.generation,
            "rebuild": self.rebuild,
            "seconds": round(self.seconds, 2),
            "files": len(self.files),
            "by_status": self.counts(),
            "pages": pages,
            "passages": passages,
            "pages_per_second": self._rate(pages),
            "passages_per_second": self._rate(passages),
            "passages_embedded": self.embedded,
            "failures": [
                {"path": f.document_id, "reason": f.reason, "error": f.relative(f.error)}
                for f in self.files
                if f.status == "failed"
            ],
            "ocr": ocr_status.run_summary(self.files),
            "duplicates": self.duplicates,
        }

    def _rate(self, count: int) -> float:
        return round(count / self.seconds, 1) if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        """report.json: the summary, the index folder and every file with its full path."""
        per_file = [asdict(f) for f in self.files]
        return {**self.summary(), "index_dir": self.index_dir, "per_file": per_file}


def discover(roots: Iterable[Path]) -> Iterator[tuple[Path, Path]]:
    """Every supported file under the roots, as (root, path), in a stable order."""
    for base, path, skipped in _walk(roots):
        if skipped is None:
            yield base, path


def _walk(roots: Iterable[Path]) -> Iterator[tuple[Path, Path, FileStatus | None]]:
    """Supported files under the roots as (root, path, None), and those that are skipped
    with a report line as (root, path, status); in a stable order."""
    for root in roots:
        root = root.resolve()
        base = root.parent if root.is_file() else root
        candidates = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in candidates:
            relative = path.relative_to(base)
            if (
                not path.is_file()
                or path.suffix.lower() not in SUFFIXES
                or IGNORED_NAME.fullmatch(path.name)
                or any(part.startswith(".") for part in relative.parts)
            ):
                continue
            if _UNADDRESSABLE.search(str(relative)):
                why = "its name has control characters or bytes that are not text"
                yield base, path, _skipped(path, base, "unaddressable-name", why)
            elif not path.resolve().is_relative_to(base):
                # A symlink out of the corpus would let the file endpoint serve any file.
                why = "a symbolic link to a file outside the corpus folder"
                yield base, path, _skipped(path, base, "outside-corpus", why)
            else:
                yield base, path, None


def _skipped(path: Path, base: Path, reason: str, error: str) -> FileStatus:
    document_id = document_id_for(base, path)
    shown = repr(str(path))[1:-1]  # control characters escaped, for the report and terminal
    return FileStatus(shown, repr(document_id)[1:-1], "skipped", reason, error)


def document_id_for(root: Path, path: Path) -> str:
    """Stable id: the root folder's name and the path below it, e.g. 'corpus/ungdc/a.txt'."""
    return (Path(root.name) / path.relative_to(root)).as_posix()


def run(
    roots: list[Path],
    index_dir: Path,
    *,
    rebuild: bool = False,
    workers: int | None = None,
    progress: bool = False,
    limits: Limits | None = None,
    cluster: str | None = None,
    write_in_workers: bool = True,
    lock_held: bool = False,
    embed: bool | None = None,
) -> RunReport:
    """Index the files under `roots` into `index_dir`; the one entry point for bulk indexing.

    With `cluster` (a Dask scheduler's address) the files are processed on its workers
    (indexer.cluster) instead of local worker processes; the writing stays here. Local
    worker processes write index segments of their own unless `write_in_workers` is False
    (then this process writes every passage, into one segment). With `lock_held` the caller
    holds the index's write lock (generations.write_lock) already. `embed` (default: on,
    unless REPORT_SEARCH_EMBED=0) stores the passages' embeddings when the model is
    installed (indexer.index.vectors); documents indexed without them get them then."""
    limits = limits or Limits()
    label = vectors.current_label() if vectors.wanted(embed) else None
    limits = replace(limits, embed=label is not None)
    if not limits.ocr.cache_dir:  # beside the generations, so that rebuilds reuse it
        limits = replace(limits, ocr=replace(limits.ocr, cache_dir=str(index_dir / OCR_CACHE)))
    workers = workers or os.cpu_count() or 1
    report = RunReport(index_dir=str(index_dir), rebuild=rebuild)
    started = time.perf_counter()
    with nullcontext() if lock_held else generations.write_lock(index_dir):
        generations.remove_stale_generations(index_dir)
        live = generations.current_generation(index_dir)
        if live is not None:  # what a killed run left behind
            generations.discard_uncommitted(live)
        target = generations.new_generation(index_dir) if rebuild or live is None else live
        try:
            how = _How(workers, progress, limits, cluster, write_in_workers, label)
            _write(roots, target, live, report, rebuild, how)
        except BaseException:
            # Free the space now, so that a full disk recovers as soon as space is freed.
            if target != live:  # never published
                shutil.rmtree(target, ignore_errors=True)
            else:
                generations.discard_uncommitted(target)
            raise
        report.seconds = time.perf_counter() - started
        report.generation = generations.generation_number(target)
        generations.save_json(target / generations.REPORT, report.to_dict())
        generations.save_info(target, last_run=report.summary())
        if target != live:
            generations.publish(index_dir, target)
            generations.remove_stale_generations(index_dir)
    return report


@dataclass(frozen=True)
class _How:
    """How a run processes its files (the options of `run`)."""

    workers: int
    progress: bool
    limits: Limits
    cluster: str | None
    write_in_workers: bool
    label: str | None  # the embedding model's, when the run embeds


def _write(
    roots: list[Path], target: Path, live: Path | None, report: RunReport, rebuild: bool, how: _How
) -> None:
    """Process the files and commit them to `target` with its manifest."""
    limits = how.limits
    manifest = {} if target != live else generations.load_manifest(target)
    earlier = generations.load_manifest(live) if live is not None else {}  # for keep_dates
    signatures = {} if target != live else duplicates.load_signatures(target)
    jobs, unchanged, removed = _plan(roots, manifest, limits, how.label, earlier)
    report.files.extend(unchanged + removed)
    index = generations.open_generation(target)
    writer = open_writer(index)
    shard = vectors.ShardWriter(target, writer.generation, vectors.Previous(live, earlier))
    try:
        for document_id in (f.document_id for f in removed):
            delete_document(writer, document_id)
            manifest.pop(document_id, None)
            signatures.pop(document_id, None)
        jobs_by_id = {job.document_id: job for job in jobs}
        # Documents whose passages are in the index: copies of another document are not.
        searchable = {d for d, r in manifest.items() if not r.get("duplicate_of")}
        segments: list[Any] = []  # finished by worker processes (indexer.segment_workers)
        write_into = (target, segments) if how.write_in_workers else None
        processed = _process_all(jobs, limits, how.workers, how.cluster, write_into)
        reported: dict[str, int] = {}  # document id -> its place in report.files
        with Progress(total=len(jobs), enabled=how.progress) as bar, analyzed_writes(writer):
            for indexed, status, analyzed, sig in processed:
                job = jobs_by_id[status.document_id]
                status = _apply(writer, manifest, indexed, job, analyzed, status)
                if status.status == "indexed" and indexed is not None:
                    made = indexed.vectors is not None and indexed.vectors.array is not None
                    where = shard.add(job.document_id, indexed.vectors, len(indexed.passages))
                    _note_vectors(manifest[status.document_id], where)
                    report.embedded += len(indexed.passages) if where and made else 0
                written = sig if status.status == "indexed" else None
                _note_signature(signatures, searchable, status.document_id, written)
                if status.document_id in reported:
                    # Read again (its cluster worker's segment was lost, or its worker pool
                    # broke): one line, the later result.
                    report.files[reported[status.document_id]] = status
                    continue
                reported[status.document_id] = len(report.files)
                report.files.append(status)
                bar.advance(status, len(indexed.passages) if indexed and indexed.vectors else 0)
        if not (jobs or removed or target != live):
            # Nothing changed: no new commit and no new manifest, so running servers keep
            # their searchers and per-generation caches.
            writer.cancel()
            return
        keep_dates(manifest, earlier, time.time())
        shard.close()
        _commit(writer, target, manifest, optimize=rebuild, segments=segments)
    except BaseException:
        shard.cancel()
        cancel(writer)
        raise
    _group_copies(index, target, manifest, signatures, searchable, report, limits)
    duplicates.save_signatures(target, signatures)
    generations.save_manifest(target, manifest)


def _commit(
    writer: Any,
    target: Path,
    manifest: dict[str, Any],
    optimize: bool = False,
    segments: list[Any] | None = None,
) -> None:
    """Commit, with the manifest published in the same step (generations.load_manifest)."""
    generations.save_commit_manifest(target, manifest, writer.generation)
    commit(writer, optimize=optimize, segments=segments)
    generations.settle_manifest(target)


def _note_vectors(record: dict[str, Any], where: list[Any] | None) -> None:
    """Point a document's manifest record at its rows of vectors (none: not embedded)."""
    if where is None:
        record.pop(vectors.RECORD_KEY, None)
    else:
        record[vectors.RECORD_KEY] = where


def _note_signature(
    signatures: dict[str, Any], searchable: set[str], document_id: str, sig: Any
) -> None:
    """Keep a processed document's signature; it was just written, so it is searchable."""
    if sig is None:
        signatures.pop(document_id, None)
        searchable.discard(document_id)
    else:
        signatures[document_id] = sig
        searchable.add(document_id)


def _group_copies(
    index: Any,
    target: Path,
    manifest: dict[str, dict[str, Any]],
    signatures: dict[str, Any],
    searchable: set[str],
    report: RunReport,
    limits: Limits,
) -> None:
    """Find the groups of copies and leave only each group's representative searchable.

    A second commit, because Whoosh cannot delete what the first writer has not committed:
    the copies' passages go, and a document that stopped being a copy (its representative
    changed or went) is read again and written.
    """
    groups = duplicates.find_groups(signatures, manifest)
    duplicates.apply_groups(manifest, groups)
    report.duplicates = [g.to_dict() for g in groups]
    copies = {c for g in groups for c in g.copies}
    hide = sorted(searchable & copies)
    show = sorted(d for d in manifest if d not in copies and d not in searchable)
    if not (hide or show):
        return
    writer = open_writer(index)
    shard = vectors.ShardWriter(target, writer.generation)
    try:
        for document_id in hide:
            delete_document(writer, document_id)
        for document_id in show:
            record = manifest[document_id]
            job = Job(Path(record["path"]), Path(record["root"]), document_id, "")
            indexed, _, analyzed, _ = process_and_analyze(job, limits)
            if indexed is None:  # the file went bad since: the index follows the files
                manifest.pop(document_id, None)
                signatures.pop(document_id, None)
                continue
            with analyzed_writes(writer):
                add_document(writer, indexed, analyzed)
            _note_vectors(record, shard.add(document_id, indexed.vectors, len(indexed.passages)))
        shard.close()
        _commit(writer, target, manifest)
    except BaseException:
        shard.cancel()
        cancel(writer)
        raise


def _plan(
    roots: list[Path],
    manifest: dict[str, dict[str, Any]],
    limits: Limits,
    label: str | None = None,
    earlier: dict[str, dict[str, Any]] | None = None,
) -> tuple[list[Job], list[FileStatus], list[FileStatus]]:
    """Split the files into jobs to run, unchanged (or skipped) files, and documents to
    remove. A run that embeds (`label`) processes again the searchable documents that have
    no vectors of that model; a job says which texts the `earlier` (live) manifest's vectors
    were made of, so that the same texts are not embedded again."""
    jobs: list[Job] = []
    unchanged: list[FileStatus] = []
    seen: set[str] = set()
    for root, path, skipped in _walk(roots):
        if skipped is not None:
            unchanged.append(skipped)
            continue
        document_id = document_id_for(root, path)
        seen.add(document_id)
        digest = file_hash(path)
        record = manifest.get(document_id)
        if (
            record
            and record.get("content_hash") == digest
            and _overrides_same(path, root, record)
            and not ocr_status.needs_rerun(record, limits.ocr)
            and (label is None or record.get("duplicate_of") or vectors.has_vectors(record, label))
        ):
            warnings = check_overrides(path, root)[1]  # still true of the unchanged file
            unchanged.append(FileStatus(str(path), document_id, "unchanged", warnings=warnings))
        else:
            known = vectors.known_digest((earlier or {}).get(document_id), label)
            jobs.append(Job(path, root, document_id, digest, known))
    root_names = {r.resolve().name for r in roots}
    removed = [
        FileStatus(record.get("path", ""), document_id, "removed")
        for document_id, record in manifest.items()
        if document_id not in seen and document_id.split("/", 1)[0] in root_names
    ]
    # Biggest files first, so that a large one does not start last and keep a worker alone.
    jobs.sort(key=lambda job: job.path.stat().st_size, reverse=True)
    return jobs, unchanged, removed


def _overrides_same(path: Path, root: Path, record: dict[str, Any]) -> bool:
    """A changed sidecar or metadata.csv row re-indexes the file even if its bytes did not."""
    return record.get("overrides", {}) == jsonable(read_overrides(path, root))


def _process_all(
    jobs: list[Job],
    limits: Limits,
    workers: int,
    cluster: str | None = None,
    write_into: tuple[Path, list[Any]] | None = None,
) -> Iterator[Processed]:
    """Results in completion order; on a Dask cluster's workers when `cluster` is given;
    in this process when one worker is asked for.

    Off the main thread (a re-index started by the web app) files always go to a worker
    process, because only a process's main thread can enforce the per-file time limit.
    Local worker processes write the files' passages into segments of their own in the
    generation of `write_into`, and add the segments to its list when all are done. A pool
    whose worker process dies is replaced and the run goes on (`_renewed`).
    """
    if cluster:
        from indexer import cluster as dask_cluster  # optional: report-search[cluster]

        yield from dask_cluster.process_all(jobs, limits, cluster, write_into)
        return
    if (workers <= 1 or len(jobs) <= 1) and in_main_thread():
        for job in jobs:
            yield process_and_analyze(job, limits)
        return
    if write_into and worker_segments_supported():
        generation, segments = write_into
        broken = _Broken()
        written: list[str] = []  # in this pool's segments, lost with them if it breaks
        task = segment_workers.process_and_write
        with segment_workers.pool(workers, generation, os.getpid()) as pool:
            for result in _in_pool(pool, task, jobs, limits, workers, broken):
                if result[2] == segment_workers.WRITTEN:
                    written.append(result[1].document_id)
                yield result
            if not broken:
                segments.extend(segment_workers.finish(pool, workers))
                return
        # The pool's segments died with it: what it wrote is read again and written here.
        by_id = {job.document_id: job for job in jobs}
        again = [by_id[document_id] for document_id in written]
        yield from _renewed(
            [*broken.in_flight, *again, *broken.waiting], limits, workers, len(broken.in_flight)
        )
        return
    yield from _renewed(jobs, limits, workers)


def _plain_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, initializer=watch_parent, initargs=(os.getpid(),))


def _renewed(
    jobs: list[Job], limits: Limits, workers: int, suspects: int = 0
) -> Iterator[Processed]:
    """process_and_analyze for every job on worker processes. When a worker process dies
    (the kernel's out-of-memory killer, a crash in native code), its pool breaks: a new pool
    takes over, the files that were in flight are tried again one at a time, and a file that
    breaks a pool on its own is reported `crashed`. The first `suspects` jobs start that way."""
    queue = list(jobs)
    while queue:
        for job in queue[:suspects]:
            yield _alone(job, limits)
        queue = queue[suspects:]
        broken = _Broken()
        with _plain_pool(workers) as pool:
            yield from _in_pool(pool, process_and_analyze, queue, limits, workers, broken)
        queue, suspects = [*broken.in_flight, *broken.waiting], len(broken.in_flight)


def _alone(job: Job, limits: Limits) -> Processed:
    """One file in a pool of its own: its result, or `crashed` if its worker process died."""
    started = time.perf_counter()
    with _plain_pool(1) as pool:
        try:
            return pool.submit(process_and_analyze, job, limits).result()
        except BrokenProcessPool:
            seconds = time.perf_counter() - started
    why = "the worker process reading it died (a crash in native code, or out of memory)"
    status = FileStatus(str(job.path), job.document_id, "failed", "crashed", why, seconds=seconds)
    return None, status, None, None


@dataclass
class _Broken:
    """The jobs of a pool that broke: those in flight then, and those not started."""

    in_flight: list[Job] = field(default_factory=list)
    waiting: list[Job] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.in_flight or self.waiting)


def _in_pool(
    pool: Executor,
    task: Callable[[Job, Limits], Processed],
    jobs: list[Job],
    limits: Limits,
    workers: int,
    broken: _Broken,
) -> Iterator[Processed]:
    """`task(job, limits)` for every job on the pool's processes, in completion order; if the
    pool breaks, stops and leaves the jobs it did not finish in `broken`."""
    # Keep a bounded number of files in flight so memory stays flat on big corpora.
    pending: dict[Future, Job] = {}
    queue = iter(jobs)
    for job in itertools.islice(queue, workers * 4):
        pending[pool.submit(task, job, limits)] = job
    while pending:
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            try:
                result = future.result()
            except BrokenProcessPool:
                broken.in_flight.extend(pending.values())
                broken.waiting.extend(queue)
                return
            del pending[future]
            yield result
            next_job = next(queue, None)
            if next_job is not None:
                pending[pool.submit(task, next_job, limits)] = next_job


def _apply(
    writer: Any,
    manifest: dict[str, dict[str, Any]],
    indexed: IndexedDocument | None,
    job: Job,
    analyzed: Any = None,
    status: FileStatus | None = None,
) -> FileStatus:
    """Write one processed file and record it in the manifest; the file's status, "failed"
    if it could not be written (the run goes on: no single document can stop it)."""
    document_id = job.document_id
    status = status or FileStatus(str(job.path), document_id, "indexed" if indexed else "failed")
    if indexed is not None and analyzed == segment_workers.WRITTEN:
        # Its passages are in a worker's segment: only the old ones are left to delete.
        delete_document(writer, document_id)
        manifest[document_id] = manifest_record(indexed, job)
        return status
    if indexed is not None:
        try:
            record = check_record(indexed, job)
            add_document(writer, indexed, analyzed)  # writes nothing unless all of it can be
        except OSError:
            raise  # the machine's (a full disk), not the document's: stop the run
        except Exception as error:  # noqa: BLE001 - writer.DocumentError, or Whoosh's own
            status = unwritable(status, error)
        else:
            manifest[document_id] = record
            return status
    # A file that no longer indexes loses its old passages too: the index follows the files.
    delete_document(writer, document_id)
    manifest.pop(document_id, None)
    return status
