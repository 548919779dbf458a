"""discover -> extract -> structure -> enrich -> write, with a report of every file's fate.

Extraction runs in worker processes; the one Whoosh writer lives in this process. A run is
incremental by content hash unless `rebuild` is set, in which case it writes a new generation
and publishes it atomically at the end (see indexer.store).
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from indexer.extraction import SUFFIXES, ExtractionError, Limits, extract, file_hash
from indexer.index import store
from indexer.metadata import enrich, read_overrides
from indexer.models import FileStatus, IndexedDocument
from indexer.progress import Progress
from indexer.structure import build_passages

# Errors that come from the machine, not the file (no space, file size limit, read-only,
# quota): a worker re-raises them so the run stops instead of failing every file.
MACHINE_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EROFS, errno.EDQUOT})
# Files that describe a folder rather than being reports in it.
IGNORED_NAMES = frozenset({"readme.md", "readme.txt", "metadata.csv", "license.txt"})


@dataclass(frozen=True)
class Job:
    """One file to process: where it is and the id it gets."""

    path: Path
    root: Path
    document_id: str
    content_hash: str


@dataclass
class RunReport:
    """What one indexing run did; saved as report.json next to the index."""

    index_dir: str
    generation: int = 0
    rebuild: bool = False
    started_at: float = field(default_factory=time.time)
    seconds: float = 0.0
    files: list[FileStatus] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for status in self.files:
            counts[status.status] = counts.get(status.status, 0) + 1
        return counts

    def summary(self) -> dict[str, Any]:
        indexed = [f for f in self.files if f.status == "indexed"]
        pages = sum(f.pages for f in indexed)
        passages = sum(f.passages for f in indexed)
        return {
            "index_dir": self.index_dir,
            "generation": self.generation,
            "rebuild": self.rebuild,
            "seconds": round(self.seconds, 2),
            "files": len(self.files),
            "by_status": self.counts(),
            "pages": pages,
            "passages": passages,
            "pages_per_second": self._rate(pages),
            "passages_per_second": self._rate(passages),
            "failures": [
                {"path": f.path, "reason": f.reason, "error": f.error}
                for f in self.files
                if f.status == "failed"
            ],
        }

    def _rate(self, count: int) -> float:
        return round(count / self.seconds, 1) if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**self.summary(), "per_file": [asdict(f) for f in self.files]}


def discover(roots: Iterable[Path]) -> Iterator[tuple[Path, Path]]:
    """Every supported file under the roots, as (root, path), in a stable order."""
    for root in roots:
        root = root.resolve()
        base = root.parent if root.is_file() else root
        candidates = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in candidates:
            if (
                path.is_file()
                and path.suffix.lower() in SUFFIXES
                and path.name.lower() not in IGNORED_NAMES
                and not any(part.startswith(".") for part in path.relative_to(base).parts)
                # A symlink out of the corpus would let the file endpoint serve any file.
                and path.resolve().is_relative_to(base)
            ):
                yield base, path


def document_id_for(root: Path, path: Path) -> str:
    """Stable id: the root folder's name and the path below it, e.g. 'corpus/ungdc/a.txt'."""
    return (Path(root.name) / path.relative_to(root)).as_posix()


def process_file(job: Job, limits: Limits) -> tuple[IndexedDocument | None, FileStatus]:
    """Extract, structure and enrich one file. Runs in a worker process; raises only
    MACHINE_ERRNOS errors."""
    started = time.perf_counter()
    status = dict(path=str(job.path), document_id=job.document_id)
    try:
        with time_limit(limits.seconds):
            document = extract(job.path, job.document_id, limits)
            sections, passages = build_passages(document)
            indexed = enrich(document, sections, passages, read_overrides(job.path, job.root))
    except ExtractionError as error:
        seconds = time.perf_counter() - started
        return None, FileStatus(
            **status, status="failed", reason=error.reason, error=error.message, seconds=seconds
        )
    except OSError as error:
        if error.errno in MACHINE_ERRNOS:
            raise  # a full disk is not the file's fault: stop the run, keep the live index
        return None, _failed(status, error, started)
    except Exception as error:  # a bug or a hostile file must not stop the batch
        return None, _failed(status, error, started)
    if not indexed.passages:
        return None, FileStatus(
            **status,
            status="failed",
            reason="no-text",
            error="no passages could be built from the text",
            pages=len(document.pages),
            seconds=time.perf_counter() - started,
        )
    return indexed, FileStatus(
        **status,
        status="indexed",
        pages=len(document.pages),
        passages=len(indexed.passages),
        seconds=time.perf_counter() - started,
    )


