"""Approximate nearest-neighbour libraries against exact numpy search, on real passage vectors.

    python -m bench.ann --index DIR [--index DIR ...] [--passages 20000,279000] [--queries 100]
        [--settings 512,1024] [--only "faiss HNSW,hnswlib M16"] [--shipped 1,0.25,0.08]

The passages are the stored vectors (all-MiniLM-L6-v2, 384 dimensions) of the generations
given (read only); the queries are bench/queries.json encoded by the same model. A size above
the real vectors' count is made by replicating them with noise: each copy is a real vector
plus Gaussian noise (cosine about 0.85 to its source), normalised. The truth is exact
search (float32 product, top 100); recall@100 is the share of it each library returns. Times
are the median and 95th percentile of one query at a time, on one thread, as the server
asks. Prints JSON.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.meaning_speed import percentiles
from indexer import embedding
from indexer.index.vectors import open_shards

TOP = 100
NOISE_COSINE = 0.85  # a noisy copy's similarity to the real vector it was made from
Search = Callable[[np.ndarray], np.ndarray]


def real_vectors(folders: list[Path]) -> np.ndarray:
    """The distinct stored vectors of the generations (float32, unit length)."""
    arrays = [s.array for f in folders for s in open_shards(f).values()]
    matrix = np.unique(np.concatenate(arrays).astype(np.float32), axis=0)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def scaled(real: np.ndarray, passages: int, seed: int = 0) -> np.ndarray:
    """`passages` vectors: the real ones, then noisy copies of them."""
    rng = np.random.default_rng(seed)
    if passages <= len(real):
        return real[rng.permutation(len(real))[:passages]]
    sources = rng.integers(len(real), size=passages - len(real))
    dims = real.shape[1]
    # |noise| = tan(acos(c)) gives cosine c between a unit vector and itself plus the noise.
    sigma = np.tan(np.arccos(NOISE_COSINE)) / np.sqrt(dims)
    copies = real[sources] + rng.normal(0, sigma, (len(sources), dims)).astype(np.float32)
    copies /= np.linalg.norm(copies, axis=1, keepdims=True)
    return np.concatenate([real, copies])


def query_vectors(count: int) -> np.ndarray:
    model = embedding.encoder(threads=1)
    if model is None:
        raise SystemExit("no embedding model installed (the semantic extra)")
    texts = [q["q"] for q in json.loads(Path("bench/queries.json").read_text("utf-8"))]
    step = max(1, len(texts) // count)  # every shape of query: one word, two, four, phrases
    return model.encode(texts[::step][:count]).astype(np.float32)


def exact(matrix: np.ndarray) -> Search:
    """The 100 nearest, nearest first."""

    def search(query: np.ndarray) -> np.ndarray:
        scores = matrix @ query
        top = np.argpartition(-scores, TOP - 1)[:TOP]
        return top[np.argsort(-scores[top])]

    return search


def hnswlib_index(matrix: np.ndarray, m: int, construction: int) -> Callable[[int], Search]:
    import hnswlib

    index = hnswlib.Index(space="ip", dim=matrix.shape[1])
    index.init_index(max_elements=len(matrix), M=m, ef_construction=construction)
    index.set_num_threads(1)
    index.add_items(matrix, np.arange(len(matrix)))

    def at(ef: int) -> Search:
        index.set_ef(ef)
        return lambda q: index.knn_query(q, k=TOP)[0][0]

    at.index = index  # type: ignore[attr-defined]
    return at


def usearch_index(
    matrix: np.ndarray, m: int, construction: int, dtype: str
) -> Callable[[int], Search]:
    from usearch.index import Index

    index = Index(
        ndim=matrix.shape[1], metric="ip", dtype=dtype, connectivity=m, expansion_add=construction
    )
    index.add(np.arange(len(matrix)), matrix, threads=1)

    def at(ef: int) -> Search:
        index.expansion_search = ef
        return lambda q: index.search(q, TOP, threads=1).keys

    at.index = index  # type: ignore[attr-defined]
    return at


def faiss_hnsw(matrix: np.ndarray, m: int, construction: int) -> Callable[[int], Search]:
    import faiss

    faiss.omp_set_num_threads(1)
    index = faiss.IndexHNSWFlat(matrix.shape[1], m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = construction
    index.add(matrix)

    def at(ef: int) -> Search:
        params = faiss.SearchParametersHNSW(efSearch=ef)
        return lambda q: index.search(q[None, :], TOP, params=params)[1][0]

    at.index = index  # type: ignore[attr-defined]
    return at


def faiss_hnsw_sq8(matrix: np.ndarray, m: int, construction: int) -> Callable[[int], Search]:
    """HNSW over 8-bit vectors (a quarter of the memory); a search asks for 2 x 100 and
    keeps the 100 nearest by their float32 vectors, as the server re-scores."""
    import faiss

    faiss.omp_set_num_threads(1)
    index = faiss.IndexHNSWSQ(
        matrix.shape[1], faiss.ScalarQuantizer.QT_8bit, m, faiss.METRIC_INNER_PRODUCT
    )
    index.hnsw.efConstruction = construction
    index.train(matrix)
    index.add(matrix)

    def at(ef: int) -> Search:
        return reranked(index, faiss.SearchParametersHNSW(efSearch=ef), matrix)

    at.index = index  # type: ignore[attr-defined]
    return at


def faiss_ivf(matrix: np.ndarray, lists: int, sq8: bool = False) -> Callable[[int], Search]:
    """IVF over `lists` k-means cells; the vectors float32, or 8-bit with sq8 (a search
    then asks for 2 x 100 and keeps the 100 nearest by their float32 vectors)."""
    import faiss

    faiss.omp_set_num_threads(1)
    quantizer = faiss.IndexFlatIP(matrix.shape[1])
    if sq8:
        index = faiss.IndexIVFScalarQuantizer(
            quantizer,
            matrix.shape[1],
            lists,
            faiss.ScalarQuantizer.QT_8bit,
            faiss.METRIC_INNER_PRODUCT,
        )
    else:
        index = faiss.IndexIVFFlat(quantizer, matrix.shape[1], lists, faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(0)
    index.train(matrix[rng.permutation(len(matrix))[: lists * 40]])
    index.add(matrix)

    def at(probes: int) -> Search:
        params = faiss.SearchParametersIVF(nprobe=probes)
        if not sq8:
            return lambda q: index.search(q[None, :], TOP, params=params)[1][0]
        return reranked(index, params, matrix)

    at.index = index  # type: ignore[attr-defined]
    return at


def reranked(index: Any, params: Any, matrix: np.ndarray) -> Search:
    """A search of an 8-bit index asking for 2 x 100 and keeping the 100 nearest by their
    float32 vectors."""

    def search(query: np.ndarray) -> np.ndarray:
        found = index.search(query[None, :], 2 * TOP, params=params)[1][0]
        found = found[found >= 0]
        return found[np.argsort(-(matrix[found] @ query))[:TOP]]

    return search


def disk_bytes(index: Any) -> int:
    """The index's size once saved (its own format)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "index"
        if type(index).__module__.startswith("faiss"):
            import faiss

            faiss.write_index(index, str(path))
        elif hasattr(index, "save_index"):
            index.save_index(str(path))
        else:
            index.save(str(path))
        return path.stat().st_size


