"""The /api/search bodies of the benchmark queries, recorded once and compared after a change.

`python -m bench.api_bodies record FILE` writes, for every benchmark query in four shapes
(passages, grouped by document, sorted by date, second page), the JSON body without its
timing; `compare FILE` asks the same again and lists the queries whose bodies differ. A
refactoring that claims "behaviour unchanged" is checked this way over the bundled corpus.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bench.search_speed import load_queries, search_path

VARIANTS = ("", "&group=document", "&sort=newest", "&page=2")


def bodies(index_dir: Path) -> dict[str, Any]:
    """url -> body (without took_ms) for every benchmark query and variant."""
    from search_app.web import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    out: dict[str, Any] = {}
    for query in load_queries():
        for variant in VARIANTS:
            url = search_path(query) + variant
            response = client.get(url)
            body = response.get_json()
            body.pop("took_ms", None)
            out[url] = {"status": response.status_code, "body": body}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=("record", "compare"))
    parser.add_argument("file", type=Path)
    parser.add_argument("--index-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    now = bodies(args.index_dir)
    if args.mode == "record":
        args.file.write_text(json.dumps(now, ensure_ascii=False, sort_keys=True), "utf-8")
        print(f"recorded {len(now)} bodies in {args.file}")
        return 0
    before = json.loads(args.file.read_text("utf-8"))
    differ = [url for url in before if before[url] != now.get(url)]
    print(f"{len(before) - len(differ)} of {len(before)} bodies identical")
    for url in differ[:20]:
        print("  differs:", url)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
