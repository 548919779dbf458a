"""`report-search serve --processes N`: gunicorn's pre-fork server with N worker processes.

The master imports the heavy modules (numpy, Whoosh, NLTK, the engine and question answering)
once, and builds the live index generation's caches (facet arrays, sort keys, field lengths,
the commonest words' postings and positions), so that the workers share those pages after
the fork instead of each holding a copy; each worker then builds its own app after the fork,
so no thread, lock or open index file crosses it. Every worker follows
index generations on its own, as a single-process server does. Request metrics are added up
across workers by prometheus-client's multiprocess mode (a fresh folder for each run).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


class PreforkServer(BaseApplication):
    """gunicorn with its settings from the command line's options, not from a config file."""

    def __init__(self, app_config: Mapping[str, Any], options: Mapping[str, Any]) -> None:
        self.app_config = dict(app_config)
        self.options = dict(options)
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from search_app.web import create_app

        return create_app(self.app_config)


def serve_processes(
    config: Mapping[str, Any], host: str, port: int, processes: int, threads: int
) -> None:
    """Serve the app with `processes` gunicorn workers of `threads` threads each (blocks)."""
    metrics_dir = tempfile.mkdtemp(prefix="report-search-metrics-")
    # Before prometheus_client is imported: it picks its value store once, at import.
    os.environ[MULTIPROCESS_ENV] = metrics_dir
    _preload()
    _warm_shared(config["INDEX_DIR"])
    options = {
        "bind": f"{host}:{port}",
        "workers": processes,
        "worker_class": "gthread",
        "threads": threads,
        "preload_app": False,  # each worker builds its app after the fork (see above)
        "timeout": 120,  # a worker silent this long is replaced; searches take milliseconds
        "graceful_timeout": 10,
        "accesslog": None,
        "child_exit": _child_exit,
    }
    try:
        PreforkServer(config, options).run()
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)


def _preload() -> None:
    """Import what every worker needs, in the master, so that the workers share it."""
    import prometheus_client  # noqa: F401
    import whoosh.searching  # noqa: F401

    import search_app.qa  # noqa: F401
    import search_app.web  # noqa: F401


def _warm_shared(index_dir: str) -> None:
    """Build the live generation's caches in the master, so that the workers share them.

    The workers' own warm-up then finds them built; each worker still opens its own files
    and follows later generations on its own (a new generation is built per worker).
    """
    from indexer.index.generations import NoIndexError
    from search_app import engine
    from search_app.engine.index_handle import IndexHandle, share_before_fork

    handle = IndexHandle(Path(index_dir))
    try:
        engine.warm(handle)
    except NoIndexError:
        return
    share_before_fork(handle)


def _child_exit(server: Any, worker: Any) -> None:
    """A worker is gone: its live gauges leave the sums (counters keep its counts)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
