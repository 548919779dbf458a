"""The OpenAPI 3.1 description of the JSON API, generated from the same constants as the code."""

from __future__ import annotations

from functools import cache
from typing import Any

from indexer.index.schema import NUMERIC_FACETS
from indexer.models import FACETS
from search_app.engine.service import (
    GROUPS,
    MAX_FACET_SIZE,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUERY_CHARS,
    SORTS,
)

STR = {"type": "string"}
INT = {"type": "integer"}
NULLABLE_INT = {"type": ["integer", "null"]}
NULLABLE_STR = {"type": ["string", "null"]}
EMPTY = {"type": "string", "maxLength": 0}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def _object(properties: dict[str, Any], required: bool = True, extra: bool = True) -> dict:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(properties)
    if not extra:
        schema["additionalProperties"] = False
    return schema


def _facet_value_lists() -> dict[str, Any]:
    return {name: _array(INT if name in NUMERIC_FACETS else STR) for name in FACETS}


def _schemas() -> dict[str, Any]:
    facet_value = _object(
        {"value": {"type": ["string", "integer"]}, "count": INT, "selected": {"type": "boolean"}}
    )
    facets = _object({name: _array(_ref("FacetValue")) for name in FACETS})
    truncated = _object({name: {"type": "boolean"} for name in FACETS})
    other = _object(
        {"passage_id": STR, "section": STR, "page_start": NULLABLE_INT, "snippet": STR, "url": STR}
    )
    result = {
        "allOf": [
            _object(
                {
                    "passage_id": STR,
                    "document_id": STR,
                    "title": STR,
                    "section": STR,
                    "section_path": _array(STR),
                    "page_start": NULLABLE_INT,
                    "page_end": NULLABLE_INT,
                    "score": {"type": ["number", "null"]},
                    "snippet": {"type": "string", "description": "HTML, escaped, with <mark>"},
                    "text": STR,
                    "url": STR,
                    "file_url": STR,
                    "date": STR,
                    **_facet_value_lists(),
                }
            ),
            {
                "type": "object",
                "properties": {
                    "more_passages": INT,
                    "other_passages": _array(_ref("OtherPassage")),
                },
            },
        ]
    }
    listing = {
        "query": STR,
        "total": INT,
        "page": INT,
        "per_page": INT,
        "pages": INT,
        "took_ms": {"type": "number"},
        "sort": {"enum": list(SORTS)},
        "notice": NULLABLE_STR,
        "filters": {
            "type": "object",
            "additionalProperties": _array({"type": ["string", "integer"]}),
        },
        "year_from": NULLABLE_INT,
        "year_to": NULLABLE_INT,
        "facets": _ref("Facets"),
        "facets_truncated": _ref("FacetsTruncated"),
        "year_histogram": _array(_object({"year": INT, "count": INT})),
    }
    summary = _object(
        {
            "document_id": STR,
            "title": STR,
            "date": STR,
            "format": STR,
            "pages": NULLABLE_INT,
            "passage_count": NULLABLE_INT,
            "url": STR,
            "file_url": STR,
            **_facet_value_lists(),
        }
    )
    passage = _object(
        {
            "passage_id": STR,
            "ordinal": INT,
            "section": STR,
            "section_path": _array(STR),
            "page_start": NULLABLE_INT,
            "page_end": NULLABLE_INT,
            "text": STR,
        }
    )
    document = {
        "allOf": [
            _ref("DocumentSummary"),
            _object(
                {
                    "metadata": {"type": "object"},
                    "page_labels": _array(STR),
                    "sections": _array(
                        _object({"path": _array(STR), "title": STR, "page": NULLABLE_INT})
                    ),
                    "passages": _array(_ref("Passage")),
                }
            ),
        ]
    }
    return {
        "Error": _object(
            {"error": _object({"status": INT, "code": STR, "message": STR})}, extra=False
        ),
        "FacetValue": facet_value,
        "Facets": facets,
        "FacetsTruncated": truncated,
        "OtherPassage": other,
        "Result": result,
        "SearchResponse": _object(
            {
                **listing,
                "total_documents": INT,
                "group": {"enum": list(GROUPS)},
                "suggestion": NULLABLE_STR,
                "results": _array(_ref("Result")),
            }
        ),
        "DocumentSummary": summary,
        "DocumentList": _object({**listing, "documents": _array(_ref("DocumentSummary"))}),
        "Passage": passage,
        "Document": document,
        "Suggestions": _object(
            {
                "query": STR,
                "suggestions": _array(
                    _object({"text": STR, "kind": {"enum": ["term", "title"]}}, required=True)
                ),
            }
        ),
        "Stats": _object(
            {
                "generation": INT,
                "updated_at": {"type": ["number", "null"]},
                "documents": INT,
                "passages": INT,
                "pages": INT,
                "facets": {"type": "object", "additionalProperties": INT},
                "last_run": {"type": ["object", "null"]},
            }
        ),
        "Health": _object(
            {
                "status": {"const": "ok"},
                "generation": INT,
                "passages": INT,
                # False while the start-up warm-up (facet arrays, commonest terms) still runs.
                "warmed_up": {"type": "boolean"},
            }
        ),
        **_ask_schemas(),
        "IndexStatus": {
            "type": "object",
            "required": ["state"],
            "properties": {
                "state": {"enum": ["idle", "running", "done", "failed"]},
                "started_at": {"type": "number"},
                "finished_at": {"type": "number"},
                "roots": _array(STR),
                "summary": {"type": "object"},
                "error": STR,
            },
        },
    }


