"""The pypdf fast path: faster stand-ins for pypdf internals (`patches`, `parse`), used only
while they are known to give plain pypdf's results.

`use_fast_path()` decides at the first PDF of each process (worker processes included) and
remembers: plain pypdf when REPORT_SEARCH_PLAIN_PDF=1 (the canary is then not run), or when
the stand-ins cannot be imported or installed, raise anything, or extract the built-in canary
PDF (`canary`) differently from plain pypdf. A pypdf release that moves or changes what they
rely on thus costs one WARNING line and the speed-up, never a file. A file that fails under the
fast path is read again with plain pypdf by the caller, which reports it with
`fast_path_failed` when plain pypdf did better: plain pypdf from then on, and one WARNING line.
"""

from __future__ import annotations

import logging
import os
import threading
from contextlib import AbstractContextManager, nullcontext

import pypdf

PLAIN_PDF = "REPORT_SEARCH_PLAIN_PDF"
log = logging.getLogger(__name__)
_lock = threading.Lock()
# None until the process's first PDF; then whether the fast path is on.
_fast: bool | None = None


def use_fast_path() -> bool:
    """Whether to extract PDFs with the fast path; checks it on the canary PDF at first use."""
    global _fast
    if os.environ.get(PLAIN_PDF, "") not in ("", "0"):
        return False
    with _lock:
        if _fast is None:
            problem = _canary_problem()
            _fast = problem is None
            if problem is not None:
                _warn(problem, "the canary PDF")
        return _fast


def extracting(fast: bool) -> AbstractContextManager[object]:
    """The block to extract PDF text in: with the stand-ins installed, or plain pypdf."""
    if not fast:
        return nullcontext()
    from indexer.extraction.pypdf_fast.patches import fast_pypdf

    return fast_pypdf()


def fast_path_failed(where: str, error: BaseException) -> None:
    """A file failed under the fast path and plain pypdf read it better: plain pypdf from now
    on (warned once)."""
    global _fast
    with _lock:
        if _fast:
            _fast = False
            _warn(f"{type(error).__name__}: {error}", where)


def _canary_problem() -> str | None:
    try:
        from indexer.extraction.pypdf_fast import canary

        return canary.problem()
    except Exception as exc:  # noqa: BLE001 - any failure of the fast path turns it off
        return f"{type(exc).__name__}: {exc}"


def _warn(why: str, where: str) -> None:
    why = " ".join(why.split())  # one line, whatever the exception's message holds
    log.warning(
        "pypdf %s internals changed (%s, on %s): extracting with plain pypdf",
        pypdf.__version__,
        why if len(why) <= 300 else why[:297] + "...",
        where,
    )
