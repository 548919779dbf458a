"""Re-indexing started from the API: one run at a time across every server process.

The index's write lock decides: a request that takes it starts the run (202), any other gets
409 while a run, from the API or the command line, holds it. How the last API-started run
went is a record on disk beside the index (`reindex.json`), so every server process answers
`/api/index/status` alike, and the outcome outlives the process that ran it. A record that
says "running" for a process that is gone reads as failed.
"""

from __future__ import annotations

import os
import threading
import time
import traceback
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from indexer.index import generations

STATUS_FILE = "reindex.json"
GONE = "the server process running it stopped before it finished"


class Reindexer:
    """Runs indexer.pipeline.run in a thread of this process, holding the index's write lock."""

    def __init__(
        self, roots: list[Path], index_dir: Path, after: Callable[[], None] | None = None
    ) -> None:
        self.roots = roots
        self.index_dir = index_dir
        self.after = after  # run after a successful re-index (e.g. to warm caches)
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        """Start a run; False when the index's write lock is held (a run is going on)."""
        lock = ExitStack()
        try:
            lock.enter_context(generations.write_lock(self.index_dir))
        except generations.IndexBusyError:
            return False
        record = {"state": "running", "started_at": time.time(), "roots": self._names()}
        self._save(record)
        self._thread = threading.Thread(target=self._run, args=(lock, record), name="reindex")
        self._thread.daemon = True
        self._thread.start()
        return True

    def status(self) -> dict[str, Any]:
        """The last API-started run's record, as every server process reads it."""
        record = generations.load_json(self.index_dir / STATUS_FILE, {"state": "idle"})
        if record.get("state") == "running" and not _alive(record.get("pid")):
            record = {**record, "state": "failed", "error": GONE}
        record.pop("pid", None)
        return record

    def wait(self, timeout: float | None = None) -> None:
        """Block until this process's current run ends (for tests and the CLI)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self, lock: ExitStack, record: dict[str, Any]) -> None:
        from indexer.pipeline import run

        with lock:  # released after the outcome is saved: the next run finds it recorded
            try:
                report = run(self.roots, self.index_dir, workers=1, lock_held=True)
                if self.after is not None:
                    self.after()
                update = {"state": "done", "summary": report.summary()}
            except Exception as error:  # reported through /api/index/status, not raised
                traceback.print_exc()  # the details, paths included, go to the server's log
                update = {"state": "failed", "error": public_error(error)}
            self._save({**record, **update, "finished_at": time.time()})

    def _save(self, record: dict[str, Any]) -> None:
        generations.save_json(self.index_dir / STATUS_FILE, {**record, "pid": os.getpid()})

    def _names(self) -> list[str]:
        return [root.name for root in self.roots]  # not their paths: the status is public


def public_error(error: Exception) -> str:
    """Why a run failed, for anyone to read: no path, no process id."""
    if isinstance(error, OSError):
        return f"{type(error).__name__}: {error.strerror or 'operating system error'}"
    return f"{type(error).__name__} (the server's log has the details)"


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
