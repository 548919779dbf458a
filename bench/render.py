"""Render docs/benchmarks.md from bench/results/*.json (full results, else quick ones)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def load(results: Path, name: str) -> tuple[dict[str, Any] | None, str]:
    for suffix, mode in (("", "full"), ("-quick", "quick")):
        path = results / f"{name}{suffix}.json"
        if path.is_file():
            return json.loads(path.read_text("utf-8")), mode
    return None, ""


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def scifact_section(r: dict[str, Any], mode: str) -> list[str]:
    ndcg = r["nDCG@10"]
    pub = r["published"]
    return [
        f"## Engine figure: BEIR SciFact on a hand-built index ({mode}: {r['queries']} queries)",
        "",
        "Not a product-path figure, and not in `make bench`'s default run (`python -m bench.run",
        "--only scifact`): title + abstract written straight into the index (one passage each,",
        "no extraction, no `report-search index`), queries run through `search_app.engine.search`",
        "in process, no HTTP. The product-path SciFact figure is in the first section.",
        "",
        "| system | nDCG@10 | Recall@100 |",
        "|---|---|---|",
        f"| Report Search (default configuration) | {ndcg:.4f} | {r['R@100']:.4f} |",
        f"| Pyserini BM25 flat (published) | {pub['bm25-flat']:.4f} | 0.9253 |",
        f"| Pyserini BM25 multifield (published) | {pub['bm25-multifield']:.4f} | 0.9076 |",
        "",
        f"Target nDCG@10 >= {r['target_ndcg10']}: {verdict(ndcg >= r['target_ndcg10'])}. "
        f"Settings: `{json.dumps(r['settings'])}`. {r['seconds']} s for the queries.",
        "",
    ]


def relevance_section(r: dict[str, Any], mode: str) -> list[str]:
    """The quality benchmarks through the product path (bench/relevance.py)."""
    from bench.relevance import table

    return [
        "## Retrieval quality through the product path",
        "",
        "Each collection written as files (SciFact and CACM abstracts as Markdown: the title",
        "as a `#` heading, then the abstract; the UN PDFs as they are), indexed with",
        "`report-search index --rebuild --workers 2 --ocr off`, served by `report-search serve`",
        "and queried through `/api/search` over HTTP (`python -m bench.relevance`). SciFact and",
        "CACM rank documents (`group=document`, the default) and, for comparison, passages",
        "(first passage of each document). Pyserini's published SciFact BM25: nDCG@10 0.6789",
        "(flat), 0.6647 (multifield); CACM's plain BM25 (SOURCE.txt): 0.4935 over all, 0.560",
        "over the long requests. Files that index to nothing (a CACM record with a title only",
        "is a heading with no text: `no-text`) are not searchable and count as misses.",
        "",
        table(r),
        "",
    ]


def _rate_row(name: str, r: dict[str, Any]) -> str:
    speed = r.get("speedup_vs_naive", 1.0)
    reindex = r.get("reindex_unchanged_fraction")
    reindex_text = f"{reindex:.1%}" if reindex is not None else "-"
    return (
        f"| {name} | {r['seconds']} | {r['documents']} | {r['pages']} | {r['passages']} | "
        f"{r['documents_per_second']} | {r['pages_per_second']} | {r['passages_per_second']} | "
        f"{speed}x | {reindex_text} |"
    )


def ingest_section(r: dict[str, Any], mode: str) -> list[str]:
    lines = [f"## Ingestion speed ({mode})", "", embeddings_note(r), ""]
    for key in ("pdfs", "speeches"):
        c = r[key]
        lines += [
            f"### {c['corpus']} (`{c['root']}`)",
            "",
            "| run | seconds | docs | pages | passages | docs/s | pages/s | passages/s | "
            "vs naive | unchanged re-index |",
            "|---|---|---|---|---|---|---|---|---|---|",
            _rate_row("naive baseline (1 process)", c["naive"]),
            _rate_row("pipeline --workers 1", c["workers_1"]),
            _rate_row("pipeline --workers 2", c["workers_2"]),
            "",
            f"2 workers >= 2x naive: {verdict(c['workers_2']['speedup_vs_naive'] >= 2)}; "
            f"unchanged re-index <= 5%: "
            f"{verdict(c['workers_2']['reindex_unchanged_fraction'] <= 0.05)}.",
            "",
        ]
    return lines


def embeddings_note(r: dict[str, Any]) -> str:
    """Whether the builds measured stored passage embeddings (runs before this was recorded
    did when the model was installed)."""
    embedded = (r.get("environment") or {}).get("passage_embeddings")
    if embedded is None:
        return "Passage embeddings: not recorded."
    if embedded:
        return "The builds stored passage embeddings (the default with the semantic extra)."
    return (
        "The builds stored no passage embeddings (`REPORT_SEARCH_EMBED=0`, as `--no-embed`): "
        "embedding them takes about 7 ms of CPU a passage (146 passages/s a core: "
        "docs/benchmarks.md)."
    )


def search_section(r: dict[str, Any], mode: str) -> list[str]:
    ours = r["ours"]
    one, many = ours["one_client"], ours["8_clients"]
    lines = [
        f"## Search speed ({mode}: {r['passages']:,} passages, 200 queries)",
        "",
        "`/api/search` (facets, highlights, grouping by document: the defaults) on waitress",
        "(8 threads) over HTTP on 127.0.0.1; peers answer the same queries in process",
        "(top 10 with stored text, and the total count).",
        "",
        "| system | p50 ms | p95 ms | max ms | 8 clients: qps | 8 clients: p95 ms |",
        "|---|---|---|---|---|---|",
        f"| Report Search /api/search | {one['p50_ms']} | {one['p95_ms']} | {one['max_ms']} | "
        f"{many['qps']} | {many['p95_ms']} |",
    ]
    if "ask_one_client" in ours:
        a1, a8 = ours["ask_one_client"], ours["ask_8_clients"]
        lines.append(
            f"| Report Search /api/ask ({a1['queries']} questions) | {a1['p50_ms']} | "
            f"{a1['p95_ms']} | {a1['max_ms']} | {a8['qps']} | {a8['p95_ms']} |"
        )
    for name, label in (("tantivy", "tantivy (Python bindings)"), ("fts5", "SQLite FTS5 bm25()")):
        p1, p8 = r[name]["one_client"], r[name]["8_clients"]
        lines.append(
            f"| {label} | {p1['p50_ms']} | {p1['p95_ms']} | {p1['max_ms']} | {p8['qps']} | "
            f"{p8['p95_ms']} |"
        )
    lines += [
        "",
        f"Ours / tantivy: p50 {r['ratio_p50_vs_tantivy']}x, p95 {r['ratio_p95_vs_tantivy']}x. "
        f"Ours / FTS5: p50 {r['ratio_p50_vs_fts5']}x, p95 {r['ratio_p95_vs_fts5']}x. "
        f"Engine time inside the server (took_ms): p50 {ours['engine_took_ms_p50']}, "
        f"p95 {ours['engine_took_ms_p95']}.",
        "",
        f"p95 <= {r['targets']['p95_ms']} ms: {verdict(one['p95_ms'] <= r['targets']['p95_ms'])}; "
        f"peak server RSS {ours['server_peak_rss_mb']} MB <= {r['targets']['peak_rss_mb']} MB: "
        f"{verdict(ours['server_peak_rss_mb'] <= r['targets']['peak_rss_mb'])} "
        f"(peak unique memory, USS: {ours.get('server_peak_uss_mb', '-')} MB). "
        f"Index built by code {r['index'].get('built_by_code')}, current code "
        f"{r['index'].get('current_code')}; build: {r['index'].get('seconds')} s with 2 workers "
        f"({r['index'].get('passages_per_second')} passages/s).",
        "",
        "| query shape | p50 ms | p95 ms |",
        "|---|---|---|",
    ]
    lines += [f"| {k} | {v['p50_ms']} | {v['p95_ms']} |" for k, v in ours["by_shape"].items()]
    return lines + [""]


def environment_section(env: dict[str, Any]) -> list[str]:
    versions = ", ".join(f"{k} {v}" for k, v in env["versions"].items())
    return [
        "## Machine",
        "",
        f"{env['date']}; {env['cpu']}, {env['cores']} cores, {env['memory_gb']} GB; "
        f"Python {env['python']}; commit {env['commit']}; {versions}. "
        f"Load average at start {env['load_average_at_start']}, "
        f"at end {[round(x, 2) for x in env.get('load_average_at_end', [])]} "
        "(other work shared the machine when the load is above the core count).",
        "",
    ]


def stamp(data: dict[str, Any], mode: str) -> str:
    """When, at which commit, on which machine and under which load a result was measured."""
    env = data.get("environment")
    quick = " (quick run)" if mode == "quick" else ""
    if not env:
        load_1min = data.get("load_average_1min") or {}
        where = ""
        if load_1min:
            where = f"; load average {load_1min.get('before'):.2f} -> {load_1min.get('after'):.2f}"
        return f"_Not stamped{quick}: measured before runs recorded their commit{where}._"
    start = [round(x, 2) for x in env.get("load_average_at_start", [])]
    end = [round(x, 2) for x in env.get("load_average_at_end", [])]
    wall = f" in {data['wall_seconds']} s" if data.get("wall_seconds") else ""
    return (
        f"_Measured{quick} {env.get('date')} at commit {env.get('commit')}{wall} on "
        f"{env.get('cpu')}, {env.get('cores')} cores, {env.get('memory_gb')} GB; load average "
        f"{start} at start, {end} at end (above {env.get('cores')}, other work shared the "
        "cores)._"
    )


def write_markdown(results: Path, run: dict[str, Any] | None = None, doc: Path = DOC) -> Path:
    """docs/benchmarks.md from the results; `run`: the environment of the run writing it."""
    lines = [
        "# Benchmarks",
        "",
        "Produced by `make bench` (`python -m bench.run`; `make bench-quick` for subsets) from",
        "the JSON in `bench/results/`. Speeds are measured side by side in one run on one",
        "machine; absolute timings depend on the machine and its load. Each section says when",
        "and at which commit it was measured.",
        "",
    ]
    if run:
        lines += [
            f"_Written {run['date']} at commit {run['commit']} on {run['cpu']}, "
            f"{run['cores']} cores, {run['memory_gb']} GB; load average "
            f"{run['load_average_at_start']} when the run started._",
            "",
        ]
    env = None
    sections = (
        ("relevance", relevance_section),
        ("scifact", scifact_section),
        ("ingest", ingest_section),
        ("search", search_section),
    )
    for name, section in sections:
        data, mode = load(results, name)
        if data is None:
            lines += [f"## {name}", "", "Not measured yet.", ""]
            continue
        env = env or data.get("environment")
        lines += section(data, mode)
        lines += [stamp(data, mode), ""]
    if env:
        lines += environment_section(env)
    notes = results.parent / "NOTES.md"
    if notes.is_file():
        lines += [notes.read_text("utf-8")]
    doc.parent.mkdir(exist_ok=True)
    doc.write_text("\n".join(lines), "utf-8")
    return doc
