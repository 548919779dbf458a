"""The pages in a real headless Chromium (Debian's), against the app served on a real socket."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import chromium, serving

from search_app import engine
from search_app.web import create_app

pytestmark = pytest.mark.browser

QUERY = "health workers emigration"


@pytest.fixture(scope="module")
def server(small_index: Path) -> Iterator[tuple[str, object]]:
    """The real app on 127.0.0.1 on a free port, in a thread; yields (base URL, app)."""
    app = create_app({"INDEX_DIR": str(small_index), "CORPUS_DIRS": []})
    with serving(app) as url:
        yield url, app


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser, server) -> Iterator[object]:
    """A fresh page that records console errors (CSP violations show up there)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def summary_total(page) -> int:
    """The headline's count: reports in the grouped view, passages in the passage view."""
    text = page.locator("h1.summary").inner_text()
    return int(re.search(r"([\d,]+) (?:reports?|passages?)", text).group(1).replace(",", ""))


def chip_texts(page) -> list[str]:
    return [" ".join(text.split()) for text in page.locator("a.chip").all_inner_texts()]


def facet_counts(page, facet: str) -> dict[str, int]:
    """value -> count as shown in one facet's list."""
    counts = {}
    for link in page.locator(f"#facet-{facet} a.facet-value").all():
        value = link.locator(".value").inner_text()
        counts[value] = int(link.locator(".count").inner_text().replace(",", ""))
    return counts


def click_facet(page, facet: str, value: str) -> None:
    link = page.locator(f"#facet-{facet} a.facet-value", has=page.locator(".value", has_text=value))
    with page.expect_navigation():
        link.first.click()


def reports_matching(app, q: str, facet: str, values: set[str]) -> int:
    """Brute force over every matching passage: how many reports have one holding one of
    `values`."""
    with app.app_context():
        handle = app.extensions["report_search"]
        request = engine.SearchRequest(q=q, group="passage", per_page=100)
        first = engine.search(handle, request)
        hits = list(first["results"])
        for n in range(2, first["pages"] + 1):
            hits += engine.search(handle, engine.SearchRequest(**{**request.__dict__, "page": n}))[
                "results"
            ]
    assert len(hits) == first["total"]
    return len({hit["document_id"] for hit in hits if values & set(hit[facet])})


def test_search_facets_chips_and_document_page(page, server) -> None:
    base, app = server
    page.goto(base + "/")
    page.get_by_label("Search reports").fill("migration")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title() == "migration · Report Search"
    unfiltered = summary_total(page)
    organizations = facet_counts(page, "organization")
    assert len(organizations) >= 2, organizations
    first, second = list(organizations)[:2]

    click_facet(page, "organization", first)
    assert chip_texts(page) == [f"Organizations mentioned: {first} × (remove)"]
    assert summary_total(page) == organizations[first] < unfiltered + 1
    # Multi-select: the organization counts do not shrink to the selected value.
    assert facet_counts(page, "organization")[second] == organizations[second]

    click_facet(page, "organization", second)
    chips = chip_texts(page)
    assert len(chips) == 2 and first in chips[0] and second in chips[1]
    both = summary_total(page)
    assert both == reports_matching(app, "migration", "organization", {first, second})
    assert max(organizations[first], organizations[second]) <= both
    assert both <= organizations[first] + organizations[second]
    assert "organization=" in page.url and page.url.count("organization=") == 2

    # The back button goes back one filter, because each state is its own URL.
    page.go_back()
    assert len(page.locator("a.chip").all()) == 1
    page.go_forward()
    assert len(page.locator("a.chip").all()) == 2

    hit = page.locator("ol.results h2.citation a").first
    with page.expect_navigation():
        hit.click()
    assert re.search(r"/documents/.+\?passage=.+#p-\d+$", page.url)
    current = page.locator("p.passage.current")
    assert current.count() == 1
    assert current.get_attribute("id") == page.url.rsplit("#", 1)[1]
    assert current.locator("mark").count() >= 1
    box, viewport = current.bounding_box(), page.viewport_size
    assert 0 <= box["y"] < viewport["height"]  # scrolled to
    assert page.locator("nav.toc").count() == 1 and page.locator("h1#doc-title").is_visible()
    assert page.errors == []


def test_pages_work_without_javascript(browser, server) -> None:
    base, _ = server
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/search?q=remittances")
    assert page.locator("select#sort + button", has_text="Apply").is_visible()
    page.select_option("select#sort", "title")
    with page.expect_navigation():
        page.locator("form.sort-form button").click()
    assert "sort=title" in page.url and "q=remittances" in page.url
    with page.expect_navigation():
        page.locator("#facet-doc_type a.facet-value").first.click()
    assert page.locator("a.chip").count() == 1
    with page.expect_navigation():
        page.locator("a.clear-all").click()
    assert page.locator("a.chip").count() == 0 and "q=remittances" in page.url
    context.close()


