"""Command-line options shared by every `report-search` command."""

from __future__ import annotations

from pathlib import Path

import click

index_dir_option = click.option(
    "--index-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Index folder (default: $REPORT_SEARCH_INDEX, else var/index).",
)