def _ask_schemas() -> dict[str, Any]:
    """The /api/ask body: answers with citations, or no answer and the closest passages."""
    citation = {
        "passage_id": STR,
        "document_id": STR,
        "title": STR,
        "section": STR,
        "page_start": NULLABLE_INT,
        "page_end": NULLABLE_INT,
        "url": STR,
    }
    answer = _object(
        {"answer": STR, "sentence": STR, "snippet": STR, "score": {"type": "number"}, **citation}
    )
    closest = _object({"snippet": STR, "score": {"type": "number"}, **citation})
    body = _object(
        {
            "question": STR,
            "took_ms": {"type": "number"},
            "answers": _array(_ref("Answer")),
            "no_answer": {"type": "boolean"},
            "passages": _array(_ref("ClosestPassage")),
        }
    )
    body["required"] = ["question", "took_ms", "answers", "no_answer"]
    return {"Answer": answer, "ClosestPassage": closest, "AskResponse": body}


def _ask_parameters() -> list[dict[str, Any]]:
    question = _query_param(
        "q", {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS}, "The question."
    )
    params = [
        {**question, "required": True},
        _query_param("limit", {"type": "integer", "minimum": 1, "maximum": 20}, "Default 5."),
    ]
    for name in FACETS:
        item = {"type": "integer", "minimum": 0, "maximum": 9999} if name in NUMERIC_FACETS else STR
        param = _query_param(name, _array(item), f"Only passages with this {name}; repeatable.")
        params.append({**param, "style": "form", "explode": True})
    return params


def _query_param(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _int_or_empty(low: int, high: int) -> dict[str, Any]:
    """An integer parameter; empty (as HTML forms send it) means the default."""
    return {"anyOf": [{"type": "integer", "minimum": low, "maximum": high}, EMPTY]}


def _search_parameters() -> list[dict[str, Any]]:
    params = [
        _query_param(
            "q",
            {"type": "string", "maxLength": MAX_QUERY_CHARS},
            'Query: words, "phrases", -excluded, OR, field:value, prefix*, word~. '
            "Empty: browse documents, newest first.",
        ),
        _query_param("page", _int_or_empty(1, MAX_PAGE), "1-based."),
        _query_param("per_page", _int_or_empty(1, MAX_PER_PAGE), "Default 10."),
        _query_param("sort", {"enum": [*SORTS, ""]}, "Default relevance."),
        _query_param("group", {"enum": [*GROUPS, ""]}, "One result per document, or passages."),
        _query_param("year_from", _int_or_empty(0, 9999), ""),
        _query_param("year_to", _int_or_empty(0, 9999), ""),
        _query_param(
            "facet_size", _int_or_empty(1, MAX_FACET_SIZE), "Values shown per facet (default 10)."
        ),
    ]
    for name in FACETS:
        item = _int_or_empty(0, 9999) if name in NUMERIC_FACETS else STR
        param = _query_param(name, _array(item), f"Filter on {name}; repeat to OR several values.")
        params.append({**param, "style": "form", "explode": True})
    return params


def _responses(ok: str, description: str, *errors: int) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {"description": description, "content": {"application/json": {"schema": _ref(ok)}}}
    }
    for status in errors:
        responses[str(status)] = {"$ref": f"#/components/responses/E{status}"}
    return responses


