"""HTML pages: thin views that render what the engine returns (the API renders the same dicts)."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect
from werkzeug.wrappers import Response

from indexer.index.store import NoIndexError
from indexer.models import FACETS, split_passage_id
from search_app import engine, qa
from search_app.engine.reading import (
    highlight_marks,
    marked_passages,
    reading_blocks,
    table_of_contents,
)
from search_app.web import current_handle
from search_app.web.histogram import histogram_svg
from search_app.web.links import PageLinks, href, page_window, pairs_of
from search_app.web.openapi import openapi_document

bp = Blueprint("pages", __name__)

FACET_LABELS: dict[str, str] = {
    "doc_type": "Document type",
    "organization": "Organization",
    "country": "Country",
    "place": "Place",
    "year": "Year",
    "goal": "SDG goal",
    "topic": "Topic",
    "language": "Language",
    "organ": "UN organ",
    "symbol": "Symbol",
}
# The symbol names one document: as a facet it would only repeat the result list.
FACET_ORDER: tuple[str, ...] = tuple(name for name in FACETS if name != "symbol")
SORTS: tuple[tuple[str, str], ...] = (
    ("relevance", "Relevance"),
    ("newest", "Newest first"),
    ("oldest", "Oldest first"),
    ("title", "Title"),
)
BROWSE_ORDERS: dict[str, str] = {
    "newest": "newest first",
    "oldest": "oldest first",
    "title": "by title",
}
DEFAULT_FACET_SIZE = engine.SearchRequest.facet_size
MORE_FACET_SIZE = engine.MAX_FACET_SIZE  # what a facet's "more" link asks for
MAX_MATCH_LINKS = 60  # links to passages with marked words on a document page
# Page-only parameters: the engine never sees them. `mode=ask` sends the query to the
# question-answering page at ASK_PATH (issue 5), which renders "_search_form.html" with
# mode="ask" so the same box switches back.
PAGE_ONLY = ("mode",)
ASK_PATH = "/ask"


@bp.app_context_processor
def page_context() -> dict[str, Any]:
    """Names every page template may use (error pages of any URL too)."""
    return {
        "facet_labels": FACET_LABELS,
        "facet_order": FACET_ORDER,
        "sorts": SORTS,
        "browse_orders": BROWSE_ORDERS,
        "page_window": page_window,
        "default_facet_size": DEFAULT_FACET_SIZE,
        "more_size": MORE_FACET_SIZE,
        "mode": "search",
        "q": request.args.get("q", ""),
        "keep": (),
    }


@bp.get("/")
@bp.get("/search")
def search() -> Response | str | tuple[str, int]:
    """The search page; an empty query browses the documents, newest first."""
    pairs = pairs_of(request.args.items(multi=True))
    q = request.args.get("q", "")
    if request.args.get("mode") == "ask" and (ask_url := _ask_url(q)):
        return redirect(ask_url)
    args = {k: v for k, v in request.args.to_dict(flat=False).items() if k not in PAGE_ONLY}
    try:
        result = engine.search(current_handle(), engine.parse_search_args(args))
    except engine.BadRequest as error:
        return _error_page(error.status, "Cannot search that", error.message)
    except NoIndexError as error:
        return _error_page(503, "No index yet", str(error))
    pairs = [(k, v) for k, v in pairs if k not in PAGE_ONLY]
    links = PageLinks(url_for("pages.search"), pairs, FACETS)
    selected_years = {int(v) for v in result.get("filters", {}).get("year", ())}
    return render_template(
        "search.html",
        result=result,
        links=links,
        keep=[(k, v) for k, v in pairs if k not in ("q", "page")],
        facet_size=_int_arg("facet_size", DEFAULT_FACET_SIZE),
        year_svg=histogram_svg(
            result.get("year_histogram") or (),
            href=lambda year: links.toggle("year", year),
            selected=selected_years,
        ),
    )


@bp.get("/documents/<path:document_id>")
def document(document_id: str) -> str | tuple[str, int]:
    """A document's full text by section, the passage from the results highlighted."""
    q = request.args.get("q", "")
    try:
        doc = engine.get_document(current_handle(), document_id)
        marks = highlight_marks(current_handle().searcher(), q)
    except engine.BadRequest as error:
        return _error_page(error.status, "Document not found", error.message)
    except NoIndexError as error:
        return _error_page(503, "No index yet", str(error))
    blocks = reading_blocks(doc.get("passages", ()), marks, _current_ordinal(document_id))
    return render_template(
        "document.html",
        doc=doc,
        blocks=blocks,
        toc=table_of_contents(blocks),
        matches=marked_passages(blocks) if q else [],
        file_url=doc.get("file_url") or f"/api/documents/{document_id}/file",
        is_pdf=doc.get("format") == "pdf",
        max_match_links=MAX_MATCH_LINKS,
    )


@bp.get(ASK_PATH)
def ask() -> str | tuple[str, int]:
    """The question-answering page: answers with citations, or the closest passages."""
    args = {k: v for k, v in request.args.to_dict(flat=False).items() if k not in PAGE_ONLY}
    if not "".join(args.get("q", [])).strip():
        return render_template("ask.html", body=None, mode="ask")
    try:
        asked = qa.parse_ask_args(args)
        body = qa.ask(current_handle(), asked.q, asked.filters, asked.limit)
    except engine.BadRequest as error:
        return _error_page(error.status, "Cannot answer that", error.message)
    except NoIndexError as error:
        return _error_page(503, "No index yet", str(error))
    return render_template("ask.html", body=body, mode="ask")


@bp.get("/api-docs")
def api_docs() -> str:
    """A human-readable page about the JSON API, made from its OpenAPI description."""
    spec = openapi_document()
    operations = [
        (path, method, op) for path, ops in spec["paths"].items() for method, op in ops.items()
    ]
    return render_template("api_docs.html", spec=spec, operations=operations, op_id=_op_id)


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException) -> Any:
    """HTML error pages outside /api (the API answers its own JSON errors)."""
    if request.path.startswith("/api/") or isinstance(error, RequestRedirect):
        return error
    status = error.code or 500
    return _error_page(status, f"{status} {error.name}", error.description or "")


def _error_page(status: int, title: str, message: str) -> tuple[str, int]:
    return render_template("error.html", title=title, message=message), status


def _current_ordinal(document_id: str) -> int | None:
    """Ordinal of `?passage=` when it names a passage of this document."""
    try:
        owner, ordinal = split_passage_id(request.args.get("passage", ""))
    except ValueError:
        return None
    return ordinal if owner == document_id else None


def _op_id(method: str, path: str) -> str:
    """An HTML id for one API operation: get-api-documents-document_id."""
    return "-".join([method, *re.findall(r"\w+", path)])


def _int_arg(name: str, default: int) -> int:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else default


def _ask_url(q: str) -> str | None:
    """`/ask?q=...` when the question-answering page is registered at /ask, else None."""
    try:
        current_app.url_map.bind("localhost").match(ASK_PATH)
    except HTTPException:  # not registered (yet): the search page answers instead
        return None
    return href(ASK_PATH, [("q", q)])
