"""Every quality benchmark through the product path, in one run, with a table of the figures.

    python -m bench.relevance [--out bench/results/relevance.json] [--only scifact,cacm,...]
                              [--checkout OTHER_CHECKOUT] [--modes lexical,hybrid]

Each collection is written as files (SciFact and CACM abstracts as Markdown, the UN PDFs as
they are), indexed with `report-search index` in a subprocess, served with `report-search
serve` on a free loopback port, and queried through /api/search over HTTP:

- scifact: the 300 test queries, nDCG@10 and Recall@100, results grouped by document (the
  default) and as passages (first passage of each document);
- cacm: the 52 judged requests, nDCG@10 over all and over the 16 longer than 30 words;
- known_items: each UN PDF's symbol, as printed and typed loosely: is its document hit 1?
- typos: one misspelt word per SciFact test and CACM query: same top passage?

Indexes and collections live under bench/work/ of this checkout and are rebuilt every run
with this checkout's code (the commands beside the running interpreter), or with another
checkout's `report-search` (its .venv and code) given by --checkout, whose commit is then the
one recorded. With --modes, every benchmark is run in each search mode (mode=lexical,
hybrid, semantic) against the same indexes, in one run: the figures are then under
"modes" -> mode.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import cacm, known_items, product, scifact, typos
from bench.corpora import UN_PDFS, WORK
from bench.product import Api, index_folder, record_id, served, shown, write_collection

RESULTS = Path(__file__).resolve().parent / "results" / "relevance.json"
BENCHMARKS = ("scifact", "cacm", "known_items", "typos")


def ranking(api: Api, group: str) -> scifact.SearchFn:
    """A SearchFn over /api/search: record ids in the order shown, each document once."""

    def run(text: str, k: int) -> list[tuple[str, float]]:
        body = api.search(q=text, group=group, per_page=k)
        seen: dict[str, float] = {}
        for hit in shown(body):
            seen.setdefault(record_id(hit["document_id"]), hit.get("score") or 0.0)
        return list(seen.items())

    return run


def scifact_figures(api: Api) -> dict[str, Any]:
    queries, qrels = scifact.load_queries(), scifact.load_qrels("test")
    out: dict[str, Any] = {"queries": len(qrels), "published": scifact.PYSERINI}
    for group in ("document", "passage"):
        started = time.perf_counter()
        scores = scifact.evaluate(ranking(api, group), queries, qrels)
        out[f"by_{group}"] = {**scores, "seconds": round(time.perf_counter() - started, 1)}
    return out


def cacm_figures(api: Api) -> dict[str, Any]:
    queries, qrels = scifact.load_queries(cacm.CACM), scifact.load_qrels("test", cacm.CACM)
    out: dict[str, Any] = {}
    for group in ("document", "passage"):
        per_query = cacm.ndcg(ranking(api, group), queries, qrels)
        out[f"by_{group}"] = cacm.summarize(per_query, queries, qrels)
    return out


KEEP_INDEXES = False  # --keep-indexes: search the indexes an earlier run built, as they are


def _collection(name: str, records: list[dict[str, str]]) -> tuple[Path, dict[str, Any]]:
    """Write the records as files and index them: (index folder, indexing figures)."""
    index_dir = _index_dir(name)
    if KEEP_INDEXES and (index_dir / "CURRENT").exists():
        return index_dir, product.index_figures(index_dir)
    folder = write_collection(records, WORK / "collections" / product.checkout().name / name)
    return index_dir, index_folder(folder, index_dir)


def _index_dir(name: str) -> Path:
    """Per measured checkout, so that two checkouts can be measured at once."""
    return WORK / "product-index" / product.checkout().name / name


def run(only: list[str], modes: list[str] | None = None) -> dict[str, Any]:
    """The chosen benchmarks; each collection indexed and served once for all that use it
    (and for every mode of `modes`: figures under result["modes"][mode])."""
    result: dict[str, Any] = {"indexes": {}}
    by_mode: dict[str, dict[str, Any]] = {mode: {} for mode in modes or [""]}
    typo_sets: dict[str, dict[str, dict[str, Any]]] = {mode: {} for mode in by_mode}
    plan: list[tuple[str, Callable[[], tuple[Path, dict[str, Any]]], list[str]]] = [
        ("scifact", lambda: _collection("scifact", scifact.load_corpus()), ["scifact"]),
        ("cacm", lambda: _collection("cacm", scifact.load_corpus(cacm.CACM)), ["cacm"]),
        ("un-pdfs", _un_pdfs, ["known_items"]),
    ]
    for name, build, uses in plan:
        wanted = [u for u in uses if u in only]
        typo_set = "typos" in only and name in ("scifact", "cacm")
        if not wanted and not typo_set:
            continue
        print(f"[relevance] indexing {name}...", flush=True)
        index_dir, figures = build()
        result["indexes"][name] = figures
        with served(index_dir) as api:
            started = time.perf_counter()
            for mode, out in by_mode.items():
                api.mode = mode
                if "scifact" in wanted:
                    out["scifact"] = scifact_figures(api)
                if "cacm" in wanted:
                    out["cacm"] = cacm_figures(api)
                if "known_items" in wanted:
                    out["known_items"] = known_items.measure(api, index_dir)
                if typo_set:
                    sets = typo_sets[mode]
                    sets[_typo_set_name(name)] = typos.measure(api, _typo_queries(name))
            figures["query_seconds"] = round(time.perf_counter() - started, 1)
            figures["http_errors"] = api.errors[:10]
            figures["http_error_count"] = len(api.errors)
    for mode, sets in typo_sets.items():
        if sets:
            by_mode[mode]["typos"] = typos.combine(sets)
    if modes:
        result["modes"] = by_mode
    else:
        result.update(by_mode[""])
    return result


def _un_pdfs() -> tuple[Path, dict[str, Any]]:
    index_dir = _index_dir("un-pdfs")
    if KEEP_INDEXES and (index_dir / "CURRENT").exists():
        return index_dir, product.index_figures(index_dir)
    return index_dir, index_folder(UN_PDFS, index_dir)


def _typo_set_name(collection: str) -> str:
    return "scifact_test" if collection == "scifact" else collection


def _typo_queries(collection: str) -> dict[str, str]:
    if collection == "scifact":
        queries = scifact.load_queries()
        return {q: queries[q] for q in scifact.load_qrels("test")}
    return scifact.load_queries(cacm.CACM)


def table(result: dict[str, Any]) -> str:
    """The figures as a Markdown table (one column per mode when measured by mode)."""
    if "modes" in result:
        tables = {
            mode: table({**figures, "indexes": {}}) for mode, figures in result["modes"].items()
        }
        modes = list(tables)
        lines = {mode: tables[mode].splitlines()[2:] for mode in modes}
        rows = ["| benchmark | figure | " + " | ".join(modes) + " |"]
        rows.append("|---|---|" + "---|" * len(modes))
        for number, line in enumerate(lines[modes[0]]):
            cells = [lines[m][number].rsplit("|", 2)[1].strip() for m in modes]
            rows.append(line.rsplit("|", 2)[0] + "| " + " | ".join(cells) + " |")
        return "\n".join([*rows, *table({"indexes": result["indexes"]}).splitlines()[2:]])
    rows = ["| benchmark | figure | value |", "|---|---|---|"]
    if "scifact" in result:
        for group in ("document", "passage"):
            r = result["scifact"][f"by_{group}"]
            rows.append(f"| SciFact test, by {group} | nDCG@10 | {r['nDCG@10']:.4f} |")
            rows.append(f"| SciFact test, by {group} | R@100 | {r['R@100']:.4f} |")
    if "cacm" in result:
        for group in ("document", "passage"):
            r = result["cacm"][f"by_{group}"]
            rows.append(f"| CACM all {r['queries']}, by {group} | nDCG@10 | {r['nDCG@10']:.4f} |")
            rows.append(
                f"| CACM {r['long_queries']} over 30 words, by {group} | nDCG@10 | "
                f"{r['nDCG@10_over_30_words']:.4f} |"
            )
    if "known_items" in result:
        r = result["known_items"]
        for kind, value in r["at_1"].items():
            rows.append(f"| known items ({r['symbols']} symbols), {kind} | @1 | {value:.4f} |")
    if "typos" in result:
        r = result["typos"]
        for name, s in r["sets"].items():
            rows.append(
                f"| typos, {name} ({s['queries']}) | same top | {s['top_result_same']:.4f} |"
            )
        rows.append(f"| typos, all | same top | {r['top_result_same']:.4f} |")
    for name, figures in result.get("indexes", {}).items():
        statuses = ", ".join(f"{n} {k}" for k, n in sorted((figures["by_status"] or {}).items()))
        rows.append(
            f"| index {name} ({statuses} files) | searchable documents / passages / seconds | "
            f"{figures['documents']} / {figures['passages']} / {figures['seconds']} |"
        )
    return "\n".join(rows)


def main() -> None:
    from bench.machine import environment

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the JSON")
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated subset")
    parser.add_argument("--checkout", type=Path, help="measure this checkout's report-search")
    parser.add_argument("--modes", help="comma-separated search modes: lexical,hybrid,semantic")
    parser.add_argument(
        "--keep-indexes", action="store_true", help="search the indexes of an earlier run"
    )
    args = parser.parse_args()
    if args.checkout:
        product.use_checkout(args.checkout)
    only = args.only.split(",")
    global KEEP_INDEXES
    KEEP_INDEXES = args.keep_indexes
    unknown = set(only) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmarks: {', '.join(sorted(unknown))}")
    env = environment(product.checkout())
    started = time.perf_counter()
    result = run(only, args.modes.split(",") if args.modes else None)
    result["environment"] = {**env, "load_average_at_end": [round(x, 2) for x in _load()]}
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, default=str) + "\n", "utf-8")
    print(table(result))
    print(
        f"commit {env['commit']}, {env['date']}, load {env['load_average_at_start']} -> "
        f"{result['environment']['load_average_at_end']}; {result['wall_seconds']} s; {args.out}"
    )


def _load() -> tuple[float, float, float]:
    import os

    return os.getloadavg()


if __name__ == "__main__":
    main()
