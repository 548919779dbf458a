"""The research controls in a real headless Chromium: results per page, "Cite" (in place with
JavaScript, a plain link without), export, "Follow this search", search within a document
and the printed page."""

from __future__ import annotations

import csv
import io
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import chromium, serving

from search_app.web import create_app

pytestmark = pytest.mark.browser

QUERY = "migration"


@pytest.fixture(scope="module")
def server(small_index: Path) -> Iterator[str]:
    app = create_app({"INDEX_DIR": str(small_index), "CORPUS_DIRS": []})
    with serving(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as browser:
        yield browser


def new_page(browser, javascript: bool = True):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=javascript
    )
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return context, page


def test_results_per_page_export_and_follow(browser, server: str) -> None:
    context, page = new_page(browser)
    try:
        page.goto(f"{server}/search?q={QUERY}&group=passage")
        assert page.locator("ol.results > li").count() == 10
        with page.expect_navigation():
            page.select_option("#per_page", "20")  # applied on change, no button
        assert "per_page=20" in page.url
        shown = page.locator("ol.results > li").count()
        assert 10 < shown <= 20
        feed = page.locator("link[rel=alternate][type='application/atom+xml']")
        assert feed.count() == 1
        follow = page.get_by_role("link", name="Follow this search")
        assert follow.is_visible()
        assert follow.get_attribute("href") == feed.get_attribute("href")
        with urllib.request.urlopen(server + follow.get_attribute("href")) as answer:
            assert b"http://www.w3.org/2005/Atom" in answer.read()
        href = page.get_by_role("link", name="CSV").get_attribute("href")
        assert "group=passage" in href and "per_page" not in href  # the whole search
        with urllib.request.urlopen(server + href) as answer:
            rows = list(csv.DictReader(io.StringIO(answer.read().decode("utf-8-sig"))))
        assert len(rows) > shown and all(r["text"] for r in rows)
        assert not page.errors, page.errors
    finally:
        context.close()


def test_cite_opens_in_place_and_copies_with_a_click(browser, server: str) -> None:
    context, page = new_page(browser)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    try:
        page.goto(f"{server}/search?q={QUERY}")
        first = page.locator("ol.results > li").first
        first.locator("a.cite-link").click()
        panel = first.locator(".cite-popover")
        panel.wait_for()
        assert page.url.startswith(f"{server}/search")  # no navigation
        apa = panel.locator(".cite-style[data-style=apa] .cite-text").inner_text()
        assert "(2009)" in apa or "(20" in apa
        panel.get_by_role("button", name="Copy APA").click()
        page.wait_for_function(
            "document.querySelector('.cite-popover button').textContent === 'Copied'"
        )
        assert page.evaluate("navigator.clipboard.readText()") == apa
        bibtex = panel.locator(".cite-style[data-style=bibtex] .cite-text").inner_text()
        assert bibtex.startswith("@")
        first.locator("a.cite-link").click()  # a second click closes it
        assert first.locator(".cite-popover").count() == 0
        assert not page.errors, page.errors
    finally:
        context.close()


def test_cite_is_a_plain_link_without_javascript(browser, server: str) -> None:
    context, page = new_page(browser, javascript=False)
    try:
        page.goto(f"{server}/search?q={QUERY}")
        with page.expect_navigation():
            page.locator("a.cite-link").first.click()
        assert page.url.endswith("/cite")
        assert page.locator(".cite-style").count() == 5
        assert not page.get_by_role("button", name="Copy APA").is_visible()
    finally:
        context.close()


def test_search_within_a_document(browser, server: str) -> None:
    context, page = new_page(browser)
    try:
        page.goto(f"{server}/documents/corpus/unitar-migration-2009.txt")
        page.get_by_label("Search within this document").fill("remittances")
        with page.expect_navigation():
            page.get_by_role("button", name="Find").click()
        assert "q=remittances" in page.url and "/documents/" in page.url
        assert page.locator(".doc-text mark").count() > 0
        assert page.locator("#within-q").input_value() == "remittances"
        assert page.locator(".document-tools a.cite-link").is_visible()
        assert not page.errors, page.errors
    finally:
        context.close()


def test_print_keeps_the_query_filters_and_results(browser, server: str) -> None:
    context, page = new_page(browser)
    try:
        page.goto(f"{server}/search?q={QUERY}&doc_type=report")
        page.emulate_media(media="print")
        summary = page.locator(".print-summary")
        assert summary.is_visible()
        words = " ".join(summary.inner_text().split())
        assert f"Search: {QUERY}" in words.replace("“", "").replace("”", "")
        assert "Document type: report" in words
        assert page.locator("a.chip").first.is_visible()  # the active filters
        assert page.locator("ol.results > li").first.is_visible()
        for hidden in (".facets", ".site-header", ".research-tools", ".pagination"):
            locator = page.locator(hidden)
            assert locator.count() == 0 or not locator.first.is_visible(), hidden
        page.emulate_media(media="screen")
        assert not summary.is_visible()
    finally:
        context.close()
