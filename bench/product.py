"""The product path for quality benchmarks: files on disk -> `report-search index` -> HTTP.

A collection is written as one Markdown file per record (`# title`, then the text), indexed
by the `report-search index` command in a subprocess, served by `report-search serve` on a
free loopback port, and queried through `/api/search`, as a user would run it. The commands
are the ones installed beside the running interpreter (this checkout's .venv).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

SUFFIX = ".md"
# The checkout whose `report-search` indexes and serves: this one unless `use_checkout`.
_checkout: Path | None = None


def use_checkout(checkout: Path) -> None:
    """Index and serve with another checkout's `report-search` (its .venv and its code)."""
    global _checkout
    script = checkout / ".venv" / "bin" / "report-search"
    if not script.is_file():
        raise FileNotFoundError(f"no {script}: run `make .venv/.installed-test` there first")
    _checkout = checkout.resolve()


def checkout() -> Path:
    """The checkout whose code is measured."""
    return _checkout or Path(__file__).resolve().parent.parent


def command(*args: str) -> list[str]:
    """`report-search ARGS` as installed beside this interpreter (else run as a module), or
    that of the checkout given to `use_checkout`."""
    if _checkout is not None:
        return [str(_checkout / ".venv" / "bin" / "report-search"), *args]
    script = Path(sys.executable).with_name("report-search")
    if script.is_file():
        return [str(script), *args]
    return [sys.executable, "-m", "search_app.cli", *args]


def write_collection(records: Iterable[dict[str, str]], folder: Path) -> Path:
    """Each record ({_id, title, text}) as `<_id>.md`: its title as the heading, then its text."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for record in records:
        body = f"# {record['title'].strip()}\n\n{record['text'].strip()}\n"
        (folder / f"{record['_id']}{SUFFIX}").write_text(body, encoding="utf-8")
    return folder


def record_id(document_id: str) -> str:
    """The record id back from a document id such as 'scifact/1234.md'."""
    name = document_id.rsplit("/", 1)[-1]
    return name[: -len(SUFFIX)] if name.endswith(SUFFIX) else name


def index_folder(folder: Path, index_dir: Path, workers: int = 2) -> dict[str, Any]:
    """`report-search index FOLDER --rebuild --ocr off`: its wall time and the run's report."""
    args = ["index", str(folder), "--index-dir", str(index_dir), "--rebuild"]
    args += ["--workers", str(workers), "--ocr", "off"]
    started = time.perf_counter()
    done = subprocess.run(command(*args), capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"report-search index failed ({done.returncode}): {done.stderr[-2000:]}")
    return {**index_figures(index_dir), "seconds": round(seconds, 1)}


def index_figures(index_dir: Path) -> dict[str, Any]:
    """What `report-search stats` says of an index: documents, passages, the last run's
    files by status, copies, passages with embeddings and the index's size on disk."""
    stats = subprocess.run(
        command("stats", "--index-dir", str(index_dir), "--json"),
        capture_output=True,
        text=True,
        check=True,
    )
    body = json.loads(stats.stdout)
    last = body.get("last_run") or {}
    return {
        "documents": body["documents"],
        "passages": body["passages"],
        "by_status": last.get("by_status"),
        "copies_shown_once": sum(len(g.get("copies", ())) for g in body.get("duplicates") or ()),
        "embedded_passages": (body.get("embeddings") or {}).get("passages"),
        "generation_bytes": _bytes(index_dir / "generations" / f"gen-{body['generation']:06d}"),
        "vector_bytes": _bytes(
            index_dir / "generations" / f"gen-{body['generation']:06d}" / "vectors"
        ),
        "seconds": last.get("seconds"),
    }


def _bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


def shown(body: dict[str, Any]) -> list[dict[str, Any]]:
    """A search response's results in the order the page shows them: the passages with all
    the words, then those with some of them (their own block, after)."""
    return [*body["results"], *((body.get("some_words") or {}).get("results") or [])]


class Api:
    """GET /api/search on a running `report-search serve`; a non-200 answer counts as no hits."""

    def __init__(self, server: Any, mode: str = "") -> None:
        self.server = server
        self.errors: list[str] = []
        self.mode = mode  # hybrid, lexical or semantic; "" for the index's default

    def search(self, **params: Any) -> dict[str, Any]:
        if self.mode:
            params = {**params, "mode": self.mode}
        path = "/api/search?" + urlencode(params)
        try:
            return self.server.get(path)
        except RuntimeError as error:  # HTTP 4xx/5xx: recorded, scored as an empty ranking
            self.errors.append(str(error)[:300])
            return {"results": []}


@contextmanager
def served(index_dir: Path) -> Iterator[Api]:
    """`report-search serve` over the index on a free loopback port, stopped afterwards."""
    from bench.search_speed import Server

    server = Server(index_dir, threads=4)
    try:
        yield Api(server)
    finally:
        server.stop()
