"""Choose hybrid search's weight of words on SciFact's train queries (never test), in process.

    python -m bench.hybrid_fit [--index bench/work/product-index/<checkout>/scifact]
                               [--queries 300] [--weights 0.2,0.3,0.4,0.5]

Needs the SciFact index bench.relevance builds (files, `report-search index`, with
embeddings). Each weight is scored by nDCG@10 over the first --queries train queries,
results grouped by document as the page shows them; lexical is the baseline.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from bench import scifact
from bench.corpora import WORK
from bench.product import checkout, record_id, shown
from search_app.engine import SearchRequest, hybrid, meaning, search, service
from search_app.engine.index_handle import IndexHandle


def searcher(handle: IndexHandle, mode: str) -> scifact.SearchFn:
    def run(text: str, k: int) -> list[tuple[str, float]]:
        body = search(handle, SearchRequest(q=text, group="document", per_page=k, mode=mode))
        seen: dict[str, float] = {}
        for hit in shown(body):
            seen.setdefault(record_id(hit["document_id"]), hit.get("score") or 0.0)
        return list(seen.items())

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    default = WORK / "product-index" / checkout().name / "scifact"
    parser.add_argument("--index", type=Path, default=default)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--weights", default="0.2,0.3,0.4,0.5")
    parser.add_argument(
        "--rerank-only",
        action="store_true",
        help="no candidates found by meaning alone: re-rank the words' best 100",
    )
    parser.add_argument("--no-lexical", action="store_true", help="skip the lexical baseline")
    args = parser.parse_args()
    if args.rerank_only:
        service.nearest = lambda *_, **__: {}
    meaning._QUERY_CACHE = 100_000  # every train query encoded once for all weights
    queries = scifact.load_queries()
    train = dict(list(scifact.load_qrels("train").items())[: args.queries])
    handle = IndexHandle(args.index)
    result: dict[str, object] = {"queries": len(train)}
    started = time.perf_counter()
    if not args.no_lexical:
        result["lexical"] = scifact.evaluate(searcher(handle, "lexical"), queries, train)
    for weight in (float(w) for w in args.weights.split(",")):
        hybrid.WORDS_WEIGHT = weight
        result[f"hybrid_words_{weight}"] = scifact.evaluate(
            searcher(handle, "hybrid"), queries, train
        )
        print(weight, result[f"hybrid_words_{weight}"], flush=True)
    result["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