def _failed(status: dict[str, str], error: Exception, started: float) -> FileStatus:
    message = f"{type(error).__name__}: {error}"
    seconds = time.perf_counter() - started
    return FileStatus(**status, status="failed", reason="error", error=message, seconds=seconds)


def run(
    roots: list[Path],
    index_dir: Path,
    *,
    rebuild: bool = False,
    workers: int | None = None,
    progress: bool = False,
    limits: Limits | None = None,
) -> RunReport:
    """Index the files under `roots` into `index_dir`; the one entry point for bulk indexing."""
    limits = limits or Limits()
    workers = workers or os.cpu_count() or 1
    report = RunReport(index_dir=str(index_dir), rebuild=rebuild)
    started = time.perf_counter()
    with store.write_lock(index_dir):
        store.remove_stale_generations(index_dir)
        live = store.current_generation(index_dir)
        target = store.new_generation(index_dir) if rebuild or live is None else live
        try:
            _write(roots, target, live, report, rebuild, workers, progress, limits)
        except BaseException:
            if target != live:  # never published: free its space now (e.g. after disk full)
                shutil.rmtree(target, ignore_errors=True)
            raise
        report.seconds = time.perf_counter() - started
        report.generation = store.generation_number(target)
        store.save_json(target / store.REPORT, report.to_dict())
        store.save_info(target, last_run=report.summary())
        if target != live:
            store.publish(index_dir, target)
            store.remove_stale_generations(index_dir)
    return report


def _write(
    roots: list[Path],
    target: Path,
    live: Path | None,
    report: RunReport,
    rebuild: bool,
    workers: int,
    progress: bool,
    limits: Limits,
) -> None:
    """Process the files and commit them to `target` with its manifest."""
    manifest = {} if target != live else store.load_manifest(target)
    jobs, unchanged, removed = _plan(roots, manifest)
    report.files.extend(unchanged + removed)
    index = store.open_generation(target)
    writer = store.open_writer(index)
    try:
        for document_id in (f.document_id for f in removed):
            store.delete_document(writer, document_id)
            manifest.pop(document_id, None)
        jobs_by_id = {job.document_id: job for job in jobs}
        with Progress(total=len(jobs), enabled=progress) as bar, store.analyzed_writes(writer):
            for indexed, status, analyzed in _process_all(jobs, limits, workers):
                report.files.append(status)
                _apply(writer, manifest, indexed, jobs_by_id[status.document_id], analyzed)
                bar.advance(status)
        if not (jobs or removed or target != live):
            # Nothing changed: no new commit and no new manifest, so running servers keep
            # their searchers and per-generation caches.
            writer.cancel()
            return
        store.commit(writer, optimize=rebuild)
    except BaseException:
        writer.cancel()
        raise
    store.save_manifest(target, manifest)


def _plan(
    roots: list[Path], manifest: dict[str, dict[str, Any]]
) -> tuple[list[Job], list[FileStatus], list[FileStatus]]:
    """Split the files into jobs to run, unchanged files, and documents to remove."""
    jobs: list[Job] = []
    unchanged: list[FileStatus] = []
    seen: set[str] = set()
    for root, path in discover(roots):
        document_id = document_id_for(root, path)
        seen.add(document_id)
        digest = file_hash(path)
        record = manifest.get(document_id)
        if record and record.get("content_hash") == digest and _overrides_same(path, root, record):
            unchanged.append(FileStatus(str(path), document_id, "unchanged"))
        else:
            jobs.append(Job(path, root, document_id, digest))
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
    return record.get("overrides", {}) == _jsonable(read_overrides(path, root))


