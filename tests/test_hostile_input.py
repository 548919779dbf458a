"""Hostile requests: odd queries and parameters, markup, path tricks, tokens, headers.

Every answer is a 200 or a 4xx with the error envelope, never a 500. How long a query may run
is bounded by the server's per-request budget (tests/test_query_bounds.py).
"""

from __future__ import annotations

import hmac
import json
import os
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.pipeline import run
from search_app.web import create_app

PAYLOAD = "<script>alert('x')</script> <img src=x onerror=alert(1)>"

QUERIES = [
    "a" * 1000,
    "migration " * 150,
    '"unbalanced quote',
    'unbalanced quote"',
    '"""',
    "((migration",
    "migration))",
    "(" * 200 + "migration" + ")" * 200,
    "[a TO",
    "{x TO y]",
    "AND",
    "OR",
    "NOT",
    "-",
    "+",
    "~",
    "^",
    "AND OR NOT",
    "NOT NOT NOT migration",
    "- - -",
    "*",
    "?",
    "a*",
    "*a",
    "*a*",
    "??*",
    "a* b* c* d* e* f* g* h* i* j*",
    " OR ".join(f"{c}*" for c in "abcdefghijklmnopqrstuvwxyz"),
    "m?????????",
    "migration~",
    "migration~10",
    "migratoin~2 remitances~2 developmnt~2",
    "migration^1000000",
    "migration^-1",
    "migration^",
    "title:",
    "nosuchfield:value",
    "nosuchfield:(a OR b)",
    "text:*",
    "year:[0 TO 999999999]",
    "year:abc",
    "year:*",
    "organization:",
    ":::",
    "\\",
    '\\"',
    "'",
    "%",
    "%00",
    "\x00",
    "migration\x00report",
    "\x01\x02\x03\x1b[31m\x7f",
    "\r\n\r\nX-Injected: 1",
    "\u202emigration\u202c",
    "هجرة العمال",
    "שלום עולם",
    "e\u0301" * 300,
    "Z\u0334\u031b\u0330\u0347a\u0336l\u0338g\u0334o\u0337",
    "\uffff\ufffe",
    "🏳️‍🌈" * 40,
    PAYLOAD,
    "' OR 1=1 --",
    "${jndi:ldap://example.invalid/a}",
    "{{7*7}}",
    "%s%s%s%n",
    " OR ".join(["migration"] * 120),
    # Issue 16: each of these once held a server thread for seconds or minutes.
    '"migration health"~99999999',
    '"migration health"~1000000',
    " ".join(f"{c}*" for c in "abcdefghijklmnopqrstuvwxyz"),
    "*a* *e* *i* *o*",
    " ".join("?" * n + "*" for n in range(1, 12)),
    "text:[a TO z]",
    " ".join(f"w{n}~99" for n in range(40)),
]
ENDPOINTS = ["/api/search", "/search", "/api/suggest", "/api/ask", "/api/documents"]
BAD_PARAMETERS = [
    {"q": "migration", "page": str(10**12)},
    {"q": "migration", "page": "99999"},
    {"q": "migration", "page": "-1"},
    {"q": "migration", "page": "1e3"},
    {"q": "migration", "page": "\u0661"},  # an Arabic-Indic digit one
    {"q": "migration", "per_page": str(10**9)},
    {"q": "migration", "per_page": "0"},
    {"q": "migration", "nosuchfacet": "x"},
    {"q": "migration", "year": "abc"},
    {"q": "migration", "year": "9" * 40},
    {"q": "migration", "organization": "NO SUCH ORGANIZATION"},
    {"q": "migration", "organization": "\x00"},
    {"q": "migration", "year_from": "99999"},
    {"q": "migration", "year_from": "2020", "year_to": "1990"},
    {"q": "migration", "sort": "drop table"},
    {"q": "migration", "group": "\x00"},
    {"q": "migration", "facet_size": "100000"},
    {"q": ["a", "b"]},
]


@pytest.fixture(scope="module")
def hostile_app(small_index: Path, corpus_dir: Path):
    return create_app(
        {"TESTING": True, "INDEX_DIR": str(small_index), "CORPUS_DIRS": [str(corpus_dir)]}
    )


@pytest.fixture(scope="module")
def http(hostile_app):
    client = hostile_app.test_client()
    for path in ENDPOINTS:  # the first load of caches and models out of the way
        client.get(f"{path}?q=migration+remittances")
    return client


