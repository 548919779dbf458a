"""How long exact search by meaning takes at a given number of passages (numpy, one query
against every stored vector, as search_app/engine/meaning.py does it), and encoding a query.

    python -m bench.meaning_speed [--passages 9300,279000] [--queries 50]

The vectors are random unit vectors (their values do not change the time of a dense
product); the table is built by the engine's own `nearest`. Prints p50/p95 in ms.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from indexer import embedding
from search_app.engine.meaning import VectorTable, nearest

DIMENSIONS = 384


def table_of(passages: int, seed: int = 0) -> VectorTable:
    rng = np.random.default_rng(seed)
    matrix = rng.standard_normal((passages, DIMENSIONS)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    docnums = np.arange(passages)
    return VectorTable("random", matrix, docnums, docnums.copy())


def percentiles(seconds: list[float]) -> dict[str, float]:
    ms = np.array(seconds) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
    }


def measure(passages: int, queries: int) -> dict[str, float]:
    table = table_of(passages)
    allowed = np.ones(passages, dtype=bool)
    rng = np.random.default_rng(1)
    times = []
    for _ in range(queries):
        query = table.matrix[rng.integers(passages)]
        started = time.perf_counter()
        nearest(table, query, 100, allowed, 0.25)
        times.append(time.perf_counter() - started)
    return {"passages": passages, **percentiles(times)}


def encoding(queries: int) -> dict[str, float] | None:
    model = embedding.encoder()
    if model is None:
        return None
    texts = [f"query number {n} about migration and climate finance" for n in range(queries)]
    times = []
    for text in texts:
        started = time.perf_counter()
        model.encode([text])
        times.append(time.perf_counter() - started)
    return percentiles(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passages", default="9300,279000")
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args()
    result = {
        "exact_search": [measure(int(n), args.queries) for n in args.passages.split(",")],
        "query_encoding": encoding(args.queries),
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
