"""docs/scale.md is rendered from the benchmarks' results: every section's figures come from
its JSON, stamped with the date, commit, machine and load it was measured at."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench import render, render_scale
from bench.machine import environment
from bench.search_speed import summarize


def _latencies(p50_ms: float, qps: float | None = None) -> dict[str, Any]:
    """A latency summary as the benchmarks write it, around a median."""
    seconds = [p50_ms / 1000 * (0.5 + i / 100) for i in range(101)]
    return summarize(seconds, len(seconds) / qps if qps else None)


def _results(env: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """One result of each benchmark that docs/scale.md shows, shaped as bench.run writes it."""
    ours = {
        "one_client": _latencies(21.0, 40.0),
        "8_clients": _latencies(130.0, 57.0),
        "engine_took_ms_p50": 19.5,
        "engine_took_ms_p95": 38.5,
        "server_peak_rss_mb": 1234,
        "server_peak_uss_mb": 1111,
        "by_shape": {"phrase": _latencies(40.0)},
    }
    ratio = {"ours_p50_ms": 31.5, "ours_p95_ms": 112.8, "tantivy_p50_ms": 1.0}
    serve = {"processes": 1, "threads": 8, "throughput_rps": 53.0, "p50_ms": 131.0}
    serve |= {"p99_ms": 543.0, "server_cores": 1.04, "server_cpu_ms_per_request": 19.7}
    serve |= {"load_generator_cores": 0.02, "memory": [{"pss_mb": 1178}], "total_pss_mb": 1178}
    many = serve | {"processes": 2, "threads": 4, "throughput_rps": 99.0, "server_cores": 1.9}
    many |= {"memory": [{"pss_mb": 286}, {"pss_mb": 867}], "total_pss_mb": 1153}
    rate = {"documents": 10952, "passages": 278955, "seconds": 547.3}
    ingest = {
        name: {
            "corpus": name,
            "workers_1": rate | {"passages_per_second": 386.5},
            "workers_2": rate | {"passages_per_second": 612.3},
        }
        for name in ("speeches", "pdfs")
    }
    rows = [
        {
            "passages": passages,
            "speeches": passages // 25,
            "ingestion_passages_per_second": 550.0,
            "search_one_client": _latencies(p50),
            "search_8_clients": _latencies(p50 * 6, 40.0),
            "ask_one_client": _latencies(30.0),
            "server_peak_rss_mb": 270 + round(passages * 1.5 / 1024),
        }
        for passages, p50 in ((10_000, 14.0), (100_000, 26.0), (280_000, 60.0))
    ]
    run = {"seconds": 60.0, "passages_per_second": 150.0, "passages": 9266}
    return {
        "search": {
            "passages": 278_955,
            "ours": ours,
            "tantivy": {"one_client": _latencies(0.7), "8_clients": _latencies(3.0, 2000.0)},
            "fts5": {"one_client": _latencies(19.0), "8_clients": _latencies(300.0, 21.0)},
            "ratio_p50_vs_tantivy": 30.0,
            "ratio_p95_vs_tantivy": 4.9,
            "ratio_p50_vs_fts5": 1.1,
            "ratio_p95_vs_fts5": 0.2,
            "index": {"seconds": 547.3, "passages_per_second": 509.7},
            "targets": {"p95_ms": 150, "peak_rss_mb": 1536},
        },
        "search-ratio": ratio
        | {"passages": 278_959, "rounds": 3, "tantivy_p95_ms": 6.1, "ratio_p50": 31.5}
        | {"ratio_p95": 18.5, "ours_cpu_ms_per_query": 18.1, "tantivy_cpu_ms_per_query": 1.29}
        | {"ratio_cpu": 14.1, "server_memory_mb": {"peak_rss_mb": 1268}},
        "serve-processes": {"one": serve, "many": many, "ratio": 1.87},
        "ingest": ingest,
        "scale": {"workers": 2, "rows": rows},
        "million": {
            "passages": 1_012_345,
            "files": 41_856,
            "speeches": 10_952,
            "altered_copies": 3,
            "partial_copy_speeches": 9_000,
            "drop_one_word_in": 12,
            "workers": 2,
            "ingestion": {"seconds": 2500.5, "passages_per_second": 404.9, "peak_rss_mb": 1900}
            | {"duplicates": [{"representative": "a", "copies": ["b"]}], "environment": env},
            "index_mb": 2345.6,
            "server_after_warm_up_mb": {"rss": 1700, "pss": 1650, "uss": 1600},
            "server_peak_rss_mb": 1800,
            "server_ready_seconds": 95.5,
            "search_one_client": _latencies(160.0),
            "engine_took_ms_p50": 150.0,
            "engine_took_ms_p95": 300.0,
            "server_cpu_ms_per_query": 70.5,
            "search_8_clients": _latencies(900.0, 9.0),
            "ask_one_client": _latencies(70.0),
        },
        "cluster": {
            "folder": "/x/corpus",
            "workers": 2,
            "runs": {
                "local workers": run | {"indexing_process_cpu_seconds": 0.9},
                "cluster, workers write segments": run | {"indexing_process_cpu_seconds": 2.2},
                "cluster, passages sent back": run | {"indexing_process_cpu_seconds": 13.4},
            },
        },
    }


def test_every_section_shows_its_figures_and_its_stamp(tmp_path: Path) -> None:
    env = {**environment(), "load_average_at_end": [3.5, 2.25, 2.0]}
    for name, result in _results(env).items():
        stamped = {**result, "environment": env, "wall_seconds": 12.5}
        (tmp_path / f"{name}.json").write_text(json.dumps(stamped), "utf-8")
    doc = render_scale.write_markdown(tmp_path, tmp_path / "scale.md")
    text = doc.read_text("utf-8")

    stamp = (
        f"_Measured {env['date']} at commit {env['commit']} in 12.5 s on {env['cpu']}, "
        f"{env['cores']} cores, {env['memory_gb']} GB; load average "
        f"{[round(x, 2) for x in env['load_average_at_start']]} at start, [3.5, 2.25, 2.0] at end"
    )
    assert text.count(stamp) == len(render_scale.SECTIONS)  # every section says when and where
    assert "Not measured yet" not in text
    # The figures are the results' own.
    assert "| Report Search `/api/search` | 21.0 / " in text
    assert "Ours / tantivy, each query asked once: p50 30.0x, p95 4.9x" in text
    assert "are a warm server's: judged in the next section" in text  # no verdict on cold ones
    assert "| 18.1 ms | 1.29 ms | 14.1x | 31.5 / 112.8 ms |" in text
    assert "**1.87x** queries/s (target 1.7x: met)" in text
    assert "| 286 + 867 = 1,153 MB |" in text
    assert "Speeches with 2 workers: 612.3 passages/s (target 1,000: **not met**)" in text
    assert "| 280,000 (11,200 speeches) | 550.0 | 60.0 / " in text
    assert "about 1.50 kB a passage above 270 MB" in text  # the line through the rows
    assert "## 1,012,345 passages" in text  # the million row, as files through the product
    assert "3 altered copies of them (the last holds 9,000 evenly spread speeches), 41,856" in text
    assert "copy detection groups documents (it grouped 1 here)" in text
    assert "(ready 95.5 s after its start, warm-up included)" in text
    assert (
        "| 2,500.5 s, 404.9 passages/s | 2,345.6 MB | 1,900 MB | 1,700 / 1,650 MB | 1,800" in text
    )
    assert "| 160.0 / " in text and "| 150.0 / 300.0 ms | 70.5 ms |" in text
    assert "search p95 within 150 ms: **not met** (" in text
    assert "within 1,536 MB: **not met** (1,800 MB at its peak)" in text
    assert f"The build's own stamp: {env['date']} at commit {env['commit']}" in text
    assert "1.45 ms of CPU a passage" in text  # 13.4 s for 9,266 passages, sent back
    assert "## Indexing on a Dask cluster" in text  # the design notes follow the figures


def test_quick_results_show_where_no_full_one_exists_and_say_so(tmp_path: Path) -> None:
    results = _results(environment())
    (tmp_path / "search-quick.json").write_text(json.dumps(results["search"]), "utf-8")
    full = {**results["search"], "passages": 111_111}
    (tmp_path / "scale-quick.json").write_text(json.dumps(results["scale"]), "utf-8")
    (tmp_path / "scale.json").write_text(json.dumps(results["scale"]), "utf-8")
    text = render_scale.render(tmp_path, design=tmp_path / "none.md")
    assert "## Search beside tantivy at 278,955 passages" in text
    assert "_Not stamped (quick run)" in text  # no environment recorded with it
    assert "`python -m bench.run --only serve-processes`" in text  # not measured: says how
    (tmp_path / "search.json").write_text(json.dumps(full), "utf-8")
    text = render_scale.render(tmp_path, design=tmp_path / "none.md")
    assert "## Search beside tantivy at 111,111 passages" in text  # the full run comes first
    assert "(quick run)" not in text


def test_benchmarks_page_stamps_each_section_and_labels_the_engine_figure(tmp_path: Path) -> None:
    env = {**environment(), "load_average_at_end": [3.5, 2.25, 2.0]}
    search = {**_results(env)["search"], "environment": env, "wall_seconds": 80.0}
    (tmp_path / "search.json").write_text(json.dumps(search), "utf-8")
    text = render.write_markdown(tmp_path, env, tmp_path / "benchmarks.md").read_text("utf-8")
    assert f"at commit {env['commit']} in 80.0 s on {env['cpu']}, {env['cores']} cores" in text
    assert "| Report Search /api/search | 21.0 |" in text
    assert "## relevance\n\nNot measured yet." in text
    scifact = {"queries": 100, "nDCG@10": 0.69, "R@100": 0.9, "target_ndcg10": 0.7}
    scifact |= {"published": {"bm25-flat": 0.679, "bm25-multifield": 0.665}, "seconds": 3}
    (tmp_path / "scifact.json").write_text(json.dumps(scifact | {"settings": {}}), "utf-8")
    text = render.write_markdown(tmp_path, env, tmp_path / "benchmarks.md").read_text("utf-8")
    assert "## Engine figure: BEIR SciFact on a hand-built index" in text
    assert "Not a product-path figure, and not in `make bench`'s default run" in text


def test_million_row_measured_at_one_client_only_says_what_it_left_out(tmp_path: Path) -> None:
    million = dict(_results(environment())["million"])
    del million["search_8_clients"], million["ask_one_client"]
    (tmp_path / "million.json").write_text(json.dumps(million), "utf-8")
    text = render_scale.render(tmp_path, design=tmp_path / "none.md")
    assert "| 160.0 / " in text  # the one-client latency, the row's own figure
    assert "| 70.5 ms | not measured | not measured |" in text
