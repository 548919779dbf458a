"""Flask app: browser UI and JSON API over the passage index."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.wrappers import Response

from indexer.store import resolve_index_dir
from search_app.index_handle import IndexHandle

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Application factory: defaults, then environment, then `config`."""
    app = Flask(__name__)
    app.config.from_mapping(
        INDEX_DIR=str(resolve_index_dir()),
        CORPUS_DIRS=os.environ.get("REPORT_SEARCH_CORPUS", "corpus").split(os.pathsep),
        API_TOKEN=os.environ.get("REPORT_SEARCH_API_TOKEN", ""),
        MAX_CONTENT_LENGTH=1024 * 1024,
        JSON_SORT_KEYS=False,
    )
    if config:
        app.config.from_mapping(config)
    handle = IndexHandle(app.config["INDEX_DIR"])
    app.extensions["report_search"] = handle
    app.extensions["index_handle"] = handle  # the name the pages blueprint uses

    from search_app import api

    api.init_app(app)

    # --- HTML pages: the pages helper registers the search_app.views blueprint here ---
    from search_app import views

    app.register_blueprint(views.bp)
    # ----------------------------------------------------------------------------------

    app.after_request(_security_headers)
    return app


def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
