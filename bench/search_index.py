"""The ungdc passage index used by the search benchmarks: built once, reused while valid.

It is reused when the corpus and the indexing code are unchanged (a fingerprint of both is
kept beside it); otherwise it is rebuilt through indexer.pipeline.run with 2 workers.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from bench import corpora
from indexer import pipeline

PACKAGE = Path(__file__).resolve().parent.parent / "indexer"
STAMP = "bench-stamp.json"


def code_version() -> str:
    """Hash of the indexing code and its data files: a change means a rebuild."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".txt", ".csv", ".json", ".tsv"}:
            digest.update(path.relative_to(PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def corpus_version(root: Path) -> str:
    files = sorted(root.rglob("*.txt"))
    size = sum(path.stat().st_size for path in files)
    return f"{len(files)}-{size}"


def ensure_index(quick: bool, rebuild: bool = False) -> tuple[Path, dict[str, Any]]:
    """(index folder, build summary), building the index when missing or stale."""
    root = corpora.ungdc_corpus(quick)
    index_dir = corpora.WORK / ("ungdc-index-quick" if quick else "ungdc-index")
    wanted = {"code": code_version(), "corpus": corpus_version(root)}
    stamp_path = index_dir / STAMP
    if not rebuild and stamp_path.is_file():
        stamp = json.loads(stamp_path.read_text("utf-8"))
        if {k: stamp.get(k) for k in wanted} == wanted:
            return index_dir, stamp["build"]
    shutil.rmtree(index_dir, ignore_errors=True)
    summary = pipeline.run([root], index_dir, rebuild=True, workers=2).summary()
    summary.pop("failures", None)
    stamp_path.write_text(json.dumps({**wanted, "build": summary}, indent=1), "utf-8")
    return index_dir, summary
