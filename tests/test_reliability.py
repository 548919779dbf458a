"""Keep serving, lose nothing: load, re-indexing under load, crashes, a full disk.

The load tests start the real server (`report-search serve`, waitress) on 127.0.0.1 against a
real index of the seed report and General Debate speeches, and print their figures (run with
`-s`, as `make test-reliability` does). REPORT_SEARCH_LOAD_SECONDS shortens the load test.
"""

from __future__ import annotations

import csv
import http.client
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlencode

import pytest
from paths import SEED

from bench.loadtest import LoadResult, default_mix, get_json, run_load
from indexer.index.generations import GENERATIONS, current_generation, generation_number
from indexer.pipeline import run
from search_app.web import create_app

ROOT = Path(__file__).resolve().parents[1]
UNGDC = ROOT / "corpus" / "ungdc"

LOAD_SECONDS = float(os.environ.get("REPORT_SEARCH_LOAD_SECONDS", "60"))
CLIENTS = 16
SPEECHES = 100  # per corpus in the load tests
QUERIES = ("migration", "climate change", "peace OR security", '"human rights"', "develop*")
# Longer than the default: module fixtures index speeches, and the subprocesses here have
# their own limits of up to 300 s each.
pytestmark = pytest.mark.timeout(900)


# ---------------------------------------------------------------- corpora and processes