def run(search: Search, queries: np.ndarray, truth: list[np.ndarray]) -> dict[str, float]:
    """Recall@100 and @10 (the share of exact search's 100 and 10 nearest returned), time."""
    times, found, first = [], [], []
    for query, expected in zip(queries, truth, strict=True):
        started = time.perf_counter()
        keys = {int(k) for k in search(query)}
        times.append(time.perf_counter() - started)
        found.append(len(keys.intersection(expected.tolist())) / TOP)
        first.append(len(keys.intersection(expected[:10].tolist())) / 10)
    recall = {
        "recall": round(float(np.mean(found)), 4),
        "recall10": round(float(np.mean(first)), 4),
    }
    return {**recall, **percentiles(times)}


def builders(
    matrix: np.ndarray, only: set[str], breadths: list[int]
) -> dict[str, tuple[Callable[[], Any], list[int]]]:
    """name -> (build, the search breadths to try: efSearch for HNSW, nprobe for IVF)."""
    lists = int(4 * np.sqrt(len(matrix)))
    hnsw = breadths or [128, 256, 512, 1024, 2048]
    every = {
        "hnswlib M16 efC100": (lambda: hnswlib_index(matrix, 16, 100), hnsw),
        "usearch f16 M16 efC100": (lambda: usearch_index(matrix, 16, 100, "f16"), hnsw),
        "usearch i8 M16 efC100": (lambda: usearch_index(matrix, 16, 100, "i8"), hnsw),
        "faiss HNSW M16 efC100": (lambda: faiss_hnsw(matrix, 16, 100), hnsw),
        "faiss HNSWSQ8 M16 efC100": (lambda: faiss_hnsw_sq8(matrix, 16, 100), hnsw),
        f"faiss IVFFlat {lists}": (lambda: faiss_ivf(matrix, lists), [32, 64, 128, 256, 512]),
        f"faiss IVFSQ8 {lists}": (
            lambda: faiss_ivf(matrix, lists, sq8=True),
            [64, 128, 256, 512],
        ),
    }
    return {name: b for name, b in every.items() if not only or " ".join(name.split()[:2]) in only}


