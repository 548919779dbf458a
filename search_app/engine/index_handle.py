"""The one place that opens the index: a snapshot per live generation, searchers per thread.

Like flaskr's db.py for a connection: the app keeps one IndexHandle; every request asks it for
the current Snapshot (cheap: three stat() calls) and the Snapshot's per-thread searcher.
Whoosh searchers read files with seek()+read(), so one searcher is never used by two threads
at once; every searcher of a snapshot reads the same TOC, so document numbers agree and
per-generation caches (facet arrays, sort keys) can be shared by all threads.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, FileIndex
from whoosh.searching import Searcher

from indexer.index import store
from indexer.index.schema import weighting
from indexer.index.store import (
    CURRENT,
    GENERATIONS,
    INFO,
    MANIFEST,
    REPORT,
    NoIndexError,
    current_generation,
    generation_number,
    load_json,
    load_manifest,
)

T = TypeVar("T")


class Snapshot:
    """One published generation at one Whoosh commit: searchers, manifest and caches."""

    def __init__(self, path: Path, key: tuple[Any, ...]) -> None:
        self.path = path
        self.key = key
        self.generation = generation_number(path)
        self.index = FileIndex(_storage(path), schema=store.schema(), indexname="MAIN")
        self.toc = TOC.read(self.index.storage, "MAIN", schema=store.schema())
        self.manifest: dict[str, dict[str, Any]] = load_manifest(path)
        self.info: dict[str, Any] = load_json(path / INFO, {})
        self.report: dict[str, Any] = load_json(path / REPORT, {})
        self._local = threading.local()
        self._cache: dict[str, Any] = {}
        self._cache_lock = threading.RLock()  # a build may use another cached value

    def _open_searcher(self) -> Searcher:
        segments = list(self.toc.segments)
        reader = FileIndex._reader(
            self.index.storage, self.toc.schema, segments, self.toc.generation
        )
        return Searcher(reader, fromindex=self.index, weighting=weighting())

    def searcher(self) -> Searcher:
        """This thread's searcher for this snapshot (opened on first use, reopened if closed)."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None or searcher.is_closed:
            searcher = self._local.searcher = self._open_searcher()
        return searcher

    def cached(self, name: str, build: Callable[[Snapshot], T]) -> T:
        """A per-snapshot value, built once (under a lock) by `build(self)`."""
        try:
            return self._cache[name]
        except KeyError:
            pass
        with self._cache_lock:
            if name not in self._cache:
                self._cache[name] = build(self)
            return self._cache[name]


class IndexHandle:
    """Opens the live generation of an index folder and follows re-indexing."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self._pinned = threading.local()

    def pin(self) -> Snapshot:
        """Make this thread see one snapshot until unpin(): a request never mixes generations."""
        self._pinned.snapshot = None
        self._pinned.snapshot = self.snapshot()
        return self._pinned.snapshot

    def unpin(self) -> None:
        self._pinned.snapshot = None

    def snapshot(self) -> Snapshot:
        """The snapshot for the live generation and its latest commit (or this thread's pin)."""
        pinned = getattr(self._pinned, "snapshot", None)
        if pinned is not None:
            return pinned
        key = self._change_key()
        snapshot = self._snapshot
        if snapshot is not None and snapshot.key == key:
            return snapshot
        with self._lock:
            if self._snapshot is None or self._snapshot.key != key:
                path = current_generation(self.index_dir)
                if path is None:
                    raise NoIndexError(
                        f"no index at {self.index_dir}: run 'report-search index' first"
                    )
                self._snapshot = Snapshot(path, key)  # the old one is left to the GC
            return self._snapshot

    def searcher(self) -> Searcher:
        """This thread's Whoosh searcher over the live generation."""
        return self.snapshot().searcher()

    @property
    def manifest(self) -> dict[str, dict[str, Any]]:
        return self.snapshot().manifest

    @property
    def generation(self) -> int:
        return self.snapshot().generation

    def _change_key(self) -> tuple[Any, ...]:
        """Cheap fingerprint of what readers see: CURRENT, the generation folder, manifest."""
        current = _stat(self.index_dir / CURRENT)
        if current is None:
            raise NoIndexError(f"no index at {self.index_dir}: run 'report-search index' first")
        name = (self.index_dir / CURRENT).read_text("utf-8").strip()
        folder = self.index_dir / GENERATIONS / name
        # A Whoosh commit adds a new TOC file, which changes the folder's mtime.
        return (current, name, _stat(folder), _stat(folder / MANIFEST))


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        result = os.stat(path)
    except FileNotFoundError:
        return None
    return (result.st_ino, result.st_mtime_ns)


def _storage(path: Path) -> FileStorage:
    """Read-only storage without mmap: every thread has its own reader, and each mapping of
    a segment would count in the process's memory again (page cache is shared anyway)."""
    return FileStorage(str(path), readonly=True, supports_mmap=False)
