"""A snapshot warmed before a fork is the one handles start from after it: forked server
processes share its caches, open their own files, and answer as a fresh process would."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

from search_app import engine
from search_app.engine import parse_search_args
from search_app.engine.facets import facet_values
from search_app.engine.index_handle import IndexHandle, _inherited, share_before_fork

QUERIES = ["remittances", "recruitment nurses", '"health workers"', "migration -health"]


def _bodies(handle: IndexHandle) -> list[str]:
    out = []
    for q in QUERIES:
        body = engine.search(handle, parse_search_args({"q": [q]}))
        body.pop("took_ms")
        out.append(json.dumps(body, sort_keys=True))
    return out


def _search_in_child(index_dir: Path, queue: multiprocessing.Queue) -> None:
    handle = IndexHandle(index_dir)  # made after the fork, as a server worker's app is
    queue.put((handle.snapshot() is _inherited.get(index_dir.resolve()), _bodies(handle)))


def test_handles_start_from_the_shared_snapshot(small_index: Path) -> None:
    fresh = _bodies(IndexHandle(small_index))
    warmed = IndexHandle(small_index)
    engine.warm(warmed)
    share_before_fork(warmed)
    try:
        later = IndexHandle(small_index)
        snapshot = later.snapshot()
        assert snapshot is warmed.snapshot()
        assert facet_values(snapshot, "country") is facet_values(warmed.snapshot(), "country")
        assert _bodies(later) == fresh

        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        child = context.Process(target=_search_in_child, args=(small_index, queue))
        child.start()
        shared, bodies = queue.get(timeout=120)
        child.join(30)
        assert child.exitcode == 0
        assert shared and bodies == fresh
    finally:
        _inherited.clear()
