"""The search page's building blocks: links, the year histogram, the reading view."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl, urlsplit

import pytest

from search_app.engine.reading import reading_blocks, table_of_contents
from search_app.web.histogram import histogram_svg
from search_app.web.links import PageLinks, page_window, toggle

SVG = "{http://www.w3.org/2000/svg}"


def params(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


def test_toggle_adds_then_removes_a_value_and_returns_to_page_one() -> None:
    pairs = [("q", "nurses"), ("organization", "IOM"), ("page", "3")]
    added = toggle(pairs, "organization", "UNFPA")
    assert added == [("q", "nurses"), ("organization", "IOM"), ("organization", "UNFPA")]
    assert toggle(added, "organization", "IOM") == [("q", "nurses"), ("organization", "UNFPA")]


def test_page_links_keep_query_and_clear_only_filters() -> None:
    pairs = [("q", "a b"), ("sort", "newest"), ("year", "2009"), ("year_from", "2000")]
    links = PageLinks("/search", pairs, ["year", "organization"])
    assert params(links.clear_filters()) == [("q", "a b"), ("sort", "newest")]
    assert params(links.replace(sort="title")) == [
        ("q", "a b"),
        ("year", "2009"),
        ("year_from", "2000"),
        ("sort", "title"),
    ]
    assert params(links.replace(page=2))[-1] == ("page", "2")
    assert links.toggle("organization", "A&B").startswith("/search?q=a+b&")
    assert ("organization", "A&B") in params(links.toggle("organization", "A&B"))


def test_page_window_shows_ends_and_neighbours_with_gaps() -> None:
    assert page_window(1, 1) == [1]
    assert page_window(5, 10) == [1, None, 3, 4, 5, 6, 7, None, 10]
    assert page_window(2, 4) == [1, 2, 3, 4]


def test_histogram_has_one_titled_link_per_year_with_hits() -> None:
    bins = [{"year": 1950, "count": 3}, {"year": 1952, "count": 1}, {"year": 1951, "count": 0}]
    svg = histogram_svg(bins, href=lambda y: f"/search?year={y}&q=<x>", selected={1952})
    root = ET.fromstring(str(svg))  # well-formed XML, so the hrefs are escaped
    links = root.findall(f"{SVG}a")
    assert [a.get("href") for a in links] == ["/search?year=1950&q=<x>", "/search?year=1952&q=<x>"]
    assert [a.find(f"{SVG}title").text for a in links] == ["1950: 3 reports", "1952: 1 report"]
    assert links[1].get("class") == "bar selected"
    heights = [float(a.findall(f"{SVG}rect")[1].get("height")) for a in links]
    assert heights[0] == pytest.approx(3 * heights[1], abs=0.02)


def test_histogram_is_empty_without_years() -> None:
    assert str(histogram_svg([], href=str)) == ""


def test_reading_blocks_escape_text_and_mark_terms() -> None:
    passages = [{"ordinal": 0, "text": "<b>Nurse</b> emigrated & nursing in", "page_start": 1}]
    blocks = reading_blocks(passages, (frozenset({"nurs", "emigr"}), ()))
    assert str(blocks[-1].html) == (
        "&lt;b&gt;<mark>Nurse</mark>&lt;/b&gt; <mark>emigrated</mark> &amp; <mark>nursing</mark> in"
    )


def test_reading_blocks_put_headings_and_page_markers_in_order() -> None:
    passages = [
        {"ordinal": 0, "text": "Intro", "section_path": [], "page_start": 1},
        {"ordinal": 1, "text": "One", "section_path": ["I. Background"], "page_start": 1},
        {
            "ordinal": 2,
            "text": "Two",
            "section_path": ["I. Background", "A. Data"],
            "page_start": 2,
        },
        {"ordinal": 3, "text": "Three", "section_path": ["II. Findings"], "page_start": 2},
    ]
    blocks = reading_blocks(passages, current=2)
    kinds = [(b.kind, b.text or b.anchor) for b in blocks]
    assert kinds == [
        ("page", "page-1"),
        ("passage", "p-0"),
        ("heading", "I. Background"),
        ("passage", "p-1"),
        ("page", "page-2"),
        ("heading", "A. Data"),
        ("passage", "p-2"),
        ("heading", "II. Findings"),
        ("passage", "p-3"),
    ]
    assert [b.current for b in blocks if b.kind == "passage"] == [False, False, True, False]
    assert [(h.level, h.text) for h in table_of_contents(blocks)] == [
        (1, "I. Background"),
        (2, "A. Data"),
        (1, "II. Findings"),
    ]


def test_reading_blocks_mark_phrases_only_in_order() -> None:
    passages = [{"ordinal": 0, "text": "Health workers, and workers' health.", "page_start": 1}]
    [_, block] = reading_blocks(passages, (frozenset(), (("health", "worker"),)))
    assert str(block.html) == "<mark>Health</mark> <mark>workers</mark>, and workers' health."
