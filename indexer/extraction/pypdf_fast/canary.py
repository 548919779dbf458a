"""A small built-in PDF that the fast path must extract exactly as plain pypdf does.

The PDF is written here, in memory, so that it depends on no tool's version. Its two pages and
a form XObject use what the stand-ins in `patches` and the parser in `parse` handle: a core
font by name (WinAnsiEncoding), one with a Differences encoding, one with a ToUnicode CMap, a
two-byte CID font shown with hex strings, text shown before any font is set; Tj, TJ with
kerning, ' and "; escaped, octal and continued strings; marked content with dictionaries; an
inline image; rotated text; word gaps near the space width, a raised exponent and a line that
steps down and back up (where spaces and line breaks are decided); and the same fonts again
on the second page (the font cache). Changing any of those stand-ins' results changes its
text (tried by hand: widths, orientation, encodings, thresholds, line spans, fonts).
"""

from __future__ import annotations

from io import BytesIO
from itertools import zip_longest
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ContentStream

from indexer.extraction.pypdf_fast import parse as pdfparse
from indexer.extraction.pypdf_fast.patches import fast_pypdf

PAGE_1 = (
    rb"""BT /F1 16 Tf 72 770 Td (Canary page for the pypdf fast path) Tj ET
BT /F1 11 Tf 13 TL 72 740 Td (Escaped: \(parentheses\), a backslash \\, octal \101\102C and a\
 continued line.) Tj T* (Second line of the paragraph) Tj
2 Tw 0.5 Tc (spaced words) ' 0 Tw 0 Tc 1 0 (quoted line) " ET
BT /F2 12 Tf 72 680 Td [(Kerned)-250(words,)120( a dash )-3000(\226 and \200 signs)] TJ ET
/P <</MCID 0>> BDC BT /F3 11 Tf 72 650 Td (ABabc xyz) Tj ET EMC
/Span <</ActualText (CID)>> BDC BT /F4 12 Tf 72 630 Td <0024002500260003004400450046> Tj ET EMC
q 40 0 0 40 400 600 cm BI /W 2 /H 2 /BPC 8 /CS /G ID """
    + bytes([0, 255, 255, 0])
    + rb"""
EI Q
BT /F1 9 Tf 0 1 -1 0 560 300 Tm (Rotated margin) Tj 70 0 Td (note) Tj ET
BT /F1 10 Tf 72 400 Td (Width) Tj 24.5 0 Td (less) Tj 21 0 Td (gap) Tj 19 0 Td (ped) Tj
17 0 Td (words) Tj ET
q 1 0 0 1 72 500 cm /Fm1 Do Q
BT /F1 11 Tf 72 450 Td (A word hyphen-) Tj 0 -13 Td (ated across lines, then) Tj
( the same line.) Tj 80 Tz 1 0 0 1 300 420 Tm (far right) Tj ET
"""
)
PAGE_2 = rb"""BT 72 800 Td (No font set \200) Tj ET
BT /F2 14 Tf 72 770 Td (Second page) Tj ET
BT /F1 11 Tf 72 740 Td [(A)-.5(B)+1(C)-1000(D)] TJ 0 -13 Td <48656C6C6F> Tj ET
/Artifact <</Type /Pagination>> BDC BT /F4 9 Tf 300 40 Td <00140015> Tj ET EMC
BT /F3 11 Tf 72 700 Td (ab AB) Tj ET
BT /F1 10 Tf 72 680 Td (E = mc) Tj 33 5 Td (2) Tj 10 -5 Td (holds) Tj ET
BT /F1 10 Tf 72 660 Td (one) Tj 25 -7 Td (two) Tj 25 9 Td (three) Tj ET
BT /F1 10 Tf 72 640 Td (on) Tj 13.5 0 Td (e) Tj 8.5 0 Td (t) Tj 5.5 0 Td (w) Tj 10 0 Td (o) Tj ET
"""
FORM = rb"BT /F2 10 Tf 5 50 Td (Text inside a form) Tj ET"
STREAMS = (PAGE_1, PAGE_2, FORM)