def _get(summary: str, ok: str, params: list, *errors: int) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": params,
            "responses": _responses(ok, summary, *errors),
        }
    }


def _paths() -> dict[str, Any]:
    document_id = {
        "name": "document_id",
        "in": "path",
        "required": True,
        "schema": STR,
        "description": "The document id (its path under the corpus folder).",
    }
    return {
        "/api/search": _get("Search passages.", "SearchResponse", _search_parameters(), 400, 503),
        "/api/documents": _get(
            "List documents with facets.", "DocumentList", _search_parameters(), 400, 503
        ),
        "/api/documents/{document_id}": _get(
            "One document: metadata, sections, passages.", "Document", [document_id], 404, 503
        ),
        "/api/documents/{document_id}/file": {
            "get": {
                "summary": "The original file (PDFs open at a page with #page=N).",
                "parameters": [document_id],
                "responses": {
                    "200": {
                        "description": "The file.",
                        "content": {"application/octet-stream": {}},
                    },
                    "404": {"$ref": "#/components/responses/E404"},
                    "503": {"$ref": "#/components/responses/E503"},
                },
            }
        },
        "/api/ask": _get(
            "Answer a question: sentences with citations, or no answer and the closest passages.",
            "AskResponse",
            _ask_parameters(),
            400,
            503,
        ),
        "/api/suggest": _get(
            "Completions for a partly typed query.",
            "Suggestions",
            [
                _query_param("q", {"type": "string", "maxLength": MAX_QUERY_CHARS}, ""),
                _query_param("limit", {"type": "integer", "minimum": 1, "maximum": 50}, ""),
            ],
            400,
            503,
        ),
        "/api/stats": _get("Index counts and the last ingest.", "Stats", [], 400, 503),
        "/api/health": _get(
            "200 when the index opens and answers; warmed_up once the start-up caches are built.",
            "Health",
            [],
            400,
            503,
        ),
        "/api/index": {
            "post": {
                "summary": "Start re-indexing the configured corpus folders.",
                "security": [{"bearer": []}],
                "responses": {
                    "202": {
                        "description": "Started.",
                        "content": {"application/json": {"schema": _ref("IndexStatus")}},
                    },
                    **{
                        str(s): {"$ref": f"#/components/responses/E{s}"}
                        for s in (401, 403, 409, 413)
                    },
                },
            }
        },
        "/api/index/status": _get("Progress of the last re-index.", "IndexStatus", []),
        "/api/openapi.json": {
            "get": {
                "summary": "This description.",
                "responses": {
                    "200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}
                },
            }
        },
    }


def _error_responses() -> dict[str, Any]:
    reasons = {
        400: "Bad parameter.",
        401: "No bearer token.",
        403: "Forbidden.",
        404: "Not found.",
        405: "Method not allowed.",
        409: "Already running.",
        413: "Request too large.",
        503: "No index yet.",
    }
    return {
        f"E{status}": {
            "description": text,
            "content": {"application/json": {"schema": _ref("Error")}},
        }
        for status, text in reasons.items()
    }


@cache
def openapi_document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Report Search API",
            "version": "1.0.0",
            "description": "Passage search over institutional reports. Every error has the "
            'shape {"error": {"status", "code", "message"}}.',
        },
        "paths": _paths(),
        "components": {
            "schemas": _schemas(),
            "responses": _error_responses(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
