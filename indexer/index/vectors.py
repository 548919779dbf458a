"""Passage embeddings, stored beside a generation's Whoosh segments.

Layout inside a generation folder::

    vectors/000012.f16    rows written with Whoosh commit 12: float16, `dimensions` a row
    vectors/000012.json   their model label, dimensions and row count

A document's passages have consecutive rows of one file, in passage order, and its manifest
record says where (`"vectors": [file number, first row, model label, texts' digest]`). So
a document's vectors follow it through Whoosh's merges and deletions and through runs that
leave it unchanged (its record is kept), and a changed document points at the rows of its
new passages. A document whose vectors are missing or were made by another model (another
label) is processed again by the next run that embeds. A rebuild copies the vectors of
texts the live generation holds already instead of embedding them again. Rows no record
points at any more stay on disk until a rebuild writes a fresh generation.

Vectors are made in the worker that processes the file (`embed_document`, one ONNX thread a
worker), travel with its passages, and are written here by the one indexing process.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from indexer import embedding
from indexer.models import IndexedDocument, Passage, PassageVectors

FOLDER = "vectors"
# In a manifest record: [file number, first row, model label, digest of the texts embedded].
RECORD_KEY = "vectors"
ENV = "REPORT_SEARCH_EMBED"  # 0: index without embeddings unless told (tests, quick runs)
_SHARD = re.compile(r"([0-9]+)\.f16")


def wanted(explicit: bool | None = None) -> bool:
    """Whether a run embeds: --embed/--no-embed, else REPORT_SEARCH_EMBED (default on)."""
    if explicit is not None:
        return explicit
    return os.environ.get(ENV, "1").strip() != "0"


def current_label() -> str | None:
    """The label of the model this process would embed with; None when there is none."""
    model = embedding.encoder(threads=1)
    return model.label if model is not None else None


def embedding_text(indexed: IndexedDocument, passage: Passage) -> str:
    """What is embedded of a passage: the document's title, then the passage's text (the
    model reads the first 128 word pieces)."""
    title = indexed.title.strip()
    return f"{title}. {passage.text}" if title else passage.text


def texts_digest(texts: list[str]) -> str:
    """Names the texts a document's vectors were made of (a vector is a function of its
    text alone, so equal digests mean equal vectors)."""
    return hashlib.sha256("\n\0".join(texts).encode("utf-8", "replace")).hexdigest()[:32]


def embed_document(indexed: IndexedDocument, known: str = "") -> IndexedDocument:
    """In a worker: the document with its passages' vectors (as it was without a model).
    When its texts' digest is `known` (the index holds their vectors: a rebuild, or a file
    whose metadata alone changed) nothing is encoded and the writer copies them over."""
    model = embedding.encoder(threads=1)
    if model is None or not indexed.passages:
        return indexed
    texts = [embedding_text(indexed, p) for p in indexed.passages]
    digest = texts_digest(texts)
    if known and digest == known:
        return replace(indexed, vectors=PassageVectors(model.label, None, digest))
    array = model.encode(texts).astype(np.float16)
    return replace(indexed, vectors=PassageVectors(model.label, array, digest))


def location(record: dict[str, Any], label: str | None) -> tuple[int, int] | None:
    """(file number, first row) of a manifest record's vectors made by the model `label`."""
    where = record.get(RECORD_KEY)
    if not isinstance(where, list) or len(where) < 3 or where[2] != label:
        return None
    return int(where[0]), int(where[1])


def known_digest(record: dict[str, Any] | None, label: str | None) -> str:
    """The digest of the texts a record's vectors (of model `label`) were made of, or ""."""
    if not record or location(record, label) is None:
        return ""
    where = record[RECORD_KEY]
    return str(where[3]) if len(where) > 3 else ""


class Previous:
    """The vectors a generation holds already, to copy into the one being written."""

    def __init__(self, generation: Path | None, manifest: dict[str, dict[str, Any]]) -> None:
        self.generation = generation
        self.manifest = manifest
        self._shards: dict[int, Shard] | None = None

    def rows(self, document_id: str, vectors: PassageVectors, count: int) -> np.ndarray | None:
        """The document's `count` rows, if they were made by the same model of the same texts."""
        record = self.manifest.get(document_id)
        found = location(record, vectors.label) if record else None
        if found is None or self.generation is None:
            return None
        if known_digest(record, vectors.label) != vectors.digest:
            return None
        if self._shards is None:
            self._shards = open_shards(self.generation)
        shard = self._shards.get(found[0])
        if shard is None or found[1] + count > len(shard.array):
            return None
        return np.array(shard.array[found[1] : found[1] + count])


