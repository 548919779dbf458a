"""Whether two versions of the code index a corpus identically through `report-search index`.

Builds CORPUS with this checkout and with OLD_CHECKOUT (first on PYTHONPATH), each with
`--workers 2 --no-embed --ocr off`, and compares what the two indexes hold, read back by
passage id (worker segments number their documents in whichever order the files came):
stored fields, every term's postings (weight and encoded positions), field lengths, sortable
columns, the manifest (`documents.json`) and the copy signatures (`signatures.json`).

    python bench/ingest_same.py CORPUS WORK --code OLD_CHECKOUT
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

COMMAND = ["index", "--rebuild", "--workers", "2", "--no-embed", "--ocr", "off"]
# Differ from run to run by design: where and when, not what was indexed.
_VOLATILE = {"path", "root", "indexed_at", "added_at", "changed_at", "seconds", "mtime"}


def build(corpus: Path, index_dir: Path, code: str) -> None:
    shutil.rmtree(index_dir, ignore_errors=True)
    env = dict(os.environ, REPORT_SEARCH_EMBED="0")
    if code:
        env["PYTHONPATH"] = code
    command = [sys.executable, "-m", "search_app.cli", *COMMAND, "--index-dir", str(index_dir)]
    subprocess.run([*command, str(corpus)], env=env, cwd="/", check=True, capture_output=True)


def contents(index_dir: Path) -> dict[str, Any]:
    """What the index holds, keyed by passage id rather than document number."""
    from indexer.index import generations

    generation = generations.current_generation(index_dir)
    if generation is None:
        raise SystemExit(f"no index in {index_dir}")
    out: dict[str, Any] = {
        name: _steady(json.loads((generation / name).read_text()))
        for name in ("documents.json", "signatures.json")
    }
    reader = generations.open_generation(generation).reader()
    schema = reader.schema
    ids = {docnum: fields["passage_id"] for docnum, fields in reader.iter_docs()}
    out["stored"] = {ids[docnum]: fields for docnum, fields in reader.iter_docs()}
    postings: dict[str, Any] = {}
    for field, btext in reader.all_terms():
        matcher = reader.postings(field, btext)
        found = []
        while matcher.is_active():
            found.append((ids[matcher.id()], matcher.weight(), matcher.value()))
            matcher.next()
        postings[f"{field}:{btext!r}"] = sorted(found)
    out["postings"] = postings
    # A passage without the field reads None in a segment that has the field's lengths
    # column and 0 in one that has not: which segment a passage lands in depends on the
    # worker that took its file, from run to run (search reads both as no length).
    out["lengths"] = {
        field: {ids[d]: reader.doc_field_length(d, field) or 0 for d in ids}
        for field in schema.scorable_names()
    }
    out["columns"] = {
        field: {ids[d]: reader.column_reader(field)[d] for d in ids}
        for field in schema.names()
        if schema[field].column_type and reader.has_column(field)
    }
    return out


def _steady(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _steady(v) for k, v in value.items() if k not in _VOLATILE}
    if isinstance(value, list):
        return [_steady(v) for v in value]
    return value


def _digest(value: Any) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("work", type=Path)
    parser.add_argument("--code", required=True, help="the other checkout")
    args = parser.parse_args()
    built = {}
    for name, code in (("new", ""), ("old", args.code)):
        index_dir = (args.work / f"same-{name}").resolve()
        build(args.corpus.resolve(), index_dir, code)
        built[name] = contents(index_dir)
        shutil.rmtree(index_dir, ignore_errors=True)
    new, old = built["new"], built["old"]
    same = True
    for part in new:
        equal = new[part] == old[part]
        same &= equal
        size = len(new[part])
        print(f"{part}: {'same' if equal else 'DIFFERENT'} ({size} entries, {_digest(new[part])})")
        if not equal and isinstance(new[part], dict):
            keys = [
                k
                for k in new[part].keys() | old[part].keys()
                if new[part].get(k) != old[part].get(k)
            ]
            print("  first differences:", sorted(keys)[:5])
    print("identical" if same else "NOT identical")
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
