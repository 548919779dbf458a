"""Files processed in a child Python process of a Dask worker (`indexer.cluster`).

Dask runs its workers under a nanny (`dask worker`, LocalCluster, dask-jobqueue, the
Kubernetes operator) as daemonic processes, and multiprocessing refuses to start children
from those. A plain subprocess is allowed: each busy worker thread has one long-lived child
that reads requests on its stdin and answers on its own pipe. The child runs every file on
its main thread, where the per-file time limit (SIGALRM) holds; the worker also stops
waiting, and kills the child, when a file runs well past that limit (stuck in native code).
A file that takes its child down (a crash in a parser, the kernel's out-of-memory killer)
fails on its own and the next file gets a new child.
"""

from __future__ import annotations

import os
import pickle
import select
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from typing import IO, Any

# Past the per-file limit, how long the worker still waits for the child's own timeout.
GRACE_SECONDS = 30.0
_HEADER = struct.Struct("!Q")


class ChildGone(RuntimeError):
    """The child exited, or was killed, before it answered."""


class ChildTimeout(ChildGone):
    """The child did not answer in time and was killed."""


class FileProcess:
    """One child process and the requests it answers, one at a time."""

    def __init__(self) -> None:
        command = [sys.executable, "-m", "indexer.file_process", str(os.getpid())]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def call(self, request: tuple[Any, ...], timeout: float) -> Any:
        """The child's answer to `request` (its exception re-raised here); ChildGone or
        ChildTimeout, with the child killed, when it does not answer."""
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            write_frame(self.process.stdin, request)
            kind, value = read_frame(self.process.stdout.fileno(), time.monotonic() + timeout)
        except TimeoutError:
            self.close()
            raise ChildTimeout(f"no answer after {timeout:g} seconds") from None
        except (OSError, EOFError, pickle.UnpicklingError) as error:
            self.close()
            raise ChildGone(f"the child process stopped: {error}") from None
        if kind == "raise":
            raise value
        return value

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        if self.alive():
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


def write_frame(stream: IO[bytes], value: Any) -> None:
    _write_bytes(stream, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def _write_bytes(stream: IO[bytes], data: bytes) -> None:
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _dumps(answer: tuple[str, Any]) -> bytes:
    try:
        return pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:  # noqa: BLE001 - an exception that cannot travel
        failure = RuntimeError(f"{type(answer[1]).__name__}: {answer[1]} ({error})")
        return pickle.dumps(("raise", failure))


def read_frame(fd: int, deadline: float | None = None) -> Any:
    """One pickled value from the file descriptor; EOFError at its end, TimeoutError after
    `deadline` (time.monotonic())."""
    (size,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size, deadline))
    return pickle.loads(_read_exactly(fd, size, deadline))


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    left = size
    while left:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError("the pipe was closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# --- in the child ----------------------------------------------------------------------------


def serve(parent: int) -> None:
    """Answer requests until the worker closes the pipe (or dies)."""
    from indexer import segment_workers
    from indexer.processing import process_and_analyze, watch_parent

    watch_parent(parent)
    # Answers go to a pipe of their own: whatever a library prints goes to stderr instead.
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    handlers: dict[str, Callable[..., Any]] = {
        "process": process_and_analyze,
        "write": segment_workers.write_one,
        "finish": segment_workers.take_segments,
    }
    requests = sys.stdin.buffer.fileno()
    while True:
        try:
            name, *args = read_frame(requests)
        except EOFError:
            return
        try:
            answer: tuple[str, Any] = ("ok", handlers[name](*args))
        except Exception as error:  # noqa: BLE001 - re-raised in the worker
            answer = ("raise", error)
        _write_bytes(answers, _dumps(answer))


if __name__ == "__main__":
    serve(int(sys.argv[1]))
