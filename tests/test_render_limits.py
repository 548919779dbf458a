"""A PDF page that pdfium cannot load or render within bounds (form XObjects nested eight
deep, each drawing the next ten times: 10^8 squares from 3.5 KB) is read in a child process
with a memory and a time limit: the file is reported with its page, memory stays bounded,
and the run goes on and publishes the rest, also when a worker process is killed under it."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import time
from pathlib import Path

import pytest
from test_reliability import cli
from test_serve_processes import _children

from search_app.engine.index_handle import IndexHandle
from search_app.engine.params import parse_search_args
from search_app.engine.service import search

WORDS = "Remittances sent home by migrant workers exceed official development assistance."
TEXT_FILES = 6


def nested_forms_pdf(depth: int = 8, fan_out: int = 10) -> bytes:
    """One page whose content draws form X0; form Xk draws X(k+1) `fan_out` times (each
    moved a little), and the last form fills a small square: fan_out**depth squares."""
    first_form = 4  # objects 1-3: catalog, page tree, page
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
        b"/Resources << /XObject << /X0 %d 0 R >> >> >>" % (first_form + depth, first_form),
    ]
    for k in range(depth):
        if k + 1 < depth:
            draws = b"".join(
                b"q 1 0 0 1 %d %d cm /X%d Do Q\n" % (i, i, k + 1) for i in range(fan_out)
            )
            resources = b"/Resources << /XObject << /X%d %d 0 R >> >>" % (k + 1, first_form + k + 1)
        else:
            draws, resources = b"0 0 2 2 re f\n", b""
        objects.append(
            b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] %s /Length %d >>\n"
            b"stream\n%sendstream" % (resources, len(draws), draws)
        )
    content = b"/X0 Do\n"
    objects.append(b"<< /Length %d >>\nstream\n%sendstream" % (len(content), content))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "shelf"
    corpus.mkdir()
    (corpus / "nested.pdf").write_bytes(nested_forms_pdf())
    for i in range(TEXT_FILES):
        (corpus / f"note-{i}.txt").write_text(f"Note {i}\n\n{WORDS}\n", "utf-8")
    return corpus


def _report(index_dir: Path) -> dict:
    return json.loads(next(index_dir.glob("generations/*/report.json")).read_text("utf-8"))


def _assert_reported_and_published(index_dir: Path, reasons: set[str]) -> dict:
    report = _report(index_dir)
    by_name = {Path(f["path"]).name: f for f in report["per_file"]}
    nested = by_name["nested.pdf"]
    assert nested["status"] == "failed" and nested["reason"] in reasons, nested
    assert report["by_status"] == {"indexed": TEXT_FILES, "failed": 1}, report["by_status"]
    found = search(IndexHandle(index_dir), parse_search_args({"q": "remittances"}))
    assert found["total"] == TEXT_FILES  # published: the rest of the run is searchable
    return nested


@pytest.mark.timeout(180)
def test_a_page_that_rendering_cannot_bound_is_reported_and_the_run_publishes(
    tmp_path: Path,
) -> None:
    corpus, index_dir = _corpus(tmp_path), tmp_path / "index"
    started = time.monotonic()
    done = subprocess.run(
        cli("index", str(corpus), "--index-dir", str(index_dir), "--workers", "2"),
        capture_output=True,
        text=True,
        timeout=170,
    )
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    assert done.returncode == 0, done.stderr
    nested = _assert_reported_and_published(index_dir, {"timeout", "too-large"})
    assert "page 1:" in nested["error"], nested
    assert nested["ocr"]["failed"] == [1]
    assert "nested.pdf" in done.stderr  # the command's summary names it
    # Stopped at the page's memory limit (or its time limit, 60 s, if memory grows slowly);
    # before, pdfium ran for minutes, past the file's 120 s, and grew past 8 GB.
    assert seconds < 90, seconds
    assert peak < 2.5 * 1024**3, peak


@pytest.mark.timeout(240)
def test_a_worker_killed_under_the_run_is_replaced_and_the_run_goes_on(tmp_path: Path) -> None:
    corpus, index_dir = _corpus(tmp_path), tmp_path / "index"
    command = cli("index", str(corpus), "--index-dir", str(index_dir))
    indexer = subprocess.Popen(
        [*command, "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        worker = _worker_rendering(indexer.pid)
        os.kill(worker, signal.SIGKILL)  # as the kernel's out-of-memory killer would
        out, err = indexer.communicate(timeout=200)
    finally:
        if indexer.poll() is None:
            indexer.kill()
    assert indexer.returncode == 0, err
    # The killed worker's files were read again, one at a time, in a new pool.
    _assert_reported_and_published(index_dir, {"timeout", "too-large"})


def _worker_rendering(pid: int, seconds: float = 60.0) -> int:
    """The worker process of `pid` whose page child is rendering (a grandchild exists)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for worker in _children(pid):
            if _children(worker):
                return worker
        time.sleep(0.05)
    raise AssertionError("no worker process started a page's child in time")
