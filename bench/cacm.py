"""Verbose queries on CACM: nDCG@10 through /api/search against a plain BM25.

    python -m bench.cacm

CACM's requests are natural-language paragraphs ("I am interested in articles which deal
with ..."), 16 of the 52 judged ones over 30 words. The reference, a plain BM25 over title and
text as one field, is measured in the data set's SOURCE.txt (0.4935 over all, 0.560 over the
long ones). CACM has no train split: nothing is tuned on it. Results: bench/results/cacm.json.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import ir_measures

from bench import scifact
from bench.corpora import DATA, WORK

CACM = DATA / "ir" / "cacm"
RESULTS = Path(__file__).resolve().parent / "results" / "cacm.json"
REFERENCE = {"all": 0.4935, "over_30_words": 0.560}
TARGETS = {"all": 0.494, "over_30_words": 0.56}
LONG = 30  # words


def api_search(index_dir: Path) -> scifact.SearchFn:
    """The product path: GET /api/search through the Flask app, passages ungrouped."""
    from search_app.web import create_app

    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()

    def run(text: str, k: int) -> list[tuple[str, float]]:
        response = client.get(
            "/api/search", query_string={"q": text, "group": "passage", "per_page": k}
        )
        assert response.status_code == 200, (text, response.get_json())
        return [(hit["document_id"], hit["score"]) for hit in response.get_json()["results"]]

    return run


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


def main() -> dict[str, Any]:
    index_dir = WORK / "cacm-index"
    started = time.perf_counter()
    scifact.build_index(index_dir, scifact.load_corpus(CACM))
    built = time.perf_counter() - started
    queries = scifact.load_queries(CACM)
    qrels = scifact.load_qrels("test", CACM)
    started = time.perf_counter()
    per_query = ndcg(api_search(index_dir), queries, qrels)
    long = [q for q in qrels if len(queries[q].split()) > LONG]
    result = {
        "queries": len(qrels),
        "long_queries": len(long),
        "nDCG@10": round(sum(per_query.values()) / len(qrels), 4),
        "nDCG@10_over_30_words": round(sum(per_query.get(q, 0.0) for q in long) / len(long), 4),
        "reference_plain_bm25": REFERENCE,
        "targets": TARGETS,
        "seconds": round(time.perf_counter() - started, 1),
        "index_seconds": round(built, 1),
        "settings": scifact.settings(),
    }
    RESULTS.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    print(json.dumps(main(), indent=1))
