"""Hybrid against lexical /api/search latency over HTTP on a large index given SYNTHETIC
vectors (no hour of embedding): a copy of an index made without embeddings, each passage
given a real stored vector of other collections plus noise (bench/ann.py's `scaled`), so the
approximate index and the query path do the same work as on real vectors, while what they
find means nothing.

    python -m bench.ann_http --source IDX --copy DIR --vectors GEN [--vectors GEN ...]
        [--queries 60] [--rounds 2] [--exact]

Serves the copy with `report-search serve` (bench.search_speed.Server: one process, waits
for its warm-up, the approximate index built), then asks each benchmark query by words and
hybrid alternately, one at a time, and prints p50/p95 per mode as JSON. --exact serves it
with the approximate index off (REPORT_SEARCH_ANN_FROM past the index's size).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path
from urllib.parse import urlencode

import numpy as np

from bench.ann import real_vectors, scaled
from bench.meaning_speed import percentiles
from bench.search_speed import Server
from indexer import embedding
from indexer.index.generations import MANIFEST
from indexer.index.vectors import FOLDER, RECORD_KEY
from search_app.engine.neighbours import ENV


def synthetic_copy(source: Path, copy: Path, real: np.ndarray) -> int:
    """Copy the index (once) and give its live generation one vector a passage; returns
    the passages embedded."""
    if not copy.exists():
        shutil.copytree(source, copy)
    generation = copy / "generations" / (copy / "CURRENT").read_text().strip()
    manifest_path = generation / MANIFEST
    manifest = json.loads(manifest_path.read_text("utf-8"))
    model = embedding.encoder(threads=1)
    assert model is not None, "the semantic extra is not installed"
    first = 0
    for record in manifest.values():
        record[RECORD_KEY] = [1, first, model.label, ""]
        first += int(record.get("passages") or 0)
    folder = generation / FOLDER
    folder.mkdir(exist_ok=True)
    scaled(real, first).astype(np.float16).tofile(folder / "000001.f16")
    info = {"label": model.label, "dimensions": real.shape[1], "rows": first}
    (folder / "000001.json").write_text(json.dumps(info), "utf-8")
    manifest_path.write_text(json.dumps(manifest), "utf-8")
    return first


def measure(server: Server, queries: list[str], rounds: int) -> dict[str, dict[str, float]]:
    times: dict[str, list[float]] = {"lexical": [], "hybrid": []}
    for query in queries:  # every query encoded once before timing (the server caches it)
        server.get("/api/search?" + urlencode({"q": query, "mode": "hybrid"}))
    for _ in range(rounds):
        for query in queries:
            for mode in times:
                started = time.perf_counter()
                body = server.get("/api/search?" + urlencode({"q": query, "mode": mode}))
                times[mode].append(time.perf_counter() - started)
                assert body.get("mode") in (mode, "lexical"), body
    return {mode: percentiles(seconds) for mode, seconds in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, required=True)
    parser.add_argument("--copy", type=Path, required=True)
    parser.add_argument("--vectors", action="append", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--exact", action="store_true")
    args = parser.parse_args()
    passages = synthetic_copy(args.source, args.copy, real_vectors(args.vectors))
    texts = [q["q"] for q in json.loads(Path("bench/queries.json").read_text("utf-8"))]
    texts = texts[:: max(1, len(texts) // args.queries)][: args.queries]
    if args.exact:  # the served index's approximate index off
        os.environ[ENV] = str(10**9)
    started = time.perf_counter()
    server = Server(args.copy, ready_within=900)  # waits for the warm-up: the index built
    warm = time.perf_counter() - started
    try:
        result = measure(server, texts, args.rounds)
    finally:
        server.stop()
    index = "exact" if args.exact else "approximate"
    out = {"passages": passages, "vectors": "synthetic", "search_by_meaning": index}
    print(json.dumps({**out, "warm_up_s": round(warm, 1), **result}, indent=1))


if __name__ == "__main__":
    main()
