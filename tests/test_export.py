"""Export files, citations and Atom feeds, read back by real parsers (csv, json, rispy,
bibtexparser, feedparser, an XML parser), over a small corpus with hard characters."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import bibtexparser
import feedparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware

from indexer.index import generations
from indexer.pipeline import run
from search_app.formats.export import DOCUMENT_COLUMNS, MAX_LIMIT, PASSAGE_COLUMNS
from search_app.web import create_app

ATOM = "{http://www.w3.org/2005/Atom}"
# Accents, quotes, braces (one unbalanced), ampersand, TeX specials, Chinese and Cyrillic.
TRICKY_TITLE = 'Migración & "calidad" {datos} } 50% $x$ a_b #1 ~ 移民报告 Доклад'
TRICKY_ISSUER = "Office of the High Commissioner & Co. — Genève"
DOCS: dict[str, tuple[str, dict]] = {
    "tricky.md": (
        "# Migration data\n\nMigration statistics improve when countries share data. "
        "Migration flows and remittances are measured yearly.\n\n"
        "## Second section\n\nLabour migration corridors in Asia and migration costs.\n",
        {
            "title": TRICKY_TITLE,
            "publisher": TRICKY_ISSUER,
            "symbol": ["A/HRC/55/L.1"],
            "date": "2024-03-05",
            "doc_type": "report",
            "country": ["Côte d'Ivoire"],
        },
    ),
    "speech.txt": (
        "Statement\n\nMr. President, migration is a shared responsibility. Angola welcomes "
        "the global compact on migration.\n",
        {
            "title": "Angola - General Debate statement",
            "symbol": ["A/78/PV.5"],
            "date": "2023-09-20",
            "doc_type": "speech",
            "country": ["Angola"],
        },
    ),
    "plain.txt": (
        "Remittances\n\nRemittances sent home by migrant workers; migration and development.\n",
        {"date": "2015-09-30", "doc_type": "note", "country": ["Mexico"]},
    ),
}


def write_docs(corpus: Path, docs: dict[str, tuple[str, dict]]) -> None:
    for name, (text, meta) in docs.items():
        (corpus / name).write_text(text, "utf-8")
        (corpus / (name + ".meta.json")).write_text(json.dumps(meta), "utf-8")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = tmp_path_factory.mktemp("export") / "corpus"
    corpus.mkdir()
    write_docs(corpus, DOCS)
    return corpus


@pytest.fixture(scope="module")
def index_dir(corpus: Path) -> Path:
    index_dir = corpus.parent / "index"
    report = run([corpus], index_dir, workers=1)
    assert not report.summary()["failures"]
    return index_dir


@pytest.fixture
def client(index_dir: Path):
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "CORPUS_DIRS": []})
    return app.test_client()


def export(client, query: str) -> tuple[str, object]:
    response = client.get(f"/api/export?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.is_streamed
    return response.get_data(as_text=True), response


def csv_rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff"), "a byte-order mark, for spreadsheets"
    reader = csv.DictReader(io.StringIO(text[1:], newline=""))
    return list(reader)


def test_csv_has_one_header_and_one_row_per_report(client) -> None:
    text, response = export(client, "q=migration&format=csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = csv_rows(text)
    assert tuple(csv.reader(io.StringIO(text[1:])).__next__()) == DOCUMENT_COLUMNS
    searched = client.get("/api/search?q=migration&per_page=100").json
    assert [r["document_id"] for r in rows] == [r["document_id"] for r in searched["results"]]
    tricky = next(r for r in rows if r["document_id"].endswith("tricky.md"))
    assert tricky["title"] == TRICKY_TITLE
    assert tricky["issuer"] == TRICKY_ISSUER
    assert tricky["symbol"] == "A/HRC/55/L.1"
    assert (tricky["date"], tricky["year"], tricky["doc_type"]) == ("2024-03-05", "2024", "report")
    assert tricky["country"] == "Côte d'Ivoire"
    assert tricky["url"].startswith("http://localhost/documents/")
    path = tricky["file_url"].removeprefix("http://localhost")
    assert client.get(path).status_code == 200
    speech = next(r for r in rows if r["document_id"].endswith("speech.txt"))
    assert speech["issuer"] == "Angola"  # a speech is issued by the speaking Member State


def test_passage_view_has_one_record_per_passage_with_its_place_and_text(client) -> None:
    text, _ = export(client, "q=migration&format=csv&group=passage")
    rows = csv_rows(text)
    assert tuple(rows[0]) == DOCUMENT_COLUMNS + PASSAGE_COLUMNS
    assert len(rows) == client.get("/api/search?q=migration&group=passage").json["total"]
    second = next(r for r in rows if "Labour migration" in r["text"])
    assert second["section"] == "Second section"
    assert second["paragraph"].isdigit()
    assert "passage=" in second["url"]  # opens at the passage
    lines, _ = export(client, "q=migration&format=jsonl&group=passage")
    records = [json.loads(line) for line in lines.splitlines()]
    assert [r["text"] for r in records] == [r["text"] for r in rows]
    assert records[0]["country"] and isinstance(records[0]["country"], list)
    assert [r["rank"] for r in records] == list(range(1, len(records) + 1))


def test_jsonl_keeps_every_character(client) -> None:
    text, response = export(client, "q=migration&format=jsonl&country=Côte d'Ivoire")
    assert response.headers["Content-Type"].startswith("application/x-ndjson")
    (record,) = [json.loads(line) for line in text.splitlines()]
    assert (record["title"], record["issuer"]) == (TRICKY_TITLE, TRICKY_ISSUER)


def test_ris_reads_back_with_one_reference_per_report(client) -> None:
    text, _ = export(client, "q=migration&format=ris&group=passage")
    entries = rispy.loads(text)
    titles = {e["title"] for e in entries}
    assert len(entries) == len(titles) == 3  # passages of one report: one reference
    tricky = next(e for e in entries if e["title"] == TRICKY_TITLE)
    assert tricky["type_of_reference"] == "RPRT"
    assert tricky["authors"] == [TRICKY_ISSUER]
    assert tricky["volume"] == "A/HRC/55/L.1"  # RIS's report number
    assert tricky["date"] == "2024/03/05"


def test_bibtex_reads_back_with_unique_keys_and_every_character(client) -> None:
    text, _ = export(client, "q=migration&format=bibtex")
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert not library.failed_blocks
    keys = [entry.key for entry in library.entries]
    assert len(keys) == len(set(keys)) == 3
    tricky = next(e for e in library.entries if e.key.startswith("tricky-"))
    fields = {f.key: f.value for f in tricky.fields}
    assert tricky.entry_type == "techreport"
    assert fields["title"] == TRICKY_TITLE
    assert fields["author"] == TRICKY_ISSUER  # one corporate name, braced as a whole
    assert fields["number"] == "A/HRC/55/L.1"
    assert fields["url"].startswith("http://localhost/documents/")


def test_export_takes_every_search_parameter(client) -> None:
    text, _ = export(client, "q=migration&format=jsonl&country=Angola&sort=newest")
    assert [json.loads(line)["title"] for line in text.splitlines()] == [
        "Angola - General Debate statement"
    ]
    text, _ = export(client, "format=jsonl&sort=oldest&year_from=2016")  # browsing
    assert [json.loads(line)["year"] for line in text.splitlines()] == ["2023", "2024"]
    text, _ = export(client, "q=migration&format=jsonl&group=passage&limit=2&page=3&per_page=1")
    assert len(text.splitlines()) == 2  # from the first result, whatever the page


@pytest.mark.parametrize(
    "query, code",
    [
        ("q=migration&format=pdf", "bad_parameter"),
        (f"q=migration&limit={MAX_LIMIT + 1}", "bad_parameter"),
        ("q=migration&limit=0", "bad_parameter"),
        ("q=migration&format=csv&format=ris", "bad_parameter"),
        ("q=migration&colour=red", "unknown_parameter"),
        ("q=migration&sort=random", "bad_parameter"),
    ],
)
def test_bad_export_parameters_are_400s(client, query: str, code: str) -> None:
    response = client.get(f"/api/export?{query}")
    assert response.status_code == 400
    assert response.json["error"]["code"] == code


def test_export_is_under_the_request_time_budget(index_dir: Path) -> None:
    app = create_app({"INDEX_DIR": str(index_dir), "CORPUS_DIRS": [], "QUERY_TIME_BUDGET": 0})
    response = app.test_client().get("/api/export?q=migration*&format=csv")
    assert response.status_code == 503
    assert response.json["error"]["code"] == "query_timeout"


def test_document_carries_its_citations(client) -> None:
    body = client.get("/api/documents/corpus/tricky.md").json
    cited = body["citation"]
    assert set(cited) == {"apa", "chicago", "un", "ris", "bibtex", "key"}
    assert cited["un"] == f"{TRICKY_ISSUER}. {TRICKY_TITLE}. A/HRC/55/L.1. 5 March 2024."
    for style in ("apa", "chicago"):  # Chicago capitalises the title's words
        assert TRICKY_ISSUER in cited[style], cited[style]
        assert TRICKY_TITLE.casefold() in cited[style].casefold(), cited[style]
        assert "2024" in cited[style] and "A/HRC/55/L.1" in cited[style]
    assert rispy.loads(cited["ris"])[0]["title"] == TRICKY_TITLE
    entry = bibtexparser.parse_string(
        cited["bibtex"], append_middleware=[LatexDecodingMiddleware()]
    ).entries[0]
    assert entry.key == cited["key"] and entry.fields_dict["title"].value == TRICKY_TITLE


def test_cite_page_works_without_javascript(client) -> None:
    page = client.get("/documents/corpus/speech.txt/cite")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for label in ("APA", "Chicago", "United Nations", "RIS", "BibTeX"):
        assert f"<dt>{label}" in html
    assert "Angola. Angola - General Debate statement. A/78/PV.5. 20 September 2023." in html
    assert client.get("/documents/corpus/missing.txt/cite").status_code == 404


def atom_of(client, query: str = "") -> tuple[bytes, object]:
    response = client.get(f"/api/feed?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    return response.get_data(), feedparser.parse(response.get_data())


def test_feed_is_valid_atom_of_the_search(client) -> None:
    raw, parsed = atom_of(client, "q=migration&country=Côte d'Ivoire")
    root = ET.fromstring(raw)
    assert root.tag == f"{ATOM}feed"
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    (entry,) = parsed.entries
    assert entry.title == TRICKY_TITLE
    assert entry.author == TRICKY_ISSUER
    assert entry.id.startswith("urn:uuid:")
    assert entry.link.startswith("http://localhost/documents/")
    assert "Dated 2024-03-05" in entry.summary
    assert entry.published_parsed and entry.updated_parsed
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links["self"].startswith("http://localhost/api/feed?")
    assert "/search?" in links["alternate"]
    _, everything = atom_of(client, "limit=2")
    assert len(everything.entries) == 2
    raw, parsed = atom_of(client, "q=migration%0C%08&country=%08")  # no control characters
    assert not parsed.bozo and ET.fromstring(raw).tag == f"{ATOM}feed"


def test_keys_and_entry_ids_survive_a_rebuild_and_new_documents_lead_the_feed(
    corpus: Path, index_dir: Path, tmp_path: Path
) -> None:
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "CORPUS_DIRS": []})
    client = app.test_client()
    before_key = client.get("/api/documents/corpus/tricky.md").json["citation"]["key"]
    _, before = atom_of(client)
    manifest = generations.load_manifest(generations.current_generation(index_dir))
    run([corpus], index_dir, rebuild=True, workers=1)
    after_manifest = generations.load_manifest(generations.current_generation(index_dir))
    for document_id, record in manifest.items():  # the dates a document entered the index
        assert after_manifest[document_id]["added_at"] == record["added_at"]
        assert after_manifest[document_id]["changed_at"] == record["changed_at"]
    assert client.get("/api/documents/corpus/tricky.md").json["citation"]["key"] == before_key
    _, after = atom_of(client)
    ids = {e.title: (e.id, e.published) for e in before.entries}
    assert {e.title: (e.id, e.published) for e in after.entries} == ids
    # An old report added now comes first, before documents of newer dates.
    write_docs(corpus, {"late.txt": ("Late\n\nAn old note on migration.\n", {"date": "1999"})})
    try:
        run([corpus], index_dir, workers=1)
        _, later = atom_of(client, "q=migration")
        assert later.entries[0].title.startswith("Late")
        assert {e.id for e in later.entries[1:]} == {e.id for e in before.entries}
    finally:
        (corpus / "late.txt").unlink()
        (corpus / "late.txt.meta.json").unlink()
        run([corpus], index_dir, workers=1)


def test_citation_keys_are_readable_and_tell_same_named_files_apart() -> None:
    from search_app.formats.reference import citation_key, entry_id

    first, second = citation_key("corpus/2023/AGO.txt"), citation_key("corpus/2024/AGO.txt")
    assert first.startswith("AGO-") and second.startswith("AGO-") and first != second
    assert citation_key("corpus/2023/AGO.txt") == first  # nothing but the id decides
    assert citation_key("corpus/Zürich {x}.txt").startswith("Zurich_x-")
    assert entry_id("corpus/2023/AGO.txt") == entry_id("corpus/2023/AGO.txt")


def test_csv_cells_never_start_a_spreadsheet_formula() -> None:
    from search_app.formats.export import write

    result = {
        "document_id": "corpus/f.txt",
        "title": '=HYPERLINK("http://example.invalid")',
        "url": "/documents/corpus/f.txt",
        "file_url": "/api/documents/corpus/f.txt/file",
    }
    rows = csv_rows("".join(write("csv", [result], "document", "http://localhost/")))
    assert rows[0]["title"] == '\'=HYPERLINK("http://example.invalid")'
