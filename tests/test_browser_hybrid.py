"""The search page's switch between words and meaning, in a real Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote_plus

import pytest
from browsing import chromium_page, serving, words
from test_hybrid import SEA_QUERY, build_meaning_index

from indexer import embedding
from search_app.web import create_app

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(embedding.encoder() is None, reason="the semantic extra is not installed"),
]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    index = build_meaning_index(tmp_path_factory.mktemp("meaning-browser"))
    with serving(create_app({"INDEX_DIR": str(index), "CORPUS_DIRS": []})) as url:
        yield url


@pytest.fixture(scope="module")
def page(base_url: str) -> Iterator[object]:
    with chromium_page() as opened:
        yield opened


def test_the_switch_finds_by_meaning_and_keeps_the_mode(page, base_url: str) -> None:
    page.goto(f"{base_url}/search?q={quote_plus(SEA_QUERY)}")
    switch = page.locator("nav.meaning-switch")
    assert switch.is_visible()
    # Words and meaning by default, on an index with embeddings.
    assert words(page, "nav.meaning-switch a[aria-current='true']") == "Words and meaning"
    with page.expect_navigation():
        switch.get_by_role("link", name="Words", exact=True).click()
    assert "mode=lexical" in page.url
    assert words(page, "nav.meaning-switch a[aria-current='true']") == "Words"
    assert words(page, "h1.summary").startswith("0 reports")  # none has all the words

    with page.expect_navigation():
        page.locator("nav.meaning-switch").get_by_role("link", name="Words and meaning").click()
    assert "mode=hybrid" in page.url
    assert words(page, "nav.meaning-switch a[aria-current='true']") == "Words and meaning"
    heading = words(page, "h1.summary")
    assert "of them similar in meaning only" in heading
    shown = " ".join((page.locator("h1.summary").text_content() or "").split())
    assert " ," not in shown  # the count reads "2 reports, 2 of them ..."
    assert "nearest in meaning to your query" in words(page, "p.units")
    first = page.locator("ol.results li.result").first
    assert "Similar in meaning" in first.locator("p.found-by").inner_text()
    assert "coast" in first.inner_text().lower() or "island" in first.inner_text().lower()
    assert "nearest in meaning" in words(page, "p.units")

    # Other controls keep the mode: the grouping switch, then a new query from the box.
    with page.expect_navigation():
        page.locator("nav.group-switch").get_by_role("link", name="All passages").click()
    assert "mode=hybrid" in page.url and "group=passage" in page.url
    page.fill("#q", "ocean swallowing villages")
    with page.expect_navigation():
        page.locator("form.search-form button[type=submit]").first.click()
    assert words(page, "nav.meaning-switch a[aria-current='true']") == "Words and meaning"

    with page.expect_navigation():
        page.locator("nav.meaning-switch").get_by_role("link", name="Meaning", exact=True).click()
    assert "mode=semantic" in page.url
    assert page.locator("ol.results li.result").count() > 0
    # More like this, from a page found by meaning, is found by meaning too.
    assert "mode=semantic" in page.locator("a.like-link").first.get_attribute("href")
    with page.expect_navigation():
        page.locator("a.like-link").first.click()
    assert page.locator("ol.results li.result").count() > 0
