"""Extraction: the seed report as a generated PDF, real UN PDFs, the curated test PDFs
(broken, encrypted, image-only, ...), and text, Markdown and HTML files."""

from __future__ import annotations

import csv
import difflib
import re
from pathlib import Path

import pytest
from paths import REPO as ROOT
from paths import SEED, needs_shared
from paths import SHARED_DATA as DATA

from indexer.extraction import ExtractionError, Limits, extract, pdf_date, plausible_title
from indexer.extraction.pdf_layout import Line, join_hyphenated, page_blocks
from indexer.samplepdf import RUNNING_HEADER, write_seed_pdf

PDFS = DATA / "pdfs"
UN_PDFS = DATA / "un-pdfs"
REASONS = {
    "empty",
    "encrypted",
    "malformed",
    "no-text",
    "too-many-pages",
    "too-large",
    "dependency",
    "unsupported",
    "decode",
}


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def blocks(document) -> list[str]:
    """All blocks of a document, whitespace inside each block collapsed."""
    return [" ".join(b.split()) for page in document.pages for b in page.text.split("\n\n")]


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seed") / "unitar-migration-2009.pdf"
    write_seed_pdf(SEED, path)
    return path


@pytest.fixture(scope="module")
def seed_doc(seed_pdf: Path):
    return extract(seed_pdf, "unitar-migration-2009.pdf")


# --- the seed report as a PDF ----------------------------------------------------------


def test_seed_pdf_is_reproducible_and_matches_the_bundled_copy(seed_pdf: Path, tmp_path: Path):
    again = tmp_path / "again.pdf"
    write_seed_pdf(SEED, again)
    assert again.read_bytes() == seed_pdf.read_bytes()
    assert (ROOT / "corpus" / "unitar-migration-2009.pdf").read_bytes() == seed_pdf.read_bytes()


def test_seed_pdf_words_match_the_text(seed_doc):
    expected = words(SEED.read_text("utf-8"))
    got = words("\n".join(page.text for page in seed_doc.pages))
    matcher = difflib.SequenceMatcher(None, expected, got, autojunk=False)
    assert matcher.ratio() > 0.995
    assert abs(len(got) - len(expected)) <= 5


def test_seed_pdf_has_no_running_header_or_page_number(seed_doc):
    assert len(seed_doc.pages) >= 3
    for page in seed_doc.pages:
        assert RUNNING_HEADER not in page.text
        for line in page.text.splitlines():
            assert not re.fullmatch(r"(Page )?\d+( of \d+)?", line.strip()), line


def test_seed_pdf_headings_are_blocks_of_their_own(seed_doc):
    got = blocks(seed_doc)
    assert "A. UNITAR CHAIRMANSHIP OF THE GLOBAL MIGRATION GROUP" in got
    assert "b. Migration and the MDGs" in got
    assert (
        'B. UNITAR "MIGRATION AND DEVELOPMENT" SEMINAR SERIES ORGANIZED IN COLLABORATION '
        "WITH IOM, UNFPA AND THE MACARTHUR FOUNDATION"
    ) in got
    assert any(b.startswith("C. UNITAR’S MIGRATION PROGRAMME") for b in got)
    assert got[0] == ("FOSTERING KNOWLEDGE, DIALOGUE AND COORDINATION ON INTERNATIONAL MIGRATION")


def test_seed_pdf_paragraphs_keep_line_breaks_and_end_at_gaps(seed_doc):
    paragraph = next(
        b for b in seed_doc.pages[0].text.split("\n\n") if b.startswith("UNITAR assumed")
    )
    assert "\n" in paragraph  # the PDF's lines are kept inside the block
    assert paragraph.rstrip().endswith("of global economic downturn.")