SIMPLE_CMAP = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CMapName /Canary-Simple def /CMapType 2 def
1 begincodespacerange
<00> <FF>
endcodespacerange
2 beginbfchar
<41> <0100>
<42> <00E9>
endbfchar
1 beginbfrange
<61> <7A> <0061>
endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end"""
CID_CMAP = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CMapName /Canary-CID def /CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
4 beginbfrange
<0003> <0003> <0020>
<0014> <001D> <0030>
<0024> <003D> <0041>
<0044> <005D> <0061>
endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end"""


def _stream(data: bytes, entries: bytes = b"") -> bytes:
    return b"<< %s/Length %d >>\nstream\n%s\nendstream" % (entries, len(data), data)


_PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources 5 0 R /Contents %s >>"
# The PDF's objects, numbered from 1 in this order.
OBJECTS = (
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
    _PAGE % b"6 0 R",
    _PAGE % b"7 0 R",
    b"<< /Font << /F1 8 0 R /F2 9 0 R /F3 10 0 R /F4 11 0 R >> /XObject << /Fm1 12 0 R >> >>",
    _stream(PAGE_1),
    _stream(PAGE_2),
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Bold /Encoding << /Type /Encoding "
    b"/BaseEncoding /WinAnsiEncoding /Differences [128 /Euro 150 /endash] >> >>",
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /ToUnicode 13 0 R >>",
    b"<< /Type /Font /Subtype /Type0 /BaseFont /CanarySans /Encoding /Identity-H "
    b"/DescendantFonts [14 0 R] /ToUnicode 15 0 R >>",
    _stream(
        FORM,
        b"/Type /XObject /Subtype /Form /BBox [0 0 300 100] "
        b"/Resources << /Font << /F2 9 0 R >> >> ",
    ),
    _stream(SIMPLE_CMAP),
    b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /CanarySans /CIDSystemInfo "
    b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 16 0 R "
    b"/DW 500 /W [3 [250] 20 29 556 36 [600 650 700]] >>",
    _stream(CID_CMAP),
    b"<< /Type /FontDescriptor /FontName /CanarySans /Flags 32 /FontBBox [0 -200 1000 900] "
    b"/ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 >>",
)


def canary_pdf() -> bytes:
    """The canary PDF's bytes, with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(OBJECTS, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(OBJECTS) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(OBJECTS) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def problem() -> str | None:
    """What the fast path does differently from plain pypdf on the canary PDF, or None.

    Exceptions from either are raised: a fast path that raises is not to be used.
    """
    for number, data in enumerate(STREAMS, 1):
        # The parser's own fallback to pypdf would hide its failures from the text below.
        plain, fast = ContentStream(None, None, "bytes"), ContentStream(None, None, "bytes")
        plain.set_data(data)
        fast.set_data(data)  # pypdf reads inline images knowing the stream's length
        try:
            operations = pdfparse.parse(fast, data)
        except pdfparse.Fallback:
            return f"the fast parser leaves stream {number} to pypdf"
        if operations != plain.operations:
            return f"the fast parser reads stream {number} differently from pypdf"
    pdf = canary_pdf()
    plain_pages = extraction(pdf)
    with fast_pypdf():
        fast_pages = extraction(pdf)
    for number, (mine, theirs) in enumerate(zip(fast_pages, plain_pages, strict=True), 1):
        if mine != theirs:
            return f"page {number}: {difference(mine[0], theirs[0])}"
    return None


def difference(fast: str, plain: str) -> str:
    """The first line that differs, for the log."""
    for mine, theirs in zip_longest(fast.splitlines(), plain.splitlines(), fillvalue=""):
        if mine != theirs:
            return f"the fast path extracts {mine!r} where pypdf extracts {theirs!r}"
    return "the fast path reports other positions, fonts or sizes than pypdf"


def extraction(pdf: bytes) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Each page's text and what pypdf told the visitor (text, matrices, font, size)."""
    pages = []
    for page in PdfReader(BytesIO(pdf)).pages:
        calls: list[tuple[Any, ...]] = []

        def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
            name = font.get("/BaseFont") if font is not None else None
            calls.append((text, list(cm), list(tm), name, size))  # noqa: B023 - called at once

        pages.append((page.extract_text(visitor_text=visit), calls))
    return pages
