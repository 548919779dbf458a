"""The HTML pages through Flask's test client, over the shared small index."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from indexer.pipeline import run
from search_app.web import create_app

QUERY = "health workers emigration"
SEED_ID = "corpus/unitar-migration-2009.txt"


class Page(HTMLParser):
    """The parts of a page the tests look at: elements with their attributes and text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.html = html
        self.elements: list[tuple[str, dict[str, str], list[str]]] = []
        self._open: list[list[str]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        text: list[str] = []
        self.elements.append((tag, {k: v or "" for k, v in attrs}, text))
        if tag not in {"input", "link", "meta", "br", "img", "rect"}:
            self._open.append(text)

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag not in {"input", "link", "meta", "br", "img", "rect"}:
            done = self._open.pop()
            if self._open:
                self._open[-1].extend(done)

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1].append(data)

    def find(self, tag: str, cls: str = "", **attrs: str) -> list[tuple[dict[str, str], str]]:
        """Elements by tag, one CSS class and exact attribute values: (attrs, text)."""
        found = []
        for name, element_attrs, text in self.elements:
            if name != tag or (cls and cls not in element_attrs.get("class", "").split()):
                continue
            if all(element_attrs.get(k) == v for k, v in attrs.items()):
                found.append((element_attrs, " ".join("".join(text).split())))
        return found

    def texts(self, tag: str, cls: str = "") -> list[str]:
        return [text for _, text in self.find(tag, cls)]


def get_page(client, url: str, status: int = 200) -> Page:
    response = client.get(url)
    assert response.status_code == status, response.data[:500]
    assert response.mimetype == "text/html"
    return Page(response.get_data(as_text=True))


def facet_links(page: Page, facet: str) -> dict[str, tuple[str, int, bool]]:
    """value -> (href, count, selected) of one facet's links."""
    section = page.html.split(f'id="facet-{facet}"', 1)[1].split("</section>", 1)[0]
    links = {}
    for match in re.finditer(
        r'<a class="facet-value( selected)?" href="([^"]+)".*?<span class="value">([^<]*)</span>'
        r'\s*<span class="count">([\d,]+)</span>',
        section,
        re.S,
    ):
        selected, href, value, count = match.groups()
        links[html.unescape(value)] = (
            html.unescape(href),
            int(count.replace(",", "")),
            bool(selected),
        )
    return links


