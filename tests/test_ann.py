"""Search by meaning through the approximate nearest-neighbour index: forced on a small real
index (REPORT_SEARCH_ANN_FROM=1), it must give exact search's answer, with filters applied
exactly and selective filters still finding every match; without the library, exact."""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from indexer import embedding
from indexer.pipeline import run
from search_app import engine
from search_app.engine import neighbours
from search_app.engine.index_handle import IndexHandle
from search_app.engine.meaning import VectorTable, nearest, vector_table
from search_app.web import create_app

MODEL = embedding.encoder()
pytestmark = [
    pytest.mark.skipif(MODEL is None, reason="the semantic extra is not installed"),
    pytest.mark.skipif(not neighbours.available(), reason="the ANN library is not installed"),
]

SENTENCES = [
    "Coastal villages were moved inland because the sea keeps rising.",
    "Remittances from migrant workers exceed official development aid.",
    "Nurses leave their countries for better pay in richer hospitals.",
    "Tax treaties shape the revenue governments collect from mining.",
    "Peacekeepers protected civilians during the ceasefire negotiations.",
    "Drought ruined harvests and food prices doubled in the region.",
    "Girls' school enrolment rose after fees were abolished.",
    "Vaccination campaigns ended the measles outbreak within a year.",
    "Cyber attacks on hospitals and power grids are a new threat.",
    "Small island states asked for climate finance for adaptation.",
    "Nuclear disarmament talks stalled over verification rules.",
    "Refugees crossed the border fleeing the civil war.",
    "Glaciers in the mountains are melting faster than predicted.",
    "Microloans helped women start small businesses in rural towns.",
    "The court ruled that the election results must be recounted.",
    "Fishing fleets depleted the stocks along the western coast.",
    "A new railway links the port with the landlocked neighbour.",
    "Inflation eroded pensions and savings across the continent.",
    "Wildfires destroyed forests and thousands of homes last summer.",
    "Teachers went on strike demanding higher salaries and smaller classes.",
]
COUNTRIES = ["Fiji", "Gabon", "Chile", "Norway"]
DOCUMENTS = 160  # of 3 passages each: past the API's 100 candidates even when filtered
QUERIES = [
    "people forced to leave their homes by rising seas",
    "money sent home by workers abroad",
    "health workers emigrating",
    "war and displaced people",
    "children going to school",
]


def _paragraph(rng: np.random.Generator, n: int, part: int) -> str:
    """Five of the sentences (some 50 words: one passage), and what tells it apart."""
    chosen = rng.choice(len(SENTENCES), 5, replace=False)
    return " ".join(SENTENCES[i] for i in chosen) + f" Case {n}-{part}."


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real embedded index of DOCUMENTS reports of 3 passages, years 2000-2014."""
    root = tmp_path_factory.mktemp("ann")
    corpus = root / "corpus"
    corpus.mkdir()
    rng = np.random.default_rng(30)
    for n in range(DOCUMENTS):
        parts = "\n\n".join(_paragraph(rng, n, part) for part in range(3))
        (corpus / f"r{n:03d}.txt").write_text(f"Report {n}\n\n{parts}\n", "utf-8")
        meta = {"date": f"{2000 + n % 15}-06-01", "country": [COUNTRIES[n % 4]]}
        (corpus / f"r{n:03d}.txt.meta.json").write_text(json.dumps(meta), "utf-8")
    index = root / "index"
    run([corpus], index, workers=1, embed=True)
    return index


def _table(index_dir: Path, monkeypatch: pytest.MonkeyPatch, ann_from: str) -> VectorTable:
    monkeypatch.setenv(neighbours.ENV, ann_from)
    table = vector_table(IndexHandle(index_dir).snapshot())
    if table.approximate is not None:
        table.approximate.build()
    return table


@pytest.fixture
def tables(index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[VectorTable, VectorTable]:
    """The index's table with its approximate index built, and the same searched exactly."""
    table = _table(index_dir, monkeypatch, "1")
    assert table.approximate is not None and table.approximate.ready()
    assert len(table.docnums) > 2 * 10  # enough that count=10 leaves most out
    return table, replace(table, approximate=None)


