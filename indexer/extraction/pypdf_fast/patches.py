"""Faster stand-ins for pypdf's hottest text-extraction steps, installed while we extract.

Profiled on the UN PDFs, pypdf spent its time parsing content streams (see parse.py)
and, per shown string, in `crlf_space_check` and `get_text_operands`: two 6-element matrix
products each, a copy of the page's whole output text to read its last character, and a
width lookup per character. The versions here compute the same values with the same float
operations (so the same text, positions and exceptions), without those repeats.

`fast_pypdf()` swaps them into pypdf for the duration of a block and restores pypdf's own on
the way out: the naive benchmark baseline, run in the same process, gets plain pypdf. They
give the same results, so another thread using pypdf meanwhile is not affected either.
Whether they still do with the installed pypdf is checked once per process before they are
used (indexer.extraction.pypdf_fast).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import BytesIO
from typing import Any

from pypdf._text_extraction import OrientationNotFoundError
from pypdf._text_extraction import _text_extractor as extractor
from pypdf.generic import ContentStream
from pypdf.generic._font import Font

from indexer.extraction.pypdf_fast import parse as pdfparse

# The places we patch: key -> (owner, attribute).
_TARGETS: dict[str, tuple[Any, str]] = {
    "parse": (ContentStream, "_parse_content_stream"),
    "crlf_space_check": (extractor, "crlf_space_check"),
    "get_text_operands": (extractor, "get_text_operands"),
    "encoding_dict_from_named_encoding": (extractor, "encoding_dict_from_named_encoding"),
    "from_font_resource": (Font, "from_font_resource"),
}
# What pypdf has there, read when the fast path goes in and put back when it goes out (read
# from the class or module itself: a pypdf that moved one raises here, not later).
_ORIGINAL: dict[str, Any] = {}
_LOCK = threading.Lock()
_users = 0
# id(font) -> (font, {character: width}); the font is kept so that its id stays its own.
_widths: dict[int, tuple[Any, dict[str, float]]] = {}
# id(font resource) -> (resource, Font): pypdf builds every font again on every page,
# parsing its ToUnicode CMap each time.
_fonts: dict[int, tuple[Any, Font]] = {}
_encodings: dict[str, dict[int, str]] = {}


@contextmanager
def fast_pypdf() -> Iterator[None]:
    """Within the block pypdf extracts text with the faster parser and helpers."""
    global _users
    with _LOCK:
        if _users == 0:
            _install(True)
        _users += 1
    try:
        yield
    finally:
        with _LOCK:
            _users -= 1
            if _users == 0:
                _install(False)
                _widths.clear()
                _fonts.clear()


def _install(fast: bool) -> None:
    if fast:
        _ORIGINAL.update({key: vars(owner)[name] for key, (owner, name) in _TARGETS.items()})
    replacements = {
        "parse": _parse,
        "crlf_space_check": crlf_space_check,
        "get_text_operands": get_text_operands,
        "encoding_dict_from_named_encoding": _named_encoding,
        "from_font_resource": _font_from_resource,
    }
    for key, (owner, name) in _TARGETS.items():
        setattr(owner, name, replacements[key] if fast else _ORIGINAL[key])


def _named_encoding(encoding: str) -> dict[int, str]:
    """encoding_dict_from_named_encoding (256 decodes; run for every page and form), copied
    from a cache."""
    if encoding not in _encodings:
        _encodings[encoding] = _ORIGINAL["encoding_dict_from_named_encoding"](encoding)
    return dict(_encodings[encoding])


@classmethod  # type: ignore[misc]  # installed on pypdf's Font class as a classmethod
def _font_from_resource(cls: type[Font], pdf_font_dict: Any) -> Font:
    """Font.from_font_resource, once per font resource object of the document.

    Text extraction only reads a Font, apart from setting its space_width to the same
    extract_text argument on every page.
    """
    entry = _fonts.get(id(pdf_font_dict))
    if entry is None or entry[0] is not pdf_font_dict:
        font = _ORIGINAL["from_font_resource"].__get__(None, cls)(pdf_font_dict)
        entry = _fonts[id(pdf_font_dict)] = (pdf_font_dict, font)
    return entry[1]


def _parse(self: ContentStream, stream: Any) -> None:
    """ContentStream._parse_content_stream through pdfparse.parse, else pypdf's own."""
    if isinstance(stream, BytesIO) and not self._operations:
        try:
            self._operations = pdfparse.parse(self, stream.getvalue())
            return
        except Exception:  # noqa: BLE001 - Fallback, or an error pypdf raises again below
            self._operations = []
    _ORIGINAL["parse"](self, stream)


def _orientation(m1: float, m3: float) -> int:
    """pypdf's orient() of a matrix, from its entries 1 and 3."""
    if m3 > 1e-6:
        return 0
    if m3 < -1e-6:
        return 180
    return 90 if m1 > 0 else 270


