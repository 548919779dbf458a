"""Render docs/scale.md from bench/results/*.json (full results, else quick ones).

The prose that explains the figures is here, as templates; every figure comes from the
results, and every section says when, at which commit, on which machine and under which load
it was measured (the benchmark machine is shared). What no run measures (how to start a Dask
cluster, the plan beyond one machine) is bench/scale_design.md, copied as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.render import embeddings_note, load, stamp, verdict

CHECKOUT = Path(__file__).resolve().parent.parent
DOC = CHECKOUT / "docs" / "scale.md"
DESIGN = Path(__file__).resolve().parent / "scale_design.md"
# Issue 28's targets: one-client search within these multiples of tantivy, `serve
# --processes 2` this many times one process with 8 clients, ingestion this fast.
RATIO_P95, RATIO_P50 = 5.0, 10.0
PROCESSES_GAIN = 1.7
INGEST_PASSAGES_PER_SECOND = 1000
P95_LIMIT_MS, RSS_LIMIT_MB = 150, 1536  # where one machine stops: search p95, server memory

# Where one machine stops is read off the rows only when the largest is this many times
# the smallest (a quick run's rows span too little to extrapolate from).
EXTRAPOLATE_FROM = 10

Section = Callable[[dict[str, Any]], list[str]]


def _ms(r: dict[str, Any]) -> str:
    return f"{r['p50_ms']} / {r['p95_ms']} ms"


def search_section(r: dict[str, Any]) -> list[str]:
    """/api/search beside tantivy and FTS5 on the same passages (bench.run's `search`)."""
    ours = r["ours"]
    one, many = ours["one_client"], ours["8_clients"]
    p95, p50 = r["ratio_p95_vs_tantivy"], r["ratio_p50_vs_tantivy"]
    lines = [
        f"## Search beside tantivy at {r['passages']:,} passages",
        "",
        "The UN General Debate speeches indexed with 2 workers; `report-search serve` answers",
        "the 200 queries of `bench/queries.json` through `/api/search` over HTTP (facets,",
        "highlights and grouping by report: the page's defaults), one client and then 8;",
        "tantivy-py and SQLite FTS5 answer the same queries in process over the index's own",
        "stored passages (top 10 with their stored text, and the count). After 10 queries that",
        "warm the server's per-generation structures, each query is asked once: for most of",
        "them the first time, their words' postings read from disk, not from the caches.",
        "",
        "| system | 1 client p50 / p95 | 8 clients: queries/s, p95 |",
        "|---|---:|---:|",
        f"| Report Search `/api/search` | {_ms(one)} | {many['qps']} q/s, {many['p95_ms']} ms |",
    ]
    for name, label in (("tantivy", "tantivy (Python bindings)"), ("fts5", "SQLite FTS5")):
        p1, p8 = r[name]["one_client"], r[name]["8_clients"]
        lines.append(f"| {label} | {_ms(p1)} | {p8['qps']} q/s, {p8['p95_ms']} ms |")
    lines += [
        "",
        f"Ours / tantivy, each query asked once: p50 {p50}x, p95 {p95}x (the targets, p95 "
        f"within {RATIO_P95:g}x and p50 within {RATIO_P50:g}x, are a warm server's: judged in "
        "the next section, where each query is asked again). Time inside the engine "
        f"(`took_ms`): p50 {ours['engine_took_ms_p50']}, p95 {ours['engine_took_ms_p95']} ms; "
        "the rest is HTTP, WSGI and JSON. Server memory at its peak: "
        f"{ours['server_peak_rss_mb']:,} MB RSS "
        f"({ours.get('server_peak_uss_mb', '-')} MB of it its own).",
    ]
    return lines


def ratio_section(r: dict[str, Any]) -> list[str]:
    """Ours and tantivy query by query in turns, with the CPU each used (bench.search_ratio)."""
    return [
        f"### Query by query, with the CPU each used ({r['passages']:,} passages)",
        "",
        "`python -m bench.search_ratio`: the same two systems answer each query in turns, so",
        f"that both see the same load, {r['rounds']} round(s) of the 200 queries after a warm-up.",
        "The CPU time is our server process's and that of the thread calling tantivy: the",
        "machine's load moves it much less than latency.",
        "",
        "| our CPU a query | tantivy's | CPU ratio | ours p50 / p95 | tantivy p50 / p95 | "
        "ratio p50 / p95 |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {r['ours_cpu_ms_per_query']} ms | {r['tantivy_cpu_ms_per_query']} ms | "
        f"{r['ratio_cpu']}x | {r['ours_p50_ms']} / {r['ours_p95_ms']} ms | "
        f"{r['tantivy_p50_ms']} / {r['tantivy_p95_ms']} ms | {r['ratio_p50']}x / "
        f"{r['ratio_p95']}x |",
        "",
        f"p95 within {RATIO_P95:g}x: {verdict(r['ratio_p95'] <= RATIO_P95)}; p50 within "
        f"{RATIO_P50:g}x: {verdict(r['ratio_p50'] <= RATIO_P50)}. Our server's memory: "
        f"{r['server_memory_mb']['peak_rss_mb']:,} MB RSS at its peak.",
        *_first_asked(r.get("first_asked")),
    ]


def _first_asked(first: dict[str, Any] | None) -> list[str]:
    """The warm-up round: each query asked for the first time since the server started."""
    if not first:
        return []
    return [
        "",
        "The rounds above ask the same 200 queries again, so our per-generation caches of a "
        "query's understanding and of term statistics serve them, as they serve a server's "
        "repeated queries. The warm-up round, each query asked for the first time, one client: "
        f"ours p50 / p95 {first['ours_p50_ms']} / {first['ours_p95_ms']} ms, tantivy "
        f"{first['tantivy_p50_ms']} / {first['tantivy_p95_ms']} ms ({first['ratio_p50']}x / "
        f"{first['ratio_p95']}x).",
    ]


def serve_section(r: dict[str, Any]) -> list[str]:
    """8 clients on one server process and on `serve --processes N` (bench.serve_processes)."""
    rows = []
    for key, label in (("one", "one process, {threads} threads"), ("many", "")):
        s = r[key]
        name = label.format(**s) or f"`--processes {s['processes']}`, {s['threads']} threads each"
        memory = " + ".join(f"{m['pss_mb']:,}" for m in s["memory"])
        rows.append(
            f"| {name} | {s['throughput_rps']} | {s['p50_ms']} / {s['p99_ms']} ms | "
            f"{s['server_cores']} | {s['server_cpu_ms_per_request']} ms | "
            f"{s['load_generator_cores']} cores | {memory} = {s['total_pss_mb']:,} MB |"
        )
    one, many = r["one"], r["many"]
    gain_per_core = (many["throughput_rps"] / max(many["server_cores"], 0.01)) / max(
        one["throughput_rps"] / max(one["server_cores"], 0.01), 0.01
    )
    return [
        "## Serving with several processes",
        "",
        "`python -m bench.serve_processes`: 8 clients for the same time against one server",
        "process (waitress, 8 threads) and against `report-search serve --processes 2`",
        "(gunicorn, 4 threads each), on the search benchmark's index. The load generator's CPU",
        "and the server's are measured over each run: the ratio is set by the cores the server",
        "is given, since one process cannot use much more than one core (Python's GIL).",
        "",
        "| server | queries/s | p50 / p99 | server CPU (cores) | CPU a query | load generator "
        "| memory (PSS per process = in all) |",
        "|---|---:|---:|---:|---:|---:|---|",
        *rows,
        "",
        f"`--processes {many['processes']}` / one process: **{r['ratio']}x** queries/s "
        f"(target {PROCESSES_GAIN}x: {verdict(r['ratio'] >= PROCESSES_GAIN)}); per core the "
        f"server was given, {gain_per_core:.2f}x. The workers start from the master's "
        "snapshot of the live generation's caches, so those pages are shared, read-only "
        "(PSS counts a shared page once across the processes).",
    ]


def ingest_section(r: dict[str, Any]) -> list[str]:
    """Indexing speed with 1 and 2 local workers (bench.ingest)."""
    rows = []
    for key in ("speeches", "pdfs"):
        c = r[key]
        for workers in ("workers_1", "workers_2"):
            w = c[workers]
            rows.append(
                f"| {c['corpus']} | {workers[-1]} | {w['documents']:,} | {w['passages']:,} | "
                f"{w['seconds']} | {w['passages_per_second']} |"
            )
    best = r["speeches"]["workers_2"]["passages_per_second"]
    return [
        "## Ingestion",
        "",
        "`report-search index --rebuild` of the speeches and of the UN PDFs with 1 and 2 local",
        "workers (`bench.ingest`; docs/benchmarks.md has the naive baseline and re-index",
        "figures). Each worker extracts, structures and analyses its files and writes index",
        "segments of its own; the indexing process only commits them, so ingestion is bound by",
        "the workers' CPU.",
        "",
        "| corpus | workers | documents | passages | seconds | passages/s |",
        "|---|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Speeches with 2 workers: {best} passages/s (target {INGEST_PASSAGES_PER_SECOND:,}: "
        f"{verdict(best >= INGEST_PASSAGES_PER_SECOND)}). {embeddings_note(r)}",
    ]


def growth_section(r: dict[str, Any]) -> list[str]:
    """Search, questions, memory and ingestion at growing subsets of the speeches."""
    rows = sorted(r["rows"], key=lambda row: row["passages"])
    table = [
        f"| {x['passages']:,} ({x['speeches']:,} speeches) | "
        f"{x['ingestion_passages_per_second'] or 'built before'} | {_ms(x['search_one_client'])} | "
        f"{x['search_8_clients']['qps']} q/s, {x['search_8_clients']['p95_ms']} ms | "
        f"{_ms(x['ask_one_client'])} | {x['server_peak_rss_mb']:,} MB |"
        for x in rows
    ]
    return [
        "## How it grows",
        "",
        f"Full rebuilds of evenly spread subsets of the speeches (a speech is a file) with "
        f"{r['workers']} local workers, then `report-search serve` on each index after its",
        "warm-up: `/api/search` over the 200 benchmark queries with one client and with 8, and",
        "`/api/ask` with one client (`bench.scale`); the largest row is the search benchmark's",
        f"index. {embeddings_note(r)}",
        "",
        "| passages | ingestion (passages/s) | search p50 / p95, 1 client | "
        "8 clients: queries/s, p95 | ask p50 / p95 | server RSS |",
        "|---:|---:|---:|---:|---:|---:|",
        *table,
        "",
        *_growth(rows),
    ]


def _growth(rows: list[dict[str, Any]]) -> list[str]:
    """How the figures grow from the smallest row to the largest, and where the straight
    lines through them cross the limits of one machine."""
    if len(rows) < 2:
        return []
    small, large = rows[0], rows[-1]
    size = large["passages"] / small["passages"]
    p50 = large["search_one_client"]["p50_ms"] / max(small["search_one_client"]["p50_ms"], 0.1)
    p95 = large["search_one_client"]["p95_ms"] / max(small["search_one_client"]["p95_ms"], 0.1)
    passages = np.array([x["passages"] for x in rows], dtype=float)
    rss_slope, rss_base = np.polyfit(passages, [x["server_peak_rss_mb"] for x in rows], 1)
    p95_slope, p95_base = np.polyfit(passages, [x["search_one_client"]["p95_ms"] for x in rows], 1)
    lines = [
        f"- *Search*: from {small['passages']:,} to {large['passages']:,} passages "
        f"({size:.1f}x) the one-client median grows {p50:.1f}x and the p95 {p95:.1f}x. The "
        "engine scores every matching passage with exact BM25F in numpy and counts facets "
        "over every match, so the cost follows the matches of the commonest query terms.",
        f"- *Memory* grows with the passages (per-passage columns, facet arrays, field "
        f"lengths): about {rss_slope * 1024:.2f} kB a passage above {rss_base:,.0f} MB.",
    ]
    stops = []
    if size < EXTRAPOLATE_FROM:
        return lines  # too narrow a range to draw the lines far past it
    if rss_slope > 0:
        stops.append(
            f"one server process reaches {RSS_LIMIT_MB:,} MB near "
            f"{(RSS_LIMIT_MB - rss_base) / rss_slope:,.0f} passages"
        )
    if p95_slope > 0:
        stops.append(
            f"the one-client p95 passes {P95_LIMIT_MS} ms near "
            f"{(P95_LIMIT_MS - p95_base) / p95_slope:,.0f} passages"
        )
    if stops:
        lines.append(
            "- *Where one machine stops*, on the straight lines through these rows: "
            + "; ".join(stops)
            + ". More cores move every limit but the latency of one query; beyond them, shard "
            "the search itself (below)."
        )
    return lines


def million_section(r: dict[str, Any]) -> list[str]:
    """The speeches and altered copies of them, about a million passages (bench.million)."""
    built, warm = r["ingestion"], r["server_after_warm_up_mb"]
    one = r["search_one_client"]
    many = "not measured"
    if "search_8_clients" in r:
        many = f"{r['search_8_clients']['qps']} q/s, {r['search_8_clients']['p95_ms']} ms"
    ask = _ms(r["ask_one_client"]) if "ask_one_client" in r else "not measured"
    p95, rss = one["p95_ms"], r["server_peak_rss_mb"]
    return [
        f"## {r['passages']:,} passages",
        "",
        f"`python -m bench.million`: the {r['speeches']:,} speeches as they are and "
        f"{r['altered_copies']} altered copies of them (the last holds "
        f"{r['partial_copy_speeches']:,} evenly spread speeches), {r['files']:,} text files "
        'under new folder names with their own metadata.csv, titles ending "(copy N)". Each '
        f"copy drops about one lowercase word in {r['drop_one_word_in']} (a seeded draw per copy "
        "and file), which leaves a copy and its speech sharing about 60% of their 5-word "
        "shingles, well under the 0.9 at which copy detection groups documents (it grouped "
        f"{len(built['duplicates'])} here), while the words, lengths and vocabulary stay the "
        "speeches'. So the commonest query terms match as many times more passages as the "
        "shelf is larger, but the term dictionary is the speeches' own (a shelf of different "
        "reports would have a larger one).",
        "",
        f"Indexed as files with `nice -n 10 report-search index --rebuild --workers "
        f"{r['workers']} --no-embed` (niced while the machine's other work ran; no passage "
        "embeddings stored), then `report-search serve` on it "
        f"(ready {r['server_ready_seconds']} s after its start, warm-up included), measured "
        "as in the rows above.",
        "",
        "| ingestion | index on disk | indexing RSS (all processes, peak) | server RSS / PSS "
        "after warm-up | server peak RSS |",
        "|---:|---:|---:|---:|---:|",
        f"| {built['seconds']:,} s, {built['passages_per_second']} passages/s | "
        f"{r['index_mb']:,} MB | {built['peak_rss_mb']:,} MB | {warm['rss']:,} / "
        f"{warm['pss']:,} MB | {rss:,} MB |",
        "",
        "| search p50 / p95, 1 client | engine `took_ms` p50 / p95 | server CPU a query "
        "| 8 clients: queries/s, p95 | ask p50 / p95, 1 client |",
        "|---:|---:|---:|---:|---:|",
        f"| {_ms(one)} | {r['engine_took_ms_p50']} / {r['engine_took_ms_p95']} ms | "
        f"{r['server_cpu_ms_per_query']} ms | "
        f"{many} | {ask} |",
        "",
        f"Where one machine stops: the one-client search p95 within {P95_LIMIT_MS} ms: "
        f"{verdict(p95 <= P95_LIMIT_MS)} ({p95} ms); one server process within "
        f"{RSS_LIMIT_MB:,} MB: {verdict(rss <= RSS_LIMIT_MB)} ({rss:,} MB at its peak). The "
        f"build's own stamp: {_stamp_line(built.get('environment'))}",
    ]


def _stamp_line(env: dict[str, Any] | None) -> str:
    """When and under which load the build ran (it may be hours before the serving)."""
    if not env:
        return "not recorded."
    return (
        f"{env.get('date')} at commit {env.get('commit')}, load average "
        f"{env.get('load_average_at_start')} at start, {env.get('load_average_at_end')} at end."
    )


def cluster_section(r: dict[str, Any]) -> list[str]:
    """Local workers against a local Dask cluster's two modes (bench.cluster)."""
    runs = r["runs"]
    rows = [
        f"| {name} | {x['seconds']} | {x['passages_per_second']} | "
        f"{x['indexing_process_cpu_seconds']} s |"
        for name, x in runs.items()
    ]
    lines = [
        "## What each cluster mode costs",
        "",
        'How to start a cluster, and what travels in each mode: "Indexing on a Dask cluster"',
        "below.",
        "",
        f"`python -m bench.cluster` rebuilds an index of `{Path(r['folder']).name}/` with "
        f"{r['workers']} local workers, then on a Dask cluster of `dask worker --nworkers "
        f"{r['workers']} --nthreads 1` on the same machine (the first run pays each worker's",
        "start-up), with workers writing segments and with the passages sent back to one",
        "writer. On one machine the workers share the indexing process's cores, so only the",
        "ratios and the indexing process's own CPU mean much.",
        "",
        "| run | seconds | passages/s | indexing process CPU |",
        "|---|---:|---:|---:|",
        *rows,
    ]
    back = runs.get("cluster, passages sent back")
    segments = runs.get("cluster, workers write segments")
    if back and segments and back["passages"]:
        per_back = 1000 * back["indexing_process_cpu_seconds"] / back["passages"]
        per_segments = 1000 * segments["indexing_process_cpu_seconds"] / segments["passages"]
        lines += [
            "",
            f"Sending the passages back costs the indexing process {per_back:.2f} ms of CPU a "
            f"passage (unpickling and writing every posting), against {per_segments:.2f} ms "
            "when the workers write segments: with workers on other machines the one writer "
            f"caps a run near {1000 / max(per_back, 0.001):,.0f} passages/s, while with "
            "segments the cap is the workers' own CPU.",
        ]
    return lines


SECTIONS: tuple[tuple[str, Section], ...] = (
    ("search", search_section),
    ("search-ratio", ratio_section),
    ("serve-processes", serve_section),
    ("ingest", ingest_section),
    ("scale", growth_section),
    ("million", million_section),
    ("cluster", cluster_section),
)


def render(results: Path, design: Path = DESIGN) -> str:
    """docs/scale.md's text from the results in `results` (and the design notes)."""
    lines = [
        "# Scale: how far one machine goes, and the plan beyond it",
        "",
        "Produced by `make bench` (`python -m bench.run`) from the JSON in `bench/results/` by",
        "`bench/render_scale.py` (the prose is there, and in `bench/scale_design.md`: edit",
        "those, not this page). Each section says when, at which commit, on which machine and",
        "under which load it was measured; the benchmark machine is shared with other work, so",
        "the ratios within one section are the figures to compare.",
        "",
    ]
    for name, section in SECTIONS:
        data, mode = load(results, name)
        if data is None:
            lines += [
                f"## {name}",
                "",
                f"Not measured yet (`python -m bench.run --only {name}`).",
                "",
            ]
            continue
        lines += [*section(data), "", stamp(data, mode), ""]
    if design.is_file():
        lines.append(design.read_text("utf-8"))
    return "\n".join(lines)


def write_markdown(results: Path, doc: Path = DOC) -> Path:
    doc.write_text(render(results), "utf-8")
    return doc


if __name__ == "__main__":
    print(write_markdown(CHECKOUT / "bench" / "results"))
