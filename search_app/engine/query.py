"""The one query parser: user text -> a ParsedQuery that matching, ranking, counting and
the page's notices all read.

A passage matches when it holds all the words (after stopwords and stemming) and every field
clause. Plain words typed with no operator may also be met by passages holding only some of
them: those come after, in a block of their own (`ParsedQuery.some`). The syntax is Whoosh's:
"phrases", -excluded, +required, AND, OR, NOT, parentheses, field:value, prefix*, word~
(fuzzy), year:[2005 TO 2009]; AND binds tighter than OR. Field clauses, acronyms and names are
read first (query_text.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from fnmatch import translate
from itertools import islice

from rapidfuzz.distance import OSA
from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.qparser import (
    AndGroup,
    FuzzyTermPlugin,
    MultifieldParser,
    PlusMinusPlugin,
)
from whoosh.query import Query

from indexer.index.analysis import acronyms, analyze, stem
from indexer.index.schema import NUMERIC_FACETS
from indexer.models import FACETS
from search_app.engine.limits import (
    MAX_EXPANSIONS,
    MAX_FUZZY_CHARS,
    MAX_FUZZY_DISTANCE,
    MAX_QUERY_EXPANSIONS,
    MAX_SCANNED_TERMS,
    MAX_SLOP,
    MIN_SCANNED_TERMS,
    check_deadline,
    check_length,
    check_terms,
)
from search_app.engine.nearby import segment_terms_within
from search_app.engine.query_text import (
    Clause,
    Expansion,
    has_operators,
    split_clauses,
    widen_names,
    without_question_marks,
)
from search_app.engine.verbose import key_words, reads_as_text

TEXT_FIELDS: tuple[str, ...] = ("title", "section", "text")
KEYWORD_FACETS: tuple[str, ...] = tuple(f for f in FACETS if f not in NUMERIC_FACETS)
# Words that stand for several index terms: expanded by bound_expansions, within limits.
EXPANDING = (wq.Prefix, wq.Wildcard, wq.FuzzyTerm, wq.TermRange)
FALLBACK_NOTICE = "The query could not be parsed as written ({why}); searched for its words."
COMMON_ONLY = "These words are too common to be searched on their own; add a more telling word."
UNREADABLE_CLAUSE = (
    "Nothing can match {clauses}: the value is not one the field holds (a year is four "
    "digits, a range is written [2005 TO 2009])."
)
WILDCARD_NOTICE = (
    "Left out {words}: a word cannot start with * or ? (it would read every word in the "
    "index); put at least one letter first, for example migra*."
)
_WORD = re.compile(r"\w+")

Resolver = Callable[[str, str], str]
# A field clause that cannot be read: it restricts, so it matches nothing rather than all.
_NOTHING = wq.Term("passage_id", "\x00no passage\x00")


@dataclass(frozen=True)
class ParsedQuery:
    """A user query, understood: its words with their operators, its field clauses, whether
    passages with only some of the words may follow, and what the page should say about it.

    Matches hold all the words (`strict`); field clauses always restrict, AND'ed with the
    words. Plain words with no typed operator are `relaxable`: passages holding some of
    them (`some`) follow in their own block, never counted with the matches.
    """

    text: str
    words: Query
    clauses: tuple[Query, ...] = ()
    relaxable: bool = False
    notice: str | None = None
    verbose: bool = False
    expansions: tuple[Expansion, ...] = ()

    @property
    def strict(self) -> Query:
        """What a passage must hold: all the words and every field clause."""
        return _and(self.words, self.clauses)

    @property
    def some(self) -> Query | None:
        """Passages holding some of the words (and every field clause), or None."""
        if not self.relaxable:
            return None
        looser = relax(self.words)
        return None if looser == self.words else _and(looser, self.clauses)

    @property
    def relaxed(self) -> Query:
        """Any of the words, with the clauses: what scores and highlights a passage."""
        return self.some or self.strict

    @property
    def tiers(self) -> tuple[Query, ...]:
        """Queries to rank in order: all the words, then some of them."""
        some = self.some
        return (self.strict,) if some is None else (self.strict, some)


def _and(words: Query, clauses: tuple[Query, ...]) -> Query:
    parts = [q for q in (words, *clauses) if q is not wq.NullQuery]
    if not clauses:
        return words
    return parts[0] if len(parts) == 1 else wq.And(parts)


def parse_query(text: str, schema: Schema) -> tuple[Query, str | None]:
    """The Whoosh query matching `text` (any of its words) and a notice if it fell back."""
    parsed = parse(text, schema)
    return parsed.relaxed, parsed.notice


def is_everything(text: str) -> bool:
    """`*` (or `*:*`): every passage, which is browsing, not a query to score."""
    return text.strip() in ("*", "*:*")


def parse(text: str, schema: Schema, resolve: Resolver | None = None, reader=None) -> ParsedQuery:
    """Understand `text`: field clauses taken out and AND'ed, names widened, the words parsed
    (unparseable syntax falls back to the plain words; long prose is read as its key words,
    verbose.py, the rarest in `reader`'s index when given).

    Raises BadRequest (400) only for a query beyond limits.py: too long, or too many terms.
    Words starting with a wildcard are left out, with a notice.
    """
    check_length(text)
    words_text, clause_list = split_clauses(without_question_marks(text))
    clauses, clause_notice = _clauses(clause_list, schema, resolve)
    if reads_as_text(words_text):
        words = key_words(words_text, TEXT_FIELDS, reader)
        parsed = ParsedQuery(text, words, clauses, notice=clause_notice, verbose=True)
    else:
        parsed = _words(text, words_text, schema, clauses, clause_notice)
    check_terms(count_terms(parsed.strict))
    return parsed


def _words(
    text: str, words_text: str, schema: Schema, clauses: tuple[Query, ...], notice: str | None
) -> ParsedQuery:
    """The words part of a query (no field clauses) parsed with its operators."""
    if not words_text.strip():
        return ParsedQuery(text, wq.NullQuery, clauses, notice=notice)
    relaxable = not has_operators(words_text)
    widened, expansions = widen_names(words_text)
    why = _syntax_problem(words_text)
    words = None
    if why is None:
        try:
            words = _parser(schema).parse(widened)
        except Exception:  # Whoosh raises assorted errors on odd input: all mean "fall back"
            why = "syntax error"
    if words is not None and _has_null(words):
        words = _negation_only(words_text, schema)
        if words is None and not analyze(" ".join(_WORD.findall(words_text))):
            return ParsedQuery(text, wq.NullQuery, clauses, notice=_joined(notice, COMMON_ONLY))
        if words is None:
            why = why or "unusable operator"
    if words is None:
        words, fallback = _fallback(words_text, schema, why or "syntax error")
        return ParsedQuery(text, words, clauses, relaxable, _joined(notice, fallback))
    words, wild = _without_leading_wildcards(words)
    return ParsedQuery(text, words, clauses, relaxable, _joined(notice, wild), False, expansions)


def _clauses(
    clauses: tuple[Clause, ...], schema: Schema, resolve: Resolver | None
) -> tuple[tuple[Query, ...], str | None]:
    """Each field clause as a Whoosh query; one that cannot be read matches nothing (it
    restricts, so it may not widen the results), and the notice names it."""
    queries: list[Query] = []
    unreadable: list[str] = []
    for clause in clauses:
        try:
            q = _parser(schema).parse(clause.text)
        except Exception:  # Whoosh raises assorted errors on odd input
            q = wq.NullQuery
        if _has_null(q) or not any(leaf.field() == clause.field for leaf in q.leaves()):
            unreadable.append(clause.text)
            q = wq.NullQuery
        elif resolve is not None:
            q = resolve_facets(q, resolve)
        if q is wq.NullQuery:
            queries.append(_NOTHING)
            continue
        queries.append(wq.Not(q) if clause.negated else q)
    if not unreadable:
        return tuple(queries), None
    return tuple(queries), UNREADABLE_CLAUSE.format(clauses=", ".join(unreadable))


def _joined(*notices: str | None) -> str | None:
    return " ".join(n for n in notices if n) or None


def count_terms(q: Query) -> int:
    """Terms a query looks up before expansion: one per term or expanding word, one per word
    of a phrase."""
    return sum(len(leaf.words) if isinstance(leaf, wq.Phrase) else 1 for leaf in q.leaves())


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


def _without_leading_wildcards(q: Query) -> tuple[Query, str | None]:
    """`q` without its `*ing`, `?urses` words, and a notice naming them; they would read the
    whole vocabulary (a 400 would refuse the rest of the query with them)."""
    wild = [leaf for leaf in q.leaves() if isinstance(leaf, wq.Wildcard) and not _literal(leaf)]
    if not wild:
        return q, None
    words = dict.fromkeys(repr(leaf.text) for leaf in wild)  # once each, in order
    kept = q.accept(lambda node: wq.NullQuery if node in wild else node).normalize()
    return kept, WILDCARD_NOTICE.format(words=", ".join(words))


def _literal(node: wq.Wildcard) -> str:
    """The part of `wild?card*` before its first wildcard ("" when it starts with one)."""
    return re.split(r"[*?]", node.text, maxsplit=1)[0]


def _fallback(text: str, schema: Schema, why: str) -> tuple[Query, str]:
    """The plain words of `text`, with no syntax at all, and the notice saying so."""
    # Lowercase, except kept acronyms: Whoosh reads upper-case AND/OR/NOT as operators even
    # here ("NOT NOT x" raised IndexError); the analyzer lowercases anyway.
    words = " ".join(w if w in acronyms() else w.lower() for w in _WORD.findall(text))
    try:
        q = _parser(schema, syntax=False).parse(words) if words else wq.NullQuery
    except Exception:  # the promise is "never raises": nothing searchable is left
        q = wq.NullQuery
    if _has_null(q):
        q = wq.NullQuery
    return q, FALLBACK_NOTICE.format(why=why)


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
    """`q` at a bounded cost: its prefix*, wild?card, fuzzy~ and [range] words replaced by
    their commonest index terms, phrase slop and fuzzy distances clamped (limits.py).

    Each expanding word keeps at most `limit` terms, and all of them together
    MAX_QUERY_EXPANSIONS; they look through MAX_SCANNED_TERMS index terms between them.
    Prefixes also try the stem of the typed prefix, because the index holds stems:
    `migration*` must find `migrat`, which does not start with `migration`.
    """
    expanding = sum(1 for leaf in q.leaves() if isinstance(leaf, EXPANDING))
    keep = max(1, min(limit, MAX_QUERY_EXPANSIONS // max(1, expanding)))
    scan = max(MIN_SCANNED_TERMS, MAX_SCANNED_TERMS // max(1, expanding))

    def visit(node: Query) -> Query:
        if isinstance(node, wq.Phrase) and node.slop > MAX_SLOP:
            return wq.Phrase(node.fieldname, node.words, MAX_SLOP, node.boost, node.char_ranges)
        if not isinstance(node, EXPANDING):
            return node
        check_deadline()
        # The commonest `keep` of the first matches (their frequencies cost a lookup each).
        wanted = 10 * keep
        terms = set(_expansions(node, reader, scan, wanted))
        if isinstance(node, wq.Prefix) and node.fieldname in TEXT_FIELDS:
            stems = reader.expand_prefix(node.fieldname, stem(node.text))
            terms.update(_texts(stems, min(scan, wanted)))
        frequency = {t: reader.doc_frequency(node.fieldname, t) for t in terms}
        ranked = sorted(terms, key=lambda t: (-frequency[t], t))
        kept = [wq.Term(node.fieldname, t, boost=node.boost) for t in ranked[:keep]]
        return wq.Or(kept) if kept else wq.NullQuery

    return q.accept(visit)


def bound_tiers(parsed: ParsedQuery, reader) -> ParsedQuery:
    """`parsed` with its words and clauses through bound_expansions, each word once."""
    return replace(
        parsed,
        words=bound_expansions(parsed.words, reader),
        clauses=tuple(bound_expansions(c, reader) for c in parsed.clauses),
    )


def _expansions(node: Query, reader, scan: int, wanted: int) -> list[str]:
    """The first `wanted` terms the node matches among the first `scan` it looks at."""
    if isinstance(node, wq.FuzzyTerm):
        prefix = max(node.prefixlength, 1)  # typos seldom change the first letter
        most = min(node.maxdist, MAX_FUZZY_DISTANCE)
        # Whoosh's automaton counts a transposition ("migartion") as two edits, people as one:
        # look one edit further, keep what is within `most` edits counting transpositions.
        wider = terms_within(reader, node.fieldname, node.text, most + 1, prefix, 4 * wanted)
        return [t for t in wider if OSA.distance(node.text, t) <= most][:wanted]
    if isinstance(node, wq.Wildcard):
        return _wildcard(node, reader, scan)[:wanted]
    if isinstance(node, wq.Prefix):
        return _texts(reader.expand_prefix(node.fieldname, node.text), min(scan, wanted))
    terms = (text for _, text in node.expanded_terms(reader))  # a range: its terms in order
    return _texts(terms, min(scan, wanted))


def _wildcard(node: wq.Wildcard, reader, scan: int) -> list[str]:
    """Terms matching `wild?card*` among the first `scan` starting with its literal part."""
    literal = _literal(node)
    if not literal:  # parse() leaves these out: they would read the whole vocabulary
        return []
    pattern = re.compile(translate(node.text))
    candidates = _texts(reader.expand_prefix(node.fieldname, literal), scan)
    return [term for term in candidates if pattern.match(term)]


def terms_within(reader, field: str, text: str, most: int, prefix: int, count: int) -> list[str]:
    """Up to `count` index terms within `most` edits of `text` that share its first `prefix`
    letters; the distance is clamped to MAX_FUZZY_DISTANCE, and a word longer than
    MAX_FUZZY_CHARS is only itself (Whoosh's automaton grows with both)."""
    most = min(most, MAX_FUZZY_DISTANCE)
    if len(text) > MAX_FUZZY_CHARS:
        return [text]
    # Segment by segment, in the order and with the cut Whoosh's own segment readers give.
    found: dict[str, None] = {}
    for leaf, _ in reader.leaf_readers():
        check_deadline()
        found.update(dict.fromkeys(segment_terms_within(leaf, field, text, most, prefix)[:count]))
        if len(found) >= count:
            break
    return list(found)[:count]


def _texts(terms: Iterable, count: int) -> list[str]:
    """The first `count` terms as strings, checking the request's deadline on the way."""
    found = []
    for term in islice(terms, count):
        found.append(term.decode("utf-8") if isinstance(term, bytes) else term)
        if len(found) % 1024 == 0:
            check_deadline()
    return found
