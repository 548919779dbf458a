"""The JSON API through Flask's test client: every endpoint and every error shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from search_app.web import create_app
from search_app.web.openapi import EXAMPLE_DOCUMENT, openapi_document


def error_of(response, status: int) -> dict:
    """Assert the one error envelope and return its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == status
    assert body["error"]["code"] and body["error"]["message"]
    return body["error"]


def test_search_returns_results_and_facets(client):
    body = client.get("/api/search?q=remittances&group=passage").get_json()
    assert body["total"] >= 2 and body["results"]
    first = body["results"][0]
    for key in (
        "passage_id",
        "document_id",
        "title",
        "section",
        "page_start",
        "page_end",
        "score",
        "snippet",
        "text",
        "url",
        "file_url",
        "organization",
        "year",
    ):
        assert key in first
    assert set(body["facets"]["year"][0]) == {"value", "count", "selected"}


def test_search_filters_repeat(client):
    body = client.get("/api/search?q=&country=Mexico&country=Fiji&group=passage").get_json()
    assert body["filters"] == {"country": ["Mexico", "Fiji"]}
    assert body["results"] and all({"Mexico", "Fiji"} & set(r["country"]) for r in body["results"])


def test_page_through_all_results(client):
    seen, page = [], 1
    while True:
        body = client.get(f"/api/search?q=migration&group=passage&per_page=7&page={page}")
        body = body.get_json()
        seen += [r["passage_id"] for r in body["results"]]
        if page == body["pages"]:
            break
        page += 1
    assert len(seen) == len(set(seen)) == body["total"]


@pytest.mark.parametrize("path", ["/api/search?q=migration", "/api/documents?q="])
def test_a_page_past_the_end_is_the_last_page_with_a_notice(client, path):
    last = client.get(f"{path}&per_page=2&page=171")
    assert last.status_code == 200
    body = last.get_json()
    assert body["page"] == body["pages"] < 171
    assert body["notice"] == f"Page 171 is past the last page: showing page {body['pages']}."
    shown = client.get(f"{path}&per_page=2&page={body['pages']}").get_json()
    key = "results" if "results" in body else "documents"
    assert body[key] == shown[key] and body[key]


@pytest.mark.parametrize(
    "url",
    [
        "/api/search?colour=red",
        "/api/search?per_page=0",
        "/api/search?per_page=1000",
        "/api/search?sort=best",
        "/api/search?page=abc",
        "/api/search?q=" + "x" * 20_001,
        "/api/documents?year=abc",
        "/api/suggest?limit=0",
        "/api/stats?x=1",
        "/api/index/status?x=1",
        # What the description forbids is refused: years are whole numbers from 0 to 9999,
        # written without spaces; a question is not blank.
        "/api/search?year=10000",
        "/api/search?year=-1",
        "/api/search?year=%202009",
        "/api/search?year=",
        "/api/search?year=2009.0",
        "/api/search?year_from=2009%20",
        "/api/search?page=1.0",
        "/api/ask?q=%20%09",
        "/api/ask?q=x&year=twenty",
        "/api/ask?q=x&limit=",
        "/api/suggest?limit=",
        "/api/search?page=",  # a number, when given, is a number (the pages drop empty fields)
        "/api/documents?year_from=",
    ],
)
def test_bad_parameters_are_400(client, url):
    error_of(client.get(url), 400)


@pytest.mark.parametrize(
    "url",
    [
        "/api/search?year=%2B2009&country=&sort=",  # an empty string is the default
        "/api/search?page=01&per_page=%2B5&year_from=-0",
        "/api/ask?q=When&year=2009",
        "/api/suggest?limit=%2B5",
    ],
)
def test_what_the_description_allows_is_accepted(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)


def test_a_year_is_read_as_the_number_it_spells(client):
    body = client.get("/api/search?year=%2B2009&year=2009&year=02009&group=passage").get_json()
    assert body["filters"] == {"year": [2009]}
    assert body["results"] and all(r["year"] == [2009] for r in body["results"])


def test_query_too_long_code(client):
    assert error_of(client.get("/api/search?q=" + "a" * 20_001), 400)["code"] == "query_too_long"


def test_documents_list_document_and_file(client, corpus_dir: Path):
    listing = client.get("/api/documents?per_page=100").get_json()
    assert listing["total"] == 5
    document_id = next(
        d["document_id"] for d in listing["documents"] if "nurses" in d["document_id"]
    )
    document = client.get(f"/api/documents/{document_id}").get_json()
    assert document["passages"] and document["title"]
    response = client.get(f"/api/documents/{document_id}/file")
    assert response.status_code == 200
    assert response.data == (corpus_dir / "nurses.txt").read_bytes()
    assert response.mimetype == "text/plain"


