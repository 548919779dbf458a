"""CPU time per passage of each stage of indexing a file, in one process (no pool, no
waiting for a core): what a worker process does for each file, stage by stage.

    python bench/ingest_stages.py CORPUS WORK [--code OLD_CHECKOUT ...] [--repeat N]

Each version of the code (this checkout, then each --code checkout first on PYTHONPATH)
runs in a child process of its own, alternately, so that load from other work hits them
alike; CPU time (time.process_time) is not inflated by waiting for a core as wall time is.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def stages(corpus: Path, work: Path) -> dict[str, Any]:
    """Index every .txt/.pdf file under `corpus` into one segment in `work`, timing each stage."""
    from whoosh import index as whoosh_index

    from indexer import duplicates, processing
    from indexer.extraction import Limits, extract
    from indexer.index.schema import build_schema
    from indexer.index.writer import (
        add_document,
        analyze_document,
        analyzed_writes,
        finish_segment,
        open_segment_writer,
    )
    from indexer.metadata import enrich
    from indexer.metadata.overrides import check_overrides
    from indexer.sentences import split_sentences
    from indexer.structure import build_passages

    split_sentences("Warm up. Punkt is trained on first use.")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    index = whoosh_index.create_in(str(work), build_schema())
    writer = open_segment_writer(index)
    limits = Limits()
    names = ["extract", "structure", "enrich", "analysis", "signature", "write", "finish"]
    spent = dict.fromkeys([*names, "pickle"], 0.0)
    passages = 0
    clock = time.process_time
    files = sorted(p for p in corpus.rglob("*") if p.suffix in (".txt", ".pdf"))
    for path in files:
        started = clock()
        overrides, _ = check_overrides(path, corpus)
        document = extract(path, path.relative_to(corpus).as_posix(), limits)
        spent["extract"] += (now := clock()) - started
        sections, built = build_passages(document)
        spent["structure"] += (then := clock()) - now
        indexed = processing.text_source.mark_passages(enrich(document, sections, built, overrides))
        spent["enrich"] += (now := clock()) - then
        analyzed = analyze_document(indexed)
        spent["analysis"] += (then := clock()) - now
        signature = duplicates.signature(indexed)
        spent["signature"] += (now := clock()) - then
        with analyzed_writes(writer):
            add_document(writer, indexed, analyzed)
        spent["write"] += (then := clock()) - now
        # What a segment-writing worker sends back to the indexing process, and its unpickling.
        pickle.loads(pickle.dumps((indexed, None, "written", signature), protocol=5))
        spent["pickle"] += clock() - then
        passages += len(indexed.passages)
    started = clock()
    finish_segment(writer)
    spent["finish"] += clock() - started
    shutil.rmtree(work, ignore_errors=True)
    total = sum(spent.values())
    per = {k: round(1000 * v / passages, 3) for k, v in spent.items()}
    return {"files": len(files), "passages": passages, "ms_per_passage": per} | {
        "total_ms_per_passage": round(1000 * total / passages, 3)
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("work", type=Path)
    parser.add_argument("--code", action="append", default=[])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(stages(args.corpus.resolve(), args.work.resolve())), flush=True)
        return
    for _ in range(args.repeat):
        for code in ["", *args.code]:
            env = dict(os.environ, PYTHONPATH=code) if code else dict(os.environ)
            command = [sys.executable, str(Path(__file__).resolve()), "--child"]
            command += [str(args.corpus.resolve()), str(args.work.resolve() / "stages-index")]
            out = subprocess.run(command, env=env, cwd="/", check=True, capture_output=True)
            result = json.loads(out.stdout.decode().strip().splitlines()[-1])
            print(json.dumps({"code": code or "this checkout", **result}), flush=True)


if __name__ == "__main__":
    main()
