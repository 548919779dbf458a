"""`report-search ask "question"`: the answer with its citation, or exactly the /api/ask body."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from indexer.index import generations
from search_app import qa
from search_app.cli.options import index_dir_option
from search_app.cli.search import emphasise, search_args
from search_app.engine import BadRequest
from search_app.engine.index_handle import IndexHandle


@click.command()
@click.argument("question", nargs=-1, required=True)
@index_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print exactly the /api/ask body.")
@click.option(
    "--filter", "filters", multiple=True, metavar="FACET=VALUE", help="Facet filter; repeatable."
)
@click.option("--year-from", type=int, help="Only reports of this year or later.")
@click.option("--year-to", type=int, help="Only reports of this year or earlier.")
@click.option("--limit", type=click.IntRange(1, qa.MAX_ANSWERS), default=5, show_default=True)
def ask(
    question: tuple[str, ...],
    index_dir: Path | None,
    as_json: bool,
    filters: tuple[str, ...],
    year_from: int | None,
    year_to: int | None,
    limit: int,
) -> None:
    """Answer QUESTION from the indexed reports, citing report, section and page."""
    args = search_args(" ".join(question), filters, limit, 1, "relevance", "document")
    args = {k: v for k, v in args.items() if k not in ("page", "sort", "group", "per_page")}
    args["limit"] = [str(limit)]
    for name, year in (("year_from", year_from), ("year_to", year_to)):
        if year is not None:
            args[name] = [str(year)]
    try:
        asked = qa.parse_ask_args(args)
        handle = IndexHandle(generations.resolve_index_dir(index_dir))
        body = qa.ask(handle, asked.q, asked.filters, asked.limit, asked.year_from, asked.year_to)
    except (BadRequest, generations.NoIndexError) as error:
        raise click.ClickException(getattr(error, "message", str(error))) from None
    click.echo(json.dumps(body, ensure_ascii=False) if as_json else render(body))


def render(body: dict[str, Any]) -> str:
    """The answers, best first, each with its sentence, confidence and citation; or the
    closest passages."""
    lines = [click.style(body["question"], bold=True)]
    if body["no_answer"]:
        lines.append("No answer found. The closest passages:")
        items = body.get("passages", [])
    else:
        items = body["answers"]
    for number, item in enumerate(items, start=1):
        lines.append("")
        if "sentence" in item:
            short = item["answer"] or "(no short answer: read the sentence)"
            lines.append(f"{number}. {click.style(short, bold=True)}   {confidence_words(item)}")
            lines.append(f"   {item['sentence']}")
        else:
            lines.append(f"{number}. {emphasise(item['snippet'])}")
        lines.append(f"   {citation(item)}")
    return "\n".join(lines)


def confidence_words(item: dict[str, Any]) -> str:
    """The answer's confidence in words, with the percentage."""
    return f"({qa.confidence_label(item['confidence'])}, {round(item['confidence'] * 100)}%)"


def citation(item: dict[str, Any]) -> str:
    """Report title, section and pages in one line."""
    parts = [item["title"] or item["document_id"]]
    if item.get("section"):
        parts.append(item["section"])
    start, end = item.get("page_start"), item.get("page_end")
    if start:
        parts.append(f"p. {start}" if not end or end == start else f"pp. {start}-{end}")
    return " · ".join(parts)
