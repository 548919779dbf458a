"""The same passages and queries in tantivy and SQLite FTS5 (bm25()), for latency ratios."""

from __future__ import annotations

import re
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import tantivy

from indexer.index import generations
from indexer.index.fields import decode_facet_values

Passage = tuple[str, str, str, str, int]  # passage_id, title, text, country, year
WORD = re.compile(r"\w+")
PHRASE = re.compile(r'"([^"]+)"')


def passages(index_dir: Path) -> Iterator[Passage]:
    """Every passage of our index, from its stored fields."""
    with generations.open_current(index_dir).searcher() as searcher:
        for fields in searcher.reader().all_stored_fields():
            country = next(iter(decode_facet_values(fields.get("country"))), "")
            yield (
                fields["passage_id"],
                fields.get("title", ""),
                fields.get("text", ""),
                country,
                int(fields.get("year") or 0),
            )


# ---------------------------------------------------------------- tantivy


def build_tantivy(rows: list[Passage], path: Path) -> tantivy.Index:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("passage_id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("text", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("country", stored=True, tokenizer_name="raw")
    builder.add_integer_field("year", stored=True, indexed=True, fast=True)
    index = tantivy.Index(builder.build(), path=str(path))
    writer = index.writer(heap_size=256_000_000, num_threads=2)
    for pid, title, text, country, year in rows:
        writer.add_document(
            tantivy.Document(passage_id=pid, title=title, text=text, country=country, year=year)
        )
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index


def tantivy_search(index: tantivy.Index) -> Callable[[dict[str, Any]], int]:
    """A function running one benchmark query: top 10 with stored fields, and the total."""
    schema = index.schema

    def run(query: dict[str, Any]) -> int:
        searcher = index.searcher()
        parsed = index.parse_query(query["q"], ["title", "text"])
        clauses = [(tantivy.Occur.Must, parsed)]
        for country in query.get("filters", {}).get("country", []):
            term = tantivy.Query.term_query(schema, "country", country)
            clauses.append((tantivy.Occur.Must, term))
        if "year_from" in query:
            years = tantivy.Query.range_query(
                schema, "year", tantivy.FieldType.Integer, query["year_from"], query["year_to"]
            )
            clauses.append((tantivy.Occur.Must, years))
        result = searcher.search(tantivy.Query.boolean_query(clauses), limit=10, count=True)
        for _, address in result.hits:
            searcher.doc(address)
        return result.count

    return run


# ---------------------------------------------------------------- SQLite FTS5


def build_fts5(rows: list[Passage], path: Path) -> None:
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute(
        "CREATE VIRTUAL TABLE p USING fts5(passage_id UNINDEXED, title, text, "
        "country UNINDEXED, year UNINDEXED, tokenize='porter unicode61')"
    )
    db.executemany("INSERT INTO p VALUES (?, ?, ?, ?, ?)", rows)
    db.execute("INSERT INTO p(p) VALUES ('optimize')")
    db.commit()
    db.close()


def fts5_match(q: str) -> str:
    """Our query text in FTS5 syntax: quoted phrases kept, other words OR'ed."""
    phrases = [f'"{p}"' for p in PHRASE.findall(q)]
    words = [f'"{w}"' for w in WORD.findall(PHRASE.sub(" ", q))]
    return " OR ".join(phrases + words)


def fts5_search(path: Path) -> Callable[[dict[str, Any]], int]:
    """One connection per thread; top 10 by bm25() with stored text, and the total."""
    import threading

    local = threading.local()

    def run(query: dict[str, Any]) -> int:
        db = getattr(local, "db", None)
        if db is None:
            db = local.db = sqlite3.connect(path, check_same_thread=False)
        where, params = "p MATCH ?", [fts5_match(query["q"])]
        countries = query.get("filters", {}).get("country", [])
        if countries:
            where += f" AND country IN ({','.join('?' * len(countries))})"
            params += countries
        if "year_from" in query:
            where += " AND year BETWEEN ? AND ?"
            params += [query["year_from"], query["year_to"]]
        db.execute(
            f"SELECT passage_id, title, text FROM p WHERE {where} ORDER BY bm25(p) LIMIT 10",
            params,
        ).fetchall()
        return db.execute(f"SELECT count(*) FROM p WHERE {where}", params).fetchone()[0]

    return run


def build_all(index_dir: Path, work: Path) -> dict[str, Any]:
    """Export our passages and build both peers; seconds for each."""
    started = time.perf_counter()
    rows = list(passages(index_dir))
    exported = time.perf_counter()
    index = build_tantivy(rows, work / "tantivy")
    built_tantivy = time.perf_counter()
    build_fts5(rows, work / "fts5.sqlite")
    done = time.perf_counter()
    return {
        "passages": len(rows),
        "export_seconds": round(exported - started, 1),
        "tantivy_build_seconds": round(built_tantivy - exported, 1),
        "fts5_build_seconds": round(done - built_tantivy, 1),
        "tantivy": tantivy_search(index),
        "fts5": fts5_search(work / "fts5.sqlite"),
    }
