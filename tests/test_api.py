"""The JSON API through Flask's test client: every endpoint and every error shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from search_app.web import create_app


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
    error_of(client.get(f"/api/search?q=migration&group=passage&per_page=7&page={page + 1}"), 400)


@pytest.mark.parametrize(
    "url",
    [
        "/api/search?colour=red",
        "/api/search?per_page=0",
        "/api/search?per_page=1000",
        "/api/search?sort=best",
        "/api/search?page=abc",
        "/api/search?q=" + "x" * 1001,
        "/api/documents?year=abc",
        "/api/suggest?limit=0",
        "/api/stats?x=1",
    ],
)
def test_bad_parameters_are_400(client, url):
    error_of(client.get(url), 400)


def test_query_too_long_code(client):
    assert error_of(client.get("/api/search?q=" + "a" * 1001), 400)["code"] == "query_too_long"


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


@pytest.mark.parametrize(
    "path",
    [
        "/api/documents/nope.txt",
        "/api/documents/nope.txt/file",
        "/api/documents/..%2F..%2Fetc%2Fpasswd/file",
        "/api/documents/corpus/../../etc/passwd/file",
        "/api/nowhere",
    ],
)
def test_unknown_documents_and_paths_are_404(client, path):
    error_of(client.get(path), 404)


def test_wrong_method_is_405(client):
    error_of(client.delete("/api/search"), 405)
    error_of(client.post("/api/search"), 405)


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


def test_suggest_stats_health(client):
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
    error_of(client.post("/api/index"), 401)
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
