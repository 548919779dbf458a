"""A faster tokenizer for PDF content streams that builds what pypdf's parser builds.

pypdf parses a content stream one byte at a time through a BytesIO: a third of the time of
our PDF extraction. `parse` reads the common tokens (numbers, names, plain and hex strings,
arrays of those, operators) with regular expressions and hands everything else
(dictionaries, escaped strings, inline images) to pypdf's own readers, so the operations and
their objects are the same as pypdf's. A stream it is not sure of (comments, stray bytes, an
`n m R` reference, a parsing budget near its limit) raises `Fallback`: pypdf parses it.
`patches.fast_pypdf` installs it into pypdf while we extract.
"""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    ContentStream,
    FloatObject,
    NameObject,
    NullObject,
    NumberObject,
    read_object,
)
from pypdf.generic._image_inline import read_inline_image
from pypdf.generic._utils import StreamParsingBudget, create_string_object

# pypdf's WHITESPACES between tokens, and inside arrays also what bytes.isspace() accepts.
_WS = rb"[\x00\t\n\f\r ]*"
_ARRAY_WS = rb"[\x00\t\n\x0b\f\r ]*"
# A token, as pypdf reads it: numbers run over [+,-.0-9] (NumberObject.NumberPattern), names
# and operators run to NameObject.delimiter_pattern.
_ALTERNATIVES = (
    rb"(?:(?P<num>[0-9+\-.][0-9+,\-.]*)"
    rb"|(?P<name>/[^\s()<>\[\]{}/%]*)"
    rb"|\((?P<str>[^()\\]*)\)"
    rb"|<(?P<hex>[0-9A-Fa-f\x00\t\n\f\r ]*)>"
    # Escaped or nested strings and dictionaries: read by pypdf's own readers.
    rb"|(?P<lit>\()|(?P<lt><)"
)
# Any: Pattern.scanner() (a CPython API typeshed does not list) walks the tokens.
_TOKEN: Any = re.compile(
    _WS
    + _ALTERNATIVES
    + rb"|(?P<op>[A-Za-z'\"][^\s()<>\[\]{}/%]*)|(?P<open>\[)|(?P<end>\Z)|(?P<other>.))",
    re.DOTALL,
)
_ITEM: Any = re.compile(
    _ARRAY_WS + _ALTERNATIVES + rb"|(?P<close>\])|(?P<null>null)|(?P<other>.|\Z))", re.DOTALL
)
# pypdf reads `12 0 R` in a content stream as a reference and fails (no document is passed):
# leave such streams to pypdf.
_INDIRECT = re.compile(rb"\d\s+\d+\s+R[^a-zA-Z]")
_HEX_SPACE = b"\x00\t\n\f\r "
# Lengths below pypdf's read limits (operator 128, name 4096, number peek 20 bytes): longer
# tokens go to pypdf, which raises where it must.
_MAX_OPERATOR, _MAX_NAME, _MAX_NUMBER = 100, 4000, 19
_MAX_ARRAY = 100_000


class Fallback(Exception):
    """This stream is left to pypdf's own parser."""


# Group numbers of _TOKEN and _ITEM (their alternatives share the first six).
NUM, NAME, STR, HEX, LIT, LT = 1, 2, 3, 4, 5, 6
OP, OPEN, END, OTHER = 7, 8, 9, 10
CLOSE, NULL, ITEM_OTHER = 7, 8, 9


def parse(content: ContentStream, data: bytes) -> list[tuple[Any, bytes]]:
    """The operations of a content stream, as pypdf builds them; raises Fallback when
    pypdf should parse it itself."""
    if _INDIRECT.search(data):
        raise Fallback
    reader = _Reader(data, content.forced_encoding)
    budget = reader.budget
    operations: list[tuple[Any, bytes]] = []
    operands: list[Any] = []
    scanner = _TOKEN.scanner(data)
    value_of, numbers = reader.value, reader.numbers
    while True:
        m = scanner.match()
        kind = m.lastindex
        if kind == OP:
            operator = m[OP]
            if len(operator) > _MAX_OPERATOR or operator == b"R":
                raise Fallback
            budget.remaining_budget -= 2 if operator == b"BI" else 1
            if budget.remaining_budget < 0:
                raise Fallback
            if operator == b"BI":
                if operands:
                    raise Fallback
                stream = reader.at(m.end())
                image = read_inline_image(
                    content_stream=content, stream=stream, parsing_budget=budget
                )
                operations.append((image, b"INLINE IMAGE"))
                scanner = _TOKEN.scanner(data, stream.tell())
            else:
                operations.append((operands, operator))
                operands = []
            continue
        if kind == END:
            return operations
        if kind == OTHER:
            raise Fallback  # a comment, or a byte pypdf fails on
        budget.remaining_budget -= 1
        if budget.remaining_budget < 0:
            raise Fallback
        if kind == NUM and (value := numbers.get(m[NUM])) is not None:
            operands.append(value)
            continue
        value, pos = reader.array(m.end() - 1) if kind == OPEN else value_of(m, kind)
        if pos != m.end():
            scanner = _TOKEN.scanner(data, pos)
        operands.append(value)


