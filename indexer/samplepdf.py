"""Turn the seed report's text into a multi-page A4 PDF, so the PDF path runs on every index.

The PDF has what real reports have and extraction must undo: a running header, a page
number footer, bold headings (some on two lines), justified paragraphs. Output is
byte-for-byte reproducible: fixed dates and metadata, a core font (nothing to install).

    python -m indexer.samplepdf corpus/unitar-migration-2009.txt corpus/unitar-migration-2009.pdf
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

RUNNING_HEADER = "UNITAR - International Migration 2009"
TITLE_AUTHOR = "United Nations Institute for Training and Research (UNITAR)"
# Fixed so that regenerating gives identical bytes; the report covers the year 2009.
CREATION_DATE = datetime(2009, 12, 31, tzinfo=UTC)
# Lettered headings: "A. UNITAR CHAIRMANSHIP ...", "b. Migration and the MDGs".
HEADING = re.compile(r"^[A-Za-z]\.\s+\S")
BODY_SIZE = 11
LINE_HEIGHT = 5.5  # mm
PARAGRAPH_GAP = 3.0  # mm


class SeedPDF(FPDF):
    """A4 pages with the running header and a "Page n of N" footer."""

    def header(self) -> None:
        self.set_font("Helvetica", "I", 8)
        self.cell(0, 5, RUNNING_HEADER, align="C", new_x="LMARGIN", new_y="NEXT")
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(6)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", "", 8)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")


def read_blocks(text: str) -> list[list[str]]:
    """Blocks of consecutive non-blank lines."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def new_document(title: str) -> SeedPDF:
    pdf = SeedPDF(format="A4")
    # Core fonts take one byte per character: cp1252 has the curly quotes, em dash and ¹ ³.
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_margins(25, 20, 25)
    pdf.set_auto_page_break(True, margin=22)
    pdf.set_title(title)
    pdf.set_author(TITLE_AUTHOR)
    pdf.set_subject("International migration: UNITAR activities in 2009")
    pdf.set_keywords("migration, development, UNITAR, Global Migration Group")
    pdf.set_creator("report-search indexer.samplepdf")
    pdf.set_producer("fpdf2")
    pdf.set_creation_date(CREATION_DATE)
    pdf.set_lang("en")
    return pdf


def write_heading(pdf: SeedPDF, lines: list[str]) -> None:
    """A bold heading; never alone at the foot of a page."""
    if pdf.get_y() > pdf.page_break_trigger - 25:
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font("Times", "B", 12 if lines[0][0].isupper() else 11)
    for line in lines:
        pdf.multi_cell(0, 6, line, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(PARAGRAPH_GAP)


def write_paragraph(pdf: SeedPDF, lines: list[str]) -> None:
    pdf.set_font("Times", "", BODY_SIZE)
    pdf.multi_cell(0, LINE_HEIGHT, " ".join(lines), align="J", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(PARAGRAPH_GAP)


def render(text: str) -> bytes:
    """The PDF bytes for the seed text: title, subtitle, then headings and paragraphs."""
    blocks = read_blocks(text)
    title, rest = blocks[0], blocks[1:]
    pdf = new_document(" ".join(title))
    pdf.add_page()
    pdf.set_font("Times", "B", 15)
    pdf.multi_cell(0, 7.5, " ".join(title), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    if rest and not HEADING.match(rest[0][0]) and len(rest[0]) == 1:
        pdf.set_font("Times", "I", 12)
        pdf.multi_cell(0, 6, rest[0][0], align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        rest = rest[1:]
    for block in rest:
        if HEADING.match(block[0]):
            write_heading(pdf, block)
        else:
            write_paragraph(pdf, block)
    return bytes(pdf.output())


def write_seed_pdf(text_path: Path, pdf_path: Path) -> None:
    """Write the PDF version of the seed report text."""
    pdf_path.write_bytes(render(text_path.read_text("utf-8")))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m indexer.samplepdf SRC.txt DST.pdf", file=sys.stderr)
        return 2
    write_seed_pdf(Path(args[0]), Path(args[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
