"""Make a scanned copy of a PDF: each page rendered to a greyscale image, turned slightly as a
sheet on a scanner glass is, and saved as an image-only PDF (no text layer).

Tests and `bench/ocr.py` use it to check OCR against the text the original holds.

    python -m indexer.samplescan corpus/unitar-migration-2009.pdf scanned.pdf --dpi 200
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

DPI = 200
# Degrees; alternating sides, as sheets fed by hand lie a little crooked either way.
ANGLES = (0.6, -0.4, 0.8, -0.7)


def scanned_pages(
    source: Path, dpi: int = DPI, pages: Sequence[int] | None = None
) -> Iterator[Image.Image]:
    """The source's pages (0-based `pages`, default all) as turned greyscale images."""
    document = pdfium.PdfDocument(source)
    try:
        for index in pages if pages is not None else range(len(document)):
            page = document[index]
            try:
                image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            finally:
                page.close()
            angle = ANGLES[index % len(ANGLES)]
            yield image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    finally:
        document.close()


def write_scan(
    source: Path, target: Path, dpi: int = DPI, pages: Sequence[int] | None = None
) -> Path:
    """Write the scanned copy of `source` to `target` as an image-only PDF."""
    images = list(scanned_pages(source, dpi, pages))
    if not images:
        raise ValueError(f"{source} has no pages to scan")
    first, rest = images[0], images[1:]
    first.save(target, "PDF", resolution=float(dpi), save_all=True, append_images=rest)
    return target


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--dpi", type=int, default=DPI)
    args = parser.parse_args(argv)
    write_scan(args.source, args.target, args.dpi)


if __name__ == "__main__":
    main()
