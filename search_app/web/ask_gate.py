"""A bounded pool for questions: asks never take the threads searches need.

An ask costs tens of milliseconds of both cores (the sentence-embedding model) where a search
costs a few; every one holds a server thread while it runs or waits. So at most
ASK_RUNNING asks compute at once and at most ASK_SLOTS are let in at all (computing or
waiting their turn, for at most ASK_WAIT seconds): the server's other threads stay free
for searches and pages. An ask beyond that is answered at once with 503 `busy` and
Retry-After, rather than queued behind the others while searches wait behind it.
`report-search serve` sets ASK_SLOTS to half the threads of each process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app

from search_app import qa
from search_app.engine import BadRequest
from search_app.qa import AskRequest
from search_app.web import current_handle

RUNNING = 1  # asks computing at once: one keeps both cores busy already
SLOTS = 2  # asks let in at once, computing or waiting
WAIT = 10.0  # seconds an admitted ask may wait for its turn
RETRY_AFTER = 1  # seconds a refused asker is told to wait


class AskGate:
    """At most `running` asks compute at once and at most `slots` are let in."""

    def __init__(self, running: int = RUNNING, slots: int = SLOTS, wait: float = WAIT) -> None:
        self.running = max(1, running)
        self.slots = max(self.running, slots)
        self.wait = wait
        self._turns = threading.BoundedSemaphore(self.running)
        self._lock = threading.Lock()
        self._admitted = 0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AskGate:
        return cls(
            int(config.get("ASK_RUNNING", RUNNING)),
            int(config.get("ASK_SLOTS", SLOTS)),
            float(config.get("ASK_WAIT", WAIT)),
        )

    @property
    def admitted(self) -> int:
        """Asks let in now, computing or waiting."""
        return self._admitted

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Run the body as one admitted ask, or raise BadRequest 503 `busy` at once when
        `slots` asks are in already (or after `wait` seconds without a turn)."""
        with self._lock:
            if self._admitted >= self.slots:
                raise busy()
            self._admitted += 1
        try:
            if not self._turns.acquire(timeout=self.wait):
                raise busy()
            try:
                yield
            finally:
                self._turns.release()
        finally:
            with self._lock:
                self._admitted -= 1


def busy() -> BadRequest:
    return BadRequest(
        503,
        "busy",
        f"Too many questions are being answered; retry in {RETRY_AFTER} s.",
    )


EXTENSION = "report_search_ask_gate"


def init_app(app: Flask) -> None:
    """Give the app its gate, sized by its config."""
    app.extensions[EXTENSION] = AskGate.from_config(app.config)


def answer(asked: AskRequest) -> dict[str, Any]:
    """The /api/ask body of a parsed question, computed in its turn (BadRequest 503 `busy`
    when the gate is full)."""
    with current_app.extensions[EXTENSION].turn():
        return qa.ask(
            current_handle(), asked.q, asked.filters, asked.limit, asked.year_from, asked.year_to
        )
