"""Search engine behaviour over the small session index (tests/conftest.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.pipeline import run
from search_app import engine
from search_app.engine import BadRequest, SearchRequest, parse_search_args
from search_app.engine.index_handle import IndexHandle


@pytest.fixture(scope="module")
def handle(small_index: Path) -> IndexHandle:
    return IndexHandle(small_index)


def find(handle: IndexHandle, q: str = "", **params) -> dict:
    args = {"q": [q], **{k: v if isinstance(v, list) else [str(v)] for k, v in params.items()}}
    return engine.search(handle, parse_search_args(args))


def all_passages(handle: IndexHandle, q: str, **params) -> list[dict]:
    """Every matching passage, by paging through ungrouped results."""
    found, page = [], 1
    while True:
        body = find(handle, q, group="passage", per_page=100, page=page, **params)
        found += body["results"]
        if page >= body["pages"]:
            return found
        page += 1


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def test_passages_with_all_words_are_the_results_and_some_words_follow_apart(handle):
    body = find(handle, "climate finance adaptation", group="passage")
    wanted = {"climate", "finance", "adaptation"}

    def held(r: dict) -> set[str]:  # a passage holds its report's title and its section too
        return words(" ".join((r["title"], r["section"], r["text"])))

    assert body["results"] and all(wanted <= held(r) for r in body["results"])
    some = body["some_words"]["results"]
    assert some, "passages with some of the words follow, in their own block"
    assert all(not wanted <= held(r) for r in some)


def test_phrase_matches_only_the_phrase(handle):
    results = all_passages(handle, '"ethical recruitment"')
    assert results
    assert all("ethical recruitment" in r["text"].lower() for r in results)


def test_excluded_word_removes_passages(handle):
    with_health = all_passages(handle, "migration")
    without = all_passages(handle, "migration -health")
    assert 0 < len(without) < len(with_health)
    assert all("health" not in words(r["text"]) for r in without)


def test_or_is_the_union(handle):
    left = {r["passage_id"] for r in all_passages(handle, "remittances")}
    right = {r["passage_id"] for r in all_passages(handle, "nurses")}
    both = {r["passage_id"] for r in all_passages(handle, "remittances OR nurses")}
    assert both == left | right and left and right


def test_field_queries(handle):
    titled = all_passages(handle, "title:remittances")
    assert titled and all("remittance" in r["title"].lower() for r in titled)
    iom = all_passages(handle, "organization:iom")
    assert iom and all("IOM" in r["organization"] for r in iom)
    full_name = all_passages(handle, 'organization:"International Organization for Migration"')
    assert {r["passage_id"] for r in full_name} == {r["passage_id"] for r in iom}


def test_prefix_and_fuzzy(handle):
    assert all_passages(handle, "remit*")
    # The index holds stems: "migration*" must still find "migration".
    assert all_passages(handle, "migration*")
    fuzzy = all_passages(handle, "remitances~")
    assert any("remittances" in words(r["text"]) for r in fuzzy)


@pytest.mark.parametrize("q", ['"unclosed phrase', "(migration OR", "migration year:abc"])
def test_malformed_queries_fall_back_to_words(handle, q):
    body = find(handle, q)
    assert body["notice"]
    assert body["total"] >= 0


def test_long_query_is_refused():
    with pytest.raises(BadRequest) as caught:
        parse_search_args({"q": ["word " * 4001]})
    assert caught.value.status == 400 and caught.value.code == "query_too_long"


def test_snippets_escape_then_mark(handle):
    results = all_passages(handle, "remittances markup")
    escaped = next(r for r in results if r["document_id"].endswith("escape.txt"))
    assert "<script>" not in escaped["snippet"]
    assert "&lt;script&gt;" in escaped["snippet"]
    assert "<mark>remittances</mark>" in escaped["snippet"]


def test_stems_highlight_as_they_matched(handle):
    results = all_passages(handle, "migrants")
    assert any("<mark>migrant</mark>" in r["snippet"] for r in results)


def test_phrases_highlight_only_where_they_occur(handle):
    results = all_passages(handle, '"ethical recruitment"')
    nurses = next(r for r in results if "recruit nurses ethically" in r["text"])
    assert "<mark>Ethical</mark> <mark>recruitment</mark>" in nurses["snippet"]
    assert "<mark>recruit</mark>" not in nurses["snippet"]
    assert "<mark>ethically</mark>" not in nurses["snippet"]


def brute_counts(passages, facet, other, selected_other):
    counts: dict = {}
    for p in passages:
        if selected_other and not set(p[other]) & set(selected_other):
            continue
        for value in p[facet]:
            counts[value] = counts.get(value, 0) + 1
    return counts


def test_multi_select_facet_counts_match_brute_force(handle):
    everything = all_passages(handle, "")
    orgs = [f["value"] for f in find(handle, "")["facets"]["organization"][:2]]
    years = [2009, 2015]
    body = find(
        handle,
        "",
        organization=orgs,
        year=[str(y) for y in years],
        facet_size=100,
        group="passage",
    )
    counts = {f["value"]: f["count"] for f in body["facets"]["organization"]}
    expected = brute_counts(everything, "organization", "year", years)
    assert {k: v for k, v in counts.items() if v} == expected
    year_counts = {f["value"]: f["count"] for f in body["facets"]["year"]}
    assert {k: v for k, v in year_counts.items() if v} == brute_counts(
        everything, "year", "organization", orgs
    )
    both = [p for p in everything if set(p["organization"]) & set(orgs) and p["year"][0] in years]
    assert body["total"] == len(both)
    assert all(f["selected"] == (f["value"] in orgs) for f in body["facets"]["organization"])


@pytest.mark.parametrize("sort", ["newest", "oldest", "title"])
def test_sorting(handle, sort):
    results = find(handle, "", sort=sort, per_page=100)["results"]
    keys = [r["title"].lower() if sort == "title" else r["date"] for r in results]
    assert keys == sorted(keys, reverse=(sort == "newest"))
    assert len(results) == 5


def test_browse_lists_documents_newest_first(handle):
    body = find(handle, "")
    assert body["total_documents"] == 5 and body["sort"] == "newest"
    dates = [r["date"] for r in body["results"]]
    assert dates == sorted(dates, reverse=True)


def test_pagination_totals(handle):
    total = find(handle, "migration", group="passage")["total"]
    ids = [r["passage_id"] for r in all_passages(handle, "migration")]
    assert len(ids) == len(set(ids)) == total
    last = find(handle, "migration", group="passage", per_page=3, page=1000)
    assert last["page"] == last["pages"] and last["results"]
    assert last["notice"] == f"Page 1000 is past the last page: showing page {last['pages']}."
    shown = find(handle, "migration", group="passage", per_page=3, page=last["pages"])
    assert last["results"] == shown["results"] and shown["notice"] is None


def test_grouped_results_count_other_passages(handle):
    passages = all_passages(handle, "migration")
    body = find(handle, "migration")
    assert body["total_documents"] == len({p["document_id"] for p in passages})
    for result in body["results"]:
        same = [p for p in passages if p["document_id"] == result["document_id"]]
        assert result["more_passages"] == len(same) - 1
        assert len(result["other_passages"]) == min(2, len(same) - 1)


def test_year_range(handle):
    body = find(handle, "", group="passage", year_from=2010, year_to=2015, per_page=100)
    assert body["results"] and all(2010 <= r["year"][0] <= 2015 for r in body["results"])
    # The range is the year facet's own selection: the histogram still shows every year.
    assert 2009 in [bar["year"] for bar in body["year_histogram"]]


def test_did_you_mean(handle):
    assert find(handle, "emigartion", correct="off")["suggestion"] == "emigration"
    assert find(handle, "recrutment", correct="off")["suggestion"] == "recruitment"
    assert find(handle, "recrutment")["corrected_query"] == "recruitment"
    assert find(handle, "migration")["suggestion"] is None


def test_did_you_mean_when_other_words_match(handle):
    body = find(handle, "remitances development", correct="off")
    assert body["total"] + body["some_words"]["total"] >= 3
    assert body["suggestion"] == "remittances development"
    assert find(handle, "remitances development")["corrected_query"] == body["suggestion"]


@pytest.mark.parametrize(
    "args, code",
    [
        ({"colour": ["red"]}, "unknown_parameter"),
        ({"per_page": ["0"]}, "bad_parameter"),
        ({"per_page": ["101"]}, "bad_parameter"),
        ({"sort": ["best"]}, "bad_parameter"),
        ({"year": ["abc"]}, "bad_parameter"),
        ({"page": ["-1"]}, "bad_parameter"),
    ],
)
def test_bad_parameters(args, code):
    with pytest.raises(BadRequest) as caught:
        parse_search_args(args)
    assert (caught.value.status, caught.value.code) == (400, code)


def test_documents_and_files(handle):
    listing = engine.list_documents(handle, SearchRequest())
    assert listing["total"] == 5
    document_id = listing["documents"][0]["document_id"]
    document = engine.get_document(handle, document_id)
    assert [p["ordinal"] for p in document["passages"]] == sorted(
        p["ordinal"] for p in document["passages"]
    )
    assert engine.document_file(handle, document_id).is_file()
    for unknown in ("nope.txt", "../../etc/passwd"):
        with pytest.raises(BadRequest) as caught:
            engine.get_document(handle, unknown)
        assert caught.value.status == 404
        with pytest.raises(BadRequest):
            engine.document_file(handle, unknown)


def test_suggest_completes_words(handle):
    texts = [s["text"] for s in engine.suggest(handle, "health wor")["suggestions"]]
    assert "health workers" in texts


def test_handle_follows_reindexing(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Glaciers are melting.\n", "utf-8")
    run([corpus], tmp_path / "index", workers=1)
    handle = IndexHandle(tmp_path / "index")
    assert find(handle, "volcanoes")["total"] == 0
    (corpus / "b.txt").write_text("Volcanoes erupt.\n", "utf-8")
    run([corpus], tmp_path / "index", workers=1)
    assert find(handle, "volcanoes")["total"] == 1
    (corpus / "a.txt").write_text("Deserts are spreading.\n", "utf-8")
    run([corpus], tmp_path / "index", workers=1)  # the old passage is deleted, not merged
    assert find(handle, "glaciers")["total"] == 0
    body = find(handle, "", group="passage")
    assert body["total"] == 2 == body["total_documents"]
    # One type ("report") held by every document tells nothing: the facet is not shown.
    assert "doc_type" not in body["facets"]
    assert find(handle, "", doc_type="report")["facets"]["doc_type"][0]["count"] == 2
    run([corpus], tmp_path / "index", workers=1, rebuild=True)
    assert find(handle, "volcanoes")["total"] == 1
    assert handle.generation == 2


def test_star_browses_everything(handle):
    star = find(handle, "*", group="passage")
    assert star["total"] == find(handle, "", group="passage")["total"] > 0
    assert star["results"] and star["sort"] == "newest"


def test_threads_share_a_handle(handle):
    """Each thread gets its own Whoosh searcher; results equal those of one thread."""
    from concurrent.futures import ThreadPoolExecutor

    queries = ["migration", "remittances", '"ethical recruitment"', "climate finance", "nurs*"]
    expected = {q: find(handle, q, group="passage", per_page=100)["results"] for q in queries}
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = list(
            pool.map(lambda q: (q, find(handle, q, group="passage", per_page=100)), queries * 8)
        )
    for q, body in runs:
        assert body["results"] == expected[q]


def test_empty_index(tmp_path: Path):
    from indexer.index import generations

    generations.publish(tmp_path, generations.new_generation(tmp_path))
    empty = IndexHandle(tmp_path)
    engine.warm(empty)
    for q in ("", "migration", '"two words"', "emigartion", "*"):
        body = find(empty, q)
        assert body["total"] == 0 and body["results"] == [] and body["pages"] == 1
    assert engine.list_documents(empty, SearchRequest())["total"] == 0
    assert engine.suggest(empty, "mig")["suggestions"] == []


@pytest.mark.parametrize(
    "text",
    [
        "0-dimensional biomaterials",
        "pro-inflammatory IL-6",
        "Ca2+",
        "G - quadruplex",
        "migration + health",
    ],
)
def test_hyphens_inside_words_are_not_exclusions(text):
    from whoosh import query as wq

    from indexer.index.schema import build_schema
    from search_app.engine.query import parse

    parsed = parse(text, build_schema())
    kinds = {type(node) for node in _nodes(parsed.relaxed)}
    assert wq.AndNot not in kinds and wq.Not not in kinds and parsed.notice is None


def _nodes(q):
    yield q
    for child in q.children():
        yield from _nodes(child)


def test_grouped_view_counts_reports_in_facets(handle):
    passages = all_passages(handle, "migration")
    body = find(handle, "migration", facet_size=100)
    for facet in ("organization", "year"):
        holding: dict = {}
        for p in passages:
            for value in set(p[facet]):
                holding.setdefault(value, set()).add(p["document_id"])
        counts = {f["value"]: f["count"] for f in body["facets"][facet]}
        assert counts == {value: len(ids) for value, ids in holding.items()}
    assert sum(bar["count"] for bar in body["year_histogram"]) == body["total_documents"]
