"""The JSON API: thin views over the engine, one error envelope for every failure."""

from __future__ import annotations

import hmac
import threading
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request, send_file
from werkzeug.exceptions import HTTPException, default_exceptions
from werkzeug.wrappers import Response

from indexer.extraction import SUFFIXES
from indexer.index.generations import NoIndexError
from search_app import engine, qa
from search_app.engine import BadRequest
from search_app.engine.limits import TIME_BUDGET, end_budget, start_budget
from search_app.engine.params import parse_suggest_args
from search_app.web import ask_gate, current_handle, research
from search_app.web.openapi import FILE_MEDIA_TYPES, OTHER_FILES, openapi_document
from search_app.web.reindex import Reindexer

bp = Blueprint("api", __name__, url_prefix="/api")

WARMED = "report_search_warmed"  # the warm-up's Event: set once everything is loaded
BEARER_CHALLENGE = 'Bearer realm="report-search"'  # RFC 9110: a 401 says how to authenticate


def init_app(app: Flask) -> None:
    """Register the API, its re-index job and its error handlers."""
    roots = [Path(p) for p in app.config["CORPUS_DIRS"] if str(p)]
    handle = app.extensions["report_search"]
    app.extensions["report_search_reindex"] = Reindexer(
        roots, Path(app.config["INDEX_DIR"]), after=lambda: engine.warm(handle)
    )
    warmed = app.extensions[WARMED] = threading.Event()
    ask_gate.init_app(app)
    if app.config.get("WARM_UP", True):
        # Facet arrays, the commonest terms, the answer gazetteers and the sentence-embedding
        # model take seconds to load: not on the first request. /api/health says when they
        # are ready.
        threading.Thread(target=_warm, args=(handle, warmed), name="warm", daemon=True).start()
    else:
        warmed.set()
    app.json.sort_keys = False  # type: ignore[attr-defined]  # the documented key order
    app.register_blueprint(bp)
    # A doubled slash in an API path gets a JSON 404, not a redirect to an HTML page.
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(f"{bp.name}."):
            rule.merge_slashes = False
    app.before_request(_start_budget)
    app.teardown_request(lambda error: end_budget())
    app.register_error_handler(BadRequest, _bad_request)
    app.register_error_handler(NoIndexError, _no_index)
    # Code-specific handlers run before any handler registered for HTTPException as a class,
    # so /api errors are JSON whatever the pages blueprint registers for its own HTML.
    for code in _http_error_codes():
        app.register_error_handler(code, _http_error)


def _start_budget() -> None:
    """Every request, page or API, may compute for QUERY_TIME_BUDGET seconds (default
    limits.TIME_BUDGET); past that the engine stops it with a 503 (limits.QueryTimeout)."""
    start_budget(current_app.config.get("QUERY_TIME_BUDGET", TIME_BUDGET))


# Asked once by the warm-up: the first real question then finds every cache filled.
WARM_QUESTION = "When was the report published?"


def _warm(handle: Any, warmed: threading.Event) -> None:
    try:
        engine.warm(handle)
        qa.warm()
        qa.ask(handle, WARM_QUESTION)
    except NoIndexError:
        pass  # nothing to warm yet: /api/health says so (no_index)
    finally:
        warmed.set()


def error_response(status: int, code: str, message: str) -> tuple[Response, int]:
    """The one error shape: {"error": {"status", "code", "message"}}."""
    body = {"error": {"status": status, "code": code, "message": message}}
    return jsonify(body), status


@bp.get("/search")
def search() -> Response:
    return jsonify(engine.search(current_handle(), engine.parse_search_args(request.args)))


@bp.get("/documents")
def documents() -> Response:
    return jsonify(engine.list_documents(current_handle(), engine.parse_search_args(request.args)))


# An id is a path: its slashes, doubled or not, are the id's (merged, "a//b" would redirect).
@bp.get("/documents/<path:document_id>/file", merge_slashes=False)
def document_file(document_id: str) -> Response:
    path = engine.document_file(current_handle(), document_id)
    # By format, not the host's mime.types: the description lists exactly these.
    media_type = FILE_MEDIA_TYPES.get(SUFFIXES.get(path.suffix.lower(), ""), OTHER_FILES)
    return send_file(path, mimetype=media_type, conditional=True, download_name=path.name)


@bp.get("/documents/<path:document_id>", merge_slashes=False)
def document(document_id: str) -> Response:
    return jsonify(research.with_citation(engine.get_document(current_handle(), document_id)))


@bp.get("/export")
def export() -> Response:
    return research.export_response()


@bp.get("/feed")
def feed() -> Response:
    return research.feed_response()


@bp.get("/suggest")
def suggest() -> Response:
    q, limit = parse_suggest_args(request.args)
    return jsonify(engine.suggest(current_handle(), q, limit))


@bp.get("/ask")
def ask() -> Response:
    return jsonify(ask_gate.answer(qa.parse_ask_args(request.args)))


@bp.get("/stats")
def stats() -> Response:
    _only(())
    return jsonify(engine.stats(current_handle()))


@bp.get("/health")
def health() -> tuple[Response, int]:
    """Readiness: 200 "ok" once the index answers and the warm-up has loaded everything the
    endpoints need (the sentence-embedding model among them), 503 "starting" before."""
    _only(())
    warmed = current_app.extensions[WARMED].is_set()
    body = {**engine.health(current_handle()), "warmed_up": warmed}
    if not warmed:
        return jsonify({**body, "status": "starting"}), 503
    return jsonify(body), 200


@bp.get("/live")
def live() -> Response:
    """Liveness: the process answers requests (whether or not it is ready)."""
    _only(())
    return jsonify({"status": "alive"})


@bp.post("/index")
def start_index() -> tuple[Response, int]:
    _authorize()
    job: Reindexer = current_app.extensions["report_search_reindex"]
    if not job.start():
        raise BadRequest(409, "already_running", "A re-index is already running.")
    return jsonify(job.status()), 202


@bp.get("/index/status")
def index_status() -> Response:
    _only(())
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
    response, status = error_response(error.status, error.code, error.message)
    if status == 401:
        response.headers["WWW-Authenticate"] = BEARER_CHALLENGE
    if error.code == "busy":
        response.headers["Retry-After"] = str(ask_gate.RETRY_AFTER)
    return response, status


def _no_index(error: NoIndexError) -> Any:
    if not request.path.startswith("/api/"):
        raise error
    return error_response(503, "no_index", str(error))


def _http_error(error: HTTPException) -> Response:
    """JSON for /api paths; elsewhere, whatever the app's generic handler does. Either way with
    the headers the error carries: `Allow` on a 405 (RFC 9110), `Content-Range` on a 416."""
    response: Response
    if not request.path.startswith("/api/") and request.path != "/api":
        generic = current_app.error_handler_spec.get(None, {}).get(None, {}).get(HTTPException)
        handled = current_app.ensure_sync(generic)(error) if generic else error.get_response()
        response = current_app.make_response(handled)
    else:
        code = (error.name or "error").lower().replace(" ", "_").replace("'", "")
        response, status = error_response(error.code or 500, code, error.description or error.name)
        response.status_code = status
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _http_error_codes() -> list[int]:
    return sorted(code for code in default_exceptions if code >= 400)
