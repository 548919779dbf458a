"""Asks never starve searches, and the server is ready when it says so: a bounded pool of
questions (503 `busy` beyond it) and /api/health at 200 only once the model is loaded."""

from __future__ import annotations

import statistics
import subprocess
import threading
import time
from pathlib import Path

import pytest
from test_reliability import cli, free_port

from bench.loadtest import HOST, run_load
from search_app.web.ask_gate import AskGate

ASK = "/api/ask?q=When+did+UNITAR+take+over+the+chairmanship+of+the+Global+Migration+Group"
SEARCH = "/api/search?q=remittances"


def test_the_gate_lets_in_its_slots_and_refuses_the_rest_at_once() -> None:
    gate = AskGate(running=1, slots=2, wait=5.0)
    inside, release = threading.Event(), threading.Event()
    order: list[str] = []

    def first() -> None:
        with gate.turn():
            inside.set()
            release.wait(5)
            order.append("first")

    def second() -> None:
        with gate.turn():  # waits for the first's turn: one computes at a time
            order.append("second")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert inside.wait(5)
    threads[1].start()
    deadline = time.monotonic() + 5
    while gate.admitted < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    with pytest.raises(Exception) as refused, gate.turn():
        pass
    assert time.monotonic() - started < 0.5  # at once, not after a wait
    assert getattr(refused.value, "status", None) == 503
    assert getattr(refused.value, "code", None) == "busy"
    release.set()
    for thread in threads:
        thread.join(5)
    assert order == ["first", "second"]
    assert gate.admitted == 0
    with gate.turn():  # free again
        pass


def test_an_ask_that_waits_too_long_for_its_turn_is_refused() -> None:
    gate = AskGate(running=1, slots=3, wait=0.2)
    release = threading.Event()
    holder = threading.Thread(target=lambda: _hold(gate, release))
    holder.start()
    time.sleep(0.1)
    with pytest.raises(Exception, match="retry"), gate.turn():
        pass
    release.set()
    holder.join(5)


def _hold(gate: AskGate, release: threading.Event) -> None:
    with gate.turn():
        release.wait(5)


@pytest.mark.timeout(240)
def test_an_ask_storm_leaves_searches_their_threads(small_index: Path, tmp_path: Path) -> None:
    """A real server (4 threads, so 2 ask slots): 8 clients asking at once get answers or
    503 busy with Retry-After; searches sent meanwhile all answer, about as fast as alone.
    Before the first 200 from /api/health it answers 503 "starting", /api/live 200, and
    the first ask after it is answered at its usual speed."""
    port = free_port()
    log = tmp_path / "server.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            cli("serve", "--port", str(port), "--index-dir", str(small_index), "--threads", "4"),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        health = _statuses_until_ready(port, server)
        assert health[-1] == 200
        assert 503 in health, "health said ok before the warm-up had loaded the model"
        first = run_load(port, [ASK], clients=1, seconds=60, max_requests=1)
        assert first.samples[0].status == 200
        # The target is 2 s (docs/qa.md); 5 on a shared, loaded test machine. Before the
        # model loaded with the warm-up, the first ask took 8-58 s.
        assert first.samples[0].seconds < 5.0, first.summary()
        quiet = run_load(port, [SEARCH], clients=1, seconds=3)
        stop = threading.Event()
        storm: list = []
        asking = threading.Thread(
            target=lambda: storm.append(run_load(port, [ASK], clients=8, seconds=30, stop=stop))
        )
        asking.start()
        time.sleep(0.5)
        during = run_load(port, [SEARCH], clients=1, seconds=4)
        stop.set()
        asking.join(60)
        asks = storm[0]
        statuses = {s.status for s in asks.samples}
        assert statuses <= {200, 503}, asks.summary()
        assert 503 in statuses and 200 in statuses, asks.summary()
        assert {s.status for s in during.samples} == {200}
        quiet_p50 = statistics.median(s.seconds for s in quiet.samples)
        during_p50 = statistics.median(s.seconds for s in during.samples)
        print(f"\n[ask storm] search p50 quiet {quiet_p50:.3f} s, during {during_p50:.3f} s")
        # Loose on a shared machine: searches do not queue behind the asks.
        assert during_p50 < 4 * quiet_p50 + 0.1
        assert _retry_after(port) == "1"
    finally:
        server.terminate()
        server.wait(20)
    assert "Traceback" not in log.read_text("utf-8", "replace")


def _statuses_until_ready(port: int, server: subprocess.Popen, seconds: float = 150) -> list[int]:
    """/api/health's status codes, polled until the first 200; /api/live answers 200 once
    the server listens, ready or not."""
    import http.client

    seen: list[int] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            for path in ("/api/live", "/api/health"):
                connection = http.client.HTTPConnection(HOST, port, timeout=5)
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                connection.close()
                if path == "/api/live":
                    assert response.status == 200
                else:
                    seen.append(response.status)
            if seen[-1] == 200:
                return seen
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"not ready in {seconds} s: {seen[-5:]}")


def _retry_after(port: int) -> str | None:
    """The Retry-After of a 503 busy, got by asking from more clients than there are slots."""
    import http.client

    found: list[str] = []

    def ask() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        for _ in range(5):
            connection.request("GET", ASK)
            response = connection.getresponse()
            response.read()
            if response.status == 503:
                found.append(response.getheader("Retry-After") or "")
        connection.close()

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return found[0] if found else None
