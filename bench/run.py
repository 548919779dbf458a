"""Run the benchmarks and write bench/results/*.json, docs/benchmarks.md and docs/scale.md.

    python -m bench.run [--quick] [--only relevance,ingest,search,...] [--speeches N]
                        [--reuse-index]

relevance: the quality benchmarks through the product path (files, `report-search index`,
HTTP: bench/relevance.py), with mode=lexical and mode=hybrid side by side; ingest: indexing
speed (bench/ingest.py); search: /api/search beside tantivy and SQLite FTS5 on all the
speeches; search-ratio: the same query by query in turns, with the CPU each used
(bench/search_ratio.py); serve-processes: 8 clients on one server process and on `serve
--processes 2` (bench/serve_processes.py); scale: subsets of the speeches and all of them
(bench/scale.py); cluster: indexing on a local Dask cluster (bench/cluster.py). scifact (not
in the default run): SciFact through the engine on a hand-built index, an engine figure.
million (not in the default run: over an hour of ingestion): about a million passages, the
speeches and altered copies of them, as files (bench/million.py).

The speed benchmarks (all but relevance) build the words index alone, without passage
embeddings (REPORT_SEARCH_EMBED=0, as `report-search index --no-embed`): issue 28's
ingestion and search figures are the words index's, tantivy's and FTS5's indexes hold no
vectors either, and with embeddings a build is bound by the model (about 146 passages/s a
core), which made one full run take some three hours on 2 cores. The quality benchmarks
embed, for mode=hybrid and mode=semantic. Each result's environment says which.

--quick: CACM only for quality, 12 UN PDFs and 200 speeches, one round of
search-ratio, 10 s a server for serve-processes, subsets of 50 and 100 speeches, and no
cluster (results in bench/results/*-quick.json, which the docs show only where no full
result exists).
--speeches N ingests an evenly spread subset of N speeches instead of all 10,952.
--reuse-index keeps the built search index even if the indexing code changed since.
--index-dir DIR measures search-ratio and serve-processes on an index of all the speeches
built before (by `report-search index`), as it is.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from bench import (
    cluster,
    corpora,
    ingest,
    million,
    peers,
    relevance,
    render,
    render_scale,
    scale,
    scifact,
    search_index,
    search_ratio,
    search_speed,
    serve_processes,
)
from bench.machine import CHECKOUT, environment, passage_embeddings

RESULTS = CHECKOUT / "bench" / "results"
# relevance: every quality benchmark through files, `report-search index` and HTTP.
# scifact: the engine on a hand-built index (a separate engine figure, not in the default run).
BENCHMARKS = (
    "relevance",
    "ingest",
    "search",
    "search-ratio",
    "serve-processes",
    "scale",
    "cluster",
)
EMBEDDING = ("relevance", "scifact")  # the rest build the words index alone (above)
QUICK_SKIPS = ("cluster", "million")  # minutes for a Dask cluster to start; an hour to build
# --quick: a few minutes even on the shared 2-core machine, where embedding the passages
# is most of an index's build (1,000 speeches took over half an hour for ingest alone).
QUICK_SPEECHES = 200
RELEVANCE_MODES = ("lexical", "hybrid")
QUICK_RELEVANCE = ("cacm",)  # the smallest collection: SciFact and the PDFs take long


def run_scifact(args: argparse.Namespace) -> dict[str, Any]:
    quick = args.quick
    index_dir = corpora.WORK / "scifact-index"
    started = time.perf_counter()
    scifact.build_index(index_dir, scifact.load_corpus())
    built = time.perf_counter() - started
    limit = 100 if quick else None
    result = scifact.timed_evaluate(scifact.engine_search(index_dir), "test", limit)
    return {
        **result,
        "index_seconds": round(built, 1),
        "published": scifact.PYSERINI,
        "target_ndcg10": 0.70,
        "settings": scifact.settings(),
    }


def run_relevance(args: argparse.Namespace) -> dict[str, Any]:
    if args.quick:
        result = relevance.run(list(QUICK_RELEVANCE))
    else:  # words alone and hybrid side by side, against the same indexes (issue 30)
        result = relevance.run(list(relevance.BENCHMARKS), modes=list(RELEVANCE_MODES))
    print(relevance.table(result), flush=True)
    return result


def run_ingest(args: argparse.Namespace) -> dict[str, Any]:
    work = corpora.WORK / "ingest"
    speeches = QUICK_SPEECHES if args.quick else args.speeches
    return {
        "pdfs": ingest.run_corpus("un-pdfs", corpora.pdf_corpus(args.quick), work),
        "speeches": ingest.run_corpus("ungdc", corpora.ungdc_corpus(speeches), work),
        "targets": {"speedup_2_workers": 2.0, "reindex_unchanged_fraction": 0.05},
    }


def run_search(args: argparse.Namespace) -> dict[str, Any]:
    quick = args.quick
    limit = QUICK_SPEECHES if quick else None
    index_dir, build = search_index.ensure_index(limit, reuse=args.reuse_index)
    queries = search_speed.load_queries()
    ours = search_speed.measure_server(index_dir, queries)
    built = peers.build_all(index_dir, corpora.WORK / ("peers-quick" if quick else "peers"))
    result: dict[str, Any] = {
        "index": build,
        "passages": built["passages"],
        "ours": ours,
        "peer_build": {k: v for k, v in built.items() if k.endswith("seconds")},
        "targets": {"p95_ms": 150, "peak_rss_mb": 1536},
    }
    for name in ("tantivy", "fts5"):
        result[name] = search_speed.measure_peer(built[name], queries)
        result[f"ratio_p50_vs_{name}"] = _ratio(ours, result[name], "p50_ms")
        result[f"ratio_p95_vs_{name}"] = _ratio(ours, result[name], "p95_ms")
    profile = search_speed.profile_engine(index_dir, queries)
    (RESULTS / f"search-profile{'-quick' if quick else ''}.txt").write_text(profile, "utf-8")
    return result


def _search_index(args: argparse.Namespace) -> tuple[Path, dict[str, Any], int]:
    """The search benchmark's index of the speeches (built if missing or stale), its build,
    and how many speeches it holds."""
    limit = QUICK_SPEECHES if args.quick else None
    if args.index_dir is not None:  # an index of all the speeches built before, as it is
        return (
            args.index_dir,
            {"index_dir": str(args.index_dir), "built": "before"},
            limit or scale.ALL_SPEECHES,
        )
    index_dir, build = search_index.ensure_index(limit, reuse=args.reuse_index)
    return index_dir, build, limit or scale.ALL_SPEECHES


def run_search_ratio(args: argparse.Namespace) -> dict[str, Any]:
    index_dir, _, _ = _search_index(args)
    work = index_dir.parent / f"{index_dir.name}-tantivy"
    return search_ratio.measure(index_dir, work, rounds=1 if args.quick else 3)


def run_serve_processes(args: argparse.Namespace) -> dict[str, Any]:
    index_dir, _, _ = _search_index(args)
    seconds = 10.0 if args.quick else 30.0
    one = serve_processes.measure(index_dir, 1, 8, seconds)
    many = serve_processes.measure(index_dir, 2, 4, seconds)
    ratio = round(many["throughput_rps"] / max(one["throughput_rps"], 0.01), 2)
    return {"index_dir": str(index_dir), "one": one, "many": many, "ratio": ratio}


def run_scale(args: argparse.Namespace) -> dict[str, Any]:
    index_dir, build, speeches = _search_index(args)
    result = scale.measure(scale.QUICK_SUBSETS if args.quick else scale.SUBSETS)
    if "passages" not in build:  # built before this run: its size, not its build's speed
        build = scale.prebuilt(index_dir)
    full = scale.row(index_dir, build) | {"speeches": speeches}
    result["rows"].append(full)
    return result


def run_million(args: argparse.Namespace) -> dict[str, Any]:
    return million.measure()


def run_cluster(args: argparse.Namespace) -> dict[str, Any]:
    return cluster.measure(CHECKOUT / "corpus", workers=2)


def _ratio(ours: dict[str, Any], peer: dict[str, Any], key: str) -> float:
    return round(ours["one_client"][key] / max(peer["one_client"][key], 0.01), 1)


RUNNERS = {
    "relevance": run_relevance,
    "scifact": run_scifact,
    "ingest": run_ingest,
    "search": run_search,
    "search-ratio": run_search_ratio,
    "serve-processes": run_serve_processes,
    "scale": run_scale,
    "million": run_million,
    "cluster": run_cluster,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small subsets, a few minutes")
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated subset")
    parser.add_argument("--speeches", type=int, default=None, help="ingest only N speeches")
    parser.add_argument("--reuse-index", action="store_true", help="keep a stale search index")
    parser.add_argument(
        "--index-dir",
        type=Path,
        default=None,
        help="measure search on this index of all the speeches instead of building one",
    )
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    suffix = "-quick" if args.quick else ""
    env = environment()
    for name in args.only.split(","):
        if args.quick and name in QUICK_SKIPS:
            print(f"[bench] {name}: not in the quick run", flush=True)
            continue
        print(f"[bench] {name}{' (quick)' if args.quick else ''}...", flush=True)
        started = time.perf_counter()
        with passage_embeddings(name in EMBEDDING):
            at_start = environment()  # its date and load at the start, whether builds embed
            result = RUNNERS[name](args)
        result["environment"] = {**at_start, "load_average_at_end": list(os.getloadavg())}
        result["wall_seconds"] = round(time.perf_counter() - started, 1)
        path = RESULTS / f"{name}{suffix}.json"
        path.write_text(json.dumps(result, indent=1, default=str) + "\n", "utf-8")
        print(f"[bench] {name}: {path}", flush=True)
    render.write_markdown(RESULTS, env)
    render_scale.write_markdown(RESULTS)


if __name__ == "__main__":
    main()
