"""One file's work, wherever it runs (a local worker process or a Dask worker): extract,
structure, enrich, analyse, with a per-file time limit. Raises only what the machine, not
the file, is to blame for (a full disk)."""

from __future__ import annotations

import errno
import json
import os
import signal
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from indexer import duplicates, ocr_status, text_source
from indexer.extraction import ExtractionError, Limits, extract
from indexer.index import vectors
from indexer.index.writer import analyze_document
from indexer.metadata import enrich, read_overrides
from indexer.metadata.overrides import check_overrides
from indexer.models import FileStatus, IndexedDocument
from indexer.structure import build_passages

# Errors that come from the machine, not the file (no space, file size limit, read-only,
# quota): a worker re-raises them so the run stops instead of failing every file.
MACHINE_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EROFS, errno.EDQUOT})


@dataclass(frozen=True)
class Job:
    """One file to process: where it is and the id it gets."""

    path: Path
    root: Path
    document_id: str
    content_hash: str
    # The digest of the texts whose vectors the index holds for this document (a rebuild
    # copies them instead of embedding the same texts again); "" when none.
    known_vectors: str = ""


def process_file(job: Job, limits: Limits) -> tuple[IndexedDocument | None, FileStatus]:
    """Extract, structure and enrich one file. Runs in a worker process; raises only
    MACHINE_ERRNOS errors."""
    started = time.perf_counter()
    status: dict[str, Any] = dict(path=str(job.path), document_id=job.document_id)
    try:
        with time_limit(limits.seconds):
            overrides, status["warnings"] = check_overrides(job.path, job.root)
            document = extract(job.path, job.document_id, limits)
            sections, passages = build_passages(document)
            indexed = enrich(document, sections, passages, overrides)
            indexed = text_source.mark_passages(indexed)
    except ExtractionError as error:
        seconds = time.perf_counter() - started
        return None, FileStatus(
            **status,
            status="failed",
            reason=error.reason,
            error=error.message,
            seconds=seconds,
            ocr=error.ocr,
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
            ocr=document.ocr,
        )
    return indexed, FileStatus(
        **status,
        status="indexed",
        pages=len(document.pages),
        passages=len(indexed.passages),
        seconds=time.perf_counter() - started,
        ocr=document.ocr,
    )


def _failed(status: dict[str, Any], error: Exception, started: float) -> FileStatus:
    message = f"{type(error).__name__}: {error}"
    seconds = time.perf_counter() - started
    return FileStatus(**status, status="failed", reason="error", error=message, seconds=seconds)


Processed = tuple[IndexedDocument | None, FileStatus, Any, dict[str, Any] | None]


def process_and_analyze(job: Job, limits: Limits) -> Processed:
    """process_file, then the passages' full-text fields analysed for the writer and the
    document's signature for finding its copies (in the worker: the one writer process is
    the bottleneck otherwise)."""
    indexed, status = embedded(*process_file(job, limits), limits, job.known_vectors)
    try:
        analyzed = analyze_document(indexed) if indexed else None
    except Exception:  # noqa: BLE001 - the writer then analyses the text itself
        analyzed = None
    return indexed, status, analyzed, duplicates.signature(indexed) if indexed else None


def embedded(
    indexed: IndexedDocument | None, status: FileStatus, limits: Limits, known: str = ""
) -> tuple[IndexedDocument | None, FileStatus]:
    """The processed file with its passages' vectors when the run embeds (outside the
    per-file time limit: embedding time grows with the passages, not with the file's
    hostility). A failure of the model leaves the document without vectors."""
    if indexed is None or not limits.embed:
        return indexed, status
    try:
        return vectors.embed_document(indexed, known), status
    except Exception as error:  # noqa: BLE001 - the document is still searchable by its words
        warning = f"its passages could not be embedded: {type(error).__name__}: {error}"[:300]
        return indexed, replace(status, warnings=(*status.warnings, warning))


def manifest_record(indexed: IndexedDocument, job: Job) -> dict[str, Any]:
    """What the manifest (documents.json) keeps of an indexed file."""
    document = indexed.document
    return {
        "document_id": document.document_id,
        "path": str(job.path),
        "root": str(job.root),
        "format": document.format,
        "content_hash": job.content_hash,
        "title": indexed.title,
        "metadata": jsonable(indexed.metadata),
        "overrides": jsonable(read_overrides(job.path, job.root)),
        "pages": len(document.pages),
        "page_labels": [page.label for page in document.pages],
        "passages": len(indexed.passages),
        "sections": [
            {"path": list(section.path), "page": section.page} for section in indexed.sections
        ],
        "ocr": ocr_status.record(document.ocr),
        "indexed_at": time.time(),
    }


def keep_dates(
    manifest: dict[str, dict[str, Any]], earlier: dict[str, dict[str, Any]], now: float
) -> None:
    """Set each record's `added_at` (when its document first entered the index) and
    `changed_at` (when its file's bytes last changed): `now`, the run's commit, for what is
    new, else carried over from the `earlier` manifest. Re-indexing and rebuilds keep them, so
    that feeds do not show old documents as new; documents of one run share one time."""
    for document_id, record in manifest.items():
        old = earlier.get(document_id)
        if not old:
            record.setdefault("added_at", now)
            record.setdefault("changed_at", now)
            continue
        record["added_at"] = old.get("added_at") or old.get("indexed_at") or now
        same = old.get("content_hash") == record.get("content_hash")
        record["changed_at"] = (
            (old.get("changed_at") or old.get("indexed_at") or now) if same else now
        )


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def check_record(indexed: IndexedDocument, job: Job) -> dict[str, Any]:
    """The file's manifest record; raises ValueError when the manifest (JSON, UTF-8) could
    not hold it, so that nothing of the file is written."""
    record = manifest_record(indexed, job)
    json.dumps(record, ensure_ascii=False).encode("utf-8")
    return record


def unwritable(status: FileStatus, error: Exception) -> FileStatus:
    """The status of a file whose passages could not be written to the index."""
    message = f"could not be written to the index: {type(error).__name__}: {error}"
    return replace(status, status="failed", reason="unwritable", error=message[:500])


def watch_parent(parent: int) -> None:
    """In a worker: exit when the indexing process is gone (kill -9 would leave orphans that
    wait for work forever and hold its inherited write lock)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


class time_limit:  # noqa: N801 - used as a context manager, named like one
    """Raise ExtractionError('timeout') when the body runs longer than `seconds`.

    SIGALRM interrupts pure-Python loops (pypdf has had infinite loops on malformed files).
    It works only on a process's main thread; elsewhere the limit is not enforced.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds if in_main_thread() else 0

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
