"""The API against its own OpenAPI description, by schemathesis: in-process, then as a client
meets it, through the command line against `report-search serve` over a real index.

Every generated request must get a response that the description documents (status, content
type, headers, body) and never a 500; requests the description forbids must be refused.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import schemathesis
from conftest import write_corpus
from hypothesis import HealthCheck, given, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.modes import GenerationMode

from indexer.pipeline import run
from search_app.web import create_app
from search_app.web.openapi import openapi_document

# Positive cases only: in a query string a wrongly typed value often serializes to a valid one
# ("false" is a string too), which the CLI run below allows for and this one does not.
OPERATIONS = [
    (path, method.upper(), GenerationMode.POSITIVE)
    for path, item in openapi_document()["paths"].items()
    for method in item
    if path != "/api/index"  # POST starts a re-index; the CLI run below covers it
]
TOKEN = "schemathesis-token"
PHASES = ("examples", "coverage", "fuzzing", "stateful")
# Bounds of the CLI run: examples per operation in the fuzzing phase (the coverage phase makes
# its own, about 900 cases in all), seconds per request, seconds for the whole run.
MAX_EXAMPLES = 10
REQUEST_SECONDS = 30
RUN_SECONDS = 240


@pytest.fixture(scope="module")
def api_schema(small_index, corpus_dir):
    app = create_app(
        {"TESTING": True, "INDEX_DIR": str(small_index), "CORPUS_DIRS": [str(corpus_dir)]}
    )
    # In-process, schemathesis would also feed the numbers of our source code (120.0, the
    # extraction timeout) to integer parameters, spelled "120.0": no client writes them so.
    config = SchemathesisConfig.from_dict({"analysis": {"constants": {"enabled": False}}})
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=config)


@pytest.mark.parametrize("path, method, mode", OPERATIONS)
def test_api_matches_its_description(api_schema, path, method, mode):
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case):
        response = case.call_and_validate()
        assert response.status_code < 500

    check()


# ---------------------------------------------------------------- the served API, by the CLI


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of `report-search serve` over its own index of the test corpus, with a
    re-index token: POST /api/index re-indexes that corpus, which changes nothing."""
    base = tmp_path_factory.mktemp("served")
    corpus = write_corpus(base)
    index_dir = base / "index"
    assert not run([corpus], index_dir, workers=1).summary()["failures"]
    env = {**os.environ, "REPORT_SEARCH_API_TOKEN": TOKEN, "REPORT_SEARCH_CORPUS": str(corpus)}
    with serving(index_dir, env, base / "server.log") as url:
        yield url


@contextmanager
def serving(index_dir: Path, env: dict[str, str], log: Path) -> Iterator[str]:
    """`report-search serve` on a free local port; yields its URL once /api/health answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = ["serve", "--host", "127.0.0.1", "--port", str(port), "--index-dir", str(index_dir)]
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "search_app.cli", *command],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_for(f"{url}/api/health", server)
            yield url
        finally:
            server.terminate()
            server.wait(30)
    assert "Traceback" not in log.read_text("utf-8", "replace"), log.read_text("utf-8")


# Ready (a 200) once the warm-up has loaded the sentence-embedding model: a minute or more on
# a loaded machine.
def _wait_for(url: str, server: subprocess.Popen, seconds: float = 150.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the server exited with {server.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {seconds:.0f} s")


@pytest.mark.timeout(RUN_SECONDS + 180)
def test_served_api_passes_every_schemathesis_check(served: str, tmp_path: Path) -> None:
    """All checks, all phases (examples, coverage, fuzzing, stateful), positive and negative
    data, the re-index endpoint with its token. The output is printed when it fails."""
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        f"{served}/api/openapi.json",
        "--checks=all",
        f"--phases={','.join(PHASES)}",
        f"--max-examples={MAX_EXAMPLES}",
        f"--request-timeout={REQUEST_SECONDS}",
        "--workers=2",
        f"--header=Authorization: Bearer {TOKEN}",
        "--generation-database=none",  # nothing written outside tmp_path, nothing replayed
        "--report=json",
        f"--report-dir={tmp_path}",
        "--no-color",
    ]
    # In tmp_path: schemathesis keeps a cache of failures in its working directory.
    done = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=RUN_SECONDS
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    [report_file] = tmp_path.glob("*.json")
    report = json.loads(report_file.read_text("utf-8"))
    statuses = {name: report["phases"][name]["status"] for name in PHASES}
    assert statuses == dict.fromkeys(PHASES, "success"), output
    operations = report["operations"]  # all of them but GET /api/openapi.json, the schema
    assert operations["tested"] == operations["selected"] >= 10, output
    # The description's example document reaches both document operations.
    for operation in ("GET /api/documents/{document_id}", "GET /api/documents/{document_id}/file"):
        assert report["valid_rates"][operation]["examples"]["accepted"] >= 1, output
    assert not report["warnings"]["missing_test_data"], output
    assert not report["warnings"]["missing_auth"], output
