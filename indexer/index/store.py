"""The index folder: generations, the CURRENT pointer, the writer lock, manifest and report.

Layout of an index folder::

    CURRENT                 name of the live generation, replaced atomically (os.replace)
    write.lock              flock()ed by the one indexing run; the kernel frees it on kill -9
    generations/gen-000007/ a Whoosh index + documents.json (manifest) + report.json

Readers only ever open the generation CURRENT names. A rebuild writes a new generation and
publishes it by replacing CURRENT; an interrupted rebuild leaves CURRENT untouched and its
half-written generation is removed by the next run.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.fields import Schema
from whoosh.index import Index
from whoosh.writing import IndexWriter

from indexer.index.schema import NUMERIC_FACETS, build_schema
from indexer.models import FACETS, IndexedDocument, Passage

CURRENT = "CURRENT"
LOCK = "write.lock"
GENERATIONS = "generations"
MANIFEST = "documents.json"
REPORT = "report.json"
INFO = "generation.json"
DEFAULT_INDEX_DIR = "var/index"


class IndexBusyError(RuntimeError):
    """Another indexing run holds the write lock."""


class NoIndexError(RuntimeError):
    """The folder holds no published index yet."""


def resolve_index_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--index-dir, else $REPORT_SEARCH_INDEX, else var/index under the working directory."""
    value = explicit or os.environ.get("REPORT_SEARCH_INDEX") or DEFAULT_INDEX_DIR
    return Path(value).expanduser().resolve()


def current_generation(index_dir: Path) -> Path | None:
    """The live generation's folder, or None when nothing was published yet."""
    try:
        name = (index_dir / CURRENT).read_text("utf-8").strip()
    except FileNotFoundError:
        return None
    path = index_dir / GENERATIONS / name
    return path if name and path.is_dir() else None


def open_current(index_dir: Path) -> Index:
    """Open the live generation's Whoosh index for reading."""
    generation = current_generation(index_dir)
    if generation is None:
        raise NoIndexError(f"no index at {index_dir}: run 'report-search index' first")
    return open_generation(generation)


def open_generation(generation: Path) -> Index:
    """Open one generation's Whoosh index with the code's schema.

    The schema pickled in the index names our analyzer's module; reading it would tie every
    index to the module layout of the release that wrote it."""
    return whoosh_index.open_dir(str(generation), schema=schema())


@cache
def schema() -> Schema:
    """The passage schema, built once per process."""
    return build_schema()


def generation_number(generation: Path) -> int:
    return int(generation.name.removeprefix("gen-"))


def new_generation(index_dir: Path) -> Path:
    """Create an empty Whoosh index in a fresh generation folder (not yet published)."""
    root = index_dir / GENERATIONS
    root.mkdir(parents=True, exist_ok=True)
    numbers = [generation_number(p) for p in root.glob("gen-*") if p.name[4:].isdigit()]
    path = root / f"gen-{max(numbers, default=0) + 1:06d}"
    path.mkdir()
    whoosh_index.create_in(str(path), build_schema())
    return path


def publish(index_dir: Path, generation: Path) -> None:
    """Make `generation` the live one, atomically; keep the previous one for open readers."""
    _fsync_dir(generation)
    tmp = index_dir / f"{CURRENT}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(generation.name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, index_dir / CURRENT)
    _fsync_dir(index_dir)


def remove_stale_generations(index_dir: Path, keep: int = 2) -> list[Path]:
    """Delete generations other than the live one and the newest `keep - 1` before it.

    Call only while holding the write lock: a generation being written is not live yet.
    """
    live = current_generation(index_dir)
    root = index_dir / GENERATIONS
    if not root.is_dir():
        return []
    generations = sorted(p for p in root.glob("gen-*") if p.is_dir())
    if live is None:
        doomed = generations
    else:
        older = [p for p in generations if generation_number(p) < generation_number(live)]
        newer = [p for p in generations if generation_number(p) > generation_number(live)]
        doomed = older[: max(0, len(older) - (keep - 1))] + newer  # newer = half-written
    for path in doomed:
        shutil.rmtree(path, ignore_errors=True)
    return doomed