def api(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.data[:300]
    return response.get_json()


# ------------------------------------------------------------------ search page


def test_search_page_shows_query_in_title_and_labelled_box(client) -> None:
    page = get_page(client, "/search?q=health+workers+emigration")
    assert page.texts("title")[0] == f"{QUERY} · Report Search"
    [(box, _)] = page.find("input", id="q")
    assert box["value"] == QUERY and box["type"] == "search"
    assert page.find("label", **{"for": "q"})
    assert page.find("form", role="search")
    assert page.find("main") and page.find("aside") and page.find("header")


def test_results_are_the_api_results_in_the_same_order(client) -> None:
    body = api(client, "/api/search?q=health+workers+emigration&group=passage&per_page=20")
    page = get_page(client, "/search?q=health+workers+emigration&group=passage&per_page=20")
    urls = [r["url"] for r in body["results"]]
    cited = [attrs["href"] for attrs, _ in page.find("a") if attrs.get("href") in urls]
    assert cited == urls and len(urls) > 1
    summary = page.texts("h1", "summary")[0]
    assert f"{body['total']} passages" in summary  # the passage view counts passages


def test_each_hit_has_marked_snippet_and_citation_linking_to_its_passage(client) -> None:
    body = api(client, "/api/search?q=health+workers+emigration")
    page = get_page(client, "/search?q=health+workers+emigration")
    first = body["results"][0]
    assert first["snippet"] in page.html  # rendered as given: already escaped, with <mark>
    assert "<mark>" in first["snippet"]
    [(attrs, text)] = page.find("a", href=first["url"])[:1]
    section = first["section_path"][-1] if first["section_path"] else ""
    assert text.startswith(first["title"])
    assert section in text
    # Text files have no pages: the citation names the section (or the paragraph) instead.
    assert first["page_start"] is None and "p. " not in text
    assert re.search(r"/documents/.+\?passage=.+#p-\d+$", attrs["href"])


def test_grouped_results_link_to_more_passages_of_the_report(client) -> None:
    body = api(client, "/api/search?q=health+workers+emigration")
    grouped = [r for r in body["results"] if r["more_passages"]]
    assert grouped, "the seed report has several matching passages"
    page = get_page(client, "/search?q=health+workers+emigration")
    more = page.texts("a", "more-link")
    n = grouped[0]["more_passages"]
    assert f"{n} more passage{'s' if n > 1 else ''} in this report" in more
    switch = {
        text: attrs for attrs, text in page.find("a") if text in {"By report", "All passages"}
    }
    assert switch["By report"].get("aria-current") == "true"
    assert "group=passage" in switch["All passages"]["href"]


def test_facet_links_toggle_values_and_counts_stay_multi_select(client) -> None:
    page = get_page(client, "/search?q=migration")
    organizations = facet_links(page, "organization")
    assert len(organizations) >= 2
    (first, (href1, count1, sel1)), (second, (_, count2, _)) = list(organizations.items())[:2]
    assert not sel1
    one = get_page(client, href1)
    assert f"{count1} report" in one.texts("h1", "summary")[0]  # grouped: counts are reports
    assert [t for t in one.texts("a", "chip") if first in t]
    after_one = facet_links(one, "organization")
    assert after_one[first][2] is True  # shown as selected
    assert after_one[second][1] == count2  # a facet's counts ignore its own selection
    two = get_page(client, after_one[second][0])
    chips = two.texts("a", "chip")
    assert any(first in c for c in chips) and any(second in c for c in chips)
    body = api(client, "/api" + after_one[second][0])
    assert body["filters"]["organization"] == [first, second]
    assert max(count1, count2) <= body["total_documents"] <= count1 + count2
    assert f"{body['total_documents']} report" in two.texts("h1", "summary")[0]
    # Removing a chip and "clear all" are links back to fewer filters.
    [(clear, _)] = two.find("a", "clear-all")
    assert "organization" not in clear["href"] and "q=migration" in clear["href"]


def test_year_histogram_bars_are_titled_filter_links(client) -> None:
    body = api(client, "/api/search?q=health+workers+emigration")
    page = get_page(client, "/search?q=health+workers+emigration")
    svg = page.html.split("<svg", 1)[1].split("</svg>", 1)[0]
    titles = re.findall(r"<title>(\d{4}): ([\d,]+) reports?</title>", svg)
    assert [(int(y), int(c)) for y, c in titles] == [
        (b["year"], b["count"]) for b in body["year_histogram"]
    ]
    year = body["year_histogram"][0]["year"]
    assert f"year={year}" in svg
    assert page.find("input", id="year_from") and page.find("label", **{"for": "year_from"})


def test_year_range_shows_as_removable_chip(client) -> None:
    page = get_page(client, "/search?q=remittances&year_from=2010&year_to=2020")
    [chip] = [t for t in page.texts("a", "chip") if "Years" in t]
    assert "2010–2020" in chip
    [(attrs, _)] = page.find("input", id="year_from")
    assert attrs["value"] == "2010"


def test_sort_and_pagination_follow_the_engine(client) -> None:
    body = api(client, "/api/search?q=health&group=passage&per_page=2&sort=newest&page=2")
    page = get_page(client, "/search?q=health&group=passage&per_page=2&sort=newest&page=2")
    [(option, _)] = page.find("option", value="newest")
    assert "selected" in option
    nav = page.html.split('class="pagination"', 1)[1].split("</nav>", 1)[0]
    assert f"Page 2 of {body['pages']}" in nav
    assert 'aria-current="page"' in nav and "page=1" in nav and "page=3" in nav
    assert page.find("ol", "results", start="3")


def test_did_you_mean_is_a_link(client) -> None:
    page = get_page(client, "/search?q=emigartion&correct=off")
    [(attrs, text)] = [(a, t) for a, t in page.find("a") if t == "emigration"]
    assert attrs["href"] == "/search?correct=off&q=emigration"
    assert "Did you mean" in page.html


def test_fallback_notice_is_shown(client) -> None:
    body = api(client, "/api/search?q=%22health+workers")
    assert body["notice"]
    page = get_page(client, "/search?q=%22health+workers")
    assert page.texts("p", "notice") == [body["notice"]]


def test_empty_query_browses_documents_newest_first(client) -> None:
    body = api(client, "/api/search")
    page = get_page(client, "/search?sort=newest")
    dates = [r["date"] for r in body["results"]]
    assert dates == sorted(dates, reverse=True) and len(dates) >= 4
    assert "newest first" in page.texts("h1", "summary")[0]
    assert page.texts("title")[0] == "Report Search"
    assert facet_links(page, "doc_type")


def test_bad_parameters_give_an_html_error_page(client) -> None:
    page = get_page(client, "/search?q=x&colour=red", status=400)
    assert "colour" in page.html and "<h1>" in page.html


def test_a_page_past_the_end_shows_the_last_page_and_says_so(client) -> None:
    url = "/search?q=health&group=passage&per_page=2&page=999"
    body = api(client, "/api" + url)
    page = get_page(client, url)
    assert page.texts("p", "notice") == [body["notice"]]
    assert body["notice"] == f"Page 999 is past the last page: showing page {body['pages']}."
    nav = page.html.split('class="pagination"', 1)[1].split("</nav>", 1)[0]
    assert f"Page {body['pages']} of {body['pages']}" in nav
    urls = [r["url"] for r in body["results"]]
    cited = [attrs["href"] for attrs, _ in page.find("a") if attrs.get("href") in urls]
    assert cited == urls and urls


def test_empty_form_fields_mean_the_defaults(client) -> None:
    blank = get_page(client, "/search?q=health&year_from=2010&year_to=&page=&mode=search")
    given = get_page(client, "/search?q=health&year_from=2010")
    assert blank.texts("h1", "summary") == given.texts("h1", "summary")
    assert blank.texts("ol", "results") == given.texts("ol", "results") != [""]
    assert get_page(client, "/ask?q=&limit=").find("input", id="q")


def test_a_wrong_method_on_a_page_is_a_405_with_allow(client) -> None:
    response = client.post("/search")
    assert response.status_code == 405 and response.mimetype == "text/html"
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_ask_mode_goes_to_the_ask_page_when_there_is_one(app, client) -> None:
    assert client.get("/search?q=nurses&mode=search").status_code == 200
    response = client.get("/search?q=nurses+pay&mode=ask")
    if any(rule.rule == "/ask" for rule in app.url_map.iter_rules()):
        assert response.status_code == 302
        assert response.headers["Location"] == "/ask?q=nurses+pay"
    else:  # until question answering lands, the search page answers
        assert response.status_code == 200 and b"nurses pay" in response.data


def test_unknown_urls_and_documents_are_html_404s(client) -> None:
    assert "Not Found" in get_page(client, "/no/such/page", status=404).html
    page = get_page(client, "/documents/corpus/missing.txt", status=404)
    assert "Document not found" in page.texts("h1")
    assert client.get("/api/no/such").is_json  # the API keeps its JSON errors


def test_pages_use_no_inline_script_or_handlers(client) -> None:
    for url in ("/", "/search?q=health", f"/documents/{SEED_ID}?q=health", "/api-docs"):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert not re.search(r"\son[a-z]+\s*=", html), url
        # Styles, scripts and icons come from this server only: no CDN, no external font
        # (the search's Atom feed, rel=alternate, is this server's too).
        loaded = re.findall(r'<(?:script|link)[^>]*\b(?:src|href)="([^"]+)"', html)
        own = ("/static/", "data:", "/api/feed")
        assert loaded and all(u.startswith(own) for u in loaded), loaded
        assert "<style" not in html and " style=" not in html


# ------------------------------------------------------------------ document page


def test_document_page_shows_metadata_contents_and_the_passage(client) -> None:
    body = api(client, "/api/search?q=health+workers+emigration")
    hit = next(r for r in body["results"] if r["document_id"] == SEED_ID)
    doc = api(client, f"/api/documents/{SEED_ID}")
    page = get_page(client, hit["url"])
    assert page.texts("h1") == [doc["title"]]
    assert doc["title"] in page.texts("title")[0] and QUERY in page.texts("title")[0]
    ordinal = int(hit["url"].rsplit("#p-", 1)[1])
    [(attrs, text)] = page.find("p", "current")
    assert attrs["id"] == f"p-{ordinal}" and attrs.get("aria-current") == "location"
    assert "<mark>" in page.html.split(f'id="p-{ordinal}"', 1)[1].split("</p>", 1)[0]
    toc = page.html.split('class="toc"', 1)[1].split("</nav>", 1)[0]
    headings = {p for passage in doc["passages"] for p in passage["section_path"]}
    assert headings and all(str(escape(h)) in toc for h in headings)
    assert not page.find("p", "page-marker")  # a text file has no pages to mark
    assert page.find("a", href=f"/api/documents/{SEED_ID}/file")
    meta = " ".join(page.texts("dd"))
    assert "2009-12-01" in meta and "report" in meta


def test_document_page_marks_query_words_only_when_asked(client) -> None:
    plain = get_page(client, f"/documents/{SEED_ID}")
    assert "<mark>" not in plain.html and not plain.find("p", "current")
    marked = get_page(client, f"/documents/{SEED_ID}?q=emigrants")
    assert re.search(r"<mark>emigra\w*</mark>", marked.html, re.I)  # stems match
    marked_ids = re.findall(
        r'<p id="(p-\d+)" class="passage[^"]*"[^>]*>(?:(?!</p>).)*<mark>', marked.html, re.S
    )
    links = [a["href"] for a, _ in marked.find("a") if a.get("href", "").startswith("#p-")]
    assert marked_ids and links == [f"#{i}" for i in marked_ids]
    assert f"marked in {len(marked_ids)} passage" in marked.html


# ------------------------------------------------------------------ escaping

PAYLOAD = "<script>alert(1)</script> and <img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory: pytest.TempPathFactory):
    """An index of one document whose title and text hold markup."""
    root = tmp_path_factory.mktemp("hostile")
    corpus = root / "shelf"
    corpus.mkdir()
    (corpus / "markup.txt").write_text(
        f"Hostile markup\n\nThe remittances paragraph quotes {PAYLOAD} verbatim.\n", "utf-8"
    )
    (corpus / "markup.txt.meta.json").write_text(
        json.dumps({"title": f"Markup {PAYLOAD}", "date": "2020-01-01"}), "utf-8"
    )
    run([corpus], root / "index", workers=1)
    app = create_app({"TESTING": True, "INDEX_DIR": str(root / "index"), "CORPUS_DIRS": []})
    return app.test_client()


def assert_shown_as_text(html: str) -> None:
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_markup_in_documents_shows_as_text_in_results(hostile_client) -> None:
    html = get_page(hostile_client, "/search?q=remittances").html
    assert "<mark>remittances</mark>" in html
    assert_shown_as_text(html)
    assert_shown_as_text(get_page(hostile_client, "/").html)


def test_markup_in_documents_shows_as_text_on_the_document_page(hostile_client) -> None:
    html = get_page(hostile_client, "/documents/shelf/markup.txt?q=remittances+alert").html
    assert_shown_as_text(html)
    assert "<mark>alert</mark>" in html


def test_markup_in_the_query_shows_as_text(client) -> None:
    html = get_page(client, "/search?q=%3Cscript%3Ealert(1)%3C/script%3E").html
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_no_index_yet_is_a_503_page(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "none"), "CORPUS_DIRS": []})
    page = get_page(app.test_client(), "/search?q=x", status=503)
    assert "report-search index" in page.html


