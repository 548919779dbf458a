"""/api/ask latency beside /api/search on a real waitress server over an existing index.

bench/search_speed.py's server measurement (200 search queries, and every 4th of them asked
as a question, with one client and with 8) on an index already built, e.g. the General
Debate index of bench/search_index.py; writes bench/results/qa_speed.json.

    python -m bench.qa_speed bench/work/ungdc-index-2750
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import search_speed  # noqa: E402
from search_app.engine.index_handle import IndexHandle  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "qa_speed.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    passages = IndexHandle(args.index_dir).snapshot().searcher().doc_count_all()
    measured = search_speed.measure_server(args.index_dir, search_speed.load_queries())
    ask_many = f"ask_{search_speed.CLIENTS}_clients"
    results = {
        "index": str(args.index_dir.resolve().relative_to(ROOT)),
        "passages": passages,
        "search_one_client": measured["one_client"],
        "ask_one_client": measured["ask_one_client"],
        f"search_{search_speed.CLIENTS}_clients": measured[f"{search_speed.CLIENTS}_clients"],
        ask_many: measured[ask_many],
    }
    print(json.dumps(results, indent=1))
    if not args.no_write:
        RESULTS.write_text(json.dumps(results, indent=1) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
