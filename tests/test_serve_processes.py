"""`report-search serve --processes N`: several gunicorn workers answer concurrent requests
through a live rebuild without an error, and `/metrics` adds up every worker's requests."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from test_reliability import _wait_until_up, cli, free_port

from bench.loadtest import get_json, run_load
from indexer.pipeline import run

PROCESSES = 2
CLIENTS = 8
PATHS = [
    "/api/search?q=remittances",
    "/api/search?q=recruitment&country=Philippines",
    "/search?q=climate+finance",
    "/api/suggest?q=rem",
    "/api/stats",
]


@pytest.mark.timeout(120)
def test_processes_answer_through_a_live_rebuild(corpus_dir: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    first = run([corpus_dir], index_dir, workers=1).generation
    port = free_port()
    log = tmp_path / "server.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            cli(
                "serve",
                *("--port", str(port), "--index-dir", str(index_dir)),
                *("--processes", str(PROCESSES), "--threads", "2"),
            ),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(port, server)
        assert _wait_for_children(server.pid, PROCESSES) == PROCESSES
        rebuilt: list[int] = []
        stop = threading.Event()

        def rebuild_twice() -> None:
            try:
                for _ in range(2):
                    time.sleep(1.0)
                    rebuilt.append(run([corpus_dir], index_dir, rebuild=True).generation)
                time.sleep(1.0)
            finally:
                stop.set()

        rebuilder = threading.Thread(target=rebuild_twice)
        rebuilder.start()
        result = run_load(port, PATHS, clients=CLIENTS, seconds=60, stop=stop)
        rebuilder.join()
        metrics = _metrics(port)
    finally:
        server.terminate()
        server.wait(20)
    text = log.read_text("utf-8", "replace")
    assert "Traceback" not in text, text

    failed = [(s.status, s.path, s.error) for s in result.samples if s.status != 200]
    assert result.samples and not failed, failed[:10]
    assert rebuilt == [first + 1, first + 2]
    seen = {s.generation for s in result.samples}
    assert str(first + 2) in seen  # the workers followed the rebuilds
    served = sum(
        s.value
        for s in metrics["report_search_requests"]
        if s.name == "report_search_requests_total"
    )
    # Counted by both workers and added up (one worker alone answers only a part of them).
    assert served >= len(result.samples) + 1  # and the health checks


def _wait_for_children(pid: int, expected: int, seconds: float = 30.0) -> int:
    """How many worker processes the server has once it has `expected` (or time is up):
    the first worker may answer before the master has forked the next one."""
    deadline = time.monotonic() + seconds
    while len(_children(pid)) < expected and time.monotonic() < deadline:
        time.sleep(0.2)
    return len(_children(pid))


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "--ppid", str(pid), "-o", "pid="], capture_output=True, text=True)
    return [int(line) for line in out.stdout.split()]


def _metrics(port: int) -> dict[str, list]:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/metrics")
        body = connection.getresponse().read().decode()
    finally:
        connection.close()
    return {f.name: f.samples for f in text_string_to_metric_families(body)}


def test_health_answers_from_each_process(corpus_dir: Path, tmp_path: Path) -> None:
    """Each worker opens the index itself: health reports the same generation from all."""
    index_dir = tmp_path / "index"
    generation = run([corpus_dir], index_dir, workers=1).generation
    port = free_port()
    server = subprocess.Popen(
        cli("serve", "--port", str(port), "--index-dir", str(index_dir), "--processes", "2"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(port, server)
        _wait_until_every_worker_is_ready(port)
        answers = _ready_generations(port, 20)
    finally:
        server.terminate()
        server.wait(20)
    assert set(answers) == {generation}


def _ready_generations(port: int, count: int, seconds: float = 150.0) -> list[int]:
    """The generations of `count` health answers from ready workers. A worker still warming up
    on a busy machine says "starting" (503) even after 20 answers in a row from the other one
    (connections are not dealt out in turn): it is asked again, not counted."""
    deadline = time.monotonic() + seconds
    answers: list[int] = []
    while len(answers) < count and time.monotonic() < deadline:
        try:
            answers.append(get_json(port, "/api/health")["generation"])
        except RuntimeError:
            time.sleep(0.2)
    assert len(answers) == count, "the workers did not all become ready"
    return answers


def _wait_until_every_worker_is_ready(port: int, seconds: float = 150.0) -> None:
    """Until 20 health checks in a row answer 200: each worker says "starting" (503) until
    its own warm-up is done, and the first one up may answer before the others are."""
    deadline = time.monotonic() + seconds
    in_a_row = 0
    while in_a_row < 20 and time.monotonic() < deadline:
        try:
            get_json(port, "/api/health")
            in_a_row += 1
        except RuntimeError:
            in_a_row = 0
            time.sleep(0.2)
