"""`report-search`: thin commands over the pipeline and the searcher."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from indexer import ocr_status
from indexer.cluster import ClusterError
from indexer.extraction import Limits
from indexer.extraction.ocr import MODES, OcrOptions
from indexer.index import generations
from indexer.pipeline import run
from search_app import engine
from search_app.cli.ask import ask
from search_app.cli.options import index_dir_option
from search_app.cli.search import search, serve
from search_app.engine.index_handle import IndexHandle


@click.group()
def main() -> None:
    """Report Search: passage search and question answering over reports."""


@main.command()
@click.argument("folders", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@index_dir_option
@click.option("--rebuild", is_flag=True, help="Build a fresh index and swap it in atomically.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Worker processes.")
@click.option("--max-pages", type=click.IntRange(min=1), default=Limits.max_pages)
@click.option(
    "--timeout", type=click.FloatRange(min=1), default=Limits.seconds, help="Seconds per file."
)
@click.option(
    "--ocr",
    type=click.Choice(MODES),
    default=OcrOptions.mode,
    show_default=True,
    help="Read pages without a text layer with Tesseract (auto), every page (force), or none.",
)
@click.option(
    "--cluster",
    metavar="tcp://HOST:PORT",
    default=None,
    help="Process the files on this Dask scheduler's workers (pip install report-search[cluster]).",
)
@click.option(
    "--embed/--no-embed",
    default=None,
    help="Store the passages' embeddings for search by meaning (default: when the model is "
    "installed, unless REPORT_SEARCH_EMBED=0).",
)
def index(
    folders: tuple[Path, ...],
    index_dir: Path | None,
    rebuild: bool,
    workers: int | None,
    max_pages: int,
    timeout: float,
    ocr: str,
    cluster: str | None,
    embed: bool | None,
) -> None:
    """Index the reports in FOLDERS (incremental unless --rebuild)."""
    target = generations.resolve_index_dir(index_dir)
    limits = Limits(max_pages=max_pages, seconds=timeout, ocr=OcrOptions(mode=ocr))
    try:
        report = run(
            list(folders),
            target,
            rebuild=rebuild,
            workers=workers,
            progress=True,
            limits=limits,
            cluster=cluster,
            embed=embed,
        )
    except generations.IndexBusyError as error:
        raise click.ClickException(str(error)) from None
    except ClusterError as error:
        raise click.ClickException(
            f"indexing stopped, the live index is unchanged: {error}"
        ) from None
    except OSError as error:  # disk full, read-only or misplaced index folder
        raise click.ClickException(
            f"indexing stopped, the live index is unchanged: {error.strerror or error} "
            f"({error.filename or target})"
        ) from None
    summary = report.summary()
    counts = ", ".join(f"{n} {status}" for status, n in sorted(summary["by_status"].items()))
    click.echo(
        f"{summary['files']} files ({counts}): {summary['pages']} pages, "
        f"{summary['passages']} passages in {summary['seconds']} s "
        f"({summary['pages_per_second']} pages/s, {summary['passages_per_second']} passages/s)"
    )
    if summary["passages_embedded"]:
        click.echo(f"embedded {summary['passages_embedded']} passages")
    for failure in summary["failures"]:
        click.echo(
            f"  failed [{failure['reason']}] {failure['path']}: {failure['error']}", err=True
        )
    for line in ocr_status.run_lines(summary["ocr"]):
        click.echo(line)
    for line in duplicate_lines(summary.get("duplicates") or ()):
        click.echo(line)
    click.echo(f"index: {target} (generation {summary['generation']}); report: report.json")


@main.command()
@index_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def stats(index_dir: Path | None, as_json: bool) -> None:
    """Documents, passages, pages, facet values and failures of the index (--json: the
    /api/stats body)."""
    target = generations.resolve_index_dir(index_dir)
    try:
        data = engine.stats(IndexHandle(target))
    except generations.NoIndexError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(f"index: {target} (generation {data['generation']})")
    click.echo(
        f"documents: {data['documents']}  passages: {data['passages']}  pages: {data['pages']}"
    )
    embedded = data["embeddings"]
    click.echo(f"passages with embeddings: {embedded['passages']} ({embedded['model'] or 'none'})")
    if embedded["passages"]:
        click.echo(f"search by meaning: {meaning_line(embedded)}")
    for name, count in data["facets"].items():
        click.echo(f"  {name}: {count} values")
    last = data.get("last_run") or {}
    if last:
        click.echo(f"last run: {last.get('by_status')} in {last.get('seconds')} s")
        for failure in last.get("failures", []):
            click.echo(f"  failed [{failure['reason']}] {failure['path']}")
    if "ocr" in data:
        for line in ocr_status.stats_lines(data["ocr"]):
            click.echo(line)
    for line in duplicate_lines(data.get("duplicates") or ()):
        click.echo(line)


# What `report-search stats` says of the approximate index, by its state.
APPROXIMATE_INDEX = {
    "not_needed": "exact (the approximate index is used from {:,} passages)",
    "unavailable": "exact, and slow past {:,} passages: faiss-cpu is not installed",
    "failed": "exact: the approximate index failed to build (see the log)",
    "pending": "approximate from {:,} passages: the server builds the index at start, "
    "searching exactly until it is ready",
    "building": "exact while the approximate index is built",
    "ready": "approximate",
}


def meaning_line(embedded: dict[str, Any]) -> str:
    """How the index's passages are searched by meaning (the approximate index's state)."""
    line = APPROXIMATE_INDEX.get(embedded["approximate_index"], embedded["search"])
    return line.format(embedded["approximate_from"])


def duplicate_lines(groups: Iterable[dict[str, Any]]) -> list[str]:
    """Groups of copies of one report: searched and shown once, as the first file."""
    groups = list(groups)
    if not groups:
        return []
    lines = [f"copies of one report: {len(groups)} group{'' if len(groups) == 1 else 's'}"]
    for group in groups:
        lines.append(f"  {group['representative']} (shown), also {', '.join(group['copies'])}")
    return lines


# search, serve and ask: search_app/cli/search.py and ask.py.
for command in (search, serve, ask):
    main.add_command(command)


if __name__ == "__main__":
    sys.exit(main())
