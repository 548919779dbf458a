"""The year facet drawn as an inline SVG bar chart: one bar per year, each a filter link."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping

from markupsafe import Markup, escape

WIDTH = 200  # viewBox units; the SVG scales to its container
HEIGHT = 64
LABEL_HEIGHT = 14  # room under the bars for the first and last year
MIN_BAR_HEIGHT = 1.5  # a year with one hit stays visible next to a year with thousands


def year_counts(bins: Iterable[Mapping[str, int]]) -> dict[int, int]:
    """{year: count} from the engine's `year_histogram` list of {year, count}."""
    return {int(b["year"]): int(b["count"]) for b in bins if b.get("count")}


def histogram_svg(
    bins: Iterable[Mapping[str, int]],
    href: Callable[[int], str],
    selected: Collection[int] = (),
    unit: str = "report",
) -> Markup:
    """Inline SVG of counts per year, in `unit` (report or passage); every year with some is a
    link made by `href(year)`.

    Years between the first and the last with no hits keep an empty slot, so gaps show.
    """
    counts = year_counts(bins)
    if not counts:
        return Markup("")
    first, last = min(counts), max(counts)
    slots = last - first + 1
    slot = WIDTH / slots
    gap = min(1.0, slot * 0.2)
    peak = max(counts.values())
    chart = HEIGHT - LABEL_HEIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="histogram" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="group" aria-label="{escape(unit.capitalize())}s per year">'
    ]
    for year in sorted(counts):
        count = counts[year]
        height = max(MIN_BAR_HEIGHT, chart * count / peak)
        x = (year - first) * slot
        css = "bar selected" if year in selected else "bar"
        noun = unit if count == 1 else f"{unit}s"
        parts.append(
            f'<a href="{escape(href(year))}" class="{css}">'
            f"<title>{year}: {count:,} {noun}</title>"
            # A full-height transparent target makes short bars easy to click.
            f'<rect class="target" x="{x:.2f}" y="0" width="{slot:.2f}" height="{chart}"/>'
            f'<rect x="{x + gap / 2:.2f}" y="{chart - height:.2f}" '
            f'width="{max(slot - gap, 0.5):.2f}" height="{height:.2f}"/></a>'
        )
    parts.append(_axis_labels(first, last))
    parts.append("</svg>")
    return Markup("".join(parts))


def _axis_labels(first: int, last: int) -> str:
    """First and last year under the bars (text is aria-hidden: each bar has its title)."""
    y = HEIGHT - 2
    labels = f'<text x="0" y="{y}" class="axis" aria-hidden="true">{first}</text>'
    if last != first:
        labels += (
            f'<text x="{WIDTH}" y="{y}" class="axis" text-anchor="end" '
            f'aria-hidden="true">{last}</text>'
        )
    return labels