def crlf_space_check(  # noqa: PLR0913 - pypdf's signature
    text: str,
    cmtm_prev: tuple[list[float], list[float]],
    cmtm_matrix: tuple[list[float], list[float]],
    memo_cmtm: tuple[list[float], list[float]],
    font_resource: Any,
    orientations: tuple[int, ...],
    output: str,
    font_size: float,
    visitor_text: Callable[..., None] | None,
    str_widths: float,
    spacewidth: float,
    str_height: float,
    line_span: tuple[int, float, float] | None,
) -> tuple[str, str, list[float], list[float], tuple[int, float, float] | None]:
    """pypdf._text_extraction.crlf_space_check, same arithmetic, fewer temporaries."""
    cm, tm = cmtm_prev
    # m_prev = mult(tm_prev, cm_prev), m = mult(tm_matrix, cm_matrix), written out.
    p0 = tm[0] * cm[0] + tm[1] * cm[2]
    p1 = tm[0] * cm[1] + tm[1] * cm[3]
    p2 = tm[2] * cm[0] + tm[3] * cm[2]
    p3 = tm[2] * cm[1] + tm[3] * cm[3]
    p4 = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
    p5 = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
    cm_matrix, tm_matrix = cmtm_matrix
    cm, tm = cm_matrix, tm_matrix
    m1 = tm[0] * cm[1] + tm[1] * cm[3]
    m2 = tm[2] * cm[0] + tm[3] * cm[2]
    m3 = tm[2] * cm[1] + tm[3] * cm[3]
    m4 = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
    m5 = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
    orientation = _orientation(m1, m3)
    delta_x = m4 - p4
    delta_y = m5 - p5
    # Computed before the orientation check, as pypdf does (** can raise OverflowError).
    scale_prev_x = math.sqrt(p0**2 + p1**2)
    scale_prev_y = math.sqrt(p2**2 + p3**2)
    scale_y = math.sqrt(m2**2 + m3**2)
    if orientation not in orientations:
        raise OrientationNotFoundError
    if orientation in (0, 180):
        moved_height, moved_width, axis_index, axis = delta_y, delta_x, 5, m5
    else:
        moved_height, moved_width, axis_index, axis = delta_x, delta_y, 4, m4
    if line_span is None or line_span[0] != axis_index:
        distance = abs(moved_height)
    else:
        lower, upper = line_span[1], line_span[2]
        distance = 0.0 if lower <= axis <= upper else min(abs(axis - lower), abs(axis - upper))
    last = text[-1:] or output[-1:]  # (output + text)[-1:] without copying the page's text
    threshold = 0.8 * min(str_height * scale_prev_y, font_size * scale_y)
    if distance > threshold:
        if last not in ("", "\n"):
            output += text + "\n"
            if visitor_text is not None:
                memo_cm, memo_tm = memo_cmtm
                visitor_text(text + "\n", memo_cm, memo_tm, font_resource, font_size)
            text = ""
        line_span = (axis_index, axis, axis)
    else:
        moved_to_other_baseline = abs(moved_height) > threshold
        if (
            moved_to_other_baseline or moved_width >= (spacewidth + str_widths) * scale_prev_x
        ) and last not in ("", " "):
            text += " "
        if last in ("", "\n") or line_span is None or line_span[0] != axis_index:
            line_span = (axis_index, axis, axis)
        else:
            line_span = (axis_index, min(line_span[1], axis), max(line_span[2], axis))
    return text, output, cm_matrix.copy(), tm_matrix.copy(), line_span


def get_text_operands(
    operands: list[Any],
    cm_matrix: list[float],
    tm_matrix: list[float],
    font: Any,
    orientations: tuple[int, ...],
) -> tuple[str, bool, float]:
    """pypdf._text_extraction.get_text_operands with character widths cached per font."""
    text = ""
    is_str_operands = False
    widths = 0.0
    cm, tm = cm_matrix, tm_matrix
    m1 = tm[0] * cm[1] + tm[1] * cm[3]
    m3 = tm[2] * cm[1] + tm[3] * cm[3]
    raw_characters = ""
    if _orientation(m1, m3) in orientations and len(operands) > 0:
        first = operands[0]
        if isinstance(first, str):
            text = first
            is_str_operands = True
        elif isinstance(font.encoding, str):
            try:
                text = first.decode(font.encoding, "surrogatepass")
            except UnicodeDecodeError:
                text = first.decode(font.encoding, "replace")
        else:
            get = font.encoding.get
            text = "".join([get(x, chr(x)) for x in first])
            raw_characters = "".join([chr(byte) for byte in first])
        space_char = font.space_char
        cache = _font_widths(font)
        for char in raw_characters or text:
            if char == space_char:
                widths += font.space_width
            else:
                width = cache.get(char)
                if width is None:
                    width = cache[char] = font.get_text_width(char)
                widths += width
    return text, is_str_operands, widths


def _font_widths(font: Any) -> dict[str, float]:
    """The width cache of one font (its widths do not change once the page's fonts are read)."""
    entry = _widths.get(id(font))
    if entry is None or entry[0] is not font:
        entry = _widths[id(font)] = (font, {})
    return entry[1]