def measure(
    matrix: np.ndarray, queries: np.ndarray, only: set[str], breadths: list[int]
) -> dict[str, Any]:
    search = exact(matrix)
    truth = [search(q) for q in queries]
    out: dict[str, Any] = {
        "passages": len(matrix),
        "exact numpy": run(search, queries, truth),
    }
    for name, (build, settings) in builders(matrix, only, breadths).items():
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        at = build()
        built = time.perf_counter() - started
        result: dict[str, Any] = {
            "build_s": round(built, 1),
            "disk_mb": round(disk_bytes(at.index) / 2**20, 1),
            "peak_rss_growth_mb": round(
                (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024, 1
            ),
        }
        for setting in settings:
            result[str(setting)] = run(at(setting), queries, truth)
        out[name] = result
        print(json.dumps({name: result}), flush=True)
        del at
        gc.collect()
    return out


def shipped(
    matrix: np.ndarray, queries: np.ndarray, breadths: list[int], shares: list[float]
) -> dict[str, Any]:
    """The server's own path (search_app/engine/neighbours.py, faiss HNSW, its candidates
    re-scored exactly) with a random filter allowing each share of the passages: recall@100
    against exact search among the allowed, and time (the filter's bitmap included)."""
    from search_app.engine import neighbours

    started = time.perf_counter()
    index = neighbours.Approximate(matrix)
    index.build()
    out: dict[str, Any] = {"build_s": round(time.perf_counter() - started, 1)}
    rng = np.random.default_rng(2)
    for share in shares:
        rows = None if share >= 1 else rng.random(len(matrix)) < share
        allowed = np.arange(len(matrix)) if rows is None else np.flatnonzero(rows)
        within = exact(matrix[allowed])
        truth = [allowed[within(q)] for q in queries]
        for breadth in breadths or [neighbours.EXPANSION_SEARCH]:
            neighbours.EXPANSION_SEARCH = breadth

            def search(query: np.ndarray, rows: np.ndarray | None = rows) -> np.ndarray:
                found = index.search(query, TOP, rows)
                return found[np.argsort(-(matrix[found] @ query))[:TOP]]

            out[f"share {share} ef {breadth}"] = run(search, queries, truth)
            print(json.dumps({f"share {share} ef {breadth}": out[f"share {share} ef {breadth}"]}))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index", action="append", type=Path, required=True)
    parser.add_argument("--passages", default="20000,279000")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--settings", default="", help="search breadths to try, e.g. 256,512")
    parser.add_argument(
        "--only", default="", help='comma-separated, e.g. "usearch i8,faiss IVFFlat" (default all)'
    )
    parser.add_argument(
        "--shipped",
        default="",
        help="only the server's own path, at these filter shares (e.g. 1,0.25,0.08)",
    )
    args = parser.parse_args()
    real = real_vectors(args.index)
    queries = query_vectors(args.queries)
    only = {n for n in args.only.split(",") if n}
    breadths = [int(n) for n in args.settings.split(",") if n]
    if args.shipped:
        shares = [float(n) for n in args.shipped.split(",")]
        results = [
            {"passages": int(n), **shipped(scaled(real, int(n)), queries, breadths, shares)}
            for n in args.passages.split(",")
        ]
        print(json.dumps({"real_vectors": len(real), "shipped": results}, indent=1))
        return
    results = [
        measure(scaled(real, int(n)), queries, only, breadths) for n in args.passages.split(",")
    ]
    print(json.dumps({"real_vectors": len(real), "results": results}, indent=1))


if __name__ == "__main__":
    main()
