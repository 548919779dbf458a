"""The server's hold on the index: a snapshot per live generation, searchers per thread.

Like flaskr's db.py for a connection: the app keeps one IndexHandle; every request asks it for
the current Snapshot and the Snapshot's per-thread searcher. Which generation is live, and
whether it changed, is indexer.index.generations.live_generation (three stat() calls).
Whoosh searchers read files with seek()+read(), so one searcher is never used by two threads
at once; every searcher of a snapshot reads the same TOC, so document numbers agree and
per-generation caches (facet arrays, sort keys) can be shared by all threads.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from whoosh.searching import Searcher

from indexer.index import whoosh_private
from indexer.index.generations import (
    INFO,
    REPORT,
    ChangeKey,
    commit_reader,
    generation_number,
    live_generation,
    load_json,
    load_manifest,
    open_readonly,
)
from search_app.engine.limits import budget_paused

T = TypeVar("T")
P = ParamSpec("P")


class Snapshot:
    """One published generation at one Whoosh commit: searchers, manifest and caches."""

    def __init__(self, path: Path, key: ChangeKey) -> None:
        self.path = path
        self.key = key
        self.generation = generation_number(path)
        self.index, self.toc = open_readonly(path)
        # The manifest of this very commit: the two are published as one step.
        self.manifest: dict[str, dict[str, Any]] = load_manifest(path, self.toc.generation)
        self.info: dict[str, Any] = load_json(path / INFO, {})
        self.report: dict[str, Any] = load_json(path / REPORT, {})
        self._local = threading.local()
        self._cache: dict[Hashable, Any] = {}
        self._cache_lock = threading.RLock()  # a build may use another cached value
        # Before any search reads Whoosh's internals: are they still the ones we know?
        whoosh_private.self_check(self.searcher().reader())

    def _open_searcher(self) -> Searcher:
        return Searcher(commit_reader(self.index, self.toc), fromindex=self.index)

    def searcher(self) -> Searcher:
        """This thread's searcher for this snapshot (opened on first use, reopened if closed)."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None or searcher.is_closed:
            searcher = self._local.searcher = self._open_searcher()
        return searcher


def per_generation(
    build: Callable[Concatenate[Snapshot, P], T],
) -> Callable[Concatenate[Snapshot, P], T]:
    """Cache `build(snapshot, *args)` on the snapshot: built once per generation and
    arguments (under the snapshot's lock), typed as `build` is, with no string keys."""

    @functools.wraps(build)
    def cached(snapshot: Snapshot, *args: P.args, **kwargs: P.kwargs) -> T:
        key = (build, args, tuple(sorted(kwargs.items())))
        try:
            return snapshot._cache[key]
        except KeyError:
            pass
        with budget_paused(), snapshot._cache_lock:  # built once for every request to come
            if key not in snapshot._cache:
                snapshot._cache[key] = build(snapshot, *args, **kwargs)
            return snapshot._cache[key]

    return cached


def built_already(snapshot: Snapshot, cached: Callable[Concatenate[Snapshot, P], T]) -> T | None:
    """A `per_generation` function's value for the snapshot (no arguments) if it has been
    built, else None: for reports that must not start an expensive build (health)."""
    build = getattr(cached, "__wrapped__", cached)
    value: T | None = snapshot._cache.get((build, (), ()))
    return value


# Snapshots built before a fork (`share_before_fork`), by index folder: handles made after
# it start from them, so that forked server processes share their caches' memory.
_inherited: dict[Path, Snapshot] = {}


def share_before_fork(handle: IndexHandle) -> None:
    """Let handles on the same index folder made after a fork start from `handle`'s
    snapshot and its per-generation caches (facet arrays, sort keys, postings...).

    Forked processes then share those arrays' pages with the parent as long as nobody
    writes to them (the caches are read-only), instead of each building its own copy. The
    parent's searchers are closed first: an open file would share its offset between
    processes, so every process opens its own on first use.
    """
    snapshot = handle._snapshot
    if snapshot is None:
        return
    searcher = getattr(snapshot._local, "searcher", None)
    if searcher is not None:
        searcher.close()
    snapshot._local = threading.local()
    _inherited[handle.index_dir.resolve()] = snapshot


class IndexHandle:
    """Opens the live generation of an index folder and follows re-indexing."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        # Replaced as usual when the live generation moves on (snapshot()).
        self._snapshot: Snapshot | None = _inherited.get(self.index_dir.resolve())
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
        path, key = live_generation(self.index_dir)
        snapshot = self._snapshot
        if snapshot is not None and snapshot.key == key:
            return snapshot
        with self._lock:
            if self._snapshot is None or self._snapshot.key != key:
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
