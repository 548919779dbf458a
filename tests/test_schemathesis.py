"""Property-based tests of the API against its own OpenAPI description (in-process, bounded).

Every generated request must get a response that matches the description, and never a 500.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from search_app.web import create_app
from search_app.web.openapi import openapi_document

# Positive cases only: in a query string a wrongly typed value often serializes to a valid one
# ("false" is a string too), so negative generation is flaky; tests/test_api.py checks 400s.
OPERATIONS = [
    (path, method.upper(), GenerationMode.POSITIVE)
    for path, item in openapi_document()["paths"].items()
    for method in item
    if path != "/api/index"  # POST starts a re-index; tests/test_api.py covers it
]


@pytest.fixture(scope="module")
def api_schema(small_index, corpus_dir):
    app = create_app(
        {"TESTING": True, "INDEX_DIR": str(small_index), "CORPUS_DIRS": [str(corpus_dir)]}
    )
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


@pytest.mark.parametrize("path, method, mode", OPERATIONS)
def test_api_matches_its_description(api_schema, path, method, mode):
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case):
        # A schema-valid page can lie past the last page, which is a documented 400.
        response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
        assert response.status_code < 500

    check()
