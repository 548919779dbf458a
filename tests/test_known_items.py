"""Known items: a query that is or contains a UN symbol, or a title, puts that document first.

Real PDFs (indexer.samplepdf) named as UN files are (A_78_375.en.pdf); their symbols come from
the file names into the `symbol` facet. A letter citing the report, and reports with nearby
numbers, use the same words more often: they must still come after it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.pipeline import run
from indexer.samplepdf import render
from search_app.web import create_app

REPORT = "Migration of health workers\n\nHealth workers leave for better pay.\n"
CITING = "Letter on migration of health workers\n\n" + "A/78/375 health workers migration. " * 30
FILES = {
    "A_78_375.en.pdf": REPORT,
    "A_78_375_Add.2.en.pdf": "Addendum\n\nMore on migration of health workers (second).\n",
    "A_78_375_Add.10.en.pdf": "Addendum\n\nEven more on health workers (tenth).\n",
    "A_78_3750.en.pdf": "Another report\n\n" + "Health workers and migration. " * 20,
    "A_79_100.en.pdf": CITING,
    "S_2025_12.en.pdf": "Remittances and development\n\nMoney sent home by workers.\n",
    "notes.txt": "Health workers abroad\n\nRemittances and development, health workers. " * 5,
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("known")
    corpus = root / "un"
    corpus.mkdir()
    for name, text in FILES.items():
        path = corpus / name
        if name.endswith(".pdf"):
            path.write_bytes(render(text))
        else:
            path.write_text(text, "utf-8")
    report = run([corpus], root / "index", workers=1)
    assert not report.summary()["failures"]
    return create_app({"TESTING": True, "INDEX_DIR": str(root / "index")}).test_client()


def ranked(client, q: str, group: str = "document") -> list[str]:
    response = client.get("/api/search", query_string={"q": q, "group": group})
    assert response.status_code == 200, response.get_json()
    return [Path(r["document_id"]).name for r in response.get_json()["results"]]


@pytest.mark.parametrize("q", ["A/78/375", "a/78/375", "A / 78 / 375", "report A/78/375 pay"])
@pytest.mark.parametrize("group", ["document", "passage"])
def test_a_symbol_puts_its_document_first(client, q: str, group: str) -> None:
    assert ranked(client, q, group)[0] == "A_78_375.en.pdf"


def test_addenda_come_right_after_their_base_document_in_order(client) -> None:
    assert ranked(client, "A/78/375")[:3] == [
        "A_78_375.en.pdf",
        "A_78_375_Add.2.en.pdf",
        "A_78_375_Add.10.en.pdf",
    ]


def test_an_addendum_asked_for_comes_first(client) -> None:
    assert ranked(client, "A/78/375/add. 10")[0] == "A_78_375_Add.10.en.pdf"
    assert ranked(client, "a/78/375/Add.2")[0] == "A_78_375_Add.2.en.pdf"


def test_a_nearby_number_is_not_the_same_symbol(client) -> None:
    assert ranked(client, "A/78/3750")[0] == "A_78_3750.en.pdf"
    assert "A_78_3750.en.pdf" not in ranked(client, "A/78/375")[:3]


def test_an_exact_title_puts_its_document_first(client) -> None:
    assert ranked(client, "remittances and development")[0] == "S_2025_12.en.pdf"


def test_the_search_page_shows_the_named_document_first(client) -> None:
    page = client.get("/search", query_string={"q": "A/78/375"}).get_data(as_text=True)
    assert page.index("A_78_375.en.pdf") < page.index("A_79_100.en.pdf")


def test_a_symbol_is_not_spell_corrected(client) -> None:
    found = client.get("/api/search", query_string={"q": "s / 2025 / 12"}).get_json()
    assert found["corrected_query"] is None
    assert Path(found["results"][0]["document_id"]).name == "S_2025_12.en.pdf"
