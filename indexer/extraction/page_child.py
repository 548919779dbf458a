"""A function run on each of a file's pages in a child process, with a memory limit
(RLIMIT_AS) and a wall-clock limit per page enforced from outside: what pdfium does with a
page (parsing it, rendering it) is native code that no signal interrupts, and a 3.5 KB page
of form XObjects nested eight deep grows it to gigabytes for minutes. A page past its time is
answered `PageLimit` and the child's process group (Tesseract with it) killed; a child that
dies or runs out of memory is answered the same. A new child goes on with the next page.

One child for all the pages it gets through, not one a page: forking a worker costs tens of
milliseconds, as much as reading a cached page. A plain fork, not multiprocessing: Dask runs
its tasks in daemonic processes, which multiprocessing does not let have children. The child
sends back each result pickled and never returns into the caller's code.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import resource
import select
import signal
import struct
import time
from collections.abc import Callable, Generator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
# A page's child may use this much more address space than the worker it is forked from:
# room for a 40-million-pixel rendering (ocr.MAX_PIXELS) several times over.
MEMORY_BYTES = 1536 * 1024 * 1024
# After a page's time limit, how long the child has to send what it already has.
_GRACE = 1.0
_PR_SET_PDEATHSIG = 1  # prctl(2)
_LENGTH = struct.Struct(">Q")  # each result is its pickle's length, then the pickle


class PageLimit(Exception):
    """A page's child was stopped: `reason` is "timeout" or "too-large"."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def run_each(
    function: Callable[[T], Any], items: Sequence[T], seconds: float, memory: int = MEMORY_BYTES
) -> Generator[tuple[T, Any], None, None]:
    """(item, function(item)) for each item in order, computed in a child process; where it
    raised, or ran past `seconds` or `memory`, the exception (a PageLimit for the limits) in
    place of the result. Closing the iterator early kills the child."""
    start = 0
    while start < len(items):
        pending = items[start:]
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read_end)
            _child(write_end, function, pending, memory)
        os.close(write_end)
        try:
            for item in pending:
                start += 1
                outcome = _next_result(read_end, seconds, memory, pid)
                yield item, outcome
                if isinstance(outcome, PageLimit):
                    break  # the child is dead or killed: a new one takes the next page
        finally:
            os.close(read_end)
            _kill_group(pid)  # done, stopped, or the caller gave up: nothing may run on
            with contextlib.suppress(ChildProcessError):  # already reaped by _death
                os.waitpid(pid, 0)


def _next_result(fd: int, seconds: float, memory: int, pid: int) -> Any:
    """The child's next result, or the PageLimit that stopped it."""
    deadline = time.monotonic() + seconds + _GRACE
    header = _read_exactly(fd, _LENGTH.size, deadline)
    payload = None if header is None else b""
    if header is not None and len(header) == _LENGTH.size:
        size = _LENGTH.unpack(header)[0]
        payload = _read_exactly(fd, size, deadline)
        payload = b"" if payload is not None and len(payload) < size else payload
    if payload is None:
        _kill_group(pid)
        return PageLimit("timeout", f"stopped at the time limit of {seconds:g} s")
    if not payload:  # it closed its pipe with no result: it died
        why = _death(pid)
        return PageLimit("too-large", f"{why}, most likely at the memory limit of {_gb(memory)}")
    kind, value = pickle.loads(payload)
    if kind == "too-large":
        return PageLimit("too-large", f"stopped at the memory limit of {_gb(memory)}")
    return value


def _child(
    write_end: int, function: Callable[[Any], Any], items: Sequence[Any], memory: int
) -> None:
    status = 0
    try:
        os.setpgid(0, 0)  # a group of its own: a kill takes Tesseract with it
        with contextlib.suppress(OSError, AttributeError):  # killed with its worker (Linux)
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the worker's per-file alarm is not ours
        signal.setitimer(signal.ITIMER_REAL, 0)
        limit = _limit_memory(memory)
        for item in items:
            try:
                result: tuple[str, Any] = ("ok", function(item))
            except MemoryError:
                result = ("too-large", None)
            except Exception as error:  # noqa: BLE001 - sent to the parent, raised there
                result = ("too-large", None) if _near(limit) else ("ok", error)
            _send(write_end, result)
            if result[0] == "too-large":
                break  # what is left of its memory is not to be trusted: a new child goes on
    except BaseException:  # noqa: BLE001 - nothing may run on into the caller's code
        status = 1
    finally:
        os._exit(status)


def _send(fd: int, result: tuple[str, Any]) -> None:
    try:
        payload = pickle.dumps(result)
    except Exception as error:  # noqa: BLE001 - an exception that does not pickle
        payload = pickle.dumps(("ok", RuntimeError(f"{type(error).__name__}: {error}")))
    data = memoryview(_LENGTH.pack(len(payload)) + payload)
    while data:
        data = data[os.write(fd, data) :]


def _limit_memory(extra: int) -> int:
    """RLIMIT_AS at the address space the child has now plus `extra`; the limit (0: none)."""
    size = _address_space()
    if not size:
        return 0
    limit = size + extra
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):  # a lower hard limit already: keep it
        return 0
    return limit


def _address_space() -> int:
    """This process's virtual memory size in bytes (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _near(limit: int) -> bool:
    """An error raised with the address space at its limit: a failed allocation, whatever
    the library called it."""
    return bool(limit) and _peak() >= limit - 64 * 1024 * 1024


def _peak() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _read_exactly(fd: int, size: int, deadline: float) -> bytes | None:
    """`size` bytes from the pipe; fewer if the child closed it; None past the deadline."""
    chunks: list[bytes] = []
    got = 0
    while got < size:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, min(size - got, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):  # it had no time to make its group
            os.kill(pid, signal.SIGKILL)


def _death(pid: int) -> str:
    """How the child ended (it closed its pipe without a result: it is gone, or going)."""
    _, wait_status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(wait_status):
        return f"the process ended by {signal.Signals(os.WTERMSIG(wait_status)).name}"
    return f"the process ended with code {os.WEXITSTATUS(wait_status)} and no result"


def _gb(size: int) -> str:
    return f"{size / 1024**3:.1f} GB"