def _queries(table: VectorTable) -> list[np.ndarray]:
    assert MODEL is not None
    return list(MODEL.encode(QUERIES)) + [table.matrix[row] for row in (0, 7, 29)]


def test_the_approximate_index_gives_exact_searchs_nearest(tables) -> None:
    approximate, exact = tables
    for query in _queries(approximate):
        expected = nearest(exact, query, 10)
        rows = approximate.approximate.search(query, 10, None)
        assert len(rows) == 10 * neighbours.CANDIDATES  # to be re-scored: they hold the 10
        assert set(expected) <= set(approximate.docnums[rows].tolist())
        found = nearest(approximate, query, 10)
        assert found.keys() == expected.keys()
        assert np.allclose([found[d] for d in expected], list(expected.values()), atol=1e-5)
        floored = nearest(approximate, query, 10, floor=0.3)
        assert floored.keys() == nearest(exact, query, 10, floor=0.3).keys()


def test_filters_apply_exactly_and_selective_ones_find_every_match(tables) -> None:
    approximate, exact = tables
    rng = np.random.default_rng(0)
    size = int(approximate.docnums.max()) + 1
    before = approximate.approximate.searches
    for allowed_count in (1, 3, 9, 15, 150, len(approximate.docnums) // 2):
        allowed = np.zeros(size, dtype=bool)
        allowed[rng.choice(approximate.docnums, allowed_count, replace=False)] = True
        for query in _queries(approximate):
            found = nearest(approximate, query, 10, allowed)
            assert found.keys() == nearest(exact, query, 10, allowed).keys()
            assert len(found) == min(10, allowed_count)  # none lost to the filter
            assert all(allowed[d] for d in found)
            everything = nearest(approximate, query, 100, allowed)
            assert everything.keys() == nearest(exact, query, 100, allowed).keys()
            assert len(everything) == min(100, allowed_count)
    assert approximate.approximate.searches > before  # the filtered index answered some


def test_searches_through_the_api_with_filters_equal_exact_ones(
    index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def client(ann_from: str):
        monkeypatch.setenv(neighbours.ENV, ann_from)
        app = create_app(
            {"TESTING": True, "INDEX_DIR": str(index_dir), "API_TOKEN": "", "WARM_UP": False}
        )
        handle = app.extensions["report_search"]
        engine.warm(handle)  # builds the approximate index when it is wanted
        table = vector_table(handle.snapshot())
        assert (table.approximate is not None) == (ann_from == "1")
        return app.test_client()

    approximate, exact = client("1"), client("1000000")
    index = vector_table(approximate.application.extensions["report_search"].snapshot()).approximate
    requests = [
        {"mode": "semantic"},
        {"mode": "semantic", "year_from": 2003, "year_to": 2005},
        {"mode": "semantic", "country": "Gabon"},
        {"mode": "semantic", "year_from": 2014, "country": "Norway"},
        {"mode": "hybrid", "year_to": 2002},
        {"mode": "hybrid", "year_from": 2005},
        {"mode": "hybrid", "country": "Chile"},
    ]
    for query in QUERIES:
        for params in requests:
            args = {"q": query, "group": "passage", "per_page": 100, **params}
            got = approximate.get("/api/search", query_string=args).get_json()
            want = exact.get("/api/search", query_string=args).get_json()
            ids = [r["passage_id"] for r in got["results"]]
            assert ids == [r["passage_id"] for r in want["results"]], args
            assert got["total"] == want["total"]
            low, high = params.get("year_from", 0), params.get("year_to", 9999)
            assert all(low <= r["year"][0] <= high for r in got["results"])
    assert index is not None and index.searches >= len(QUERIES) * 3  # past 100 passages


def test_the_index_builds_in_the_background_while_search_stays_exact(
    index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(neighbours.ENV, "1")
    table = vector_table(IndexHandle(index_dir).snapshot())
    assert table.approximate is not None
    query = _queries(table)[0]
    exact = replace(table, approximate=None)
    assert nearest(table, query, 10).keys() == nearest(exact, query, 10).keys()  # not ready
    deadline = time.monotonic() + 30
    while not table.approximate.ready() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert table.approximate.ready()
    assert nearest(table, query, 10).keys() == nearest(exact, query, 10).keys()


def test_without_the_library_search_by_meaning_is_exact(
    index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "faiss", None)  # as if it were not installed
    table = _table(index_dir, monkeypatch, "1")
    assert table.approximate is None and not neighbours.available()
    query = _queries(table)[0]
    assert len(nearest(table, query, 10)) == 10


def test_a_broken_library_leaves_search_by_meaning_exact(
    index_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import faiss

    # A filter the library would ignore (as a changed bitmap layout would): the self-check
    # sees rows outside it and the index is not used.
    monkeypatch.setattr(faiss, "IDSelectorBitmap", lambda size, bits: faiss.IDSelectorAll())
    table = _table(index_dir, monkeypatch, "1")
    assert table.approximate is not None and table.approximate.failed
    assert not table.approximate.ready()
    assert "self-check" in caplog.text
    query = _queries(table)[0]
    exact = replace(table, approximate=None)
    assert nearest(table, query, 10).keys() == nearest(exact, query, 10).keys()
    assert table.approximate.searches == 0

    # A library whose interface moved (a name gone): the build's error is logged, not raised.
    monkeypatch.delattr(faiss, "SearchParametersHNSW")
    table = _table(index_dir, monkeypatch, "1")
    assert table.approximate is not None and table.approximate.failed
    assert "could not be built" in caplog.text
    assert nearest(table, query, 10).keys() == nearest(exact, query, 10).keys()


def test_hybrid_is_the_default_past_the_threshold_only_with_a_working_index(
    index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past REPORT_SEARCH_ANN_FROM passages hybrid stays the default where the approximate
    index keeps search by meaning quick; without it, words alone are searched by default."""

    def default_mode(ann_from: str) -> str:
        monkeypatch.setenv(neighbours.ENV, ann_from)
        app = create_app(
            {"TESTING": True, "INDEX_DIR": str(index_dir), "API_TOKEN": "", "WARM_UP": False}
        )
        engine.warm(app.extensions["report_search"])
        body = app.test_client().get("/api/search", query_string={"q": QUERIES[0]}).get_json()
        assert body["modes"] == ["hybrid", "lexical", "semantic"]  # all still offered
        return body["mode"]

    assert default_mode("1000000") == "hybrid"  # exact search by meaning is quick here
    assert default_mode("1") == "hybrid"  # the approximate index makes it quick
    import faiss

    with monkeypatch.context() as broken:
        broken.setattr(faiss, "IDSelectorBitmap", lambda size, bits: faiss.IDSelectorAll())
        assert default_mode("1") == "lexical"  # its self-check failed: exact, and slow
    monkeypatch.setitem(sys.modules, "faiss", None)
    assert default_mode("1") == "lexical"  # not installed
    assert default_mode("1000000") == "hybrid"


def _health(client) -> dict:
    response = client.get("/api/health")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["vectors"]


def test_health_says_whether_the_approximate_index_is_built(
    index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/api/health and /api/stats tell exact search, the index being built (exact search
    answering meanwhile) and the index in use apart, in the server's own process."""
    import faiss

    # The library's graph is held back until the test lets it be built.
    let_build = threading.Event()
    real_graph = faiss.IndexHNSWSQ

    def held_graph(*args):
        let_build.wait(60)
        return real_graph(*args)

    monkeypatch.setattr(faiss, "IndexHNSWSQ", held_graph)
    monkeypatch.setenv(neighbours.ENV, "1")
    app = create_app(
        {"TESTING": True, "INDEX_DIR": str(index_dir), "API_TOKEN": "", "WARM_UP": False}
    )
    client = app.test_client()
    passages = DOCUMENTS * 3
    assert _health(client) == {
        "passages": passages,
        "search": "exact",
        "approximate_index": "pending",  # nothing searched by meaning yet in this process
        "approximate_from": 1,
    }
    args = {"q": QUERIES[0], "mode": "semantic", "group": "passage"}
    first = client.get("/api/search", query_string=args).get_json()["results"]
    index = vector_table(app.extensions["report_search"].snapshot()).approximate
    assert index is not None
    building = _health(client)
    assert (building["search"], building["approximate_index"]) == ("building", "building")
    stats = client.get("/api/stats").get_json()["embeddings"]
    assert (stats["search"], stats["approximate_index"]) == ("building", "building")
    assert client.get("/api/search", query_string=args).get_json()["results"] == first
    assert index.searches == 0  # exact search answered while it was built

    let_build.set()
    deadline = time.monotonic() + 60
    while _health(client)["search"] != "approximate" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _health(client) == {
        "passages": passages,
        "search": "approximate",
        "approximate_index": "ready",
        "approximate_from": 1,
    }
    assert client.get("/api/search", query_string=args).get_json()["results"] == first
    assert index.searches == 1  # and now it answers


def test_health_says_why_search_by_meaning_stays_exact(
    index_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def vectors(ann_from: str, index: Path = index_dir) -> dict:
        monkeypatch.setenv(neighbours.ENV, ann_from)
        app = create_app(
            {"TESTING": True, "INDEX_DIR": str(index), "API_TOKEN": "", "WARM_UP": False}
        )
        engine.warm(app.extensions["report_search"])  # the table gathered, the index built
        return _health(app.test_client())

    assert vectors("1")["search"] == "approximate"
    assert vectors("1000000") == {
        "passages": DOCUMENTS * 3,
        "search": "exact",
        "approximate_index": "not_needed",
        "approximate_from": 1_000_000,
    }
    import faiss

    with monkeypatch.context() as broken:
        broken.setattr(faiss, "IDSelectorBitmap", lambda size, bits: faiss.IDSelectorAll())
        failed = vectors("1")
        assert (failed["search"], failed["approximate_index"]) == ("exact", "failed")
    monkeypatch.setitem(sys.modules, "faiss", None)  # as if it were not installed
    missing = vectors("1")
    assert (missing["search"], missing["approximate_index"]) == ("exact", "unavailable")

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("A report\n\nOn rising seas and coastal villages.\n", "utf-8")
    run([corpus], tmp_path / "words", workers=1, embed=False)
    assert vectors("1", tmp_path / "words")["search"] == "none"


def test_health_is_ready_once_the_warm_up_has_built_the_approximate_index(
    index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(neighbours.ENV, "1")
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "API_TOKEN": ""})
    client = app.test_client()
    deadline = time.monotonic() + 120
    while (response := client.get("/api/health")).status_code == 503:
        assert response.get_json()["status"] == "starting"
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert response.get_json()["vectors"]["search"] == "approximate"


def test_stats_says_how_search_by_meaning_will_answer(
    index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`report-search stats` runs outside the server: it says what the server will do."""
    from click.testing import CliRunner

    from search_app.cli import main

    def shown(ann_from: str) -> str:
        monkeypatch.setenv(neighbours.ENV, ann_from)
        done = CliRunner().invoke(main, ["stats", "--index-dir", str(index_dir)])
        assert done.exit_code == 0, done.output
        return done.output

    assert "search by meaning: approximate from 1 passages: the server builds" in shown("1")
    assert "search by meaning: exact (the approximate index is used from 1,000,000" in shown(
        "1000000"
    )
    monkeypatch.setitem(sys.modules, "faiss", None)
    assert "exact, and slow past 1 passages: faiss-cpu is not installed" in shown("1")
