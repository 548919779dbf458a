"""Which of our modules one request passes through, in the order first entered.

    python -m bench.request_path --index-dir var/index

Serves /api/search, /api/ask and a document page through the real app (Flask test client)
and records, with a profile hook, every project module whose functions ran. The warm-up and
start-up work is done first, so what is listed is the request's own path.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PACKAGES = ("indexer", "search_app")
REQUESTS = {
    "search": "/api/search?q=migration+health&country=Philippines",
    "ask": "/api/ask?q=When+was+the+Global+Migration+Group+chaired+by+UNITAR%3F",
    "document page": "/documents/{document_id}?q=migration",
}


@contextmanager
def modules_entered() -> Iterator[tuple[list[str], set[tuple[str, str]]]]:
    """The project modules whose code runs inside the block (first entry first), and the
    caller -> callee module pairs between them."""
    seen: list[str] = []
    arrows: set[tuple[str, str]] = set()

    def hook(frame: Any, event: str, arg: Any) -> None:
        if event != "call":
            return
        name = frame.f_globals.get("__name__", "")
        if not name.startswith(PACKAGES):
            return
        if name not in seen:
            seen.append(name)
        caller = frame.f_back.f_globals.get("__name__", "") if frame.f_back else ""
        if caller.startswith(PACKAGES) and caller != name:
            arrows.add((caller, name))

    sys.setprofile(hook)
    try:
        yield seen, arrows
    finally:
        sys.setprofile(None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    from search_app.web import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": str(args.index_dir)}).test_client()
    document_id = client.get("/api/documents?per_page=1").get_json()["documents"][0]["document_id"]
    for url in REQUESTS.values():  # warm: caches and lazy imports out of the way
        client.get(url.format(document_id=document_id))
    for label, url in REQUESTS.items():
        with modules_entered() as (seen, arrows):
            client.get(url.format(document_id=document_id))
        print(f"{label}: {len(seen)} modules, {len(arrows)} module-to-module calls")
        for name in seen:
            callees = sorted(b.split(".", 1)[1] for a, b in arrows if a == name)
            print(f"  {name}" + (f" -> {', '.join(callees)}" if callees else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
