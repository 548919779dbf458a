"""HTML pages: thin views that render what the engine returns (the API renders the same dicts)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect
from werkzeug.wrappers import Response

from indexer.index.generations import NoIndexError
from indexer.models import FACETS, split_passage_id
from search_app import engine, qa
from search_app.engine.documents import shelf
from search_app.engine.hybrid import MEANING_CANDIDATES
from search_app.engine.reading import (
    highlight_marks,
    marked_passages,
    reading_blocks,
    table_of_contents,
)
from search_app.web import ask_gate, current_handle
from search_app.web.histogram import histogram_svg
from search_app.web.links import PageLinks, href, page_window, pairs_of
from search_app.web.openapi import openapi_document

bp = Blueprint("pages", __name__)

FACET_LABELS: dict[str, str] = {
    "doc_type": "Document type",
    "publisher": "Published by",
    "organization": "Organizations mentioned",
    "country": "Country",  # the document's own: a statement's speaker
    "mentioned_country": "Countries mentioned",
    "place": "Cities and places mentioned",
    "year": "Year",
    "goal": "Development goal",
    "topic": "Topic",
    "language": "Language",
    "organ": "UN organ",
    "symbol": "Symbol",
    "source": "Text source",
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
PAGE_ONLY = ("mode", "drop")
ASK_PATH = "/ask"
HOME_LATEST = 5  # newest reports listed on the home page
# Shown on the home page under the shelf's own example searches (its commonest topics).
SEARCH_TIPS: tuple[tuple[str, str], ...] = (
    ("health workers", "passages with all the words; those with some follow apart"),
    ('"exact phrase"', "the words together, in this order"),
    ("-word", "passages without the word"),
    ("word OR other", "either word; (a OR b) AND c, NOT, +word as librarians type them"),
    ("migra*", "every word that starts so"),
    ("migration~", "also words one letter off"),
    ("organization:IOM", "a filter written in the query: always narrows (any facet, title:)"),
    ("WHO", "an acronym in capitals, even one that is an English word"),
    ("year:[2005 TO 2009]", "a range of years"),
)


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
        "kept": (),
        "max_query_chars": engine.MAX_QUERY_CHARS,
        "meaning_candidates": MEANING_CANDIDATES,
    }


@bp.get("/")
@bp.get("/search")
def search() -> Response | str | tuple[str, int]:
    """The search page; the home page without any parameter; an empty query with filters
    or a sort browses the documents, newest first."""
    pairs = pairs_of(request.args.items(multi=True))
    q = request.args.get("q", "")
    if request.args.get("mode") == "ask" and (ask_url := _ask_url(q, pairs)):
        return redirect(ask_url)
    if request.args.get("drop") == "filters":  # the form's "search all reports" button
        return redirect(href(url_for("pages.search"), [("q", q)] if q else []))
    pairs = [(k, v) for k, v in pairs if not _page_only(k, v)]
    if not pairs:
        return _home()
    args = _form_args()
    try:
        result = engine.search(current_handle(), engine.parse_search_args(args))
    except engine.BadRequest as error:
        return _error_page(error.status, "Cannot search that", error.message)
    except NoIndexError as error:
        return _error_page(503, "No index yet", str(error))
    links = PageLinks(url_for("pages.search"), pairs, FACETS)
    selected_years = {int(v) for v in result.get("filters", {}).get("year", ())}
    # New words start a new search: not page 2, not "as typed", not "more like" a passage.
    keep = [(k, v) for k, v in pairs if k not in ("q", "page", "correct", "like")]
    return render_template(
        "search.html",
        result=result,
        links=links,
        keep=keep,
        kept=_kept_labels(result),
        facet_size=_int_arg("facet_size", DEFAULT_FACET_SIZE),
        year_svg=histogram_svg(
            result.get("year_histogram") or (),
            href=lambda year: links.toggle("year", year),
            selected=selected_years,
            unit=result.get("unit", "report"),
        ),
    )


def _home() -> str | tuple[str, int]:
    """The shelf at a glance: what it holds, with links, example searches and tips."""
    try:
        glance = shelf(current_handle())
        latest = engine.list_documents(
            current_handle(), engine.parse_search_args({"per_page": [str(HOME_LATEST)]})
        )
    except NoIndexError as error:
        return _error_page(503, "No index yet", str(error))
    topics = [value for value, _ in glance["facets"].get("topic", ())]
    return render_template(
        "home.html",
        shelf=glance,
        latest=latest["documents"],
        examples=topics[:4],
        tips=SEARCH_TIPS,
        links=PageLinks(url_for("pages.search"), [], FACETS),
    )


def _kept_labels(result: dict[str, Any]) -> list[str]:
    """The filters and sort a new query from the search box keeps, as words."""
    kept = [
        f"{FACET_LABELS.get(name, name)}: {value}"
        for name, values in result.get("filters", {}).items()
        for value in values
    ]
    if result.get("year_from") or result.get("year_to"):
        kept.append(f"Years: {result.get('year_from') or '…'}–{result.get('year_to') or '…'}")
    if request.args.get("sort") and request.args.get("sort") != "relevance":
        kept.append(f"Sort: {dict(SORTS).get(request.args['sort'], request.args['sort'])}")
    return kept


@bp.get("/documents/<path:document_id>")
def document(document_id: str) -> str | tuple[str, int]:
    """A document's full text by section, the passage from the results highlighted."""
    q = request.args.get("q", "")
    try:
        doc = engine.get_document(current_handle(), document_id)
        marks = highlight_marks(current_handle().searcher(), q)
    except engine.BadRequest as error:  # 404, or a query beyond the limits (400, 503)
        title = "Document not found" if error.status == 404 else "Cannot show that"
        return _error_page(error.status, title, error.message)
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
    args = _form_args()
    if not "".join(args.get("q", [])).strip():
        return render_template("ask.html", body=None, mode="ask")
    try:
        asked = qa.parse_ask_args(args)
        body = ask_gate.answer(asked)
    except engine.BadRequest as error:
        return _error_page(error.status, "Cannot answer that", error.message)
    except NoIndexError as error:
        return _error_page(503, "No index yet", str(error))
    # The filters and year range a new question from the box keeps (shown on the page).
    within = {"filters": asked.filters, "year_from": asked.year_from, "year_to": asked.year_to}
    keep = [(k, v) for k, values in args.items() if k != "q" for v in values]
    return render_template(
        "ask.html",
        body=body,
        mode="ask",
        keep=keep,
        kept=_kept_labels(within),
        confidence_label=qa.confidence_label,
    )