class _Reader:
    """Objects of one content stream: the common ones here, the others by pypdf's readers."""

    def __init__(self, data: bytes, encoding: Any) -> None:
        from pypdf._configuration import get_configuration

        self.data, self.encoding = data, encoding
        self.budget = StreamParsingBudget(
            remaining_budget=get_configuration().stream_parsing_work_maximum_count
        )
        # What create_string_object(raw, encoding) returns, made directly in the usual case.
        self.string = ByteStringObject if encoding == "bytes" else self._string
        self._stream: BytesIO | None = None
        self.numbers: dict[bytes, Any] = {}  # NumberObject or FloatObject

    def _string(self, raw: bytes) -> Any:
        return create_string_object(raw, self.encoding)

    def at(self, pos: int) -> BytesIO:
        """pypdf's view of the stream, positioned at `pos`."""
        if self._stream is None:
            self._stream = BytesIO(self.data)
        self._stream.seek(pos)
        return self._stream

    def number(self, raw: bytes) -> NumberObject | FloatObject | None:
        """NumberObject(raw) or FloatObject(raw) as pypdf makes them; None if too long.

        Numbers repeat (kerning, positions), and the objects are immutable: one per value.
        """
        value = self.numbers.get(raw)
        if value is None and len(raw) <= _MAX_NUMBER:
            value = self.numbers[raw] = _number(raw)
        return value

    def value(self, m: re.Match[bytes], kind: int) -> tuple[Any, int]:
        """The object of a number, name or string token and the position after it."""
        raw = m[kind]
        if kind == NUM:
            value = self.number(raw)
            if value is not None:
                return value, m.end()
        elif kind == STR:
            return self.string(raw), m.end()
        elif kind == NAME and len(raw) <= _MAX_NAME and b"#" not in raw and raw.isascii():
            return NameObject(raw.decode("ascii")), m.end()
        elif kind == HEX:
            digits = raw.translate(None, _HEX_SPACE)
            if len(digits) % 2:
                digits += b"0"
            return self.string(bytes.fromhex(digits.decode())), m.end()
        # Escaped strings, dictionaries, long numbers, names with # escapes: pypdf reads them.
        stream = self.at(m.start(kind))
        read = read_object(stream, None, self.encoding, parsing_budget=self.budget)
        return read, stream.tell()

    def array(self, start: int) -> tuple[ArrayObject, int]:
        """The array opening at `start` and the position after it."""
        budget = self.budget
        before = budget.remaining_budget
        array = ArrayObject()
        append = array.append
        numbers, string = self.numbers, self.string
        scanner = _ITEM.scanner(self.data, start + 1)
        while True:
            m = scanner.match()
            kind = m.lastindex
            if kind == CLOSE:
                return array, m.end()
            budget.remaining_budget -= 1
            if kind == NUM and (value := numbers.get(m[NUM])) is not None:
                append(value)
            elif kind == STR:
                append(string(m[STR]))
            elif kind == NULL:
                append(NullObject())
            elif kind == ITEM_OTHER or budget.remaining_budget < 0 or len(array) >= _MAX_ARRAY:
                # Comments, nested arrays, limits: pypdf reads the whole array from its start.
                budget.remaining_budget = before
                stream = self.at(start)
                array = ArrayObject.read_from_stream(
                    stream, None, self.encoding, parsing_budget=budget
                )
                return array, stream.tell()
            else:
                value, pos = self.value(m, kind)
                append(value)
                if pos != m.end():
                    scanner = _ITEM.scanner(self.data, pos)


def _number(raw: bytes) -> NumberObject | FloatObject:
    """NumberObject(raw) or FloatObject(raw), as pypdf's read_object makes them."""
    try:
        if b"." in raw:
            return float.__new__(FloatObject, float(raw))
        return int.__new__(NumberObject, int(raw))
    except ValueError:  # malformed ("1-2"): pypdf's constructors warn and give 0
        return FloatObject(raw) if b"." in raw else NumberObject(raw)
