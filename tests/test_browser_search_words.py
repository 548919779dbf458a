"""In a real headless Chromium: the "Showing results for" line and "More like this" links."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from search_app.web import create_app

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run"]


@pytest.fixture(scope="module")
def base_url(small_index: Path) -> Iterator[str]:
    from werkzeug.serving import make_server

    app = create_app({"INDEX_DIR": str(small_index), "CORPUS_DIRS": []})
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page(base_url: str) -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt install chromium)")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        yield page
        browser.close()


def test_a_typo_shows_the_correction_and_a_way_back(page, base_url: str) -> None:
    page.goto(f"{base_url}/search?q=migartion")
    line = page.locator("p.corrected")
    assert "Showing results for migration" in " ".join(line.inner_text().split())
    assert page.locator("li.result").count() > 0
    line.locator("a").click()
    page.wait_for_load_state()
    assert "correct=off" in page.url
    assert page.locator("p.corrected").count() == 0
    assert "migration" in page.locator("p.suggestion").inner_text()


def test_more_like_this_from_a_result_and_from_the_document_page(page, base_url: str) -> None:
    page.goto(f"{base_url}/search?q=ethical+recruitment+nurses")
    first = page.locator("li.result").first
    source = first.locator("h2 a").get_attribute("href")
    first.locator("a.like-link").click()
    page.wait_for_load_state()
    assert "like=" in page.url and page.locator("p.like-note").count() == 1
    assert page.locator("li.result").count() > 0
    page.goto(f"{base_url}{source}")
    page.locator("a.like-link").click()
    page.wait_for_load_state()
    assert "like=" in page.url and page.locator("li.result").count() > 0
