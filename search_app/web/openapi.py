"""The OpenAPI 3.1 description of the JSON API, generated from the same constants as the code."""

from __future__ import annotations

from functools import cache
from typing import Any

from indexer.index.schema import NUMERIC_FACETS
from indexer.models import FACETS
from search_app.engine.params import (
    GROUPS,
    MAX_ANSWERS,
    MAX_FACET_SIZE,
    MAX_ID_CHARS,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUERY_CHARS,
    MAX_SUGGESTIONS,
    MAX_YEAR,
    MODES,
    NOT_BLANK,
    SORTS,
)
from search_app.formats.citations import STYLE_LABELS
from search_app.formats.export import DEFAULT_LIMIT, FORMATS, MAX_LIMIT
from search_app.formats.feed import DEFAULT_ENTRIES, MAX_ENTRIES
from search_app.web import GENERATION_HEADER

STR = {"type": "string"}
INT = {"type": "integer"}
NULLABLE_INT = {"type": ["integer", "null"]}
NULLABLE_STR = {"type": ["string", "null"]}
YEAR = {"type": "integer", "minimum": 0, "maximum": MAX_YEAR}
# A document of the bundled corpus: the example that lets clients (and schemathesis) reach the
# document operations. Ids are the corpus folder's name and the path below it.
EXAMPLE_DOCUMENT = "corpus/unitar-migration-2009.txt"
# What /api/documents/{document_id}/file answers, by the indexer's format of the file.
FILE_MEDIA_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "text": "text/plain",
    "markdown": "text/markdown",
    "html": "text/html",
}
OTHER_FILES = "application/octet-stream"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


