"""The index folder: generations, the CURRENT pointer, the writer lock, manifest and report.

Layout of an index folder::

    CURRENT                 name of the live generation, replaced atomically (os.replace)
    write.lock              flock()ed by the one indexing run; the kernel frees it on kill -9
    generations/gen-000007/ a Whoosh index + documents.json (manifest) + report.json

Readers only ever open the generation CURRENT names (`live_generation` says which one, and
`open_readonly` + `commit_reader` open it as the server does). A rebuild writes a new
generation and publishes it by replacing CURRENT; an interrupted rebuild leaves CURRENT
untouched and its half-written generation is removed by the next run.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import IO, Any

from whoosh import index as whoosh_index
from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, FileIndex, Index
from whoosh.reading import EmptyReader, IndexReader, MultiReader, SegmentReader

from indexer.index import vectors
from indexer.index.schema import build_schema

CURRENT = "CURRENT"
LOCK = "write.lock"
GENERATIONS = "generations"
MANIFEST = "documents.json"
REPORT = "report.json"
INFO = "generation.json"
DEFAULT_INDEX_DIR = "var/index"
INDEX_NAME = "MAIN"  # Whoosh's default name for the index inside a folder

# What readers see: CURRENT's (inode, mtime), the name in it, the generation folder's and its
# manifest's (inode, mtime). A Whoosh commit adds a new TOC file, which changes the folder's
# mtime, so a commit or a re-index changes the key.
ChangeKey = tuple[Any, ...]


class IndexBusyError(RuntimeError):
    """Another indexing run holds the write lock."""


class NoIndexError(RuntimeError):
    """The folder holds no published index yet."""


def resolve_index_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--index-dir, else $REPORT_SEARCH_INDEX, else var/index under the working directory."""
    value = explicit or os.environ.get("REPORT_SEARCH_INDEX") or DEFAULT_INDEX_DIR
    return Path(value).expanduser().resolve()


def live_generation(index_dir: Path) -> tuple[Path, ChangeKey]:
    """The live generation's folder and its change key (cheap: three stat() calls and a read).

    Raises NoIndexError when nothing was published yet."""
    pointer = index_dir / CURRENT
    current = _stat(pointer)
    try:
        name = pointer.read_text("utf-8").strip() if current else ""
    except FileNotFoundError:
        name = ""
    folder = index_dir / GENERATIONS / name
    try:
        found = os.stat(folder) if name else None
    except (FileNotFoundError, NotADirectoryError):
        found = None
    if found is None or not stat.S_ISDIR(found.st_mode):
        raise NoIndexError(f"no index at {index_dir}: run 'report-search index' first")
    key = (current, name, (found.st_ino, found.st_mtime_ns), _stat(folder / MANIFEST))
    return folder, key


def current_generation(index_dir: Path) -> Path | None:
    """The live generation's folder, or None when nothing was published yet."""
    try:
        return live_generation(index_dir)[0]
    except NoIndexError:
        return None


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        result = os.stat(path)
    except FileNotFoundError:
        return None
    return (result.st_ino, result.st_mtime_ns)


# --- opening a generation ------------------------------------------------------------------
# The schema pickled in each index names our analyzer's module; reading it would tie every
# index to the module layout of the release that wrote it. Indexes open with the code's.


@cache
def schema() -> Schema:
    """The passage schema, built once per process."""
    return build_schema()


def open_current(index_dir: Path) -> Index:
    """Open the live generation's Whoosh index (for tools and tests; the server uses
    `open_readonly`)."""
    generation = current_generation(index_dir)
    if generation is None:
        raise NoIndexError(f"no index at {index_dir}: run 'report-search index' first")
    return open_generation(generation)


def open_generation(generation: Path) -> Index:
    """Open one generation's Whoosh index, with the code's schema, to write or read it."""
    return whoosh_index.open_dir(str(generation), indexname=INDEX_NAME, schema=schema())


def open_readonly(generation: Path) -> tuple[Index, TOC]:
    """The generation's index on read-only storage, and its latest commit (TOC).

    No mmap: every thread has its own reader, and each mapping of a segment would count in
    the process's memory again (the page cache is shared anyway)."""
    storage = FileStorage(str(generation), readonly=True, supports_mmap=False)
    index = FileIndex(storage, schema=schema(), indexname=INDEX_NAME)
    return index, TOC.read(storage, INDEX_NAME, schema=schema())