@contextmanager
def write_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index folder's writer lock, or fail at once if another run holds it."""
    index_dir.mkdir(parents=True, exist_ok=True)
    # Closing the descriptor (or the process dying) releases the flock: no stale locks.
    with open(index_dir / LOCK, "a+", encoding="utf-8") as handle:
        owner = _acquire(handle)
        if owner is not None:
            raise IndexBusyError(
                f"another indexing run (pid {owner}) is writing {index_dir}; wait for it to finish"
            )
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield


def _acquire(handle: IO[str], grace: float = 5.0) -> str | None:
    """flock the lock file; None on success, else the owner's pid as written in the file.

    When the owner is dead, its worker processes (which inherited the lock) are about to exit:
    wait up to `grace` seconds for them rather than fail.
    """
    deadline = time.monotonic() + grace
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return None
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "unknown"
            if _alive(owner) or time.monotonic() > deadline:
                return owner
            time.sleep(0.1)


def _alive(pid: str) -> bool:
    if not pid.isdigit():
        return True  # unknown owner: assume it is running
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def open_writer(index: Index, limitmb: int = 256) -> IndexWriter:
    """A Whoosh writer with settings suited to bulk loads.

    compound=False keeps each segment's files apart: Whoosh opens a file inside a compound
    segment by copying it into memory (BytesIO), once per searcher, so a server with 8
    threads held 8 copies of the stored-fields column (7.9 GB RSS at 279,000 passages).
    """
    return index.writer(limitmb=limitmb, compound=False)


def commit(writer: IndexWriter, optimize: bool = False) -> None:
    """writer.commit, without Whoosh's file-system check per posting.

    Writing the postings asks the new segment, for every posting of every field, whether the
    field has a lengths column; for fields without one (ids, facets) the answer is not cached,
    so each posting costs a stat() call: hundreds of thousands at the end of a bulk load.
    Segment files do not change once written, so the answer is kept per reader meanwhile.
    """
    with _COLUMN_CHECKS_LOCK:
        W3PerDocReader.has_column = _has_column_cached
    try:
        writer.commit(optimize=optimize)
    finally:
        with _COLUMN_CHECKS_LOCK:
            W3PerDocReader.has_column = _HAS_COLUMN


_HAS_COLUMN = W3PerDocReader.has_column
_COLUMN_CHECKS_LOCK = threading.Lock()


def _has_column_cached(self: W3PerDocReader, fieldname: str) -> bool:
    known = self.__dict__.setdefault("_report_search_columns", {})
    if fieldname not in known:
        known[fieldname] = _HAS_COLUMN(self, fieldname)
    return known[fieldname]


def passage_fields(doc: IndexedDocument, passage: Passage) -> dict[str, Any]:
    """The Whoosh fields of one passage."""
    fields: dict[str, Any] = {
        "passage_id": passage.passage_id,
        "document_id": passage.document_id,
        "ordinal": passage.ordinal,
        "title": doc.title,
        "section": " > ".join(passage.section),
        "text": passage.text,
        "sentences": tuple(passage.sentences),
        "section_path": tuple(passage.section),
        "page_start": passage.page_start,
        "page_end": passage.page_end,
        "date": str(doc.metadata.get("date") or ""),
        "title_sort": doc.title.lower(),
    }
    for name in FACETS:
        values = [v for v in passage.facets.get(name, ()) if str(v).strip()]
        if not values:
            continue
        if name in NUMERIC_FACETS:
            fields[name] = int(values[0])
        else:
            # Commas separate keyword values; a comma inside a value would split it.
            fields[name] = ",".join(str(v).replace(",", " ").strip() for v in values)
    return fields


