"""In a real headless Chromium: the "Showing results for" line and "More like this" links."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import chromium, serving

from search_app.web import create_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(small_index: Path) -> Iterator[str]:
    with serving(create_app({"INDEX_DIR": str(small_index), "CORPUS_DIRS": []})) as url:
        yield url


@pytest.fixture
def page(base_url: str) -> Iterator[object]:
    with chromium() as browser:
        yield browser.new_page()


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
