"""What one request may cost: the query limits every endpoint applies, and its time budget.

Each bound caps one way a query's cost grows (docs/api.md, "Query limits"):

- the length and the number of terms are refused with a 400 (every term is a postings read
  and a scoring pass); Whoosh's parser, quadratic in the length, only reads the syntax of
  queries up to MAX_SYNTAX_CHARS, and long prose keeps its rarest words (engine/verbose.py);
- wildcard, fuzzy and range expansions, the fuzzy distance and phrase slop are clamped;
- time: the web layer gives each request a deadline (`start_budget`), and the engine checks
  it (`check_deadline`) in the loops that can be long; past it, the request stops with a 503,
  so that no request holds a thread or memory after its client has given up.

The budget counts the CPU time of the request's thread, not the clock: on a busy machine a
request waits for a processor, which is no reason to refuse it (nor is building the index's
caches, which whichever request comes first has to do: `budget_paused`). The deadline lives
in a context variable, so that the engine's functions need not pass it along: each thread
serving a request has its own.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

MAX_QUERY_CHARS = 20_000  # characters of a query or question (a pasted paragraph or two)
# Longer queries are read as plain words (engine/verbose.py), never through Whoosh's parser.
MAX_SYNTAX_CHARS = 1000
# Terms a query looks up before expansion: a plain word is three (title, section, text), a
# phrase one per word. About 100 words of prose.
MAX_QUERY_TERMS = 300
MAX_EXPANSIONS = 64  # index terms one prefix*, wild?card, fuzzy~ or [range] word expands to
MAX_QUERY_EXPANSIONS = 256  # ... and all the expanding words of a query together
# Index terms the expanding words of a query may read, between them (reading one costs tens
# of microseconds); a word may not start with a wildcard, which would read them all.
MAX_SCANNED_TERMS = 20_000
MIN_SCANNED_TERMS = 200  # per expanding word, however many there are
MAX_FUZZY_DISTANCE = 2  # word~N: larger N are read as 2 (as in Lucene)
MAX_FUZZY_CHARS = 40  # a longer word~ is searched as typed (its automaton grows with it)
MAX_SLOP = 1000  # "a phrase"~N: larger N are read as 1000, longer than any passage
MAX_CORRECTED_WORDS = 3  # words of a query "did you mean" tries to correct
MAX_QUESTION_WORDS = 32  # content words of a question that are looked for
TIME_BUDGET = 1.5  # CPU seconds a request may compute before it is stopped with a 503


class BadRequest(Exception):
    """A request the engine refuses: `status` (HTTP), `code` (slug) and a sentence."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class QueryTimeout(BadRequest):
    """A request stopped at its time budget: 503 with the error envelope."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            503,
            "query_timeout",
            f"The request was stopped after its time budget of {seconds:g} s of computing; "
            "try fewer words, wildcards or fuzzy words.",
        )


class Deadline:
    """When a request's work must stop: after `seconds` of its thread's CPU time.

    Reading a thread's CPU time is a system call (4.5 us here, against 0.35 us for the
    monotonic clock), and a search checks its deadline dozens of times. A thread cannot have
    used more CPU time than wall time has passed, so the CPU clock is read only once the
    wall clock is past the same end: the same deadline, at a tenth of the cost.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.thread_time() + seconds
        self.wall_end = time.perf_counter() + seconds
        self.paused = False

    def check(self) -> None:
        """Raise QueryTimeout once the deadline has passed (never while paused)."""
        if self.paused or time.perf_counter() <= self.wall_end:
            return
        if time.thread_time() > self.end:
            raise QueryTimeout(self.seconds)

    def extend(self, cpu_seconds: float) -> None:
        """Move the deadline by CPU time that does not count (see budget_paused)."""
        self.end += cpu_seconds
        self.wall_end += cpu_seconds  # CPU time used stays at most wall time passed


_deadline: ContextVar[Deadline | None] = ContextVar("report_search_deadline", default=None)


def start_budget(seconds: float = TIME_BUDGET) -> None:
    """Give the current request (this thread's context) a budget of `seconds` from now."""
    _deadline.set(Deadline(seconds))


def end_budget() -> None:
    """Remove the current deadline (a request is over)."""
    _deadline.set(None)


@contextmanager
def time_budget(seconds: float = TIME_BUDGET) -> Iterator[Deadline]:
    """A deadline for the work inside the `with` block."""
    deadline = Deadline(seconds)
    token = _deadline.set(deadline)
    try:
        yield deadline
    finally:
        _deadline.reset(token)


@contextmanager
def budget_paused() -> Iterator[None]:
    """Time spent inside does not count against the current request's budget: for the
    one-time caches of an index, which whichever request comes first has to build."""
    deadline = _deadline.get()
    if deadline is None or deadline.paused:
        yield
        return
    started = time.thread_time()
    deadline.paused = True
    try:
        yield
    finally:
        deadline.paused = False
        deadline.extend(time.thread_time() - started)


def check_deadline() -> None:
    """Raise QueryTimeout when the current request is past its deadline (none: never)."""
    deadline = _deadline.get()
    if deadline is not None:
        deadline.check()


def check_length(text: str) -> None:
    """400 when a query is longer than MAX_QUERY_CHARS."""
    if len(text) > MAX_QUERY_CHARS:
        raise BadRequest(
            400, "query_too_long", f"The query is longer than {MAX_QUERY_CHARS} characters."
        )


def check_terms(count: int) -> None:
    """400 when a query looks up more than MAX_QUERY_TERMS terms."""
    if count > MAX_QUERY_TERMS:
        raise BadRequest(
            400,
            "too_many_terms",
            f"The query searches for {count} terms, more than {MAX_QUERY_TERMS}: each word "
            "counts once for the title, the section and the text, so about "
            f"{MAX_QUERY_TERMS // 3} words at most.",
        )
