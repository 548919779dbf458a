"""Taking results away: export files, citations and Atom feeds, for the API and the pages.

The API's routes (/api/export, /api/feed) and the document's `citation` call these; the
"Cite" page is this module's blueprint. Links to them from the search page are template
globals, so that the search templates only include small partials.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain, islice
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    Response,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from indexer.index.generations import NoIndexError
from search_app.engine import BadRequest, parse_search_args, records
from search_app.engine.params import split_controls, whole_number
from search_app.formats import export, feed
from search_app.formats.citations import STYLE_LABELS, citations
from search_app.formats.reference import reference
from search_app.web import current_handle
from search_app.web.links import href

bp = Blueprint("research", __name__)

PER_PAGE_CHOICES = (10, 20, 50, 100)
# Search parameters that do not change which results a file or feed holds. `mode` does
# (hybrid, lexical, semantic) unless it is the search box's search/ask switch.
NOT_OF_THE_RESULTS = ("page", "per_page", "facet_size", "drop")
BOX_MODES = ("search", "ask")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(export_links)
    app.add_template_global(feed_url)
    app.jinja_env.globals["per_page_choices"] = PER_PAGE_CHOICES


# ---------------------------------------------------------------- API


def export_response() -> Response:
    """/api/export: the search's results as a streamed file."""
    search, fmt, limit = export.parse_export_args(request.args)
    results = records.results(current_handle(), search, limit)
    # The first page of results now: a query the engine refuses is answered as an error,
    # not as a file cut short.
    first = list(islice(results, 1))
    pieces = export.write(fmt, chain(first, results), search.group, request.host_url)
    kind = export.FORMATS[fmt]
    return Response(
        stream_with_context(_encoded(pieces)),
        content_type=kind.media_type,
        headers={"Content-Disposition": f'attachment; filename="report-search.{kind.extension}"'},
    )


def feed_response() -> Response:
    """/api/feed: the newest documents matching the search, as Atom."""
    search_args, controls = split_controls(request.args, ("limit",))
    search = parse_search_args(search_args)
    limit = whole_number(
        "limit", controls.get("limit", str(feed.DEFAULT_ENTRIES)), 1, feed.MAX_ENTRIES
    )
    cards = records.newest(current_handle(), search, limit)
    pairs = _result_pairs(request.args.items(multi=True))
    body = feed.atom(
        cards,
        title=f"Report Search: {search.q or 'newest reports'}" + _filter_words(search),
        canonical_query=urlencode(sorted(pairs)),
        self_url=request.url,
        page_url=request.host_url.rstrip("/") + href(url_for("pages.search"), pairs),
        base_url=request.host_url,
    )
    return Response(body, mimetype="application/atom+xml; charset=utf-8")


def with_citation(document: dict[str, Any]) -> dict[str, Any]:
    """/api/documents/{id} with its `citation` (styles, RIS, BibTeX and key)."""
    return {**document, "citation": citations(reference(document, request.host_url))}


# ---------------------------------------------------------------- pages


@bp.get("/documents/<path:document_id>/cite")
def cite(document_id: str) -> str | tuple[str, int]:
    """The "Cite" page: the styles, each with a copy button, and RIS and BibTeX files."""
    try:
        card = records.card(current_handle(), document_id)
    except BadRequest as error:
        return render_template("error.html", title="Document not found", message=error.message), 404
    except NoIndexError as error:
        return render_template("error.html", title="No index yet", message=str(error)), 503
    cited = citations(reference(card, request.host_url))
    return render_template("cite.html", doc=card, cited=cited, style_labels=STYLE_LABELS)


# ---------------------------------------------------------------- links for the templates


def export_links(pairs: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(format, label, URL) of each export of the search whose parameters are `pairs`."""
    kept = _result_pairs(pairs)
    labels = {"csv": "CSV", "jsonl": "JSON Lines", "ris": "RIS", "bibtex": "BibTeX"}
    return [
        (fmt, labels[fmt], url_for("api.export") + "?" + urlencode([*kept, ("format", fmt)]))
        for fmt in export.FORMATS
    ]


def feed_url(pairs: list[tuple[str, str]]) -> str:
    """The Atom feed of the search whose parameters are `pairs`."""
    kept = _result_pairs(pairs)
    return href(url_for("api.feed"), kept)


def _result_pairs(pairs: Any) -> list[tuple[str, str]]:
    return [
        (k, v)
        for k, v in pairs
        if k not in NOT_OF_THE_RESULTS
        and k != "limit"
        and v
        and not (k == "mode" and v in BOX_MODES)
    ]


def _filter_words(search: Any) -> str:
    chosen = [value for values in search.filters.values() for value in values]
    return f" ({', '.join(chosen)})" if chosen else ""


def _encoded(pieces: Iterator[str]) -> Iterator[bytes]:
    for piece in pieces:
        yield piece.encode("utf-8")
