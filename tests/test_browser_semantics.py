"""The search page says what a query means and what its counts count, in a real Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browsing import chromium_page, serving, words
from test_query_semantics import build_index

from search_app.web import create_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    index = build_index(tmp_path_factory.mktemp("semantics-browser"))
    with serving(create_app({"INDEX_DIR": str(index), "CORPUS_DIRS": []})) as url:
        yield url


@pytest.fixture(scope="module")
def page(base_url: str) -> Iterator[object]:
    with chromium_page() as opened:
        yield opened


def test_all_words_head_the_page_and_some_words_come_apart(page, base_url: str):
    page.goto(f"{base_url}/search?q=climate+change+displacement")
    assert words(page, "h1.summary").startswith("1 report")
    assert "Reports holding all of your words" in words(page, "p.units")
    block = page.locator("section.some-words")
    assert "Results with some of your words" in block.inner_text()
    assert "2 more reports hold some but not all of your words" in " ".join(
        block.inner_text().split()
    )
    assert block.locator("li.result").count() == 2
    assert page.locator("ol.results").first.locator("li.result").count() == 1


def test_passage_view_counts_passages(page, base_url: str):
    page.goto(f"{base_url}/search?q=climate&group=passage")
    assert words(page, "h1.summary").startswith("2 passages")
    assert "counts beside the filters are passages" in words(page, "p.units")


def test_acronym_and_country_name_are_searched_and_said(page, base_url: str):
    page.goto(f"{base_url}/search?q=WHO")
    assert words(page, "h1.summary").startswith("1 report")
    assert "could not be parsed" not in page.content()
    assert "World Health Organization" in words(page, "p.expanded")
    page.goto(f"{base_url}/search?q=Turkey")
    assert "Türkiye" in words(page, "p.expanded")
    assert "E note" in words(page, "ol.results")


def test_typo_shows_the_corrected_results(page, base_url: str):
    page.goto(f"{base_url}/search?q=remitances")
    assert "Showing results for remittances" in words(page, "p.corrected")
    assert words(page, "h1.summary").startswith("4 reports")
    with page.expect_navigation():
        page.locator("p.corrected a").click()
    assert "correct=off" in page.url


def test_field_clause_narrows_the_page(page, base_url: str):
    page.goto(f"{base_url}/search?q=climate+year%3A2023&group=passage")
    assert words(page, "h1.summary").startswith("1 passage")
    assert page.locator("section.some-words").count() == 0


def test_home_page_describes_the_shelf_in_its_own_words(page, base_url: str):
    page.goto(f"{base_url}/")
    assert "The shelf holds 10 notes" in words(page, "p.shelf-kinds")
    assert "Counts are reports" in page.content()


def test_more_like_this_names_its_source_and_sort(page, base_url: str):
    page.goto(f"{base_url}/search?q=climate+change+displacement")
    with page.expect_navigation():
        page.locator("a.like-link").first.click()
    heading = words(page, "h1.summary")
    assert "like “A note”" in heading or 'like "A note"' in heading or "A note" in heading
    assert "most alike first" in heading and "#" not in heading
