"""Indexing on a real Dask cluster on 127.0.0.1: a scheduler and two worker processes started
and stopped here; one worker is killed mid-run, and the scheduler goes away in another run."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from test_reliability import free_port, make_corpus

from indexer.cluster import ClusterError, run_job
from indexer.extraction import Limits, file_hash
from indexer.index import generations
from indexer.pipeline import run
from indexer.processing import Job, process_and_analyze

distributed = pytest.importorskip("distributed")
DASK = str(Path(sys.executable).with_name("dask"))
SPEECHES = 40


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("cluster"), 2023, SPEECHES)


@pytest.fixture(scope="module")
def local_index(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("local") / "index"
    report = run([corpus], index_dir, workers=2)
    assert report.counts() == {"indexed": SPEECHES + 1}
    return index_dir


@contextmanager
def cluster(tmp_path: Path, workers: int = 2) -> Iterator[tuple[str, subprocess.Popen, list]]:
    """A scheduler and `workers` single-thread workers (no nanny: a killed one stays dead)."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = open(tmp_path / "dask.log", "wb")  # noqa: SIM115 - closed below
    scheduler = subprocess.Popen(
        [DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        stdout=logs,
        stderr=subprocess.STDOUT,
    )
    processes = [scheduler]
    try:
        for number in range(workers):
            processes.append(
                subprocess.Popen(
                    [DASK, "worker", address, "--nthreads", "1", "--no-nanny"]
                    + ["--no-dashboard", "--name", f"w{number}", "--host", "127.0.0.1"],
                    stdout=logs,
                    stderr=subprocess.STDOUT,
                )
            )
        with distributed.Client(address, timeout=30) as client:
            client.wait_for_workers(workers, timeout=30)
        yield address, scheduler, processes[1:]
    finally:
        for process in reversed(processes):
            process.kill()
            process.wait(10)
        logs.close()


def all_passages(index_dir: Path) -> list[dict]:
    index = generations.open_current(index_dir)
    with index.searcher() as searcher:
        return sorted(searcher.reader().all_stored_fields(), key=lambda f: f["passage_id"])


def worker_named(client, name: str) -> str:
    return next(a for a, w in client.scheduler_info()["workers"].items() if w["name"] == name)


def kill_when_busy(address: str, name: str, process: subprocess.Popen) -> float:
    """Kill the worker `name` a second after it starts reading files (it has done some and
    holds others)."""
    with distributed.Client(address, timeout=30) as client:
        worker = worker_named(client, name)
        while not client.processing().get(worker):
            time.sleep(0.05)
        time.sleep(1.0)
    process.kill()
    process.wait(10)
    return time.monotonic()


@pytest.mark.timeout(120)
def test_a_killed_worker_costs_a_retry_of_its_files(
    corpus: Path, local_index: Path, tmp_path: Path
) -> None:
    import threading

    index_dir = tmp_path / "index"
    with cluster(tmp_path) as (address, _, workers):
        killed: list[float] = []
        killer = threading.Thread(
            target=lambda: killed.append(kill_when_busy(address, "w0", workers[0]))
        )
        killer.start()
        report = run([corpus], index_dir, rebuild=True, cluster=address)
        finished = time.monotonic()
        killer.join()
    assert killed and killed[0] < finished, "the worker was killed after the run"
    assert workers[0].returncode is not None
    assert report.counts() == {"indexed": SPEECHES + 1}, report.summary()["failures"]
    # The same passages, fields and all, as a run on local worker processes.
    assert all_passages(index_dir) == all_passages(local_index)
    local = generations.load_manifest(generations.current_generation(local_index))
    remote = generations.load_manifest(generations.current_generation(index_dir))
    drop = ("indexed_at", "added_at", "changed_at")
    assert {k: {f: v for f, v in r.items() if f not in drop} for k, r in remote.items()} == {
        k: {f: v for f, v in r.items() if f not in drop} for k, r in local.items()
    }


@pytest.mark.timeout(120)
def test_a_scheduler_that_goes_away_fails_the_run_and_keeps_the_live_index(
    corpus: Path, local_index: Path, tmp_path: Path
) -> None:
    import shutil
    import threading

    index_dir = tmp_path / "index"
    shutil.copytree(local_index, index_dir)
    live = generations.current_generation(index_dir)
    with cluster(tmp_path, workers=1) as (address, scheduler, _):

        def stop_scheduler() -> None:
            with distributed.Client(address, timeout=30) as client:
                while not any(client.processing().values()):
                    time.sleep(0.05)
            scheduler.kill()

        threading.Thread(target=stop_scheduler).start()
        with pytest.raises(ClusterError, match="stopped answering"):
            run([corpus], index_dir, rebuild=True, cluster=address)
    assert generations.current_generation(index_dir) == live
    assert [p.name for p in (index_dir / generations.GENERATIONS).iterdir()] == [live.name]
    assert all_passages(index_dir) == all_passages(local_index)


def test_no_scheduler_is_a_clear_error(corpus: Path, tmp_path: Path) -> None:
    with pytest.raises(ClusterError, match="cannot reach the Dask scheduler"):
        run([corpus], tmp_path / "index", cluster=f"tcp://127.0.0.1:{free_port()}")
    assert generations.current_generation(tmp_path / "index") is None


def test_a_file_sent_to_a_worker_indexes_as_read_in_place(corpus: Path) -> None:
    """Workers that do not share the folder get the file, its sidecar and metadata.csv."""
    from indexer.cluster import _payload

    path = sorted((corpus / "ungdc").rglob("*.txt"))[0]
    job = Job(path, corpus, f"corpus/{path.relative_to(corpus).as_posix()}", file_hash(path))
    payload = _payload(job)
    assert set(payload) == {
        path.relative_to(corpus).as_posix(),
        "ungdc/metadata.csv",
    }
    sent = run_job(job, Limits(), payload)
    here = process_and_analyze(job, Limits())
    assert sent[1] == here[1].__class__(**{**here[1].__dict__, "seconds": sent[1].seconds})
    assert sent[0].document == here[0].document
    assert sent[0].passages == here[0].passages and sent[0].metadata == here[0].metadata
    assert sent[2] == here[2] and sent[3] == here[3]