# How search by meaning answers now (search_app.engine.meaning.search_state): `search` is
# "building" while the approximate index is built (exact search answers meanwhile).
VECTOR_SEARCH = {
    "search": {"enum": ["none", "exact", "building", "approximate"]},
    "approximate_index": {
        "enum": ["not_needed", "unavailable", "pending", "building", "ready", "failed"]
    },
    "approximate_from": INT,
}


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
    # A facet whose one value covers every document is left out: none is required.
    facets = _object({name: _array(_ref("FacetValue")) for name in FACETS}, required=False)
    truncated = _object({name: {"type": "boolean"} for name in FACETS}, required=False)
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
                    # Where there are no pages (text files), citations name this instead: the
                    # document's own paragraph number where it numbers its paragraphs
                    # (paragraph_numbering "document"), else the passage's place in it.
                    "paragraph": INT,
                    "paragraph_numbering": {"enum": ["document", "passage"]},
                    # The report's other files (same text in another format): searched once.
                    "copies": _array(
                        _object({"document_id": STR, "format": STR, "url": STR, "file_url": STR})
                    ),
                    # hybrid and semantic modes: "meaning" for a passage without all the words.
                    "found_by": {"enum": ["words", "meaning"]},
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
                    "citation": _ref("Citation"),
                }
            ),
        ]
    }
    return {
        "Error": _object(
            {"error": _object({"status": INT, "code": STR, "message": STR})}, extra=False
        ),
        "FacetValue": facet_value,
        **_research_schemas(),
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
                "corrected_query": NULLABLE_STR,
                "like": NULLABLE_STR,
                # What "more like this" starts from: its report's title, section and place.
                "like_source": {"type": ["object", "null"]},
                # What `total`, the facets and the histogram count: reports when grouped.
                "unit": {"enum": ["report", "passage"]},
                # Names searched with what was typed: {"typed": "Turkey", "also": ["Türkiye"]}.
                "expanded": _array(_object({"typed": STR, "also": _array(STR)})),
                # Passages holding all the words (and every field clause).
                "results": _array(_ref("Result")),
                # How passages were found (params MODES), and the modes this index offers.
                "mode": {"enum": list(MODES)},
                "modes": _array({"enum": list(MODES)}),
                # Of `total` / `total_documents`: those found by meaning alone (hybrid,
                # semantic), i.e. without all of the words.
                "similar_in_meaning": _object({"total": INT, "total_documents": INT}),
                # Plain words only: passages (grouped: reports) with some but not all of the
                # words, after the results, never in `total`; null when there are none.
                "some_words": {
                    "oneOf": [
                        {"type": "null"},
                        _object(
                            {
                                "total": INT,
                                "total_documents": INT,
                                "start": INT,
                                "results": _array(_ref("Result")),
                            }
                        ),
                    ]
                },
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
                # Passages with embeddings (search by meaning), the model that made them,
                # and how this process searches them (as in Health's `vectors`).
                "embeddings": _object({"passages": INT, "model": NULLABLE_STR, **VECTOR_SEARCH}),
            }
        ),
        "Health": _object(
            {
                # "starting" (with a 503) until the warm-up has loaded everything.
                "status": {"enum": ["ok", "starting"]},
                "generation": INT,
                "passages": INT,
                # False while the start-up warm-up (facet arrays, commonest terms, the
                # sentence-embedding model) still runs.
                "warmed_up": {"type": "boolean"},
                # Search by meaning: exact, or through the approximate index once built.
                "vectors": _object({"passages": INT, **VECTOR_SEARCH}),
            }
        ),
        "Live": _object({"status": {"const": "alive"}}),
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
    # The citation fields of a search result (search_app.engine.results.citation).
    citation = {
        "passage_id": STR,
        "document_id": STR,
        "title": STR,
        "section": STR,
        "section_path": _array(STR),
        "page_start": NULLABLE_INT,
        "page_end": NULLABLE_INT,
        "paragraph": INT,
        "url": STR,
        "file_url": STR,
    }
    answer = _object(
        {
            # The short answer; null when the sentence holds none of the kind asked for.
            "answer": {**NULLABLE_STR, "description": "Short answer, or null: read `sentence`."},
            "sentence": STR,
            "snippet": STR,
            "confidence": {
                "type": "number",
                "minimum": 0,
                "maximum": 1,
                "description": "Calibrated probability that the answer is right as shown: "
                "its short answer, or its sentence when `answer` is null.",
            },
            "sentence_confidence": {
                "type": "number",
                "minimum": 0,
                "maximum": 1,
                "description": "Calibrated probability that the sentence answers the question.",
            },
            "score": {"type": "number", "description": "Raw ranking score (relative only)."},
            **citation,
        }
    )
    closest = _object({"snippet": STR, "score": {"type": "number"}, **citation})
    body = _object(
        {
            "question": STR,
            "took_ms": {"type": "number"},
            "answers": _array(_ref("Answer")),
            "no_answer": {"type": "boolean"},
            "ranked_by": {
                "enum": ["meaning", "words"],
                "description": "`words` when the sentence-embedding model is not installed "
                "or is turned off (REPORT_SEARCH_SEMANTIC=0).",
            },
            "passages": _array(_ref("ClosestPassage")),
        }
    )
    body["required"] = ["question", "took_ms", "answers", "no_answer", "ranked_by"]
    return {"Answer": answer, "ClosestPassage": closest, "AskResponse": body}


def _ask_parameters() -> list[dict[str, Any]]:
    question = _query_param(
        "q",
        {"type": "string", "maxLength": MAX_QUERY_CHARS, "pattern": NOT_BLANK},
        "The question (not blank).",
    )
    return [
        {**question, "required": True},
        _int_param("limit", 1, MAX_ANSWERS, "Answers wanted (default 5)."),
        _int_param("year_from", 0, MAX_YEAR, "First year, inclusive."),
        _int_param("year_to", 0, MAX_YEAR, "Last year, inclusive."),
        *_facet_parameters("Only passages with this {name}; repeat to OR several values."),
    ]