def test_keyboard_reaches_skip_link_and_search_box(page, server) -> None:
    base, _ = server
    page.goto(f"{base}/search?q=remittances")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert page.locator(".skip-link").bounding_box()["y"] >= 0  # visible when focused
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    # With JavaScript, changing the sort applies it without the button.
    assert not page.locator("form.sort-form button").is_visible()
    with page.expect_navigation():
        page.select_option("select#sort", "oldest")
    assert "sort=oldest" in page.url
    assert page.errors == []


def test_screenshot_of_a_search(page, server, tmp_path: Path) -> None:
    base, _ = server
    page.goto(f"{base}/search?q=ethical+recruitment+nurses")
    assert page.locator("ol.results li").count() >= 1
    shot = tmp_path / "search.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_search_box_completes_from_the_index(page, server) -> None:
    base, _ = server
    page.goto(base + "/")
    page.locator("#q").press_sequentially("emigr", delay=20)
    options = page.locator("datalist#q-suggestions option")
    options.first.wait_for(state="attached", timeout=5000)
    values = [o.get_attribute("value") for o in options.all()]
    assert values and all(v.lower().startswith("emigr") for v in values), values
    assert page.errors == []


# ------------------------------------------------------------------ issue 12: the page


def test_home_page_shows_the_shelf_and_its_links_work(page, server, tmp_path: Path) -> None:
    base, _ = server
    page.goto(base + "/")
    summary = page.locator("h1#shelf-heading").inner_text()
    assert re.match(r"\d+ reports, \d+ passages, \d{4}–\d{4}", summary), summary
    assert page.locator("#q").evaluate("el => el === document.activeElement")
    assert page.locator("ul.examples a").count() >= 1
    assert page.locator("dl.tips code").count() >= 5
    shot = tmp_path / "home.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_navigation():
        page.locator("section.shelf-facet a", has_text="report").first.click()
    assert chip_texts(page) == ["Document type: report × (remove)"]
    assert "newest first" in page.locator("h1.summary").inner_text()
    assert page.errors == []


def test_new_words_keep_the_filters_and_sort_until_dropped(page, server) -> None:
    base, _ = server
    page.goto(f"{base}/search?q=remittances&country=Mexico&sort=title")
    assert chip_texts(page) == ["Country: Mexico × (remove)"]
    page.get_by_label("Search reports").fill("migrants")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert chip_texts(page) == ["Country: Mexico × (remove)"]
    assert page.locator("select#sort").input_value() == "title"
    assert "q=migrants" in page.url
    page.get_by_label("Search reports").fill("remittances")
    with page.expect_navigation():
        page.get_by_role("button", name="Search all reports instead").click()
    assert chip_texts(page) == []
    assert page.locator("select#sort").input_value() == "relevance"
    assert page.locator("#q").input_value() == "remittances"
    assert page.errors == []


def test_skip_link_lands_on_results_which_come_first_for_the_keyboard(page, server) -> None:
    base, _ = server
    page.goto(f"{base}/search?q=remittances&country=Mexico")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "results"
    # From the top of the page, the first result is a few Tab presses away.
    page.goto(f"{base}/search?q=remittances&country=Mexico")
    first = page.locator("ol.results h2.citation a").first
    presses = 0
    while not first.evaluate("el => el === document.activeElement"):
        page.keyboard.press("Tab")
        presses += 1
        assert presses <= 15, page.evaluate("document.activeElement.outerHTML")
    # Facets follow the results in reading order, but sit on their left on the screen.
    results, facets = (
        page.locator("#results").bounding_box(),
        page.locator(".facets").bounding_box(),
    )
    assert facets["x"] + facets["width"] <= results["x"]
    assert page.errors == []


def test_text_hits_and_document_page_name_paragraphs_not_pages(page, server) -> None:
    base, _ = server
    page.goto(f"{base}/search?q=migration&group=passage")
    cites = page.locator("ol.results .citation").all_inner_texts()
    assert cites and not any(re.search(r"\bp\. \d", c) for c in cites)
    page.goto(f"{base}/documents/corpus/unitar-migration-2009.txt?q=migration")
    links = page.locator("ol.match-list a").all_inner_texts()
    assert len(links) > 3 and all("¶" in link for link in links)
    assert page.locator("p.page-marker").count() == 0
    page.locator("ol.match-list a").nth(2).click()  # a link within the page
    target = page.evaluate("location.hash")
    assert target.startswith("#p-") and page.locator(f"p{target}").is_visible()
    assert page.errors == []