def check_answer(response, path: str) -> None:
    """200, or a 4xx with the one error envelope (HTML pages: an HTML error page)."""
    assert response.status_code in (200, 400, 404), (path, response.status_code)
    if path.startswith("/api/"):
        body = response.get_json()
        if response.status_code != 200:
            error = body["error"]
            assert error["status"] == response.status_code
            assert error["code"] and error["message"]
    else:
        assert response.mimetype == "text/html"


def checked_get(http, path: str, params: dict) -> None:
    """The answer's shape only: how long a query may run is the server's time budget
    (tests/test_query_bounds.py), never a wall-clock assertion on a shared machine."""
    check_answer(http.get(f"{path}?{urlencode(params, doseq=True)}"), path)


@pytest.mark.parametrize("path", ENDPOINTS)
def test_hand_written_hostile_queries(http, path: str) -> None:
    for q in QUERIES:
        checked_get(http, path, {"q": q})


@pytest.mark.parametrize("path", ["/api/search", "/search", "/api/documents"])
@pytest.mark.parametrize("params", BAD_PARAMETERS, ids=lambda p: urlencode(p, doseq=True)[:40])
def test_hostile_parameters(http, path: str, params: dict) -> None:
    checked_get(http, path, params)


def test_wildcards_expand_to_a_bounded_set(http) -> None:
    everything = http.get("/api/search?q=*&group=passage").get_json()
    letter = http.get("/api/search?q=a*&group=passage").get_json()
    assert letter["total"] < everything["total"] or everything["total"] == 0


# Printable text, operators and the odd control or combining character.
query_text = st.lists(
    st.one_of(
        st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
        st.text(st.sampled_from('"()[]{}*?~^:-+\\/'), min_size=1, max_size=3),
        st.sampled_from(["AND", "OR", "NOT", "TO", "title:", "year:", "nosuch:", "a*", "x~2"]),
        st.sampled_from(["migration", "remittances", "development", "climate"]),
    ),
    max_size=12,
).map(" ".join)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(q=query_text, path=st.sampled_from(ENDPOINTS))
def test_generated_queries_never_fail(http, q: str, path: str) -> None:
    checked_get(http, path, {"q": q})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    params=st.dictionaries(
        st.sampled_from(["q", "page", "per_page", "sort", "group", "year", "country", "x"]),
        st.text(max_size=30),
        max_size=5,
    )
)
def test_generated_parameters_never_fail(http, params: dict) -> None:
    checked_get(http, "/api/search", params)


# ---------------------------------------------------------------- markup, files, headers