def _query_param(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _int_param(name: str, low: int, high: int, description: str) -> dict[str, Any]:
    """An integer parameter: digits when given, never empty (the pages drop empty form fields)."""
    return _query_param(name, {"type": "integer", "minimum": low, "maximum": high}, description)


def _facet_parameters(description: str) -> list[dict[str, Any]]:
    """One repeatable filter per facet; an empty value is no filter, but a year is a number."""
    params = []
    for name in FACETS:
        item = YEAR if name in NUMERIC_FACETS else STR
        param = _query_param(name, _array(item), description.format(name=name))
        params.append({**param, "style": "form", "explode": True})
    return params


def _search_parameters() -> list[dict[str, Any]]:
    params = [
        _query_param(
            "q",
            {"type": "string", "maxLength": MAX_QUERY_CHARS},
            'Query: words, "phrases", -excluded, OR, field:value, prefix*, word~ (one edit, a '
            "transposition counting as one); a word starting with * or ? is left out, with a "
            "`notice`. A document symbol (A/78/375) or exact title puts that document first. "
            "Queries of over 12 words (or 1,000 characters) not clearly "
            "in the syntax are read as plain text: their words by tf-idf, ranked as one BM25F "
            "query. Empty: browse documents, newest first.",
        ),
        _query_param(
            "like",
            {"type": "string", "maxLength": MAX_ID_CHARS},
            "More like this: a passage id or a document id; ranks the passages most similar "
            "to it (the source left out); with `q`, among the passages `q` matches.",
        ),
        _query_param(
            "correct",
            {"enum": ["auto", "off", ""]},
            "auto (default): a query that finds nothing, has a word the index never saw, or "
            "finds far fewer passages than its spelling correction is searched as corrected "
            "(`corrected_query`). off: searched as typed, the correction in `suggestion`.",
        ),
        _int_param(
            "page",
            1,
            MAX_PAGE,
            "1-based. Past the last page: the last page, with `page` set to it and a `notice`.",
        ),
        _int_param("per_page", 1, MAX_PER_PAGE, "Default 10."),
        _query_param("sort", {"enum": [*SORTS, ""]}, "Default relevance."),
        _query_param("group", {"enum": [*GROUPS, ""]}, "One result per document, or passages."),
        _query_param(
            "mode",
            {"enum": [*MODES, ""]},
            "How passages are found: hybrid (the words' matches and the 100 passages nearest "
            "in meaning, ranked by both), lexical (words alone) or semantic (the 100 passages "
            "nearest in meaning). Filters apply to all alike. Default: hybrid on an index with "
            "embeddings (past 50,000 passages only with the approximate index: faiss-cpu "
            "installed), else lexical; "
            "on an index without embeddings every mode searches words, with "
            "a `notice`.",
        ),
        _int_param("year_from", 0, MAX_YEAR, "First year, inclusive."),
        _int_param("year_to", 0, MAX_YEAR, "Last year, inclusive."),
        _int_param("facet_size", 1, MAX_FACET_SIZE, "Values shown per facet (default 10)."),
    ]
    return params + _facet_parameters("Filter on {name}; repeat to OR several values.")


def _headers(*names: str) -> dict[str, Any]:
    """Response headers from components/headers; every response may carry the generation."""
    return {name: {"$ref": f"#/components/headers/{name}"} for name in (GENERATION_HEADER, *names)}


def _json(description: str, schema: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": _headers(),
        "content": {"application/json": {"schema": _ref(schema)}},
    }


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(status): {"$ref": f"#/components/responses/E{status}"} for status in statuses}


