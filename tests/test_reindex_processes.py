"""`POST /api/index` under `report-search serve --processes 2`: the index's write lock lets
exactly one of concurrent requests start a run, every process answers `/api/index/status`
from the same record, and the outcome outlives the worker process that ran it."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from test_reliability import _wait_until_up, cli, free_port
from test_serve_processes import _children, _wait_for_children

from indexer.pipeline import run
from search_app.web.reindex import GONE

TOKEN = "s3cret"
CALLERS = 6


def _request(port: int, method: str, path: str) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Authorization": f"Bearer {TOKEN}"} if method == "POST" else {}
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def _statuses(port: int, polls: int = 8) -> list[dict]:
    """/api/index/status, asked `polls` times on fresh connections (any worker answers)."""
    return [_request(port, "GET", "/api/index/status")[1] for _ in range(polls)]


def _wait_for_state(port: int, state: str, seconds: float = 120.0) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = _request(port, "GET", "/api/index/status")[1]
        if status["state"] == state:
            return status
        assert status["state"] == "running", status
        time.sleep(0.3)
    raise AssertionError(f"no {state!r} in time: {status}")


@pytest.mark.timeout(240)
def test_one_reindex_at_a_time_across_processes(corpus_dir: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    run([corpus_dir], index_dir, workers=1)
    port = free_port()
    env = {**os.environ, "REPORT_SEARCH_API_TOKEN": TOKEN, "REPORT_SEARCH_CORPUS": str(corpus_dir)}
    log = tmp_path / "server.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            cli(
                "serve",
                *("--port", str(port), "--index-dir", str(index_dir), "--processes", "2"),
            ),
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        _wait_until_up(port, server)
        assert _wait_for_children(server.pid, 2) == 2

        # Concurrent callers: one 202, the rest 409 already_running.
        answers: list[tuple[int, dict]] = []
        barrier = threading.Barrier(CALLERS)

        def post() -> None:
            barrier.wait()
            answers.append(_request(port, "POST", "/api/index"))

        threads = [threading.Thread(target=post) for _ in range(CALLERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        codes = sorted(code for code, _ in answers)
        assert codes == [202] + [409] * (CALLERS - 1), answers
        refused = [body["error"]["code"] for code, body in answers if code == 409]
        assert set(refused) == {"already_running"}
        during = _statuses(port)
        assert {s["state"] for s in during} <= {"running", "done"}, during
        done = _wait_for_state(port, "done")
        assert done["summary"]["by_status"] == {"unchanged": 5}
        assert str(tmp_path) not in json.dumps(done)

        # Every worker killed: their replacements answer the same outcome.
        for pid in _children(server.pid):
            os.kill(pid, signal.SIGKILL)
        time.sleep(1.0)
        _wait_until_up(port, server)
        assert _wait_for_children(server.pid, 2) == 2
        assert {s["state"] for s in _statuses(port)} == {"done"}

        # A worker that dies in the middle of a run: the run reads as failed, and the lock
        # it held is free for the next one.
        assert _request(port, "POST", "/api/index")[0] == 202
        for pid in _children(server.pid):
            os.kill(pid, signal.SIGKILL)
        time.sleep(1.0)
        _wait_until_up(port, server)
        failed = _request(port, "GET", "/api/index/status")[1]
        assert failed["state"] == "failed", failed
        assert failed["error"] == GONE
        code, body = _request(port, "POST", "/api/index")
        assert code == 202, body
        _wait_for_state(port, "done")
    finally:
        server.terminate()
        server.wait(20)