def add_document(
    writer: IndexWriter, doc: IndexedDocument, analyzed: list[dict[str, Analyzed]] | None = None
) -> None:
    """Write all passages of a document (delete its old passages first).

    `analyzed` (from `analyze_document`, one dict a passage) is used inside `analyzed_writes`.
    """
    writer.delete_by_term("document_id", doc.document.document_id)
    use = analyzed is not None and getattr(writer, _ANALYZED_FLAG, False)
    for number, passage in enumerate(doc.passages):
        fields = passage_fields(doc, passage)
        if use:
            for name, value in analyzed[number].items():
                fields[f"_stored_{name}"] = fields[name]  # Whoosh stores the text as given
                fields[name] = value
        writer.add_document(**fields)


# --- analysis in the worker processes ------------------------------------------------------

# The full-text fields: running their analyzer is most of the single writer's work per passage.
ANALYZED_FIELDS = ("title", "section", "text")
_ANALYZED_FLAG = "_report_search_analyzed"


@dataclass(frozen=True)
class Analyzed:
    """A full-text field value analysed ahead of writing: the postings (term bytes, frequency,
    weight, encoded positions) that Whoosh's `field.index(value)` makes of it."""

    postings: tuple[tuple[bytes, int, float, bytes], ...]


@cache
def _analysis_schema() -> Schema:
    return build_schema()


def analyze_document(doc: IndexedDocument) -> list[dict[str, Analyzed]]:
    """Per passage, its full-text fields analysed as the index's schema does (in a worker,
    so that the one writer process does not have to). Repeated values (the title, a section
    heading) are analysed once and shared."""
    schema = _analysis_schema()
    done: dict[tuple[str, str], Analyzed] = {}
    out = []
    for passage in doc.passages:
        fields = passage_fields(doc, passage)
        values = {}
        for name in ANALYZED_FIELDS:
            key = (name, fields[name])
            if key not in done:
                done[key] = Analyzed(tuple(schema[name].index(fields[name])))
            values[name] = done[key]
        out.append(values)
    return out


@contextmanager
def analyzed_writes(writer: IndexWriter) -> Iterator[None]:
    """Within the block, `add_document` writes values analysed by `analyze_document`.

    Only when the writer's fields are the ones `analyze_document` used (an index created
    with another schema version is analysed here, as before). The writer's field objects
    get an `index` that returns the given postings; it is removed on the way out, before
    any commit writes the schema into the index.
    """
    schema = writer.schema
    fields = [schema[name] for name in ANALYZED_FIELDS if name in schema.names()]
    if len(fields) < len(ANALYZED_FIELDS) or any(
        field != _analysis_schema()[name]
        for name, field in zip(ANALYZED_FIELDS, fields, strict=True)
    ):
        yield
        return
    for field in fields:
        field.index = _postings_or(field.index)
    setattr(writer, _ANALYZED_FLAG, True)
    try:
        yield
    finally:
        setattr(writer, _ANALYZED_FLAG, False)
        for field in fields:
            del field.index


def _postings_or(index: Any) -> Any:
    def postings(value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        if isinstance(value, Analyzed):
            return iter(value.postings)
        return index(value, **kwargs)

    return postings


def delete_document(writer: IndexWriter, document_id: str) -> None:
    writer.delete_by_term("document_id", document_id)


def load_json(path: Path, default: Any) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return default


def save_json(path: Path, data: Any) -> None:
    """Write JSON atomically: a reader sees the old file or the new one, never half of one."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def load_manifest(generation: Path) -> dict[str, dict[str, Any]]:
    """document_id -> document record (hash, path, root, title, metadata, sections, counts)."""
    return load_json(generation / MANIFEST, {})


def save_manifest(generation: Path, manifest: dict[str, dict[str, Any]]) -> None:
    save_json(generation / MANIFEST, manifest)


def save_info(generation: Path, **info: Any) -> None:
    """Record when and how this generation was last written."""
    data = load_json(generation / INFO, {})
    data.update(info, generation=generation_number(generation), updated_at=time.time())
    save_json(generation / INFO, data)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
