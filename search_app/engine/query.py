"""The one query parser: user text -> Whoosh queries (all-words tier, any-word tier).

Plain words are AND'ed for the strict tier and OR'ed for the relaxed tier, so that passages
with all the words can be ranked above those with only some. The syntax is Whoosh's:
"phrases", -excluded, OR, NOT, field:value, prefix*, word~ (fuzzy), year:[2005 TO 2009].
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.qparser import (
    AndGroup,
    FuzzyTermPlugin,
    MultifieldParser,
    PlusMinusPlugin,
)
from whoosh.query import Query

from indexer.index.analysis import stem
from indexer.index.schema import NUMERIC_FACETS
from indexer.models import FACETS

TEXT_FIELDS: tuple[str, ...] = ("title", "section", "text")
KEYWORD_FACETS: tuple[str, ...] = tuple(f for f in FACETS if f not in NUMERIC_FACETS)
MAX_EXPANSIONS = 64  # terms a prefix*, wild?card or fuzzy~ word may expand to
FALLBACK_NOTICE = "The query could not be parsed as written ({why}); searched for its words."
_WORD = re.compile(r"\w+")

Resolver = Callable[[str, str], str]


@dataclass(frozen=True)
class ParsedQuery:
    """A user query as Whoosh queries: strict (all words) and relaxed (any word)."""

    text: str
    strict: Query
    relaxed: Query
    notice: str | None = None

    @property
    def tiers(self) -> tuple[Query, ...]:
        """Queries to rank in order: all the words first, then the rest."""
        return (self.strict,) if self.strict == self.relaxed else (self.strict, self.relaxed)


def parse_query(text: str, schema: Schema) -> tuple[Query, str | None]:
    """The Whoosh query matching `text` (any of its words) and a notice if it fell back."""
    parsed = parse(text, schema)
    return parsed.relaxed, parsed.notice


def is_everything(text: str) -> bool:
    """`*` (or `*:*`): every passage, which is browsing, not a query to score."""
    return text.strip() in ("*", "*:*")


def parse(text: str, schema: Schema, resolve: Resolver | None = None) -> ParsedQuery:
    """Parse `text`; never raises: unparseable syntax falls back to the plain words."""
    why = _syntax_problem(text)
    strict = None
    if why is None:
        try:
            strict = _parser(schema).parse(text)
        except Exception:  # Whoosh raises assorted errors on odd input: all mean "fall back"
            why = "syntax error"
    if strict is not None and _has_null(strict):
        strict = _negation_only(text, schema)
        if strict is None:
            why = why or "unusable field or operator"
    if strict is None:
        return _fallback(text, schema, why or "syntax error", resolve)
    if resolve is not None:
        strict = resolve_facets(strict, resolve)
    return ParsedQuery(text, strict, relax(strict))


def _parser(schema: Schema, syntax: bool = True) -> MultifieldParser:
    parser = MultifieldParser(list(TEXT_FIELDS), schema, group=AndGroup)
    if syntax:
        parser.add_plugin(FuzzyTermPlugin())
        # Only at the start of a word: "-nurses" excludes; "IL-6", "0-dimensional" and the
        # dash in "G - quadruplex" do not.
        parser.add_plugin(
            PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+(?=\S)", minusexpr=r"(?<![^\s(])-(?=\S)")
        )
    return parser


def _syntax_problem(text: str) -> str | None:
    """A reason when quotes or parentheses do not pair up (Whoosh would guess silently)."""
    if text.count('"') % 2:
        return "a quote is not closed"
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    return None if depth == 0 else "parentheses do not pair up"


def _has_null(q: Query) -> bool:
    """True when the parser dropped a clause (unknown field, bad number, dangling operator)."""
    if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
        return True
    return any(_has_null(child) for child in q.children())


def _negation_only(text: str, schema: Schema) -> Query | None:
    """`-word -other`: everything except those words (Whoosh alone would match nothing)."""
    tokens = text.split()
    if not tokens or not all(t.startswith("-") and len(t) > 1 for t in tokens):
        return None
    inner = _parser(schema).parse(" OR ".join(t[1:] for t in tokens))
    return None if _has_null(inner) else wq.Not(inner)


def _fallback(text: str, schema: Schema, why: str, resolve: Resolver | None) -> ParsedQuery:
    """Search the plain words of `text`, with no syntax at all."""
    # Lowercase: Whoosh reads upper-case AND/OR/NOT as operators even here ("NOT NOT x"
    # raised IndexError); the analyzer lowercases anyway.
    words = " ".join(_WORD.findall(text)).lower()
    try:
        strict = _parser(schema, syntax=False).parse(words) if words else wq.NullQuery
    except Exception:  # the promise is "never raises": nothing searchable is left
        strict = wq.NullQuery
    if _has_null(strict):
        strict = wq.NullQuery
    notice = FALLBACK_NOTICE.format(why=why)
    return ParsedQuery(text, strict, relax(strict), notice)


def relax(q: Query) -> Query:
    """The any-word version of an all-words query: positive clauses OR'ed, exclusions kept."""
    if isinstance(q, wq.AndNot):
        return wq.AndNot(relax(q.a), q.b)
    if not isinstance(q, wq.And):
        return q
    negatives = [c.query for c in q.subqueries if isinstance(c, wq.Not)]
    positives = [c for c in q.subqueries if not isinstance(c, wq.Not)]
    if len(positives) < 2:
        return q
    core = wq.Or(positives)
    return wq.AndNot(core, wq.Or(negatives)) if negatives else core


def resolve_facets(q: Query, resolve: Resolver) -> Query:
    """Map facet values typed by people (any case, acronyms, full names) to indexed values."""

    def visit(node: Query) -> Query:
        if isinstance(node, wq.Term) and node.fieldname in KEYWORD_FACETS:
            return wq.Term(node.fieldname, resolve(node.fieldname, node.text), boost=node.boost)
        if isinstance(node, wq.Phrase) and node.fieldname in KEYWORD_FACETS:
            return wq.Term(node.fieldname, resolve(node.fieldname, " ".join(node.words)))
        return node

    return q.accept(visit)


def bound_expansions(q: Query, reader, limit: int = MAX_EXPANSIONS) -> Query:
    """Replace prefix*, wild?card and fuzzy~ words by at most `limit` of their commonest terms.

    Prefixes also try the stem of the typed prefix, because the index holds stems:
    `migration*` must find `migrat`, which does not start with `migration`.
    """

    def visit(node: Query) -> Query:
        if not isinstance(node, wq.Prefix | wq.Wildcard | wq.FuzzyTerm):
            return node
        terms = set(_expansions(node, reader))
        if isinstance(node, wq.Prefix) and node.fieldname in TEXT_FIELDS:
            terms.update(reader.expand_prefix(node.fieldname, stem(node.text)))
        ranked = sorted(terms, key=lambda t: -reader.doc_frequency(node.fieldname, t))
        kept = [wq.Term(node.fieldname, t, boost=node.boost) for t in ranked[:limit]]
        return wq.Or(kept) if kept else wq.NullQuery

    return q.accept(visit)


def _expansions(node: Query, reader) -> list[str]:
    """The node's own expansion, cut off early on huge vocabularies."""
    if isinstance(node, wq.FuzzyTerm):
        prefix = max(node.prefixlength, 1)  # keep the automaton off the whole vocabulary
        return list(reader.terms_within(node.fieldname, node.text, node.maxdist, prefix=prefix))
    found = []
    for term in node._btexts(reader):
        found.append(term.decode("utf-8") if isinstance(term, bytes) else term)
        if len(found) >= 20 * MAX_EXPANSIONS:
            break
    return found
