"""The 1 MB body limit holds for chunked bodies (no Content-Length) under both servers:
waitress (one process) and gunicorn (`--processes 2`), which streams them to the app."""

from __future__ import annotations

import contextlib
import http.client
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_reliability import _wait_until_up, cli, free_port

from indexer.pipeline import run

TOKEN = "s3cret"


def _chunked(port: int, method: str, path: str, size: int, token: bool = False) -> int:
    """The status of a request whose `size`-byte body is sent in chunks, without a length."""

    def body() -> Iterator[bytes]:
        sent = 0
        while sent < size:
            chunk = b"x" * min(64 * 1024, size - sent)
            sent += len(chunk)
            yield chunk

    headers = {"Authorization": f"Bearer {TOKEN}"} if token else {}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        # The server may answer 413 and close before the whole body is sent: its answer is
        # still there to read.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.request(method, path, body=body(), headers=headers, encode_chunked=True)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("processes", ["1", "2"])
def test_chunked_bodies_over_1_mb_get_413(processes: str, corpus_dir: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    run([corpus_dir], index_dir, workers=1)
    port = free_port()
    env = {**os.environ, "REPORT_SEARCH_API_TOKEN": TOKEN, "REPORT_SEARCH_CORPUS": str(corpus_dir)}
    server = subprocess.Popen(
        cli("serve", "--port", str(port), "--index-dir", str(index_dir), "--processes", processes),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        _wait_until_up(port, server)
        assert _chunked(port, "GET", "/api/search?q=remittances", 2_000_000) == 413
        assert _chunked(port, "POST", "/api/index", 2_000_000, token=True) == 413
        assert _chunked(port, "GET", "/search?q=remittances", 1024 * 1024 + 1) == 413
        assert _chunked(port, "GET", "/api/search?q=remittances", 100_000) == 200
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/api/index/status")
        assert b'"idle"' in connection.getresponse().read()  # the refused POST started nothing
        connection.close()
    finally:
        server.terminate()
        server.wait(20)