def test_more_link_shows_more_values_of_a_truncated_facet(client) -> None:
    body = api(client, "/api/search?facet_size=1")
    facet = next(name for name, cut in body["facets_truncated"].items() if cut)
    page = get_page(client, "/search?facet_size=1")
    assert len(facet_links(page, facet)) == 1
    [(more, _)] = [(a, t) for a, t in page.find("a", "more") if f"#facet-{facet}" in a["href"]]
    wider = get_page(client, more["href"].split("#")[0])
    assert len(facet_links(wider, facet)) > 1


def test_api_page_lists_every_operation_of_the_openapi_description(client) -> None:
    spec = api(client, "/api/openapi.json")
    page = get_page(client, "/api-docs")
    headings = page.texts("h2")
    for path, operations in spec["paths"].items():
        for method in operations:
            assert f"{method.upper()} {path}" in headings
    assert "organization" in page.texts("code")


# ------------------------------------------------------------------ PDF pages


def _paragraph(topic: str, n: int = 9) -> str:
    return " ".join(
        f"Paragraph sentence {i} of this page is about {topic} in the region." for i in range(n)
    )


# Three pages, each long enough to hold passages of its own (passages are 40-250 words).
PDF_PAGES = [
    f"{_paragraph('training doctors')}\n\n{_paragraph('public hospitals')}",
    "The code of practice asks destination countries to follow ethical recruitment of nurses. "
    f"{_paragraph('recruiting nurses')}\n\n{_paragraph('health systems')}",
    f"{_paragraph('remittances')}\n\n{_paragraph('village schools')}",
]


