"""`/metrics`: the Prometheus text format, read back by prometheus-client's own parser."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def scrape(client) -> dict[str, list]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    families = text_string_to_metric_families(response.get_data(as_text=True))
    return {family.name: family.samples for family in families}


def value(samples: list, name: str, **labels: str) -> float:
    found = [s.value for s in samples if s.name == name and labels.items() <= s.labels.items()]
    assert len(found) == 1, (name, labels, samples)
    return found[0]


def test_requests_are_counted_per_endpoint_and_status(client) -> None:
    for _ in range(3):
        assert client.get("/api/search?q=remittances").status_code == 200
    assert client.get("/api/documents/no/such/document").status_code == 404
    metrics = scrape(client)
    requests = metrics["report_search_requests"]
    search = {"endpoint": "api.search", "method": "GET", "status": "200"}
    assert value(requests, "report_search_requests_total", **search) == 3
    missing = [s for s in requests if s.labels["status"] == "404"]
    assert missing and missing[0].value == 1
    latency = metrics["report_search_request_seconds"]
    assert value(latency, "report_search_request_seconds_count", **search) == 3
    buckets = [
        s for s in latency if s.name.endswith("_bucket") and s.labels.items() >= search.items()
    ]
    assert buckets[-1].labels["le"] == "+Inf" and buckets[-1].value == 3
    assert 0 < value(latency, "report_search_request_seconds_sum", **search) < 30


def test_the_live_index_and_its_last_run(client, small_index) -> None:
    metrics = scrape(client)
    stats = client.get("/api/stats").get_json()
    assert value(metrics["report_search_index_up"], "report_search_index_up") == 1
    generation = metrics["report_search_index_generation"]
    assert value(generation, "report_search_index_generation") == stats["generation"]
    documents = metrics["report_search_index_documents"]
    assert value(documents, "report_search_index_documents") == stats["documents"] == 5
    passages = metrics["report_search_index_passages"]
    assert value(passages, "report_search_index_passages") == stats["passages"] > 0
    last = stats["last_run"]
    files = metrics["report_search_last_run_files"]
    assert value(files, "report_search_last_run_files") == last["files"] == 5
    failures = metrics["report_search_last_run_failures"]
    assert value(failures, "report_search_last_run_failures") == 0
    seconds = metrics["report_search_last_run_seconds"]
    assert value(seconds, "report_search_last_run_seconds") == last["seconds"] > 0


def test_no_index_yet(tmp_path) -> None:
    from search_app.web import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "none")}).test_client()
    metrics = scrape(client)
    assert value(metrics["report_search_index_up"], "report_search_index_up") == 0
    assert "report_search_index_passages" not in metrics


def test_invented_methods_and_paths_add_no_series(client) -> None:
    """Label values come from fixed sets: 200 invented methods and 200 invented paths leave
    the series count where a handful of real requests put it."""
    assert client.get("/api/search?q=remittances").status_code == 200
    before = len(scrape(client)["report_search_requests"])
    for i in range(200):
        response = client.open(f"/api/search?q=a{i}", method=f"X{i:05d}INVENTED")
        assert response.status_code == 405
        assert client.get(f"/no/such/path/{i}").status_code == 404
    requests = scrape(client)["report_search_requests"]
    labels = {tuple(sorted(s.labels.items())) for s in requests}
    assert len(requests) <= before + 4, sorted(labels)
    methods = {s.labels["method"] for s in requests}
    assert methods <= {"GET", "HEAD", "POST", "OPTIONS", "other"}
    assert "other" in methods
    endpoints = {s.labels["endpoint"] for s in requests}
    assert not any("/" in endpoint for endpoint in endpoints), endpoints
    invented = {"endpoint": "unmatched", "method": "other", "status": "405"}
    assert value(requests, "report_search_requests_total", **invented) == 200
