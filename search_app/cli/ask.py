"""`report-search ask "question"`: the answer with its citation, or exactly the /api/ask body."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from indexer.index import store
from search_app import qa
from search_app.cli.options import index_dir_option
from search_app.cli.search import emphasise, search_args
from search_app.engine.index_handle import IndexHandle
from search_app.engine.service import BadRequest


@click.command()
@click.argument("question", nargs=-1, required=True)
@index_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print exactly the /api/ask body.")
@click.option(
    "--filter", "filters", multiple=True, metavar="FACET=VALUE", help="Facet filter; repeatable."
)
@click.option("--limit", type=click.IntRange(1, qa.MAX_ANSWERS), default=5, show_default=True)
def ask(
    question: tuple[str, ...],
    index_dir: Path | None,
    as_json: bool,
    filters: tuple[str, ...],
    limit: int,
) -> None:
    """Answer QUESTION from the indexed reports, citing report, section and page."""
    args = search_args(" ".join(question), filters, limit, 1, "relevance", "document")
    args = {k: v for k, v in args.items() if k not in ("page", "sort", "group", "per_page")}
    args["limit"] = [str(limit)]
    try:
        asked = qa.parse_ask_args(args)
        handle = IndexHandle(store.resolve_index_dir(index_dir))
        body = qa.ask(handle, asked.q, asked.filters, asked.limit)
    except (BadRequest, store.NoIndexError) as error:
        raise click.ClickException(getattr(error, "message", str(error))) from None
    click.echo(json.dumps(body, ensure_ascii=False) if as_json else render(body))


def render(body: dict[str, Any]) -> str:
    """The answers, best first, each with its sentence and citation; or the closest passages."""
    lines = [click.style(body["question"], bold=True)]
    if body["no_answer"]:
        lines.append("No answer found. The closest passages:")
        items = body.get("passages", [])
    else:
        items = body["answers"]
    for number, item in enumerate(items, start=1):
        lines.append("")
        if "answer" in item:
            lines.append(f"{number}. {click.style(item['answer'], bold=True)}")
            if item["answer"] != item["sentence"]:
                lines.append(f"   {item['sentence']}")
        else:
            lines.append(f"{number}. {emphasise(item['snippet'])}")
        lines.append(f"   {citation(item)}   (score {item['score']})")
    return "\n".join(lines)


def citation(item: dict[str, Any]) -> str:
    """Report title, section and pages in one line."""
    parts = [item["title"] or item["document_id"]]
    if item.get("section"):
        parts.append(item["section"])
    start, end = item.get("page_start"), item.get("page_end")
    if start:
        parts.append(f"p. {start}" if not end or end == start else f"pp. {start}-{end}")
    return " · ".join(parts)