@bp.get("/api-docs")
def api_docs() -> str:
    """A human-readable page about the JSON API, made from its OpenAPI description."""
    spec = openapi_document()
    operations = [
        (path, method, op) for path, ops in spec["paths"].items() for method, op in ops.items()
    ]
    # The configured address, never the request's Host header: a shared cache would keep
    # and serve to everyone the page that a forged Host made.
    public_url = current_app.config["PUBLIC_URL"].rstrip("/") + "/"
    return render_template(
        "api_docs.html", spec=spec, operations=operations, op_id=_op_id, public_url=public_url
    )


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException) -> Any:
    """HTML error pages outside /api (the API answers its own JSON errors)."""
    if request.path.startswith("/api/") or isinstance(error, RequestRedirect):
        return error
    status = error.code or 500
    return _error_page(status, f"{status} {error.name}", error.description or "")


def _form_args() -> dict[str, list[str]]:
    """The query string for the engine: no page-only names, and no blank values, which forms
    send for fields left empty (the year range) and mean the default (the API refuses them)."""
    args = {
        k: [x for x in v if x and not _page_only(k, x)]
        for k, v in request.args.to_dict(flat=False).items()
    }
    return {k: v for k, v in args.items() if v}


def _page_only(name: str, value: str) -> bool:
    """A parameter for the page alone: the box's search/ask switch (`mode` also names how
    results are found, hybrid, lexical or semantic, which goes to the engine) and `drop`."""
    return name in PAGE_ONLY and not (name == "mode" and value in engine.MODES)


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


def _ask_url(q: str, pairs: Iterable[tuple[str, str]] = ()) -> str | None:
    """`/ask?q=...` (with the filters and year range of `pairs`) when the question-answering
    page is registered at /ask, else None."""
    try:
        current_app.url_map.bind("localhost").match(ASK_PATH)
    except HTTPException:  # not registered (yet): the search page answers instead
        return None
    within = [(k, v) for k, v in pairs if k in FACETS or k in ("year_from", "year_to")]
    return href(ASK_PATH, [("q", q), *[(k, v) for k, v in within if v]])
