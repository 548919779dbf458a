"""Copies of one report: the same text in another format, or near-identical documents.

Every indexed document gets a signature: a hash of its words (the same text as .txt and as
.pdf has the same words, whatever the layout) and a MinHash of its 5-word shingles, which
estimates how much of two texts is shared. Documents with the same words, or sharing at
least SIMILARITY of their shingles, form a group; one of them, the representative, is
searched and shown, the others are listed with it ("also as PDF"). Documents whose symbols
differ are never grouped: a report and its addendum can be almost the same text.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from datasketch import MinHash, MinHashLSH

from indexer.index.generations import load_json, save_json
from indexer.models import IndexedDocument

SIGNATURES = "signatures.json"  # beside the manifest: only the indexer reads it
NUM_PERM = 128
SCHEME = "affine32"  # datasketch 2 asks for it by name to rebuild a MinHash from its values
SHINGLE_WORDS = 5
SIMILARITY = 0.9  # estimated Jaccard similarity of shingle sets
# LSH finds a pair at its own threshold only about half the time: ask it for pairs well
# below SIMILARITY, then keep those whose estimate reaches it.
CANDIDATES = 0.7
# Below this many words a match says little: scanned documents indexed without OCR can
# share their few words (a masthead) with each other, or be empty alike.
MIN_WORDS = 50
# Which copy is searched and shown: a PDF with its own text layer first, because its pages
# are what a citation gives; then plain text, Markdown and HTML (no pages); a copy read by
# OCR last of all.
FORMAT_RANK = {"pdf": 0, "text": 1, "markdown": 1, "html": 2}

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Group:
    """Documents that are one report: the representative and its copies."""

    representative: str
    copies: tuple[str, ...]
    same_text: bool  # every copy has exactly the representative's words
    similarity: float  # the lowest estimated similarity of a copy to the representative

    def to_dict(self) -> dict[str, Any]:
        return {
            "representative": self.representative,
            "copies": list(self.copies),
            "same_text": self.same_text,
            "similarity": self.similarity,
        }


def signature(indexed: IndexedDocument) -> dict[str, Any]:
    """A document's words hash, word count and MinHash, as JSON-ready values."""
    words = _WORD.findall(" ".join(p.text for p in indexed.passages).casefold())
    digest = hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()
    minhash = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME, hashfunc=int)
    minhash.update_batch(shingle_hashes(words))
    values = base64.b64encode(minhash.hashvalues.astype("<u4").tobytes()).decode("ascii")
    return {"text_hash": digest, "words": len(words), "minhash": values}


def shingle_hashes(words: list[str]) -> list[int]:
    """The 32-bit hash of each distinct shingle (SHINGLE_WORDS words from each word on, fewer
    at the end), as MinHash's default hash function gives it (datasketch's sha1_hash32: the
    first 4 bytes of its SHA-1, little-endian), made in one pass instead of a call a shingle.
    """
    tails = [words[i:] for i in range(max(0, len(words) - SHINGLE_WORDS + 1), len(words))]
    runs = zip(*(words[k:] for k in range(SHINGLE_WORDS)), strict=False)
    shingles = set(map(" ".join, runs)) | set(map(" ".join, tails))
    sha1 = hashlib.sha1
    first = b"".join([sha1(s.encode("utf-8")).digest()[:4] for s in shingles])
    return np.frombuffer(first, dtype="<u4").tolist()


def load_signatures(generation: Path) -> dict[str, dict[str, Any]]:
    return load_json(generation / SIGNATURES, {})


def save_signatures(generation: Path, signatures: Mapping[str, dict[str, Any]]) -> None:
    save_json(generation / SIGNATURES, dict(signatures))


