"""What a query means, with exact counts, in the engine, the API and the CLI (issue: queries
mean what they say, counts count what they say).

A small corpus of one-passage documents (a document of a few sentences is one passage), so
that passage counts and report counts are known by construction.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.pipeline import run
from search_app import engine
from search_app.cli import main as cli
from search_app.engine import parse_search_args
from search_app.engine.index_handle import IndexHandle

DOCS: dict[str, tuple[str, dict]] = {
    "a.txt": (
        "Climate change drives displacement in small island states.",
        {"date": "2023-09-20", "country": ["Fiji"]},
    ),
    "b.txt": ("Climate change is a threat to every country.", {"date": "2020-01-10"}),
    "c.txt": ("Displacement of people after the floods.", {"date": "2023-03-01"}),
    "d.txt": (
        "The WHO supports the health workforce. US policy on IT systems is under review.",
        {"date": "2021-05-05"},
    ),
    "e.txt": ("Türkiye hosts more refugees than any other country.", {"date": "2024-09-24"}),
    "f.txt": ("Remittances sent by migrants support families.", {"date": "2019-01-01"}),
    "g.txt": ("Remittances grew; remittances are cheaper to send.", {"date": "2019-02-01"}),
    "h.txt": ("Remittances and development finance.", {"date": "2019-03-01"}),
    "i.txt": ("Remittances reach rural areas.", {"date": "2019-04-01"}),
    "j.txt": ("Officials kept remitting the forms on time.", {"date": "2019-05-01"}),
}


def build_index(root: Path) -> Path:
    """The corpus above as files with sidecars, indexed; returns the index folder."""
    corpus = root / "corpus"
    corpus.mkdir()
    for name, (text, meta) in DOCS.items():
        (corpus / name).write_text(f"{name[0].upper()} note\n\n{text}\n", "utf-8")
        (corpus / f"{name}.meta.json").write_text(json.dumps({"doc_type": "note", **meta}))
    (corpus / "e.txt.meta.json").write_text(
        json.dumps({"doc_type": "note", "date": "2024-09-24", "country": ["Türkiye"]})
    )
    report = run([corpus], root / "index", workers=1)
    assert not report.summary()["failures"]
    return root / "index"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(tmp_path_factory.mktemp("semantics"))


@pytest.fixture(scope="module")
def handle(index_dir: Path) -> IndexHandle:
    return IndexHandle(index_dir)


def find(handle: IndexHandle, q: str, **params: str) -> dict:
    args = {"q": [q], **{k: [v] for k, v in params.items()}}
    return engine.search(handle, parse_search_args(args))


def docs(results: list[dict]) -> set[str]:
    return {Path(r["document_id"]).name for r in results}


def test_plain_words_match_all_of_them_and_some_words_come_apart(handle):
    body = find(handle, "climate change displacement")
    assert body["total"] == 1 and body["total_documents"] == 1
    assert docs(body["results"]) == {"a.txt"}
    some = body["some_words"]
    assert some["total"] == 2 and docs(some["results"]) == {"b.txt", "c.txt"}
    assert sum(f["count"] for f in body["facets"]["year"]) == 1  # facets count matches only


def test_no_passage_with_all_words_says_so(handle):
    body = find(handle, "floods threat")
    assert body["total"] == 0 and body["results"] == []
    assert "No passage holds all of your words" in body["notice"]
    assert docs(body["some_words"]["results"]) == {"b.txt", "c.txt"}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("climate AND displacement", {"a.txt"}),
        ("+climate +displacement", {"a.txt"}),
        ("climate OR displacement", {"a.txt", "b.txt", "c.txt"}),
        ("climate AND change OR floods", {"a.txt", "b.txt", "c.txt"}),
        ("climate AND (threat OR island)", {"a.txt", "b.txt"}),
        ("climate NOT threat", {"a.txt"}),
        ("climate -threat", {"a.txt"}),
        ('"small island states"', {"a.txt"}),
    ],
)
def test_boolean_operators_as_librarians_type_them(handle, q, expected):
    body = find(handle, q, group="passage")
    assert docs(body["results"]) == expected and body["total"] == len(expected)
    assert body["some_words"] is None  # typed operators say which words must be there


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("climate year:2023", {"a.txt"}),
        ("climate OR displacement year:2023", {"a.txt", "c.txt"}),
        ("climate change displacement year:2020", set()),
        ("year:[2020 TO 2021]", {"b.txt", "d.txt"}),
        ("climate country:Fiji", {"a.txt"}),
        ("climate -country:Fiji", {"b.txt"}),
        ("refugees country:Turkey", {"e.txt"}),
    ],
)
def test_field_clauses_always_restrict(handle, q, expected):
    body = find(handle, q, group="passage")
    assert docs(body["results"]) == expected and body["total"] == len(expected)


def test_field_clause_restricts_some_words_too(handle):
    body = find(handle, "climate change displacement year:2023", group="passage")
    assert docs(body["results"]) == {"a.txt"}
    assert docs(body["some_words"]["results"]) == {"c.txt"}  # b.txt is from 2020


def test_verbose_query_keeps_its_field_clause(handle):
    prose = (
        "we are looking for anything at all about how climate change and floods push "
        "people into displacement across the small island states"
    )
    body = find(handle, f"{prose} year:2023", group="passage")
    assert body["total"] == 2 and docs(body["results"]) == {"a.txt", "c.txt"}


@pytest.mark.parametrize(("q", "expected"), [("WHO", "d.txt"), ("IT", "d.txt"), ("US", "d.txt")])
def test_acronyms_in_capitals_are_searched(handle, q, expected):
    body = find(handle, q)
    assert docs(body["results"]) == {expected} and body["total"] == 1
    assert not body["notice"]


def test_acronym_with_other_words_is_not_dropped(handle):
    assert find(handle, "WHO workforce")["total"] == 1
    assert find(handle, "WHO refugees")["total"] == 0  # WHO is required, not dropped


def test_stopwords_alone_are_explained_not_a_parse_error(handle):
    body = find(handle, "who is it")
    assert body["total"] == 0
    assert "too common" in body["notice"] and "could not be parsed" not in body["notice"]


def test_country_names_find_each_other(handle):
    body = find(handle, "Turkey")
    assert docs(body["results"]) == {"e.txt"}
    assert body["expanded"] == [{"typed": "Turkey", "also": ["Türkiye"]}]
    assert docs(find(handle, "Türkiye refugees")["results"]) == {"e.txt"}


def test_rare_typo_is_corrected_even_when_its_stem_matches(handle):
    body = find(handle, "remitances")
    assert body["corrected_query"] == "remittances"
    assert body["total"] == 4 and "j.txt" not in docs(body["results"])
    assert find(handle, "remitances", correct="off")["suggestion"] == "remittances"


def test_api_and_cli_agree_on_counts(index_dir: Path):
    from search_app.web import create_app

    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "API_TOKEN": ""})
    api = app.test_client().get("/api/search?q=climate+change+displacement").get_json()
    assert api["total"] == 1 and api["some_words"]["total"] == 2
    result = CliRunner().invoke(
        cli, ["search", "climate change displacement", "--index-dir", str(index_dir), "--json"]
    )
    assert json.loads(result.output)["total"] == 1
    text = (
        CliRunner()
        .invoke(cli, ["search", "climate change displacement", "--index-dir", str(index_dir)])
        .output
    )
    assert text.startswith("1 report ")
    assert "With some of your words (2 reports, not counted above)" in text
    bad = app.test_client().get("/api/search?q=climate+year:20O9").get_json()
    assert bad["total"] == 0 and "year:20O9" in bad["notice"]


def test_citations_follow_the_documents_own_paragraph_numbers(tmp_path: Path):
    from search_app.web import create_app

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    filler = "The delegation recalls the work of the session and the commitments made. " * 6
    paragraphs = [f"{n}. We speak of topic{n}. {filler}" for n in (30, 31)]
    paragraphs.append(f"32. We call for action on glaciers and for finance. {filler}")
    (corpus / "speech.txt").write_text("Statement\n\n" + "\n\n".join(paragraphs) + "\n", "utf-8")
    (corpus / "plain.txt").write_text("Notes\n\nGlaciers are melting in the north.\n", "utf-8")
    run([corpus], tmp_path / "index", workers=1)
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}).test_client()
    body = client.get("/api/search?q=glaciers&group=passage").get_json()
    cited = {Path(r["document_id"]).name: r for r in body["results"]}
    assert cited["speech.txt"]["paragraph"] == 32
    assert cited["speech.txt"]["paragraph_numbering"] == "document"
    assert cited["plain.txt"]["paragraph_numbering"] == "passage"
    page = client.get("/search?q=glaciers&group=passage").get_data(as_text=True)
    assert "¶ 32" in page


def test_prose_punctuation_is_not_syntax(handle):
    # A question mark ending a word is punctuation, not a wildcard; parentheses alone group
    # words that must be there anyway: passages with some of the words still follow.
    body = find(handle, "What drives displacement in small island states (climate change)?")
    assert body["total"] == 1 and docs(body["results"]) == {"a.txt"}
    assert body["some_words"] is not None and not body["notice"]