def test_file_types_and_headers_are_the_documented_ones(client):
    spec = openapi_document()["paths"]["/api/documents/{document_id}/file"]["get"]["responses"]
    listing = client.get("/api/documents?per_page=100").get_json()["documents"]
    types = {client.get(d["file_url"]).mimetype for d in listing}
    assert types == {"text/plain", "text/markdown"}
    assert types <= set(spec["200"]["content"])
    whole = client.get(f"/api/documents/{EXAMPLE_DOCUMENT}/file")
    part = client.get(f"/api/documents/{EXAMPLE_DOCUMENT}/file", headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.data == whole.data[:10]
    assert part.headers["Content-Range"] == f"bytes 0-9/{len(whole.data)}"
    outside = client.get(
        f"/api/documents/{EXAMPLE_DOCUMENT}/file", headers={"Range": "bytes=99999999-"}
    )
    assert error_of(outside, 416)["code"] == "requested_range_not_satisfiable"
    assert outside.headers["Content-Range"] == f"bytes */{len(whole.data)}"


def test_the_example_document_of_the_description_is_real(client):
    parameters = openapi_document()["paths"]["/api/documents/{document_id}"]["get"]["parameters"]
    assert parameters[0]["example"] == EXAMPLE_DOCUMENT
    assert client.get(f"/api/documents/{EXAMPLE_DOCUMENT}").get_json()["title"]
    # As clients that percent-encode the whole id send it.
    encoded = EXAMPLE_DOCUMENT.replace("/", "%2F")
    assert client.get(f"/api/documents/{encoded}/file").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/documents/nope.txt",
        "/api/documents/nope.txt/file",
        "/api/documents/..%2F..%2Fetc%2Fpasswd/file",
        "/api/documents/corpus/../../etc/passwd/file",
        "/api/documents///file",  # an id of "/", not a redirect to /api/documents/file
        "/api/documents/%2F/file",
        "/api/nowhere",
    ],
)
def test_unknown_documents_and_paths_are_404(client, path):
    error_of(client.get(path), 404)


def test_wrong_method_is_405_with_allow(client):
    for response in (client.delete("/api/search"), client.post("/api/search")):
        error_of(response, 405)
        assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    response = client.open("/api/index", method="TRACE")
    error_of(response, 405)
    assert set(response.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}


def test_oversized_request_is_413(small_index, corpus_dir):
    app = create_app(
        {
            "TESTING": True,
            "INDEX_DIR": str(small_index),
            "API_TOKEN": "t",
            "MAX_CONTENT_LENGTH": 100,
        }
    )
    response = app.test_client().post(
        "/api/index", data=b"x" * 1000, headers={"Authorization": "Bearer t"}
    )
    error_of(response, 413)


def test_suggest_stats_health(app, client):
    assert app.extensions["report_search_warmed"].wait(120)  # ready: health says ok
    suggestions = client.get("/api/suggest?q=remitt").get_json()["suggestions"]
    assert any(s["text"] == "remittances" for s in suggestions)
    stats = client.get("/api/stats").get_json()
    assert stats["documents"] == 5 and stats["passages"] > 5 and stats["facets"]["year"] == 4
    assert client.get("/api/health").get_json()["status"] == "ok"


def test_health_says_when_the_warm_up_is_done(small_index, corpus_dir):
    config = {"TESTING": True, "INDEX_DIR": str(small_index), "CORPUS_DIRS": [str(corpus_dir)]}
    app = create_app(config)
    assert app.extensions["report_search_warmed"].wait(120)
    assert app.test_client().get("/api/health").get_json()["warmed_up"] is True
    cold = create_app({**config, "WARM_UP": False})
    assert cold.test_client().get("/api/health").get_json()["warmed_up"] is True


def test_no_index_is_503(tmp_path):
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "none")})
    error_of(app.test_client().get("/api/health"), 503)
    error_of(app.test_client().get("/api/search?q=x"), 503)


def test_security_headers(client):
    headers = client.get("/api/health").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_reindex_refused_without_configured_token(client):
    assert error_of(client.post("/api/index"), 403)["code"] == "reindex_disabled"


def test_reindex_needs_the_right_token(tmp_path, corpus_dir):
    index_dir = tmp_path / "index"
    app = create_app(
        {
            "TESTING": True,
            "INDEX_DIR": str(index_dir),
            "API_TOKEN": "s3cret",
            "CORPUS_DIRS": [str(corpus_dir)],
        }
    )
    client = app.test_client()
    missing = client.post("/api/index")
    error_of(missing, 401)
    assert missing.headers["WWW-Authenticate"].startswith("Bearer ")
    error_of(client.post("/api/index", headers={"Authorization": "Bearer wrong"}), 403)
    started = client.post("/api/index", headers={"Authorization": "Bearer s3cret"})
    assert started.status_code == 202 and started.get_json()["state"] == "running"
    app.extensions["report_search_reindex"].wait(120)
    status = client.get("/api/index/status").get_json()
    assert status["state"] == "done", status
    assert status["summary"]["by_status"]["indexed"] == 5
    assert client.get("/api/search?q=remittances").get_json()["total"] > 0


def test_openapi_lists_every_endpoint(client, app):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    documented = set(spec["paths"])
    routed = {
        rule.rule.replace("<path:document_id>", "{document_id}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
    }
    assert routed <= documented


def test_took_ms_is_reported(client):
    body = client.get("/api/search?q=health").get_json()
    assert isinstance(body["took_ms"], float) and body["took_ms"] >= 0