def find_groups(
    signatures: Mapping[str, dict[str, Any]], records: Mapping[str, Mapping[str, Any]]
) -> list[Group]:
    """Groups of two or more documents among those with a signature and a manifest record."""
    ids = sorted(d for d in signatures if d in records)
    minhashes = {d: _minhash(signatures[d]) for d in ids}
    parent = {d: d for d in ids}
    for a, b in _candidate_pairs(ids, signatures, minhashes):
        if _compatible(records[a], records[b]):
            parent[_root(parent, a)] = _root(parent, b)
    members: dict[str, list[str]] = {}
    for d in ids:
        members.setdefault(_root(parent, d), []).append(d)
    groups = [
        _group(sorted(m, key=lambda d: _rank(d, records[d])), signatures, minhashes)
        for m in members.values()
        if len(m) > 1
    ]
    return sorted(groups, key=lambda g: g.representative)


def apply_groups(records: dict[str, dict[str, Any]], groups: Iterable[Group]) -> None:
    """Write each document's place in its group into its manifest record (and clear stale
    ones): `copies` on representatives, `duplicate_of` on copies."""
    for record in records.values():
        record.pop("copies", None)
        record.pop("duplicate_of", None)
    for group in groups:
        records[group.representative]["copies"] = list(group.copies)
        for copy in group.copies:
            records[copy]["duplicate_of"] = group.representative


def groups_of(records: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The groups recorded in a manifest, as plain dicts (for stats)."""
    return [
        {"representative": d, "copies": list(r["copies"])}
        for d, r in sorted(records.items())
        if r.get("copies")
    ]


def _candidate_pairs(
    ids: list[str], signatures: Mapping[str, dict[str, Any]], minhashes: dict[str, MinHash]
) -> Iterable[tuple[str, str]]:
    ids = [d for d in ids if int(signatures[d].get("words", 0)) >= MIN_WORDS]
    by_hash: dict[str, str] = {}
    for d in ids:  # the same words
        first = by_hash.setdefault(signatures[d]["text_hash"], d)
        if first != d:
            yield first, d
    lsh = MinHashLSH(threshold=CANDIDATES, num_perm=NUM_PERM)
    for d in ids:
        for other in lsh.query(minhashes[d]):
            if minhashes[d].jaccard(minhashes[other]) >= SIMILARITY:
                yield other, d
        lsh.insert(d, minhashes[d])


def _compatible(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Not two documents with different symbols (an addendum, a corrigendum, a letter)."""
    symbols_a, symbols_b = _symbols(a), _symbols(b)
    return not (symbols_a and symbols_b and symbols_a.isdisjoint(symbols_b))


def _symbols(record: Mapping[str, Any]) -> set[str]:
    value = (record.get("metadata") or {}).get("symbol") or ()
    values = [value] if isinstance(value, str) else list(value)
    return {str(v).replace(" ", "").upper() for v in values if str(v).strip()}


def _rank(document_id: str, record: Mapping[str, Any]) -> tuple[int, int, int, str]:
    ocr_pages = len((record.get("ocr") or {}).get("pages") or ())
    return min(ocr_pages, 1), FORMAT_RANK.get(str(record.get("format")), 3), ocr_pages, document_id


def _group(
    members: list[str], signatures: Mapping[str, dict[str, Any]], minhashes: dict[str, MinHash]
) -> Group:
    first, copies = members[0], members[1:]
    same = all(signatures[c]["text_hash"] == signatures[first]["text_hash"] for c in copies)
    similarity = min(minhashes[first].jaccard(minhashes[c]) for c in copies)
    return Group(first, tuple(copies), same, 1.0 if same else round(similarity, 3))


def _minhash(sig: Mapping[str, Any]) -> MinHash:
    values = np.frombuffer(base64.b64decode(sig["minhash"]), dtype="<u4").astype(np.uint32)
    return MinHash(num_perm=NUM_PERM, seed=1, hashvalues=values, scheme=SCHEME)


def _root(parent: dict[str, str], d: str) -> str:
    while parent[d] != d:
        parent[d] = parent[parent[d]]
        d = parent[d]
    return d
