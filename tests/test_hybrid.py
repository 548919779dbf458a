"""Search by meaning: mode=hybrid|lexical|semantic in the API and the CLI, over a small
index whose passages were embedded when it was built (once for the module)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import embedding
from indexer.pipeline import run
from search_app.cli import main
from search_app.engine import service
from search_app.engine.service import NO_EMBEDDINGS_NOTICE
from search_app.web import create_app

pytestmark = pytest.mark.skipif(
    embedding.encoder() is None, reason="the semantic extra is not installed"
)

# name -> (text, year). The sea documents say "people leave their homes because the sea
# rises" in other words than the query below.
MEANING_DOCUMENTS: dict[str, tuple[str, int]] = {
    "coast.txt": (
        "Climate displacement on the coast\n\nCoastal communities were relocated because of "
        "sea-level rise. Fishing villages moved inland after storm surges flooded them.\n",
        2019,
    ),
    "islands.txt": (
        "Island relocation\n\nWhole island populations may have to resettle as the ocean "
        "swells and saltwater ruins their farmland.\n",
        2023,
    ),
    "remittances.txt": (
        "Remittances and development\n\nRemittances sent by migrant workers exceed official "
        "development assistance. Lowering the cost of remittances was a goal of the G20.\n",
        2015,
    ),
    "nurses.txt": (
        "Ethical recruitment\n\nNurses and midwives leave their countries for better pay; "
        "destination countries should recruit health personnel ethically.\n",
        2010,
    ),
    "session.txt": (
        "Emergency special session\n\nThe Assembly adopted A/ES-10/1022 on the protection of "
        "civilians, and asked for a report on humanitarian access.\n",
        2018,
    ),
    "tax.txt": (
        "Tax treaties\n\nTax treaties between developing countries and investors shape "
        "revenue from mining. Remittances are rarely taxed.\n",
        2021,
    ),
}
SEA_QUERY = "people forced to leave their homes by rising seas"


def build_meaning_index(root: Path) -> Path:
    """A real index of MEANING_DOCUMENTS, embedded; returns the index folder."""
    corpus = root / "corpus"
    corpus.mkdir()
    for name, (text, year) in MEANING_DOCUMENTS.items():
        (corpus / name).write_text(text, "utf-8")
        meta = {"date": f"{year}-06-01", "doc_type": "report"}
        (corpus / f"{name}.meta.json").write_text(json.dumps(meta), "utf-8")
    index_dir = root / "index"
    report = run([corpus], index_dir, workers=1, embed=True)
    assert report.summary()["passages_embedded"] == report.summary()["passages"] > 0
    return index_dir


@pytest.fixture(scope="module")
def meaning_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_meaning_index(tmp_path_factory.mktemp("meaning"))


@pytest.fixture(scope="module")
def api(meaning_index: Path):
    app = create_app({"TESTING": True, "INDEX_DIR": str(meaning_index), "API_TOKEN": ""})
    client = app.test_client()

    def search(**params: object) -> dict:
        response = client.get("/api/search", query_string={"group": "passage", **params})
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    search.client = client  # type: ignore[attr-defined]
    return search


def _documents(body: dict) -> list[str]:
    return [r["document_id"].split("/")[-1] for r in body["results"]]


def test_a_bad_mode_is_a_400(api) -> None:
    response = api.client.get("/api/search?q=sea&mode=fuzzy")
    assert response.status_code == 400
    message = response.get_json()["error"]["message"]
    assert "'mode'" in message and "hybrid, lexical, semantic" in message


def test_modes_find_what_words_miss_and_say_so(api) -> None:
    lexical = api(q=SEA_QUERY, mode="lexical")
    assert lexical["mode"] == "lexical" and lexical["total"] == 0

    hybrid = api(q=SEA_QUERY, mode="hybrid")
    assert hybrid["mode"] == "hybrid"
    assert set(_documents(hybrid)[:2]) == {"coast.txt", "islands.txt"}
    assert [r["found_by"] for r in hybrid["results"][:2]] == ["meaning", "meaning"]
    # The count counts what it says: the words' matches plus those found by meaning alone.
    assert hybrid["total"] == lexical["total"] + hybrid["similar_in_meaning"]["total"]
    assert hybrid["total"] == len(hybrid["results"])  # all on one page here

    semantic = api(q=SEA_QUERY, mode="semantic")
    assert semantic["mode"] == "semantic"
    assert set(_documents(semantic)[:2]) == {"coast.txt", "islands.txt"}
    scores = [r["score"] for r in semantic["results"]]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0.4  # cosine similarity


def test_hybrid_keeps_the_word_matches_and_labels_them(api) -> None:
    lexical = api(q="remittances", mode="lexical", per_page=100)
    hybrid = api(q="remittances", mode="hybrid", per_page=100)
    words = {r["passage_id"] for r in lexical["results"]}
    by_words = {r["passage_id"] for r in hybrid["results"] if r["found_by"] == "words"}
    assert by_words == words  # every word match is still there, and labelled so
    meaning_only = [r for r in hybrid["results"] if r["found_by"] == "meaning"]
    assert len(meaning_only) == hybrid["similar_in_meaning"]["total"]
    assert all("<mark>" not in r["snippet"] for r in meaning_only)
    assert hybrid["total"] == lexical["total"] + len(meaning_only)


def test_filters_apply_to_meaning_as_to_words(api) -> None:
    body = api(q=SEA_QUERY, mode="hybrid", year_from=2020, per_page=100)
    found = _documents(body)
    assert "islands.txt" in found and "coast.txt" not in found
    assert all(r["year"][0] >= 2020 for r in body["results"])
    assert body["total"] == len(body["results"])
    # The facet counts count the same passages as the headline.
    years = {v["value"]: v["count"] for v in body["facets"]["year"]}
    assert sum(n for year, n in years.items() if year >= 2020) == body["total"]
    semantic = api(q=SEA_QUERY, mode="semantic", year_to=2019, per_page=100)
    assert "islands.txt" not in _documents(semantic)
    assert _documents(semantic)[0] == "coast.txt"


def test_a_narrow_filter_finds_its_own_nearest(api, monkeypatch) -> None:
    """The passages nearest in meaning are looked for within the filters too, not only in
    the whole index: one candidate here, which the year range would otherwise filter away."""
    monkeypatch.setattr(service, "MEANING_CANDIDATES", 1)
    query = "money that migrants send to their families"
    assert _documents(api(q=query, mode="semantic")) == ["remittances.txt"]  # 2015
    narrow = api(q=query, mode="semantic", year_from=2020)
    assert _documents(narrow) == ["tax.txt"]  # 2021: "Remittances are rarely taxed."
    years = {v["value"]: v["count"] for v in narrow["facets"]["year"]}
    assert narrow["total"] == 1 == years[2021]


def test_a_named_document_stays_first(api) -> None:
    for mode in ("hybrid", "semantic"):
        body = api(q="Tax treaties", mode=mode)
        assert _documents(body)[0] == "tax.txt", mode


def test_more_like_this_by_meaning(api) -> None:
    source = "corpus/coast.txt#0"
    for mode in ("hybrid", "semantic"):
        body = api(like=source, mode=mode)
        assert body["mode"] == mode
        assert _documents(body)[0] == "islands.txt", mode
        assert source not in {r["passage_id"] for r in body["results"]}
    whole = api(like="corpus/coast.txt", mode="semantic")
    assert whole["mode"] == "semantic" and _documents(whole)[0] == "islands.txt"
    assert "coast.txt" not in _documents(whole)


def test_a_symbol_is_searched_by_its_words_alone(api) -> None:
    """A query that is a document symbol asks for that document: nothing "like" it."""
    for q in ("A/ES-10/1022", "a / es-10 / 1022"):
        body = api(q=q, mode="hybrid")
        assert _documents(body) == ["session.txt"], q
        assert body["mode"] == "lexical"  # words alone were searched, and it says so
        assert body["similar_in_meaning"]["total"] == 0


def test_default_mode_and_modes_offered(api) -> None:
    body = api(q=SEA_QUERY)  # words and meaning, on an index with embeddings
    assert body["mode"] == "hybrid"
    assert body["modes"] == ["hybrid", "lexical", "semantic"]
    assert api(q=SEA_QUERY, mode="")["mode"] == "hybrid"


def test_an_index_without_embeddings_searches_words_and_says_so(client) -> None:
    body = client.get("/api/search?q=remittances&mode=hybrid").get_json()
    assert body["mode"] == "lexical" and body["modes"] == ["lexical"]
    assert NO_EMBEDDINGS_NOTICE in body["notice"]
    assert "found_by" not in body["results"][0]


def test_cli_search_mode(meaning_index: Path) -> None:
    out = CliRunner().invoke(
        main, ["search", SEA_QUERY, "--mode", "hybrid", "--index-dir", str(meaning_index)]
    )
    assert out.exit_code == 0, out.output
    assert "similar in meaning only" in out.output.splitlines()[0]
    assert "Climate displacement on the coast" in out.output
    assert "(similar in meaning: it does not hold all of your words)" in out.output
    bad = CliRunner().invoke(main, ["search", "x", "--mode", "fuzzy"])
    assert bad.exit_code != 0 and "fuzzy" in bad.output


def test_the_page_keeps_the_mode_in_its_exports_and_feed(api) -> None:
    html = api.client.get("/search", query_string={"q": "remittances", "mode": "lexical"}).text
    links = re.findall(r'href="(/api/(?:export|feed)\?[^"]*)"', html)
    assert len(links) >= 2 and all("mode=lexical" in href for href in links)
    box = api.client.get("/search", query_string={"q": "remittances", "mode": "search"}).text
    links = re.findall(r'href="(/api/(?:export|feed)\?[^"]*)"', box)
    assert links and not any("mode=" in href for href in links)


def test_questions_reach_passages_that_say_it_in_other_words(api) -> None:
    """Question answering's candidates include the passages nearest the question in meaning:
    no word of this question is in the coast report, which is its closest passage."""
    body = api.client.get(
        "/api/ask", query_string={"q": "Why did shoreline settlements have to be abandoned?"}
    ).get_json()
    found = [a["document_id"] for a in body["answers"]] or [
        p["document_id"] for p in body["passages"]
    ]
    assert found[0] == "corpus/coast.txt"
    lexical = api(q="shoreline settlements abandoned", mode="lexical")
    assert lexical["total"] == 0  # words alone find nothing
