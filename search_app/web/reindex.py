"""Re-indexing started from the API: one background thread at a time, with its status."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any


class Reindexer:
    """Runs indexer.pipeline.run in a thread and remembers how the last run went."""

    def __init__(
        self, roots: list[Path], index_dir: Path, after: Callable[[], None] | None = None
    ) -> None:
        self.roots = roots
        self.index_dir = index_dir
        self.after = after  # run after a successful re-index (e.g. to warm caches)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._status: dict[str, Any] = {"state": "idle"}

    def start(self) -> bool:
        """Start a run; False when one is already running."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return False
            self._status = {"state": "running", "started_at": time.time(), "roots": self._names()}
            self._thread = threading.Thread(target=self._run, name="reindex", daemon=True)
            self._thread.start()
            return True

    def status(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._status)

    def wait(self, timeout: float | None = None) -> None:
        """Block until the current run ends (for tests and the CLI)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        from indexer.pipeline import run

        try:
            report = run(self.roots, self.index_dir, workers=1)
            if self.after is not None:
                self.after()
            update = {"state": "done", "summary": report.summary()}
        except Exception as error:  # reported through /api/index/status, not raised
            traceback.print_exc()
            update = {"state": "failed", "error": f"{type(error).__name__}: {error}"}
        with self._lock:
            self._status.update(update, finished_at=time.time())

    def _names(self) -> list[str]:
        return [str(root) for root in self.roots]