def test_seed_pdf_pages_labels_and_metadata(seed_doc):
    assert [p.number for p in seed_doc.pages] == list(range(1, len(seed_doc.pages) + 1))
    assert [p.label for p in seed_doc.pages] == [str(p.number) for p in seed_doc.pages]
    assert seed_doc.format == "pdf"
    assert seed_doc.title.startswith("FOSTERING KNOWLEDGE")
    assert seed_doc.metadata["date"] == "2009-12-31"
    assert "UNITAR" in seed_doc.metadata["author"]
    assert len(seed_doc.content_hash) == 64


def test_limits_on_pages_and_bytes(seed_pdf: Path):
    with pytest.raises(ExtractionError) as err:
        extract(seed_pdf, "x", Limits(max_pages=2))
    assert err.value.reason == "too-many-pages"
    with pytest.raises(ExtractionError) as err:
        extract(seed_pdf, "x", Limits(max_bytes=1000))
    assert err.value.reason == "too-large"


def test_garbage_and_truncated_pdfs_fail_as_malformed(seed_pdf: Path, tmp_path: Path):
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"this is not a PDF at all\n" * 40)
    with pytest.raises(ExtractionError) as err:
        extract(garbage, "garbage.pdf")
    assert err.value.reason == "malformed"
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(seed_pdf.read_bytes()[:3000])
    try:
        extract(truncated, "truncated.pdf")
    except ExtractionError as exc:
        assert exc.reason in {"malformed", "no-text"}


# --- the curated test PDFs ---------------------------------------------------------------


