"""Verbose queries on CACM: nDCG@10 through /api/search against a plain BM25.

    python -m bench.cacm

The abstracts are written as Markdown files, indexed with `report-search index` and searched
through /api/search over HTTP (bench/relevance.py).

CACM's requests are natural-language paragraphs ("I am interested in articles which deal
with ..."), 16 of the 52 judged ones over 30 words. The reference, a plain BM25 over title and
text as one field, is measured in the data set's SOURCE.txt (0.4935 over all, 0.560 over the
long ones). CACM has no train split: nothing is tuned on it. Results: bench/results/cacm.json.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ir_measures

from bench import scifact
from bench.corpora import DATA

CACM = DATA / "ir" / "cacm"
RESULTS = Path(__file__).resolve().parent / "results" / "cacm.json"
REFERENCE = {"all": 0.4935, "over_30_words": 0.560}
TARGETS = {"all": 0.494, "over_30_words": 0.56}
LONG = 30  # words


def ndcg(search: scifact.SearchFn, queries: dict[str, str], qrels: dict[str, dict[str, int]]):
    """nDCG@10 over the judged queries, and per query."""
    run = {}
    for qid in qrels:
        hits = search(queries[qid], 100)
        run[qid] = {doc: float(len(hits) - rank) for rank, (doc, _) in enumerate(hits)}
    per_query = {
        m.query_id: m.value for m in ir_measures.iter_calc([ir_measures.nDCG @ 10], qrels, run)
    }
    return per_query


def summarize(per_query: dict[str, float], queries: dict[str, str], qrels: Any) -> dict:
    """nDCG@10 over all judged queries and over those longer than 30 words."""
    long = [q for q in qrels if len(queries[q].split()) > LONG]
    return {
        "queries": len(qrels),
        "long_queries": len(long),
        "nDCG@10": round(sum(per_query.values()) / len(qrels), 4),
        "nDCG@10_over_30_words": round(sum(per_query.get(q, 0.0) for q in long) / len(long), 4),
        "reference_plain_bm25": REFERENCE,
        "targets": TARGETS,
    }


def main() -> dict[str, Any]:
    """CACM alone, through the product path (files, `report-search index`, HTTP)."""
    from bench import relevance

    result = relevance.run(["cacm"])["cacm"]
    RESULTS.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    print(json.dumps(main(), indent=1))