def _get(
    operation_id: str,
    summary: str,
    ok: str,
    params: list,
    errors: tuple[int, ...],
    links: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A GET operation answering JSON: 200 with the schema `ok`, or the error responses."""
    success = _json(summary, ok)
    if links:
        success["links"] = links
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": params,
            "responses": {"200": success, **_errors(*errors)},
        }
    }


def _document_links(pointer: str, *operations: str) -> dict[str, Any]:
    """Links from a response that names a document (at `pointer`) to its operations."""
    return {
        operation: {
            "operationId": operation,
            "parameters": {"document_id": f"$response.body#{pointer}"},
        }
        for operation in operations
    }


def _document_paths() -> dict[str, Any]:
    document_id = {
        "name": "document_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "minLength": 1},
        "description": "The document id: its corpus folder's name and its path below it "
        "(slashes as they are, or as %2F).",
        "example": EXAMPLE_DOCUMENT,
    }
    media: dict[str, Any] = {t: {} for t in [*FILE_MEDIA_TYPES.values(), OTHER_FILES]}
    file_headers = _headers("Content-Disposition", "ETag", "Last-Modified", "Accept-Ranges")
    return {
        "/api/documents/{document_id}": _get(
            "getDocument",
            "One document: metadata, sections, passages.",
            "Document",
            [document_id],
            (404, 503),
            _document_links("/document_id", "getDocumentFile"),
        ),
        "/api/documents/{document_id}/file": {
            "get": {
                "operationId": "getDocumentFile",
                "summary": "The original file (PDFs open at a page with #page=N).",
                "parameters": [document_id],
                "responses": {
                    "200": {"description": "The file.", "headers": file_headers, "content": media},
                    "206": {
                        "description": "The byte range asked for with `Range`.",
                        "headers": {**file_headers, **_headers("Content-Range")},
                        "content": media,
                    },
                    "304": {
                        "description": "Unchanged since `If-None-Match` or `If-Modified-Since`.",
                        "headers": _headers("ETag", "Last-Modified"),
                    },
                    **_errors(404, 416, 503),
                },
            }
        },
    }


def _paths() -> dict[str, Any]:
    return {
        "/api/search": _get(
            "search",
            "Search passages.",
            "SearchResponse",
            _search_parameters(),
            (400, 503),
            _document_links("/results/0/document_id", "getDocument", "getDocumentFile"),
        ),
        "/api/documents": _get(
            "listDocuments",
            "List documents with facets.",
            "DocumentList",
            _search_parameters(),
            (400, 503),
            _document_links("/documents/0/document_id", "getDocument", "getDocumentFile"),
        ),
        **_document_paths(),
        **_research_paths(),
        "/api/ask": _get(
            "ask",
            "Answer a question: sentences with citations, or no answer and the closest passages.",
            "AskResponse",
            _ask_parameters(),
            (400, 503),
        ),
        "/api/suggest": _get(
            "suggest",
            "Completions for a partly typed query.",
            "Suggestions",
            [
                _query_param("q", {"type": "string", "maxLength": MAX_QUERY_CHARS}, ""),
                _int_param("limit", 1, MAX_SUGGESTIONS, "Default 10."),
            ],
            (400, 503),
        ),
        "/api/stats": _get("stats", "Index counts and the last ingest.", "Stats", [], (400, 503)),
        "/api/health": _health(),
        "/api/live": _get(
            "live", "Liveness: 200 while the process answers, ready or not.", "Live", [], (400,)
        ),
        "/api/index": {
            "post": {
                "operationId": "startIndex",
                "summary": "Start re-indexing the configured corpus folders.",
                "security": [{"bearer": []}],
                "responses": {
                    "202": _json("Started.", "IndexStatus"),
                    **_errors(401, 403, 409, 413),
                },
            }
        },
        "/api/index/status": _get(
            "indexStatus", "Progress of the last re-index.", "IndexStatus", [], (400,)
        ),
        "/api/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This description.",
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "headers": _headers(),
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    }


def _research_schemas() -> dict[str, Any]:
    styles = {
        name: {"type": "string", "description": label} for name, label in STYLE_LABELS.items()
    }
    return {
        "Citation": _object(
            {
                **styles,
                "ris": {"type": "string", "description": "One RIS record (type RPRT)."},
                "bibtex": {"type": "string", "description": "One BibTeX entry."},
                "key": {
                    "type": "string",
                    "description": "Its citation key, stable across "
                    "re-indexing: the file's name and a hash of the document id.",
                },
            },
            extra=False,
        )
    }


def _research_paths() -> dict[str, Any]:
    """/api/export and /api/feed: every search parameter, and their own."""
    files = {kind.media_type.split(";")[0]: {"schema": STR} for kind in FORMATS.values()}
    attachment = {
        "description": '`attachment; filename="report-search.csv"` (or .jsonl, .ris, .bib).',
        "schema": STR,
    }
    export_params = [
        _query_param(
            "format",
            {"enum": [*FORMATS, ""]},
            "csv (default; UTF-8 with a byte-order mark, one header row), jsonl, ris or bibtex.",
        ),
        _int_param(
            "limit",
            1,
            MAX_LIMIT,
            f"Records at most: default {DEFAULT_LIMIT:,}, at most {MAX_LIMIT:,}.",
        ),
    ]
    feed_params = [
        _int_param(
            "limit", 1, MAX_ENTRIES, f"Entries: default {DEFAULT_ENTRIES}, at most {MAX_ENTRIES}."
        )
    ]
    return {
        "/api/export": {
            "get": {
                "operationId": "export",
                "summary": "The search's results as a file, streamed: one record per report "
                "(grouped) or per passage (group=passage) in CSV and JSON Lines; one reference "
                "per report in RIS and BibTeX. Starts at the first result (page and per_page "
                "are taken and ignored).",
                "parameters": _search_parameters() + export_params,
                "responses": {
                    "200": {
                        "description": "The file.",
                        "headers": {**_headers(), "Content-Disposition": attachment},
                        "content": files,
                    },
                    **_errors(400, 503),
                },
            }
        },
        "/api/feed": {
            "get": {
                "operationId": "feed",
                "summary": "Atom feed of the newest documents matching the search, by the time "
                "they entered the index, then their own date (sort, group, page and per_page "
                "are taken and ignored).",
                "parameters": _search_parameters() + feed_params,
                "responses": {
                    "200": {
                        "description": "An Atom 1.0 feed.",
                        "headers": _headers(),
                        "content": {"application/atom+xml": {"schema": STR}},
                    },
                    **_errors(400, 503),
                },
            }
        },
    }


def _health() -> dict[str, Any]:
    """Readiness: 200 once the index answers and the warm-up is done, 503 before."""
    operation = _get(
        "health",
        "Readiness: 200 when the index opens and answers and the start-up warm-up (caches, "
        "the sentence-embedding model) is done, so that every endpoint answers at its usual "
        "speed.",
        "Health",
        [],
        (400,),
    )
    either = {"oneOf": [_ref("Health"), _ref("Error")]}
    operation["get"]["responses"]["503"] = {
        "description": 'Not ready: still starting (a Health body, `status` "starting"), or '
        "no index yet (an error, `no_index`).",
        "headers": _headers(),
        "content": {"application/json": {"schema": either}},
    }
    return operation


def _error_responses() -> dict[str, Any]:
    reasons = {
        400: (
            "Bad parameter. `error.code` says which: `bad_parameter`, `unknown_parameter`, "
            "`missing_question`, "
            "`query_too_long`, `too_many_terms` (a query looking up too many index terms).",
            (),
        ),
        401: ("No bearer token.", ("WWW-Authenticate",)),
        403: ("Forbidden.", ()),
        404: ("Not found.", ()),
        # Any method a path does not list, on every path, API or page: `Allow` lists those it does.
        405: ("Method not allowed.", ("Allow",)),
        409: ("Already running.", ()),
        413: ("Request too large.", ()),
        416: ("The range asked for is outside the file.", ("Content-Range",)),
        503: (
            "No index yet (`no_index`), the query ran past its time budget "
            "(`query_timeout`): try a narrower query, or too many questions are being "
            "answered (`busy`, /api/ask only): retry after `Retry-After` seconds.",
            ("Retry-After",),
        ),
    }
    return {
        f"E{status}": {
            "description": text,
            "headers": _headers(*headers),
            "content": {"application/json": {"schema": _ref("Error")}},
        }
        for status, (text, headers) in reasons.items()
    }


def _header_components() -> dict[str, Any]:
    def header(description: str, schema: dict[str, Any], required: bool = False) -> dict:
        return {"description": description, "required": required, "schema": schema}

    return {
        GENERATION_HEADER: header("The index generation that answered, once there is one.", INT),
        "Allow": header("The methods the path supports.", STR, required=True),
        "WWW-Authenticate": header('How to authenticate: `Bearer realm="..."`.', STR, True),
        "Content-Range": header("The bytes sent, or the file's length on a 416.", STR),
        "Content-Disposition": header("`inline` with the file's name.", STR),
        "ETag": header("The file's version, for `If-None-Match`.", STR),
        "Last-Modified": header("The file's modification time.", STR),
        "Accept-Ranges": header("Byte ranges can be asked for.", {"const": "bytes"}),
        "Retry-After": header("Seconds to wait before asking again (`busy`).", STR),
    }


@cache
def openapi_document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Report Search API",
            "version": "1.1.0",
            "description": "Passage search over institutional reports. Every error has the "
            'shape {"error": {"status", "code", "message"}}.',
        },
        "paths": _paths(),
        "components": {
            "schemas": _schemas(),
            "responses": _error_responses(),
            "headers": _header_components(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