def write_pdf(path: Path, pages: list[str]) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        for paragraph in text.split("\n\n"):
            pdf.multi_cell(0, 6, paragraph)
            pdf.ln(6)
    pdf.output(str(path))


@pytest.fixture(scope="module")
def pdf_client(tmp_path_factory: pytest.TempPathFactory):
    """An index of one three-page PDF."""
    root = tmp_path_factory.mktemp("pdf")
    corpus = root / "reports"
    corpus.mkdir()
    write_pdf(corpus / "workforce.pdf", PDF_PAGES)
    run([corpus], root / "index", workers=1)
    app = create_app({"TESTING": True, "INDEX_DIR": str(root / "index"), "CORPUS_DIRS": []})
    return app.test_client()


def test_pdf_hits_and_document_page_open_the_original_at_the_page(pdf_client) -> None:
    body = api(pdf_client, "/api/search?q=ethical+recruitment+nurses")
    hit = body["results"][0]
    assert hit["page_start"] == 2 and hit["file_url"].endswith("/file#page=2")
    results = get_page(pdf_client, "/search?q=ethical+recruitment+nurses")
    assert results.texts("a", "file-link")[0] == "Open the PDF at page 2"
    page = get_page(pdf_client, hit["url"])
    file_url = hit["file_url"].split("#")[0]
    for number in (1, 2, 3):
        assert len(page.find("p", "page-marker", id=f"page-{number}")) == 1
        assert page.find("a", href=f"{file_url}#page={number}")
    [(_, text)] = page.find("p", "open-original")
    assert "page 2" in text
    response = pdf_client.get(file_url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"


def test_document_page_marks_a_phrase_only_where_it_occurs(client) -> None:
    html_text = get_page(client, f"/documents/{SEED_ID}?q=%22health+workers%22").html
    marks = re.findall(r"<mark>(\w+)</mark>(\s*<mark>\w+</mark>)?", html_text)
    assert marks
    assert all(first.lower() == "health" and second for first, second in marks), marks


# ------------------------------------------------------------------ issue 12: clean text, places


MARKDOWN_TEXT = (
    "Statement on remittances\n\n"
    "**Mr President,**  \nExcellencies,\n\n"
    "---\n\n"
    "Remittances sent home by **migrant workers** are *vital* for [small islands]"
    "(https://example.org) and their families.\n\n"
    "*****\n\n"
    "We ask for lower remittance costs, as agreed in the __Addis Ababa Action Agenda__.\n"
)
MARKDOWN_FILE = (
    "# Remittance costs\n\n"
    "## Why costs matter\n\n"
    "Every **remittance** fee is money that does not reach families.\n\n"
    "---\n\n"
    "- Lower fees for **migrant workers**\n- Digital transfers\n"
)


@pytest.fixture(scope="module")
def markdown_client(tmp_path_factory: pytest.TempPathFactory):
    """An index of a .txt holding Markdown's inline markup and a .md file."""
    root = tmp_path_factory.mktemp("markdown")
    corpus = root / "shelf"
    corpus.mkdir()
    (corpus / "speech.txt").write_text(MARKDOWN_TEXT, "utf-8")
    (corpus / "costs.md").write_text(MARKDOWN_FILE, "utf-8")
    run([corpus], root / "index", workers=1)
    app = create_app({"TESTING": True, "INDEX_DIR": str(root / "index"), "CORPUS_DIRS": []})
    return app.test_client()


def assert_no_markup(text: str) -> None:
    assert "**" not in text and "__" not in text and "---" not in text
    assert "](" not in text and "*vital*" not in text


def test_markdown_markup_is_never_indexed_shown_or_quoted_raw(markdown_client) -> None:
    body = api(markdown_client, "/api/search?q=remittances+migrant+workers&group=passage")
    assert {r["document_id"] for r in body["results"]} == {"shelf/speech.txt", "shelf/costs.md"}
    for hit in body["results"]:
        assert_no_markup(hit["text"] + hit["snippet"])
    speech = next(r for r in body["results"] if r["document_id"] == "shelf/speech.txt")
    assert (
        "by <mark>migrant</mark> <mark>workers</mark> are vital for small islands"
        in (speech["snippet"])
    )
    assert_no_markup(get_page(markdown_client, "/search?q=remittances").html)
    page = get_page(markdown_client, "/documents/shelf/speech.txt?q=remittances")
    assert_no_markup(page.html.split('class="doc-text"', 1)[1])
    assert "Mr President," in page.html and "Addis Ababa Action Agenda." in page.html
    # A .md file: its headings become the contents, its text has no markup either.
    costs = get_page(markdown_client, "/documents/shelf/costs.md")
    assert "Why costs matter" in costs.texts("nav", "toc")[0]
    assert_no_markup(costs.html.split('class="doc-text"', 1)[1])
    answers = api(markdown_client, "/api/ask?q=What+are+vital+for+small+islands")
    for item in answers.get("answers", []) + answers.get("passages", []):
        assert_no_markup(item["snippet"])


def test_text_files_cite_sections_and_paragraphs_not_pages(client, markdown_client) -> None:
    body = api(client, "/api/search?q=health+workers+emigration&group=passage&per_page=50")
    assert body["results"] and all(r["page_start"] is None for r in body["results"])
    assert all(r["paragraph"] >= 1 for r in body["results"])
    page = get_page(client, "/search?q=health+workers+emigration")
    assert not page.find("span", "cite-page") or all(
        not t.startswith("p. ") for t in page.texts("span", "cite-page")
    )
    assert "p. 1" not in page.html
    # No headings: the citation names the paragraph.
    hit = api(markdown_client, "/api/search?q=Addis")["results"][0]
    assert hit["section"] == "" and hit["page_start"] is None
    cited = get_page(markdown_client, "/search?q=Addis").texts("span", "cite-page")
    assert cited == [f"¶ {hit['paragraph']}"]


def test_document_page_match_links_name_the_section_or_paragraph(client) -> None:
    page = get_page(client, f"/documents/{SEED_ID}?q=migration")
    links = [text for attrs, text in page.find("a") if attrs.get("href", "").startswith("#p-")]
    assert len(links) > 3
    assert not any(link.startswith("p. ") for link in links)
    assert all("¶ " in link for link in links)
    assert len(set(links)) == len(links)  # no longer 23 identical "p. 1"
    assert not page.find("p", "page-marker")


def test_pdf_hits_keep_their_pages(pdf_client) -> None:
    hit = api(pdf_client, "/api/search?q=remittances")["results"][0]
    assert hit["page_start"] >= 1
    page = get_page(pdf_client, "/search?q=remittances")
    assert f"p. {hit['page_start']}" in page.texts("span", "cite-page")[0]


# ------------------------------------------------------------------ issue 12: the page


def test_home_page_shows_the_shelf_with_links_examples_and_tips(client) -> None:
    page = get_page(client, "/")
    stats = api(client, "/api/stats")
    [summary] = page.texts("h1")
    assert f"{stats['documents']} reports" in summary and f"{stats['passages']} passages" in summary
    assert "2009–2021" in summary  # the years the shelf spans
    hrefs = [attrs["href"] for attrs, _ in page.find("a")]
    assert "/search?doc_type=report" in hrefs and "/search?year=2015" in hrefs
    assert "/search?country=Mexico" in hrefs
    assert "/search?sort=newest" in hrefs  # browse everything
    examples = page.find("ul", "examples")
    assert examples and any(h.startswith("/search?q=") for h in hrefs)
    assert '"exact phrase"' in page.texts("dl", "tips")[0]
    # Each example is a search that finds something.
    first = next(h for h in hrefs if h.startswith("/search?q="))
    assert api(client, "/api" + first)["total"] > 0
    browse = get_page(client, "/search?doc_type=report")
    assert "newest first" in browse.texts("h1", "summary")[0]


def test_search_form_keeps_filters_and_sort_and_can_drop_them(client) -> None:
    page = get_page(client, "/search?q=remittances&country=Mexico&sort=newest&page=1")
    form = page.html.split('class="search-form"', 1)[1].split("</form>", 1)[0]
    kept = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form)
    assert kept == [("country", "Mexico"), ("sort", "newest")]
    assert "Country: Mexico" in form and "Sort: Newest first" in form
    [(button, text)] = page.find("button", "link-button")
    assert (button["name"], button["value"]) == ("drop", "filters")
    assert text == "Search all reports instead"
    response = client.get("/search?q=migrants&country=Mexico&sort=newest&drop=filters")
    assert response.status_code == 302 and response.location == "/search?q=migrants"
    # Without filters or sort, nothing to keep.
    assert not get_page(client, "/search?q=remittances").find("button", "link-button")


def test_results_come_before_facets_and_the_skip_link_lands_on_them(client) -> None:
    page = get_page(client, "/search?q=remittances")
    html = page.html
    assert html.index('id="results"') < html.index('class="facets"')
    assert html.index('class="results"') < html.index('id="facet-')
    [(skip, _)] = page.find("a", "skip-link")
    assert skip["href"] == "#results"
    [(results, _)] = page.find("section", id="results")
    assert results["tabindex"] == "-1"