def has_vectors(record: dict[str, Any], label: str) -> bool:
    """Whether a manifest record's document has vectors made by the model `label`."""
    return location(record, label) is not None


class ShardWriter:
    """The vectors one commit adds: appended to a temporary file, published by `close`
    before the commit (a file no manifest points at is harmless; `discard_uncommitted`
    removes those of commits that never happened)."""

    def __init__(self, generation: Path, commit: int, previous: Previous | None = None) -> None:
        self.folder = generation / FOLDER
        self.number = commit
        self.previous = previous
        self.copied = 0  # rows copied from `previous` rather than made by a worker
        self.rows = 0
        self.label = ""
        self.dimensions = 0
        self._handle: Any = None

    def add(self, document_id: str, vectors: PassageVectors | None, count: int) -> list[Any] | None:
        """Write one document's `count` vectors (made by a worker, or copied from the
        previous generation's); what its manifest record keeps (None: no vectors). A shard
        holds one model's vectors: another label's are not written."""
        if vectors is None or (self.label and vectors.label != self.label):
            return None
        array = vectors.array
        if array is None:
            array = self.previous.rows(document_id, vectors, count) if self.previous else None
            if array is None:
                return None
            self.copied += len(array)
        array = np.ascontiguousarray(array, dtype=np.float16)
        if self._handle is None:
            self.folder.mkdir(exist_ok=True)
            self._handle = open(self._path(".f16.tmp"), "wb")  # noqa: SIM115 - closed in close()
            self.label, self.dimensions = vectors.label, array.shape[1]
        self._handle.write(array.tobytes())
        where = [self.number, self.rows, self.label, vectors.digest]
        self.rows += len(array)
        return where

    def close(self) -> None:
        """Publish the file (call before the commit that makes records point at it)."""
        if self._handle is None:
            return
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        self._handle = None
        info = {"label": self.label, "dimensions": self.dimensions, "rows": self.rows}
        self._path(".json").write_text(json.dumps(info), "utf-8")
        os.replace(self._path(".f16.tmp"), self._path(".f16"))

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        self._path(".f16.tmp").unlink(missing_ok=True)

    def _path(self, suffix: str) -> Path:
        return self.folder / f"{self.number:06d}{suffix}"


def discard_uncommitted(generation: Path, latest: int) -> None:
    """Remove half-written files and the files of commits after `latest` (never made)."""
    folder = generation / FOLDER
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        number = path.name.split(".", 1)[0]
        if path.name.endswith(".tmp") or (number.isdigit() and int(number) > latest):
            path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Shard:
    """One published file of vectors, memory-mapped."""

    number: int
    label: str
    array: np.ndarray  # float16 (rows, dimensions), a read-only memory map


def open_shards(generation: Path) -> dict[int, Shard]:
    """The generation's published vector files, by number."""
    folder = generation / FOLDER
    shards: dict[int, Shard] = {}
    if not folder.is_dir():
        return shards
    for path in folder.iterdir():
        match = _SHARD.fullmatch(path.name)
        if not match:
            continue
        try:
            info = json.loads(path.with_suffix(".json").read_text("utf-8"))
            shape = (int(info["rows"]), int(info["dimensions"]))
            array = np.memmap(path, dtype=np.float16, mode="r", shape=shape)
        except (OSError, ValueError, KeyError):
            continue  # a torn or foreign file: its documents read as not embedded
        shards[int(match[1])] = Shard(int(match[1]), str(info["label"]), array)
    return shards


def embedded_passages(manifest: dict[str, dict[str, Any]], label: str | None = None) -> int:
    """How many passages of searchable documents have vectors (of model `label`, if given)."""
    count = 0
    for record in manifest.values():
        where = record.get(RECORD_KEY)
        if where and not record.get("duplicate_of") and (label is None or where[2] == label):
            count += int(record.get("passages") or 0)
    return count
