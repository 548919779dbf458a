"""Flask app: browser UI and JSON API over the passage index."""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from indexer.index.generations import NoIndexError, resolve_index_dir
from search_app.engine.index_handle import IndexHandle
from search_app.web.json_body import FastJSONProvider

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
# The generation that answered: clients and tests can tell which index a response came from.
GENERATION_HEADER = "X-Index-Generation"


EXTENSION = "report_search"


def current_handle() -> IndexHandle:
    """The running app's shared index handle (views and API use this one)."""
    return current_app.extensions[EXTENSION]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Application factory: defaults, then environment, then `config`."""
    app = Flask(__name__)
    app.json = FastJSONProvider(app)
    app.config.from_mapping(
        INDEX_DIR=str(resolve_index_dir()),
        CORPUS_DIRS=os.environ.get("REPORT_SEARCH_CORPUS", "corpus").split(os.pathsep),
        API_TOKEN=os.environ.get("REPORT_SEARCH_API_TOKEN", ""),
        MAX_CONTENT_LENGTH=1024 * 1024,
        # Where clients reach the service, for the examples of /api-docs.
        PUBLIC_URL=os.environ.get("REPORT_SEARCH_PUBLIC_URL", "http://localhost:5000/"),
    )
    if config:
        app.config.from_mapping(config)
    handle = IndexHandle(app.config["INDEX_DIR"])
    app.extensions[EXTENSION] = handle
    app.before_request(_limit_body)  # first: before any other work on the request

    from search_app.web import api, metrics

    api.init_app(app)
    metrics.init_app(app, handle)

    # --- HTML pages: the pages helper registers the search_app.views blueprint here ---
    from search_app.web import research, views

    app.register_blueprint(views.bp)
    research.init_app(app)  # export, citations, feeds
    # ----------------------------------------------------------------------------------

    app.before_request(_pin_snapshot)
    app.teardown_request(_unpin_snapshot)
    app.after_request(_security_headers)
    return app


def _limit_body() -> None:
    """One body limit for every route, page or API: MAX_CONTENT_LENGTH. Flask applies it only
    when a view reads the body, so a GET with 50 MB was read and answered; refuse it first."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if not limit:
        return
    if (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()
    if request.content_length is None and request.environ.get("wsgi.input_terminated"):
        _limit_stream(request.environ, limit)


def _limit_stream(environ: dict[str, Any], limit: int) -> None:
    """A body without a length (chunked): read up to one byte past the limit, 413 if there
    is that byte. Werkzeug's own limit on streams stops reading at the limit without an
    error, so under gunicorn (which streams chunked bodies; waitress buffers them and sets
    their length) a 500 MB body was answered 200. What was read is put back for the views."""
    stream, chunks, size = environ["wsgi.input"], [], 0
    while size <= limit:
        chunk = stream.read(min(1 << 16, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise RequestEntityTooLarge()
    environ["wsgi.input"] = io.BytesIO(b"".join(chunks))
    environ["CONTENT_LENGTH"] = str(size)
    environ.pop("HTTP_TRANSFER_ENCODING", None)


def _pin_snapshot() -> None:
    """One request reads one index generation, even if a re-index publishes another meanwhile."""
    try:
        g.index_generation = current_handle().pin().generation
    except NoIndexError:
        g.index_generation = None


def _unpin_snapshot(error: BaseException | None = None) -> None:
    current_handle().unpin()


def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if g.get("index_generation") is not None:
        response.headers[GENERATION_HEADER] = str(g.index_generation)
    return response
