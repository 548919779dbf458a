"""The machine, date, commit and versions a benchmark ran with, recorded with its results."""

from __future__ import annotations

import os
import platform
import subprocess
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from indexer.index import vectors

CHECKOUT = Path(__file__).resolve().parent.parent
# onnxruntime and numpy too: the same code gave SciFact hybrid nDCG@10 0.7219 on one install
# and 0.7189 on another (the 8-bit model's kernels), and the versions were not recorded.
PACKAGES = (
    "whoosh-reloaded",
    "pypdf",
    "nltk",
    "flask",
    "waitress",
    "tantivy",
    "ir-measures",
    "onnxruntime",
    "numpy",
)


def environment(checkout: Path | None = None) -> dict[str, Any]:
    """Machine, date and versions, recorded with every result; the commit of `checkout`
    (this one by default)."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = _git(checkout, "rev-parse", "--short", "HEAD")
    # The run's own outputs (results and the docs rendered from them) do not count.
    outputs = (":(exclude)bench/results", ":(exclude)docs")
    if _git(checkout, "status", "--porcelain", "--untracked-files=no", "--", ".", *outputs):
        commit += " (with uncommitted changes)"
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": commit,
        "checkout": str(checkout or CHECKOUT),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "versions": {name: _version(name) for name in PACKAGES},
        # Whether indexes built in this run store passage embeddings (most of a build's time
        # when they do): REPORT_SEARCH_EMBED=0 turns them off, as `--no-embed` does.
        "passage_embeddings": vectors.wanted() and find_spec("onnxruntime") is not None,
    }


def _git(checkout: Path | None, *args: str) -> str:
    """A git command's output in the checkout (wherever the benchmark is started from)."""
    done = subprocess.run(
        ["git", *args], cwd=checkout or CHECKOUT, capture_output=True, text=True, check=False
    )
    return done.stdout.strip()


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


@contextmanager
def environ(name: str, value: str) -> Iterator[None]:
    """The environment variable `name` set to `value` while inside, as it was after."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            del os.environ[name]
        else:
            os.environ[name] = before


def passage_embeddings(wanted: bool) -> AbstractContextManager[None]:
    """Builds store passage embeddings or not (vectors.ENV) while inside, whatever was set."""
    return environ(vectors.ENV, "1" if wanted else "0")
