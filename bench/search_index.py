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
from indexer.index import vectors

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


def ensure_index(limit: int | None, reuse: bool = False) -> tuple[Path, dict[str, Any]]:
    """(index folder, build summary), building the index when missing or stale.

    `reuse` keeps an existing index even when the indexing code changed since it was built
    (the summary then says which code version built it).
    """
    root = corpora.ungdc_corpus(limit)
    index_dir = corpora.WORK / (f"ungdc-index-{limit}" if limit else "ungdc-index")
    # An index built with passage embeddings is no words-only index (bench.run).
    wanted = {"code": code_version(), "corpus": corpus_version(root), "embed": vectors.wanted()}
    stamp_path = index_dir / STAMP
    if stamp_path.is_file():
        stamp = json.loads(stamp_path.read_text("utf-8"))
        same_corpus = all(stamp.get(k) == wanted[k] for k in ("corpus", "embed"))
        if same_corpus and (reuse or stamp.get("code") == wanted["code"]):
            return index_dir, {
                **stamp["build"],
                "built_by_code": stamp.get("code"),
                "current_code": wanted["code"],
            }
    shutil.rmtree(index_dir, ignore_errors=True)
    summary = pipeline.run([root], index_dir, rebuild=True, workers=2).summary()
    summary.pop("failures", None)
    stamp_path.write_text(json.dumps({**wanted, "build": summary}, indent=1), "utf-8")
    return index_dir, {**summary, "built_by_code": wanted["code"], "current_code": wanted["code"]}