def curated() -> list[dict[str, str]]:
    if not (PDFS / "CURATED.tsv").is_file():
        return []  # no ../shared: the test below skips
    with open(PDFS / "CURATED.tsv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def probe_status(path: str) -> str:
    """The pypdf probe's verdict on a file, from its folder's MANIFEST.tsv."""
    folder, _, rest = path.partition("/")
    with open(PDFS / folder / "MANIFEST.tsv", encoding="utf-8") as handle:
        return next(
            r["status"] for r in csv.DictReader(handle, delimiter="\t") if r["path"] == rest
        )


def allowed_outcomes(row: dict[str, str]) -> set[str]:
    """What a curated file may end as: "ok" (extracted) or a failure reason."""
    expected = row["expected_behaviour"]
    if "0-byte" in row["category"]:
        return {"empty"}
    if row["password"]:
        # Some files with a user password have an empty owner password: "" opens them.
        return {"encrypted"} if probe_status(row["path"]) == "encrypted-needs-password" else {"ok"}
    if "no text layer" in expected:
        return {"no-text", "ok"}  # OCR reads those with words in their images (issue 14)
    if 'opens with ""' in expected or "empty password" in expected:
        return {"ok", "no-text"}
    if "PdfReadError" in expected and "strict" not in expected:
        return {"malformed"}
    if "little text" in expected or "partial text" in expected:
        return {"ok", "no-text"}
    return {"ok"}


@needs_shared
@pytest.mark.parametrize("row", curated(), ids=lambda row: row["path"])
def test_curated_pdf_extracts_or_fails_with_its_reason(row: dict[str, str]):
    path = PDFS / row["path"]
    try:
        document = extract(path, row["path"])
    except ExtractionError as exc:
        assert exc.reason in REASONS
        assert exc.message
        outcome = exc.reason
    else:
        assert document.pages and all(isinstance(p.text, str) for p in document.pages)
        assert any(p.text.strip() for p in document.pages)
        outcome = "ok"
    assert outcome in allowed_outcomes(row), f"{row['category']}: {outcome}"


# --- real UN documents ------------------------------------------------------------------


@needs_shared
def test_un_running_symbol_job_number_and_page_numbers_are_removed():
    document = extract(UN_PDFS / "A_HRC_EMRIP_2025_1.en.pdf", "A_HRC_EMRIP_2025_1.en.pdf")
    assert len(document.pages) == 5
    for page in document.pages:
        lines = [line.strip() for line in page.text.splitlines()]
        assert not any(re.fullmatch(r"(GE\.)?\d{2}-\d{5}.*", line) for line in lines)
        assert not any(re.fullmatch(r"\d+(/\d+)?", line) for line in lines)
        if page.number > 1:
            assert "A/HRC/EMRIP/2025/1" not in lines
    assert "1. Election of officers" in blocks(document)
    assert document.metadata["date"] == "2025-04-14"


@needs_shared
def test_un_policy_brief_headers_removed_and_hyphenation_joined():
    document = extract(UN_PDFS / "UNDoc-4077798.en.pdf", "UNDoc-4077798.en.pdf")
    text = "\n".join(page.text for page in document.pages)
    assert "unu.edu/ias" not in text
    assert not any(
        "POLICYBRIEF | No. 49, 2025" in line
        for p in document.pages[1:]
        for line in p.text.splitlines()
    )
    assert "climate-resilient" in text  # a compound split at a line end keeps its hyphen
    assert "effectively" in text and "ef-" not in text  # a word split in two is joined
    assert not re.search(r"[a-z]-\n[a-z]", text)


def test_join_hyphenated_lines():
    words = {"implementation", "gender-related"}
    assert join_hyphenated(["a climate-", "resilient future"], words) == [
        "a climate-resilient",
        "future",
    ]
    assert join_hyphenated(["some gender -", "related issues"], words) == [
        "some gender-related",
        "issues",
    ]
    assert join_hyphenated(["imple-", "mentation of it"], words) == ["implementation", "of it"]
    # a spaced dash before a capitalised word the document never joins stays a dash
    assert join_hyphenated(["the Union -", "United Kingdom"], words) == [
        "the Union -",
        "United Kingdom",
    ]


# --- text, Markdown, HTML ---------------------------------------------------------------


def test_plain_text_blocks_title_and_decoding(tmp_path: Path):
    path = tmp_path / "report.txt"
    text = "Annual Report\r\n\r\nFirst line\r\nsecond line \u2013 caf\u00e9.\r\n\r\n\r\nNext.\r\n"
    path.write_bytes(text.encode())
    document = extract(path, "report.txt")
    assert document.format == "text"
    assert document.title == "Annual Report"
    assert [p.number for p in document.pages] == [1]
    assert document.pages[0].text == "Annual Report\n\nFirst line\nsecond line – café.\n\nNext."
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes("caf\u00e9 \u201cquoted\u201d".encode("cp1252"))
    assert extract(legacy, "legacy.txt").pages[0].text == "café “quoted”"


def test_seed_text_extracts_with_its_title():
    document = extract(SEED, "unitar-migration-2009.txt")
    assert document.title.startswith("FOSTERING KNOWLEDGE, DIALOGUE")
    assert "A. UNITAR CHAIRMANSHIP OF THE GLOBAL MIGRATION GROUP" in blocks(document)


def test_markdown_headings_links_emphasis_and_code(tmp_path: Path):
    path = tmp_path / "notes.md"
    path.write_text(
        "# Migration notes\n\nSee [the report](https://example.org/r.pdf) and **bold** or "
        "*soft* words,\nwith `inline code`.\n\n## Details\n\n- first item\n- second item\n\n"
        "```\nx = 1  # kept as text\n```\n",
        "utf-8",
    )
    document = extract(path, "notes.md")
    assert document.format == "markdown"
    assert document.title == "Migration notes"
    assert document.pages[0].text.split("\n\n") == [
        "# Migration notes",
        "See the report and bold or soft words,\nwith inline code.",
        "## Details",
        "first item",
        "second item",
        "x = 1  # kept as text",
    ]


def test_html_main_text_only(tmp_path: Path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Migration  report</title><style>p{color:red}</style>"
        "<script>var secret = 'hidden';</script></head><body>"
        "<nav><a href='/'>Home</a> | <a href='/about'>About</a></nav>"
        "<header>Site banner</header>"
        "<main><h1>Findings</h1><p>Remittances <b>rose</b> in 2009.</p>"
        "<h2>Details</h2><ul><li>First point</li><li>Second point</li></ul>"
        "<form><input name=q><button>Search</button></form></main>"
        "<aside>Related links</aside><footer>Copyright</footer></body></html>",
        "utf-8",
    )
    document = extract(path, "page.html")
    assert document.format == "html"
    assert document.title == "Migration report"
    assert document.pages[0].text.split("\n\n") == [
        "# Findings",
        "Remittances rose in 2009.",
        "## Details",
        "First point",
        "Second point",
    ]
    for hidden in ("secret", "Home", "banner", "Search", "Related", "Copyright", "color"):
        assert hidden not in document.pages[0].text


def test_html_without_main_uses_body(tmp_path: Path):
    path = tmp_path / "plain.htm"
    path.write_text("<body><div>Loose text<br>on two lines</div><p>A paragraph.</p></body>")
    document = extract(path, "plain.htm")
    assert document.pages[0].text == "Loose text\non two lines\n\nA paragraph."
    assert document.title == "plain"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.md", b"  \n\n \n", "no-text"),
        ("binary.txt", b"\x00\x01\x02PK\x00", "decode"),
        ("sheet.xlsx", b"PK\x03\x04", "unsupported"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_text_failures_are_classified(tmp_path: Path, name: str, content: bytes, reason: str):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ExtractionError) as err:
        extract(path, name)
    assert err.value.reason == reason


def test_html_article_keeps_its_own_header(tmp_path: Path):
    path = tmp_path / "post.html"
    path.write_text(
        "<body><header>Site banner</header><article><header><h1>Post title</h1></header>"
        "<p>Body <script>track()</script>text.</p></article><footer>Site footer</footer></body>"
    )
    document = extract(path, "post.html")
    assert document.pages[0].text == "# Post title\n\nBody text."
    assert document.title == "Post title"


def test_page_blocks_cut_at_gaps_and_around_headings():
    def line(text: str, y: float, size: float = 10.0, bold: bool = False) -> Line:
        return Line(text, y, size, bold)

    lines = [
        line("The first paragraph starts", 700),
        line("and goes on, then it", 688),
        line("ends here.", 676),
        line("Scenarios and the Need", 656),  # plain-type heading: short, gaps around it
        line("There are various scenarios in", 636),
        line("human mobility and the", 624),
        line("rest of it.", 612),
        line("B. BOLD HEADING", 592, bold=True),
        line("ON TWO LINES", 580, bold=True),
        line("left column ends mid", 560),
        line("paragraph and the", 548),
        line("sentence continues at the top of the next column.", 760),
    ]
    assert page_blocks(lines, 10.0) == [
        ["The first paragraph starts", "and goes on, then it", "ends here."],
        ["Scenarios and the Need"],
        ["There are various scenarios in", "human mobility and the", "rest of it."],
        ["B. BOLD HEADING", "ON TWO LINES"],
        [
            "left column ends mid",
            "paragraph and the",
            "sentence continues at the top of the next column.",
        ],
    ]


def test_title_sources(tmp_path: Path, seed_doc):
    assert seed_doc.metadata["title_from"] == "metadata"
    assert extract(SEED, "seed.txt").metadata["title_from"] == "text"
    path = tmp_path / "long-first-paragraph.txt"
    path.write_text("This first paragraph is a sentence, not a title.\n\nMore text.\n")
    document = extract(path, "long-first-paragraph.txt")
    assert (document.title, document.metadata["title_from"]) == ("long-first-paragraph", "filename")


def test_pdf_metadata_plausibility():
    assert pdf_date("D:20250722185210-04'00'") == "2025-07-22"
    assert pdf_date("D:2009") == "2009"
    assert pdf_date("D:00000101") == "" and pdf_date("garbage") == ""
    assert plausible_title("Technology and Innovation Report 2025 (Overview)")
    for junk in ("Microsoft Word - A_80_16.docx", "untitled", "current.PDF", "Etpu", ""):
        assert not plausible_title(junk), junk
