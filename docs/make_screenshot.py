"""Save a screenshot of the search page (docs/screenshot.png) from a real index, in Chromium.

    .venv/bin/python docs/make_screenshot.py [--index-dir DIR] [--query Q] [--out PATH]

Without --index-dir it indexes corpus/ (and the seed report, if corpus/ lacks it) into a
temporary folder first.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.pipeline import run  # noqa: E402
from search_app.web import create_app  # noqa: E402

SEED = ROOT.parent / "shared/data/seed"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def build_index(index_dir: Path) -> None:
    """Index the bundled corpus, plus the seed report when the corpus does not hold it."""
    roots = [ROOT / "corpus"]
    if not any((ROOT / "corpus").glob("unitar-migration-2009.*")) and SEED.is_dir():
        roots.append(SEED)
    report = run(roots, index_dir, workers=2)
    print(report.summary()["by_status"], file=sys.stderr)


def screenshot(index_dir: Path, query: str, out: Path) -> None:
    app = create_app({"INDEX_DIR": str(index_dir), "CORPUS_DIRS": []})
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(f"http://127.0.0.1:{httpd.server_port}/search?q={query}")
            page.screenshot(path=str(out))
            browser.close()
    finally:
        httpd.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path)
    parser.add_argument("--query", default="WHO health workforce")
    parser.add_argument("--out", type=Path, default=ROOT / "docs/screenshot.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = args.index_dir
        if index_dir is None:
            index_dir = Path(tmp) / "index"
            build_index(index_dir)
        screenshot(index_dir, args.query.replace(" ", "+"), args.out)
    print(args.out)


if __name__ == "__main__":
    main()