def process_and_analyze(job: Job, limits: Limits) -> tuple[IndexedDocument | None, FileStatus, Any]:
    """process_file, then the passages' full-text fields analysed for the writer (in the
    worker: the one writer process is the bottleneck otherwise)."""
    indexed, status = process_file(job, limits)
    try:
        analyzed = store.analyze_document(indexed) if indexed else None
    except Exception:  # noqa: BLE001 - the writer then analyses the text itself
        analyzed = None
    return indexed, status, analyzed


def _process_all(
    jobs: list[Job], limits: Limits, workers: int
) -> Iterator[tuple[IndexedDocument | None, FileStatus, Any]]:
    """Results in completion order; in this process when one worker is asked for.

    Off the main thread (a re-index started by the web app) files always go to a worker
    process, because only a process's main thread can enforce the per-file time limit.
    """
    if (workers <= 1 or len(jobs) <= 1) and _in_main_thread():
        for job in jobs:
            yield process_and_analyze(job, limits)
        return
    # Keep a bounded number of files in flight so memory stays flat on big corpora.
    with ProcessPoolExecutor(workers, initializer=_watch_parent, initargs=(os.getpid(),)) as pool:
        pending: set[Future] = set()
        queue = iter(jobs)
        for job in queue:
            pending.add(pool.submit(process_and_analyze, job, limits))
            if len(pending) >= workers * 4:
                break
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
                next_job = next(queue, None)
                if next_job is not None:
                    pending.add(pool.submit(process_and_analyze, next_job, limits))


def _watch_parent(parent: int) -> None:
    """In a worker: exit when the indexing process is gone (kill -9 would leave orphans that
    wait for work forever and hold its inherited write lock)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def _apply(
    writer: Any,
    manifest: dict[str, dict[str, Any]],
    indexed: IndexedDocument | None,
    job: Job,
    analyzed: Any = None,
) -> None:
    """Write one processed file and record it in the manifest."""
    document_id = job.document_id
    if indexed is None:
        # A file that no longer indexes loses its old passages too: the index follows the files.
        store.delete_document(writer, document_id)
        manifest.pop(document_id, None)
        return
    store.add_document(writer, indexed, analyzed)
    manifest[document_id] = _manifest_record(indexed, job)


def _manifest_record(indexed: IndexedDocument, job: Job) -> dict[str, Any]:
    document = indexed.document
    return {
        "document_id": document.document_id,
        "path": str(job.path),
        "root": str(job.root),
        "format": document.format,
        "content_hash": job.content_hash,
        "title": indexed.title,
        "metadata": _jsonable(indexed.metadata),
        "overrides": _jsonable(read_overrides(job.path, job.root)),
        "pages": len(document.pages),
        "page_labels": [page.label for page in document.pages],
        "passages": len(indexed.passages),
        "sections": [
            {"path": list(section.path), "page": section.page} for section in indexed.sections
        ],
        "indexed_at": time.time(),
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


class time_limit:  # noqa: N801 - used as a context manager, named like one
    """Raise ExtractionError('timeout') when the body runs longer than `seconds`.

    SIGALRM interrupts pure-Python loops (pypdf has had infinite loops on malformed files).
    It works only on a process's main thread; elsewhere the limit is not enforced.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds if _in_main_thread() else 0

    def __enter__(self) -> None:
        if self.seconds > 0:
            self.previous = signal.signal(signal.SIGALRM, self._expire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        if self.seconds > 0:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
        if exc_type is _Expired:
            raise ExtractionError("timeout", f"gave up after {self.seconds:g} seconds") from None

    def _expire(self, signum: int, frame: object) -> None:
        raise _Expired


class _Expired(BaseException):
    """The alarm's exception: not an Exception, so a parser's `except Exception` (pypdf has
    them around form XObjects) cannot swallow it and run on past the limit."""
