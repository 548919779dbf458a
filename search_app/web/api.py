"""The JSON API: thin views over the engine, one error envelope for every failure."""

from __future__ import annotations

import hmac
import threading
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request, send_file
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, default_exceptions
from werkzeug.wrappers import Response

from indexer.index.store import NoIndexError
from search_app import engine, qa
from search_app.engine.service import BadRequest
from search_app.web import current_handle
from search_app.web.openapi import openapi_document
from search_app.web.reindex import Reindexer

bp = Blueprint("api", __name__, url_prefix="/api")

SUGGEST_PARAMS = ("q", "limit")


def init_app(app: Flask) -> None:
    """Register the API, its re-index job and its error handlers."""
    roots = [Path(p) for p in app.config["CORPUS_DIRS"] if str(p)]
    handle = app.extensions["report_search"]
    app.extensions["report_search_reindex"] = Reindexer(
        roots, Path(app.config["INDEX_DIR"]), after=lambda: engine.warm(handle)
    )
    warmed = app.extensions["report_search_warmed"] = threading.Event()
    if app.config.get("WARM_UP", True):
        # Facet arrays, the commonest terms and the answer gazetteers take seconds to read:
        # not on the first request. /api/health says when they are ready.
        threading.Thread(target=_warm, args=(handle, warmed), name="warm", daemon=True).start()
    else:
        warmed.set()
    app.json.sort_keys = False  # keep the documented key order (query, total, ..., results)
    app.register_blueprint(bp)
    app.register_error_handler(BadRequest, _bad_request)
    app.register_error_handler(NoIndexError, _no_index)
    # Code-specific handlers run before any handler registered for HTTPException as a class,
    # so /api errors are JSON whatever the pages blueprint registers for its own HTML.
    for code in _http_error_codes():
        app.register_error_handler(code, _http_error)


def _warm(handle: Any, warmed: threading.Event) -> None:
    try:
        engine.warm(handle)
        qa.warm()
    finally:
        warmed.set()


def error_response(status: int, code: str, message: str) -> tuple[Response, int]:
    """The one error shape: {"error": {"status", "code", "message"}}."""
    body = {"error": {"status": status, "code": code, "message": message}}
    return jsonify(body), status


@bp.before_request
def _limit_body() -> None:
    """Refuse oversized bodies before any view runs (Flask checks only when reading)."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()


@bp.get("/search")
def search() -> Response:
    return jsonify(engine.search(current_handle(), engine.parse_search_args(request.args)))


@bp.get("/documents")
def documents() -> Response:
    return jsonify(engine.list_documents(current_handle(), engine.parse_search_args(request.args)))


@bp.get("/documents/<path:document_id>/file")
def document_file(document_id: str) -> Response:
    path = engine.document_file(current_handle(), document_id)
    return send_file(path, conditional=True, download_name=path.name)


@bp.get("/documents/<path:document_id>")
def document(document_id: str) -> Response:
    return jsonify(engine.get_document(current_handle(), document_id))


@bp.get("/suggest")
def suggest() -> Response:
    _only(SUGGEST_PARAMS)
    limit = request.args.get("limit", "10")
    if not limit.isdigit() or not 1 <= int(limit) <= 50:
        raise BadRequest(400, "bad_parameter", "Parameter 'limit' must be between 1 and 50.")
    return jsonify(engine.suggest(current_handle(), request.args.get("q", ""), int(limit)))


@bp.get("/ask")
def ask() -> Response:
    asked = qa.parse_ask_args(request.args)
    return jsonify(qa.ask(current_handle(), asked.q, asked.filters, asked.limit))


@bp.get("/stats")
def stats() -> Response:
    _only(())
    return jsonify(engine.stats(current_handle()))


@bp.get("/health")
def health() -> Response:
    _only(())
    warmed = current_app.extensions["report_search_warmed"].is_set()
    return jsonify({**engine.health(current_handle()), "warmed_up": warmed})


@bp.post("/index")
def start_index() -> tuple[Response, int]:
    _authorize()
    job: Reindexer = current_app.extensions["report_search_reindex"]
    if not job.start():
        raise BadRequest(409, "already_running", "A re-index is already running.")
    return jsonify(job.status()), 202


@bp.get("/index/status")
def index_status() -> Response:
    return jsonify(current_app.extensions["report_search_reindex"].status())


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


def _only(allowed: tuple[str, ...]) -> None:
    for name in request.args:
        if name not in allowed:
            raise BadRequest(400, "unknown_parameter", f"Unknown parameter {name!r}.")


def _authorize() -> None:
    """Bearer token from REPORT_SEARCH_API_TOKEN, compared in constant time."""
    token = current_app.config.get("API_TOKEN") or ""
    if not token:
        raise BadRequest(
            403,
            "reindex_disabled",
            "Re-indexing through the API is off: set REPORT_SEARCH_API_TOKEN to enable it.",
        )
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise BadRequest(401, "missing_token", "Send 'Authorization: Bearer <token>'.")
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise BadRequest(403, "bad_token", "The bearer token is not the configured one.")


def _bad_request(error: BadRequest) -> Any:
    if not request.path.startswith("/api/"):
        return _http_error(default_exceptions[error.status](description=error.message))
    return error_response(error.status, error.code, error.message)


def _no_index(error: NoIndexError) -> Any:
    if not request.path.startswith("/api/"):
        raise error
    return error_response(503, "no_index", str(error))


def _http_error(error: HTTPException) -> Any:
    """JSON for /api paths; elsewhere, whatever the app's generic handler does."""
    if not request.path.startswith("/api/") and request.path != "/api":
        generic = current_app.error_handler_spec.get(None, {}).get(None, {}).get(HTTPException)
        return generic(error) if generic else error
    status = error.code or 500
    code = (error.name or "error").lower().replace(" ", "_").replace("'", "")
    return error_response(status, code, error.description or error.name)


def _http_error_codes() -> list[int]:
    return sorted(code for code in default_exceptions if code >= 400)