def make_corpus(folder: Path, year: int, count: int) -> Path:
    """The seed report and the first `count` General Debate speeches of `year`."""
    corpus = folder / "corpus"
    (corpus / "ungdc" / str(year)).mkdir(parents=True)
    shutil.copy(SEED, corpus / SEED.name)
    (corpus / (SEED.name + ".meta.json")).write_text(
        json.dumps({"date": "2009-12-01", "doc_type": "report"}), "utf-8"
    )
    with open(UNGDC / "metadata.csv", encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["file"].startswith(f"{year}/")]
    rows = sorted(rows, key=lambda r: r["file"])[:count]
    for row in rows:
        shutil.copy(UNGDC / row["file"], corpus / "ungdc" / row["file"])
    with open(corpus / "ungdc" / "metadata.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return corpus


def document_ids(corpus: Path) -> set[str]:
    """The ids the indexer gives the corpus's reports (root name + relative path)."""
    return {
        (Path(corpus.name) / p.relative_to(corpus)).as_posix()
        for p in corpus.rglob("*.txt")
        if p.name != "README.txt"
    }


def cli(*args: str) -> list[str]:
    """The report-search command as this interpreter runs it."""
    script = Path(sys.executable).with_name("report-search")
    return (
        [str(script), *args] if script.exists() else [sys.executable, "-m", "search_app.cli", *args]
    )


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(index_dir: Path, log: Path) -> Iterator[int]:
    """`report-search serve` on a free local port; yields the port once /api/health answers."""
    port = free_port()
    with open(log, "wb") as output:
        server = subprocess.Popen(
            cli("serve", "--host", "127.0.0.1", "--port", str(port), "--index-dir", str(index_dir)),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(port, server)
            yield port
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    assert "Traceback" not in log.read_text("utf-8", "replace"), log.read_text("utf-8")


def _wait_until_up(port: int, server: subprocess.Popen, timeout: float = 150.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server exited with {server.returncode}")
        try:
            get_json(port, "/api/health", timeout=5)
            return
        except (OSError, RuntimeError, http.client.HTTPException):
            time.sleep(0.2)
    raise AssertionError("the server did not answer /api/health in time")


def report_figures(title: str, result: LoadResult, **extra: object) -> dict:
    figures = {**result.summary(), **extra}
    print(f"\n[reliability] {title}: {json.dumps(figures)}")
    return figures


def assert_all_answered(result: LoadResult) -> None:
    """No connection errors, no 5xx: every request got a 200, but for questions beyond the
    bounded ask pool, which get 503 busy at once (so that searches keep their threads)."""
    failed = [
        s
        for s in result.samples
        if s.status != 200 and not (s.status == 503 and s.path.startswith("/api/ask"))
    ]
    assert result.samples, "no requests were made"
    assert not failed, [(s.status, s.path, s.error) for s in failed[:10]]
    asked = [s for s in result.samples if s.path.startswith("/api/ask")]
    assert not asked or any(s.status == 200 for s in asked), "no question was answered"


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def speeches(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two corpora that differ in a known way (2023 vs 2024 speeches) and an index of the first."""
    base = tmp_path_factory.mktemp("speeches")
    old = make_corpus(base / "old", 2023, SPEECHES)
    new = make_corpus(base / "new", 2024, SPEECHES)
    index_dir = base / "index"
    report = run([old], index_dir, workers=2)
    assert report.counts() == {"indexed": SPEECHES + 1}, report.summary()["failures"]
    return {"old": old, "new": new, "index": index_dir, "base": base}


# ---------------------------------------------------------------- load


@pytest.mark.reliability
def test_sixteen_clients_get_only_200s_or_a_busy_ask(
    speeches: dict[str, Path], tmp_path: Path
) -> None:
    with serving(speeches["index"], tmp_path / "server.log") as port:
        result = run_load(port, default_mix(port), clients=CLIENTS, seconds=LOAD_SECONDS)
        oversized = _oversized_requests(port)
    report_figures("load", result)
    assert oversized == {"url": 431, "body": 413}, oversized
    assert_all_answered(result)
    kinds = Counter(_kind(s.path) for s in result.samples)
    assert {"/api/search", "/search", "/documents", "/api/documents", "/api/suggest"} <= set(kinds)


def _oversized_requests(port: int) -> dict[str, int]:
    """Statuses for a 300 kB URL and a request announcing a 2 MB body: waitress refuses both
    as soon as it has read the request line and headers. (Sending the 2 MB as well raced the
    refusal: the connection, closed with body still unread, was reset before the 413 read.)"""
    statuses = {}
    for name, method, path, length in [
        ("url", "GET", "/api/search?q=" + "a" * 300_000, None),
        ("body", "POST", "/api/index", 2_000_000),
    ]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.putrequest(method, path)
            if length is not None:
                connection.putheader("Content-Length", str(length))
            connection.endheaders()
            response = connection.getresponse()
            response.read()
            statuses[name] = response.status
        finally:
            connection.close()
    return statuses


def _kind(path: str) -> str:
    """/api/documents/x/y?q=1 -> /api/documents"""
    parts = path.split("?")[0].split("/")
    return "/".join(parts[:3] if parts[1] == "api" else parts[:2])


@pytest.mark.reliability
def test_rebuild_under_load_never_fails_or_mixes_generations(
    speeches: dict[str, Path], tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(speeches["index"], index_dir)
    old_gen = generation_number(current_generation(index_dir))
    expected = {  # what each generation may show: its own speeches and years, never the other's
        old_gen: (document_ids(speeches["old"]), {2009, 2023}),
        old_gen + 1: (document_ids(speeches["new"]), {2009, 2024}),
    }
    with serving(index_dir, tmp_path / "server.log") as port:
        pick = _consistency_mix()
        stop = threading.Event()
        results: list[LoadResult] = []
        load = threading.Thread(
            target=lambda: results.append(
                run_load(port, pick, clients=CLIENTS, seconds=400, stop=stop, keep_body=_is_api)
            )
        )
        load.start()
        time.sleep(3)  # traffic on the old generation first
        started = time.monotonic()
        rebuild = subprocess.run(
            cli("index", str(speeches["new"]), "--rebuild", "--index-dir", str(index_dir)),
            capture_output=True,
            text=True,
            timeout=300,
        )
        swapped = time.monotonic()
        time.sleep(4)  # and on the new one after the swap, without a restart
        stop.set()
        load.join()
    assert rebuild.returncode == 0, rebuild.stderr
    result = results[0]
    during = [s for s in result.samples if started <= s.started < swapped]
    report_figures(
        "rebuild under load",
        result,
        rebuild_seconds=round(swapped - started, 1),
        requests_during_rebuild=len(during),
    )
    assert_all_answered(result)
    _assert_consistent(result, expected)
    after = [s for s in result.samples if s.started > swapped]
    assert after and {s.generation for s in after} == {str(old_gen + 1)}
    assert {s.generation for s in result.samples if s.started < started} == {str(old_gen)}


def _is_api(path: str) -> bool:
    return path.startswith("/api/search")


def _consistency_mix():
    """Searches and facet clicks (kept for checking), pages and the seed document."""
    seed_id = f"corpus/{SEED.name}"
    paths = [f"/api/search?{urlencode({'q': q})}" for q in QUERIES]
    paths += [f"/api/search?{urlencode({'q': q, 'doc_type': 'speech'})}" for q in QUERIES[:2]]
    paths += ["/api/search?" + urlencode({"q": "migration", "group": "passage", "per_page": 50})]
    paths += [f"/search?{urlencode({'q': q})}" for q in QUERIES[:3]]
    paths += [f"/documents/{seed_id}", f"/api/documents/{seed_id}", "/api/stats"]
    return paths


def _assert_consistent(result: LoadResult, expected: dict[int, tuple[set[str], set[int]]]) -> None:
    """Each kept response fits the generation it names; one URL, one generation, one answer."""
    answers: dict[tuple[str, str], tuple] = {}
    checked = 0
    for sample in result.samples:
        assert sample.generation is not None and int(sample.generation) in expected, sample
        if sample.body is None:
            continue
        ids, years = expected[int(sample.generation)]
        body = json.loads(sample.body)
        for hit in body["results"]:
            assert hit["document_id"] in ids, (sample.generation, hit["document_id"])
            assert set(hit["year"]) <= years, (sample.generation, hit["year"])
        assert {f["value"] for f in body["facets"]["year"]} <= years, sample.generation
        answer = (body["total"], tuple(h["passage_id"] for h in body["results"]))
        assert answers.setdefault((sample.generation, sample.path), answer) == answer
        checked += 1
    assert checked > 0
    assert {g for g, _ in answers} == {str(g) for g in expected}, "both generations were seen"


# ---------------------------------------------------------------- crashes

# Run in a child process: kill it (SIGKILL, as `kill -9` would) at one point of an indexing run.
CRASH_CHILD = """
import os, signal, sys
import whoosh.writing
from indexer import pipeline
from indexer.index import generations
from search_app.cli import main

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

point = sys.argv.pop(1)
if point == "extract":    # the first file is back from a worker; the others are being extracted
    pipeline._apply = die
elif point == "write":    # segment files written, the Whoosh table of contents not yet
    whoosh.writing.SegmentWriter._commit_toc = die
elif point == "toc":      # the Whoosh commit just became visible; nothing after it ran
    real_commit_toc = whoosh.writing.SegmentWriter._commit_toc
    def commit_toc_then_die(self, *args, **kwargs):
        real_commit_toc(self, *args, **kwargs)
        die()
    whoosh.writing.SegmentWriter._commit_toc = commit_toc_then_die
elif point == "commit":   # the Whoosh commit is done; manifest, report, publish are not
    generations.save_manifest = die
elif point == "publish":  # CURRENT.tmp written, not yet renamed over CURRENT
    real_replace = os.replace
    def replace(src, dst, *args, **kwargs):
        if str(dst).endswith(generations.CURRENT):
            die()
        return real_replace(src, dst, *args, **kwargs)
    os.replace = replace
sys.exit(main())
"""
CRASH_SPEECHES = 12


@pytest.fixture(scope="module")
def crash_base(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("crash")
    corpus = make_corpus(base, 2023, CRASH_SPEECHES)
    run([corpus], base / "index", workers=2)
    return {"corpus": corpus, "index": base / "index"}


def search_total(client, q: str) -> tuple[int, str | None]:
    response = client.get("/api/search?" + urlencode({"q": q}))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["total"], response.headers.get("X-Index-Generation")


@pytest.mark.reliability
@pytest.mark.parametrize(
    ("mode", "point"),
    [
        ("rebuild", "extract"),
        ("rebuild", "write"),
        ("rebuild", "commit"),
        ("rebuild", "publish"),
        ("incremental", "write"),
        ("incremental", "commit"),
    ],
)
def test_killed_indexer_leaves_the_last_good_index_serving(
    crash_base: dict[str, Path], tmp_path: Path, mode: str, point: str
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(crash_base["corpus"], corpus)
    index_dir = tmp_path / "index"
    shutil.copytree(crash_base["index"], index_dir)
    live = current_generation(index_dir)
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    before = search_total(client, "migration")
    changed = corpus / "ungdc" / "2023" / sorted(os.listdir(corpus / "ungdc" / "2023"))[0]
    if mode == "incremental":  # something for the incremental run to write
        changed.write_text(changed.read_text("utf-8") + "\n\nZanzibarite quokkas.\n", "utf-8")

    started = time.monotonic()
    extra = ["--rebuild"] if mode == "rebuild" else []
    _kill_at(point, corpus, index_dir, tmp_path / "child.log", extra)
    killed_after = time.monotonic() - started

    # The live generation still answers, in this app and after a restart.
    assert current_generation(index_dir) == live
    fresh = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    if mode == "rebuild":
        assert search_total(client, "migration") == before
        assert search_total(fresh, "migration") == before
    else:  # a killed in-place commit either happened or did not: either way it answers
        assert search_total(client, "migration")[0] > 0
        assert search_total(fresh, "migration")[0] > 0

    # The next run needs no clean-up; half-written generations are gone.
    report = run([corpus], index_dir, workers=2)
    assert set(report.counts()) <= {"unchanged", "indexed"}, report.summary()
    assert current_generation(index_dir) == live
    assert [p.name for p in (index_dir / GENERATIONS).iterdir()] == [live.name]
    if mode == "incremental":
        assert search_total(fresh, "zanzibarite")[0] == 1
    print(f"\n[reliability] crash {mode}/{point}: killed after {killed_after:.1f} s, recovered")


def _kill_at(
    point: str, corpus: Path, index_dir: Path, log: Path, extra: list[str] | None = None
) -> None:
    """Run `report-search index` (incremental unless `extra` says --rebuild) in a child and
    SIGKILL it at `point`."""
    args = ["index", str(corpus), "--index-dir", str(index_dir), "--workers", "2", *(extra or [])]
    with open(log, "wb") as output:
        child = subprocess.Popen(
            [sys.executable, "-c", CRASH_CHILD, point, *args],
            cwd=ROOT,
            start_new_session=True,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        assert child.wait(timeout=300) == -signal.SIGKILL, log.read_text("utf-8")
        _assert_no_orphans(child.pid)
    finally:
        _kill_group(child.pid)


@pytest.mark.reliability
def test_killed_between_the_commit_and_the_manifest_the_index_stays_consistent(
    crash_base: dict[str, Path], tmp_path: Path
) -> None:
    """Issue 16, defect 6: search showed the new documents while the manifest (stats, pages,
    API entries, files) did not know them, until the next run."""
    corpus = tmp_path / "corpus"
    shutil.copytree(crash_base["corpus"], corpus)
    index_dir = tmp_path / "index"
    shutil.copytree(crash_base["index"], index_dir)
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    documents = client.get("/api/stats").get_json()["documents"]
    new = corpus / "ungdc" / "2023" / "new-zanzibarite.txt"
    new.write_text(("Zanzibarite quokkas migrate between islands. " * 40 + "\n\n") * 3, "utf-8")

    _kill_at("toc", corpus, index_dir, tmp_path / "child.log")

    for app_client in (
        client,
        create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client(),
    ):
        found = app_client.get("/api/search?q=zanzibarite").get_json()
        # The commit happened ...
        [document_id] = {result["document_id"] for result in found["results"]}
        assert document_id == "corpus/ungdc/2023/new-zanzibarite.txt"
        # ... and so did the manifest: every way to the new document answers.
        assert app_client.get("/api/stats").get_json()["documents"] == documents + 1
        for path in (
            f"/api/documents/{document_id}",
            f"/api/documents/{document_id}/file",
            f"/documents/{document_id}",
        ):
            assert app_client.get(path).status_code == 200, path
    report = run([corpus], index_dir, workers=2)
    assert set(report.counts()) == {"unchanged"}, report.summary()
    live = current_generation(index_dir)
    assert not list(live.glob("documents.*.json")), "the next run settles the manifest"


def _assert_no_orphans(pgid: int, timeout: float = 10.0) -> None:
    """The killed indexer's worker processes exit by themselves (they hold its lock)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    raise AssertionError("worker processes outlived the killed indexer")


def _kill_group(pgid: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


# ---------------------------------------------------------------- full disk, bad folders


def _file_size_limit(limit: int):
    """For a child: writes past `limit` bytes fail with EFBIG, as on a full disk.

    We run as root, so chmod cannot make a folder unwritable; RLIMIT_FSIZE works for any user.
    Python ignores SIGXFSZ, so the write raises OSError instead of killing the process.
    """

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_full_disk_stops_the_run_with_a_message_and_keeps_the_live_index(
    crash_base: dict[str, Path], tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(crash_base["index"], index_dir)
    live = current_generation(index_dir)
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    before = search_total(client, "migration")

    args = cli("index", str(crash_base["corpus"]), "--rebuild", "--index-dir", str(index_dir))
    result = subprocess.run(
        args, capture_output=True, text=True, timeout=300, preexec_fn=_file_size_limit(200_000)
    )

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Error: indexing stopped, the live index is unchanged" in result.stderr
    assert "File too large" in result.stderr
    assert current_generation(index_dir) == live
    assert [p.name for p in (index_dir / GENERATIONS).iterdir()] == [live.name]
    assert search_total(client, "migration") == before
    ok = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr


def test_a_full_disk_in_an_incremental_run_leaves_no_temporary_files(
    crash_base: dict[str, Path], tmp_path: Path
) -> None:
    """Issue 16, defect 5: MAIN.tmp/*.ctmp stayed in the live generation, the disk stayed full
    and every later run failed, until someone deleted them by hand."""
    corpus = tmp_path / "corpus"
    shutil.copytree(crash_base["corpus"], corpus)
    index_dir = tmp_path / "index"
    shutil.copytree(crash_base["index"], index_dir)
    live = current_generation(index_dir)
    before = sorted(p.name for p in live.iterdir())
    for number in range(6):  # enough new text that the writer's files pass the limit
        text = f"Kestrel report {number}. " + "Remittances rise in coastal towns. " * 3000
        (corpus / f"new-{number}.txt").write_text(text, "utf-8")
    args = cli("index", str(corpus), "--index-dir", str(index_dir), "--workers", "1")

    result = subprocess.run(
        args, capture_output=True, text=True, timeout=300, preexec_fn=_file_size_limit(200_000)
    )

    assert result.returncode == 1, result.stderr
    assert "Error: indexing stopped" in result.stderr
    assert sorted(p.name for p in live.iterdir()) == before  # nothing left behind
    ok = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    assert search_total(client, "kestrel")[0] == 6


def test_an_index_folder_that_is_a_file_is_a_clear_error(
    crash_base: dict[str, Path], tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    index_dir.write_text("not a folder", "utf-8")
    result = subprocess.run(
        cli("index", str(crash_base["corpus"]), "--index-dir", str(index_dir)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Error:") or "Error:" in result.stderr
    assert index_dir.read_text("utf-8") == "not a folder"


def test_an_unwritable_generations_folder_is_a_clear_error(
    crash_base: dict[str, Path], tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(crash_base["index"], index_dir)
    generations = index_dir / GENERATIONS
    # chmod does not stop root; the immutable attribute does, where the file system has it.
    chattr = shutil.which("chattr")
    if not chattr or subprocess.run([chattr, "+i", str(generations)]).returncode:
        pytest.skip("chattr +i is not available here")
    try:
        result = subprocess.run(
            cli("index", str(crash_base["corpus"]), "--rebuild", "--index-dir", str(index_dir)),
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        subprocess.run([chattr, "-i", str(generations)], check=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Error: indexing stopped, the live index is unchanged" in result.stderr
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    assert search_total(client, "migration")[0] > 0