@pytest.fixture(scope="module")
def shelf(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An index of a document holding markup, next to a secret outside the corpus."""
    root = tmp_path_factory.mktemp("web")
    secret = root / "secret.txt"
    secret.write_text("TOP SECRET remittances " * 30, "utf-8")
    corpus = root / "shelf"
    corpus.mkdir()
    (corpus / "markup.txt").write_text(
        f"Markup report\n\nThe remittances paragraph quotes {PAYLOAD} verbatim.\n", "utf-8"
    )
    (corpus / "plain.txt").write_text("Plain report\n\n" + "Remittances help. " * 30, "utf-8")
    (corpus / "leak.txt").symlink_to(secret)
    run([corpus], root / "index", workers=1)
    return {"root": root, "corpus": corpus, "index": root / "index", "secret": secret}


@pytest.fixture
def web(shelf: dict[str, Path]):
    config = {"TESTING": True, "INDEX_DIR": str(shelf["index"]), "CORPUS_DIRS": []}
    return create_app(config).test_client()


def test_markup_is_escaped_in_api_snippets(web) -> None:
    body = web.get("/api/search?q=remittances&group=passage").get_json()
    hit = next(r for r in body["results"] if r["document_id"] == "shelf/markup.txt")
    assert "<script" not in hit["snippet"] and "<img" not in hit["snippet"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in hit["snippet"]
    assert "<mark>" in hit["snippet"]
    assert PAYLOAD in hit["text"]  # plain text stays plain; the JSON consumer escapes it


def test_a_symlink_out_of_the_corpus_is_neither_indexed_nor_served(web) -> None:
    assert web.get("/api/documents/shelf/leak.txt").status_code == 404
    assert web.get("/api/documents/shelf/leak.txt/file").status_code == 404
    body = web.get("/api/search?q=secret").get_json()
    assert body["total"] == 0


@pytest.mark.parametrize(
    "path",
    [
        "/api/documents/shelf/../secret.txt/file",
        "/api/documents/shelf/..%2Fsecret.txt/file",
        "/api/documents/shelf/%2e%2e/secret.txt/file",
        "/api/documents/shelf/%252e%252e%252fsecret.txt/file",
        "/api/documents/shelf/..%5Csecret.txt/file",
        "/api/documents//etc/passwd/file",
        "/api/documents/%2Fetc%2Fpasswd/file",
        "/api/documents/shelf/markup.txt%00.pdf/file",
        "/api/documents/shelf/markup.txt/../../secret.txt/file",
    ],
)
def test_the_file_endpoint_never_leaves_the_corpus(web, shelf: dict, path: str) -> None:
    response = web.get(path, follow_redirects=True)  # `//` redirects to the merged path
    assert response.status_code in (400, 404), path
    assert b"TOP SECRET" not in response.data and b"root:" not in response.data


def test_a_file_swapped_for_a_symlink_after_indexing_is_not_served(
    shelf: dict, tmp_path: Path
) -> None:
    corpus = tmp_path / "shelf"
    corpus.mkdir()
    (corpus / "plain.txt").write_text("Plain report\n\n" + "Remittances help. " * 30, "utf-8")
    run([corpus], tmp_path / "index", workers=1)
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}).test_client()
    assert client.get("/api/documents/shelf/plain.txt/file").status_code == 200
    (corpus / "plain.txt").unlink()
    (corpus / "plain.txt").symlink_to(shelf["secret"])
    response = client.get("/api/documents/shelf/plain.txt/file")
    assert response.status_code == 404 and b"TOP SECRET" not in response.data


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/search?q=remittances",
        "/documents/shelf/markup.txt",
        "/api/search?q=remittances",
        "/api/documents/shelf/plain.txt/file",
        "/api/nowhere",
        "/nowhere",
        "/api/search?page=0",
    ],
)
def test_security_headers_on_pages_api_files_and_errors(web, path: str) -> None:
    headers = web.get(path).headers
    policy = dict(
        (part.split() or [""])[0:1] + [" ".join(part.split()[1:])]
        for part in headers["Content-Security-Policy"].split(";")
        if part.strip()
    )
    script = policy.get("script-src", policy.get("default-src", ""))
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert "'unsafe-inline'" not in policy.get("default-src", "")
    assert policy.get("object-src") == "'none'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in {"same-origin", "no-referrer", "strict-origin"}


def test_the_token_is_compared_in_constant_time(
    shelf: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a, b):
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    config = {"TESTING": True, "INDEX_DIR": str(shelf["index"]), "API_TOKEN": "s3cret"}
    config["CORPUS_DIRS"] = []
    client = create_app(config).test_client()
    response = client.post("/api/index", headers={"Authorization": "Bearer s3cres"})
    assert response.status_code == 403
    assert compared == [(b"s3cres", b"s3cret")]
    for header in ("", "Bearer", "Basic s3cret", "bearer  ", "Bearer s3cret\x00"):
        assert client.post("/api/index", headers={"Authorization": header}).status_code in (
            401,
            403,
        )


def test_oversized_bodies_are_refused_before_the_token_is_checked(shelf: dict) -> None:
    config = {"TESTING": True, "INDEX_DIR": str(shelf["index"]), "API_TOKEN": "s3cret"}
    client = create_app({**config, "CORPUS_DIRS": []}).test_client()
    response = client.post("/api/index", data=os.urandom(2 * 1024 * 1024))
    assert response.status_code == 413
    assert response.get_json()["error"]["status"] == 413


def test_generation_header_names_the_index_that_answered(web, shelf: dict) -> None:
    from indexer.index import generations

    live = generations.generation_number(generations.current_generation(shelf["index"]))
    for path in ("/api/search?q=remittances", "/search?q=remittances", "/api/stats"):
        assert web.get(path).headers["X-Index-Generation"] == str(live)
    assert json.loads(web.get("/api/stats").data)["generation"] == live


def test_the_document_page_escapes_markup_in_the_url(web) -> None:
    response = web.get("/documents/" + quote("shelf/<script>alert(1)</script>.txt"))
    assert response.status_code == 404
    assert b"<script>alert(1)" not in response.data
