"""`report-search search` and `report-search serve`: thin commands over the engine and the app."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import click

from indexer.index import generations
from search_app import engine
from search_app.cli.options import index_dir_option
from search_app.engine.index_handle import IndexHandle

_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


@click.command()
@click.argument("query", nargs=-1)
@index_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print exactly the /api/search body.")
@click.option(
    "--filter", "filters", multiple=True, metavar="FACET=VALUE", help="Facet filter; repeatable."
)
@click.option("--limit", type=click.IntRange(1, engine.MAX_PER_PAGE), default=10, show_default=True)
@click.option("--page", type=click.IntRange(1, engine.MAX_PAGE), default=1)
@click.option("--sort", type=click.Choice(engine.SORTS), default="relevance", show_default=True)
@click.option("--group", type=click.Choice(engine.GROUPS), default="document", show_default=True)
@click.option(
    "--no-correct", is_flag=True, help="Search the words as typed, never a spelling correction."
)
@click.option(
    "--mode",
    type=click.Choice(engine.MODES),
    default=None,
    help="Find passages by words and meaning (hybrid), words alone (lexical) or meaning alone "
    "(semantic); default: the index's.",
)
def search(
    query: tuple[str, ...],
    index_dir: Path | None,
    as_json: bool,
    filters: tuple[str, ...],
    limit: int,
    page: int,
    sort: str,
    group: str,
    no_correct: bool,
    mode: str | None,
) -> None:
    """Search the index for QUERY (same syntax and filters as the web page)."""
    args = search_args(" ".join(query), filters, limit, page, sort, group)
    if no_correct:
        args["correct"] = ["off"]
    if mode:
        args["mode"] = [mode]
    try:
        handle = IndexHandle(generations.resolve_index_dir(index_dir))
        body = engine.search(handle, engine.parse_search_args(args))
    except (engine.BadRequest, generations.NoIndexError) as error:
        raise click.ClickException(getattr(error, "message", str(error))) from None
    if as_json:
        click.echo(json.dumps(body, ensure_ascii=False))
    else:
        click.echo(render(body))


def search_args(
    q: str, filters: tuple[str, ...], limit: int, page: int, sort: str, group: str
) -> dict[str, list[str]]:
    """The query-string parameters the API would get for these options."""
    args: dict[str, list[str]] = {
        "q": [q],
        "per_page": [str(limit)],
        "page": [str(page)],
        "sort": [sort],
        "group": [group],
    }
    for item in filters:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{item!r} is not FACET=VALUE", param_hint="--filter")
        args.setdefault(name.strip(), []).append(value.strip())
    return args


def render(body: dict[str, Any]) -> str:
    """A readable list of results: title, section, page, and the snippet with terms in bold;
    then, apart, the passages with only some of the words."""
    lines = [_summary(body)]
    for notice in (body.get("notice"), _correction(body), *_expansions(body)):
        if notice:
            lines.append(notice)
    first = (body["page"] - 1) * body["per_page"]
    lines += _listed(body["results"], first + 1)
    some = body.get("some_words")
    if some and some["results"]:
        unit = "passages" if body["group"] == "passage" else "reports"
        count = some["total"] if body["group"] == "passage" else some["total_documents"]
        lines += ["", click.style(f"With some of your words ({count} {unit}, not counted above)")]
        lines += _listed(some["results"], some["start"])
    return "\n".join(lines)


def _listed(results: list[dict[str, Any]], first: int) -> list[str]:
    lines = []
    for number, result in enumerate(results, start=first):
        lines.append("")
        lines.append(
            click.style(f"{number}. {result['title'] or result['document_id']}", bold=True)
        )
        lines.append("   " + _citation(result))
        if result.get("found_by") == "meaning":
            lines.append("   (similar in meaning: it does not hold all of your words)")
        lines.append("   " + emphasise(result["snippet"]))
        more = result.get("more_passages")
        if more:
            lines.append(f"   ({more} more passage{'s' if more != 1 else ''} in this report)")
    return lines


def _expansions(body: dict[str, Any]) -> list[str]:
    return [
        f"Also searched for {', '.join(e['also'])} with {e['typed']}."
        for e in body.get("expanded") or []
    ]


def emphasise(snippet: str) -> str:
    """Snippet HTML as terminal text: <mark> becomes bold, entities are unescaped."""
    parts = []
    position = 0
    for match in _MARK.finditer(snippet):
        parts.append(html.unescape(snippet[position : match.start()]))
        parts.append(click.style(html.unescape(match.group(1)), bold=True))
        position = match.end()
    parts.append(html.unescape(snippet[position:]))
    return "".join(parts)


def _summary(body: dict[str, Any]) -> str:
    """The headline, in the view's unit: reports when grouped, passages one by one."""
    if body["group"] == "passage":
        found = f"{body['total']} passage{'s' if body['total'] != 1 else ''}"
    else:
        found = f"{body['total_documents']} report{'s' if body['total_documents'] != 1 else ''}"
    meaning = _similar_in_meaning(body)
    return f"{found}{meaning} (page {body['page']} of {body['pages']}, {body['took_ms']} ms)"


def _similar_in_meaning(body: dict[str, Any]) -> str:
    """How many of the counted results were found by meaning alone (hybrid, semantic)."""
    similar = body.get("similar_in_meaning") or {}
    count = similar.get("total" if body["group"] == "passage" else "total_documents") or 0
    return f", {count} of them similar in meaning only" if count else ""


def _correction(body: dict[str, Any]) -> str:
    """The spelling line, as the page words it."""
    if body.get("corrected_query"):
        return (
            f"Showing results for {body['corrected_query']}. "
            f"Search instead for {body['query']} with --no-correct."
        )
    return f"Did you mean: {body['suggestion']}?" if body.get("suggestion") else ""


def _citation(result: dict[str, Any]) -> str:
    parts = [result["document_id"]]
    if result.get("section"):
        parts.append(result["section"])
    if result.get("page_start"):
        parts.append(f"p. {result['page_start']}")
    return " · ".join(parts)


@click.command()
@index_dir_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True)
@click.option(
    "--processes",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Server processes: above 1, gunicorn pre-forks them, each with --threads threads.",
)
def serve(index_dir: Path | None, host: str, port: int, threads: int, processes: int) -> None:
    """Serve the web pages and the API with waitress, or gunicorn for several processes."""
    config: dict[str, Any] = {
        "INDEX_DIR": str(generations.resolve_index_dir(index_dir)),
        # Questions take at most half of each process's threads: searches keep the rest
        # (search_app.web.ask_gate).
        "ASK_SLOTS": max(1, threads // 2),
    }
    click.echo(
        f"Report Search on http://{host}:{port}/ (index: {config['INDEX_DIR']}, "
        f"{processes} process{'es' if processes > 1 else ''} x {threads} threads)"
    )
    if processes > 1:
        from search_app.cli.prefork import serve_processes

        serve_processes(config, host, port, processes, threads)
        return
    from waitress import serve as waitress_serve

    from search_app.web import create_app

    app = create_app(config)
    # Waitress reads a whole body, chunked or not, before the app sees it: past the app's
    # limit it answers 413 itself instead of spooling up to 1 GB to disk first.
    body_limit = app.config["MAX_CONTENT_LENGTH"]
    waitress_serve(app, host=host, port=port, threads=threads, max_request_body_size=body_limit)
