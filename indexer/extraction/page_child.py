"""A function run in a child process of its own, with a memory limit (RLIMIT_AS) and a
wall-clock limit enforced from outside: what pdfium does with one page (parsing it, rendering
it) is native code that no signal interrupts, and a 2.5 KB page of form XObjects nested eight
deep grows it to gigabytes for minutes. On expiry the child's process group (Tesseract with
it) is killed; the caller gets `PageLimit` and goes on with the next page.

A plain fork, not multiprocessing: Dask runs its tasks in daemonic processes, which
multiprocessing does not let have children. The child only runs the function and sends back
its pickled result; it never returns into the caller's code.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import pickle
import resource
import select
import signal
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
# A page's child may use this much more address space than the worker it is forked from:
# room for a 40-million-pixel rendering (ocr.MAX_PIXELS) several times over.
MEMORY_BYTES = 1536 * 1024 * 1024
# After the time limit, how long the child has to send what it already has.
_GRACE = 1.0
_PR_SET_PDEATHSIG = 1  # prctl(2)


class PageLimit(Exception):
    """The child was stopped: `reason` is "timeout" or "too-large"."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def run_limited(
    function: Callable[..., T], args: tuple[Any, ...], seconds: float, memory: int = MEMORY_BYTES
) -> T:
    """`function(*args)` in a child process; its result, or its exception raised here."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(write_end, function, args, memory, seconds)
    os.close(write_end)
    payload, finished = b"", False
    try:
        payload, finished = _read_until(read_end, time.monotonic() + seconds + _GRACE)
    finally:
        os.close(read_end)
        if not finished:
            _kill_group(pid)
        _, wait_status = os.waitpid(pid, 0)
    if not finished:
        raise PageLimit("timeout", f"stopped at the time limit of {seconds:g} s")
    if not payload:
        why = _death(wait_status)
        raise PageLimit("too-large", f"{why}, most likely at the memory limit of {_gb(memory)}")
    kind, value = pickle.loads(payload)
    if kind == "too-large":
        raise PageLimit("too-large", f"stopped at the memory limit of {_gb(memory)}")
    if kind == "error":
        raise value
    return value


def _child(
    write_end: int, function: Callable[..., Any], args: tuple[Any, ...], memory: int, seconds: float
) -> None:
    status = 0
    try:
        os.setpgid(0, 0)  # a group of its own: a kill takes Tesseract with it
        _end_with_parent(seconds)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the worker's per-file alarm is not ours
        signal.setitimer(signal.ITIMER_REAL, 0)
        limit = _limit_memory(memory)
        try:
            result: tuple[str, Any] = ("ok", function(*args))
        except MemoryError:
            result = ("too-large", None)
        except Exception as error:  # noqa: BLE001 - sent to the parent, raised there
            result = ("too-large", None) if _near(limit) else ("error", error)
        try:
            payload = pickle.dumps(result)
        except Exception as error:  # noqa: BLE001 - an exception that does not pickle
            payload = pickle.dumps(("error", RuntimeError(f"{type(error).__name__}: {error}")))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
    except BaseException:  # noqa: BLE001 - nothing may run on into the caller's code
        status = 1
    finally:
        os._exit(status)


def _end_with_parent(seconds: float) -> None:
    """No child outlives its worker (killed, say, by the out-of-memory killer) to render on
    unwatched: killed with it on Linux, and stopped by a CPU-time limit anywhere."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    cpu = math.ceil(seconds) + 2
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


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


def _read_until(fd: int, deadline: float) -> tuple[bytes, bool]:
    """Everything the child writes, and whether it closed its end before the deadline."""
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return b"".join(chunks), False
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):  # it had no time to make its group
            os.kill(pid, signal.SIGKILL)


def _death(wait_status: int) -> str:
    if os.WIFSIGNALED(wait_status):
        return f"the process ended by {signal.Signals(os.WTERMSIG(wait_status)).name}"
    return f"the process ended with code {os.WEXITSTATUS(wait_status)} and no result"


def _gb(size: int) -> str:
    return f"{size / 1024**3:.1f} GB"