def commit_reader(index: Index, toc: TOC) -> IndexReader:
    """A reader over exactly the segments of one commit: readers opened from the same TOC
    agree on document numbers, so per-generation caches can be shared between them."""
    segments = list(toc.segments)
    if not segments:
        return EmptyReader(toc.schema)

    def open_segment(segment: Any) -> SegmentReader:
        return SegmentReader(index.storage, toc.schema, segment, generation=toc.generation)

    if len(segments) == 1:
        return open_segment(segments[0])
    return MultiReader([open_segment(s) for s in segments], generation=toc.generation)


# --- writing generations -------------------------------------------------------------------


def generation_number(generation: Path) -> int:
    return int(generation.name.removeprefix("gen-"))


def new_generation(index_dir: Path) -> Path:
    """Create an empty Whoosh index in a fresh generation folder (not yet published)."""
    root = index_dir / GENERATIONS
    root.mkdir(parents=True, exist_ok=True)
    numbers = [generation_number(p) for p in root.glob("gen-*") if p.name[4:].isdigit()]
    path = root / f"gen-{max(numbers, default=0) + 1:06d}"
    path.mkdir()
    whoosh_index.create_in(str(path), build_schema(), indexname=INDEX_NAME)
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


# --- the JSON files beside the Whoosh index ------------------------------------------------


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


# The manifest and the Whoosh commit are published as one step: the manifest of commit N is
# written as documents.N.json before the commit's table of contents (_MAIN_N.toc) appears,
# and renamed over documents.json after it. Readers take the manifest of the latest commit:
# documents.N.json while it exists, else documents.json. A run killed between the commit and
# the rename leaves a consistent pair, and the next run finishes the rename.
_TOC_FILE = re.compile(rf"_{INDEX_NAME}_([0-9]+)\.toc")
_COMMIT_MANIFEST = re.compile(r"documents\.([0-9]+)\.json")


def load_manifest(generation: Path, commit: int | None = None) -> dict[str, dict[str, Any]]:
    """document_id -> document record (hash, path, root, title, metadata, sections, counts),
    as of Whoosh commit `commit` (by default the latest)."""
    commit = latest_commit(generation) if commit is None else commit
    found = load_json(_commit_manifest(generation, commit), None)
    return found if found is not None else load_json(generation / MANIFEST, {})


def save_manifest(generation: Path, manifest: dict[str, dict[str, Any]]) -> None:
    """Replace the manifest of the latest commit (a change without a new commit)."""
    save_json(generation / MANIFEST, manifest)


def save_commit_manifest(generation: Path, manifest: dict[str, Any], commit: int) -> None:
    """Write the manifest of the coming commit `commit` (Whoosh's writer.generation), before
    the commit; `settle_manifest` makes it documents.json after."""
    save_json(_commit_manifest(generation, commit), manifest)


def settle_manifest(generation: Path) -> None:
    """After a commit: its manifest becomes documents.json; manifests of commits that never
    happened (a run that failed before its commit) are deleted."""
    latest = latest_commit(generation)
    for path in generation.iterdir():
        match = _COMMIT_MANIFEST.fullmatch(path.name)
        if match and int(match[1]) == latest:
            os.replace(path, generation / MANIFEST)
        elif match:
            path.unlink(missing_ok=True)


def latest_commit(generation: Path) -> int:
    """The number of the generation's latest Whoosh commit (its newest _MAIN_N.toc); -1 if none."""
    numbers = [int(m[1]) for name in os.listdir(generation) if (m := _TOC_FILE.fullmatch(name))]
    return max(numbers, default=-1)


def discard_uncommitted(generation: Path) -> None:
    """Delete what a failed or killed run left in a generation: Whoosh's temporary folder,
    segment files no commit uses, half-written JSON, manifests of commits that never
    happened. Call while holding the write lock, with no writer open."""
    shutil.rmtree(generation / f"{INDEX_NAME}.tmp", ignore_errors=True)
    for path in generation.glob("*.tmp"):
        path.unlink(missing_ok=True)
    storage = FileStorage(str(generation))
    if latest_commit(generation) >= 0:
        toc = TOC.read(storage, INDEX_NAME, schema=schema())
        whoosh_index.clean_files(storage, INDEX_NAME, toc.generation, toc.segments)
    vectors.discard_uncommitted(generation, latest_commit(generation))
    settle_manifest(generation)


def _commit_manifest(generation: Path, commit: int) -> Path:
    return generation / f"documents.{commit}.json"


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
