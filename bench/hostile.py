"""The slowest requests we can construct, timed on the ungdc bench index (issue 16).

Every hostile query shape (huge phrase slop, many wildcards, ranges, fuzzy words, very long
queries, many terms, long questions) goes to every endpoint that parses a query:
/api/search, /search, /api/documents, /api/suggest, /api/ask and the document page. The app
is driven in-process through Flask's test client (its request hooks, time budget and error
handlers included, no socket), after the server's warm-up. Each request runs in a forked
child, so that a runaway one is stopped at `--timeout` without stalling the rest, and
reports its own wall and CPU time, status and memory growth (on a busy machine the CPU time
is the steadier measure).

    python -m bench.hostile --limit 2750          # 2,750 speeches: 75,220 passages
    python -m bench.hostile --limit 0             # all 10,952: about 279,000 passages
    python -m bench.hostile --budget 600          # the bounds alone, the time budget off

Prints one line per request, slowest first; `--json` also writes them to a file.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import string
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from bench.search_index import ensure_index

TIMEOUT = 60.0  # seconds a request may run here before it is killed and reported as such
MEMORY = 6 * 2**30  # address space a request's process may use (the issue saw 7 GB)
ENDPOINTS = ("/api/search", "/search", "/api/documents", "/api/suggest", "/api/ask")
LARGEST_PAGE = {"per_page": 100}  # /api/search with 100 results and their other passages


@dataclass
class Outcome:
    """One request: what was asked, how long it took, how it ended."""

    name: str
    path: str
    seconds: float
    status: int  # 0: killed (timeout or memory)
    code: str = ""  # the error envelope's code, or what stopped it
    cpu: float = 0.0  # CPU seconds (on a busy machine, wall time includes waiting for a CPU)
    grew_mb: int = 0  # memory the request added to its process


def hostile_queries(common: list[str]) -> dict[str, str]:
    """Query shapes that cost the most, by name; `common` are the index's commonest words."""
    letters = string.ascii_lowercase
    words = common[:99]  # with three fields each, just under the limit of 300 terms
    return {
        "slop 99999999": '"migration health"~99999999',
        "slop 1000000": '"migration health"~1000000',
        "long phrase, big slop": '"' + " ".join(common[:60]) + '"~99999',
        "many phrases": " ".join(
            f'"{a} {b}"~50' for a, b in zip(words[::2], words[1::2], strict=False)
        ),
        "a* ... z*": " ".join(f"{c}*" for c in letters),
        "a* OR ... z*": " OR ".join(f"{c}*" for c in letters),
        "*a* *e* *i* *o*": "*a* *e* *i* *o*",
        "?* ??* ???* ...": " ".join("?" * n + "*" for n in range(1, 12)),
        "a?* b??* ...": " ".join(f"{c}{'?' * (n % 4 + 1)}*" for n, c in enumerate(letters)),
        "text:[a TO z]": "text:[a TO z]",
        "[a TO z] x 10": " ".join(
            f"[{a} TO {b}]" for a, b in zip(letters[:10], letters[:15:-1], strict=True)
        ),
        "fuzzy x 30": " ".join(f"{w}~2" for w in common[:30]),
        "fuzzy~99 x 30": " ".join(f"{w}~99" for w in common[:30]),
        "long fuzzy word": "a" * 900 + "~2",
        "99 common words": " ".join(words),
        "99 words OR": " OR ".join(words),
        "99 words NOT": " ".join(f"-{w}" for w in words),
        "1000 characters": ("development " * 100)[:1000],
        "20,000 characters": "migration " * 2000,
        "20,000 characters, many words": ((" ".join(common) + " ") * 200)[:20_000],
        "99 words AND": " AND ".join(words),
        "100,000 characters": "migration " * 10_000,
        "typos x 99": " ".join(f"{w}q" for w in words),
        "deep nesting": "(" * 150 + "migration" + ")" * 150,
    }


def requests(queries: dict[str, str], document_id: str) -> list[tuple[str, str]]:
    """(name, path) for every query on every endpoint, the document page included."""
    out = []
    for name, q in queries.items():
        for endpoint in ENDPOINTS:
            out.append((name, f"{endpoint}?{urlencode({'q': q})}"))
        out.append((f"{name}, 100 per page", f"/api/search?{urlencode({'q': q, **LARGEST_PAGE})}"))
        out.append((name, f"/documents/{quote(document_id)}?{urlencode({'q': q})}"))
    return out


def run_one(client: Any, name: str, path: str, timeout: float) -> Outcome:
    """`path` through the app in a forked child, killed after `timeout` seconds."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: one request, its outcome on the pipe
        os.close(read)
        payload: dict[str, Any]
        try:
            resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            body = response.get_json(silent=True)
            error = body.get("error") if isinstance(body, dict) else None
            grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
            payload = {
                "seconds": seconds,
                "status": response.status_code,
                "code": error["code"] if isinstance(error, dict) else "",
                "cpu": round(cpu, 3),
                "grew_mb": grew // 1024,
            }
        except BaseException as error:  # noqa: BLE001 - report whatever stopped it
            payload = {"seconds": 0.0, "status": 0, "code": type(error).__name__}
        os.write(write, json.dumps(payload).encode())
        os._exit(0)
    os.close(write)
    started = time.perf_counter()
    while os.waitpid(pid, os.WNOHANG) == (0, 0):
        if time.perf_counter() - started > timeout:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(read)
            return Outcome(name, path, timeout, 0, f"killed after {timeout:g} s")
        time.sleep(0.01)
    with os.fdopen(read, "rb") as pipe:
        payload = json.loads(pipe.read() or b'{"seconds": 0, "status": 0, "code": "died"}')
    return Outcome(name, path, round(payload["seconds"], 3), payload["status"], **_rest(payload))


def _rest(payload: dict[str, Any]) -> dict[str, Any]:
    keys = ("code", "cpu", "grew_mb")
    return {key: payload[key] for key in keys if key in payload}


def measure(index_dir: Path, budget: float | None, timeout: float) -> list[Outcome]:
    """Every hostile request on the index at `index_dir`, slowest first."""
    from search_app import engine, qa
    from search_app.web import create_app

    config: dict[str, Any] = {"TESTING": True, "INDEX_DIR": str(index_dir), "WARM_UP": False}
    if budget is not None:
        config["QUERY_TIME_BUDGET"] = budget
    app = create_app(config)
    handle = app.extensions["report_search"]
    engine.warm(handle)  # as the server does at start-up
    qa.warm()
    snapshot = handle.snapshot()
    reader = snapshot.searcher().reader()
    print(f"index: {index_dir} ({reader.doc_count()} passages)")
    terms = [t for _, t in reader.most_frequent_terms("text", 120)]
    common = [w for w in (t.decode() if isinstance(t, bytes) else t for t in terms) if w.isalpha()]
    document_id = max(snapshot.manifest, key=lambda d: snapshot.manifest[d].get("passages", 0))
    client = app.test_client()
    client.get("/api/search?q=migration")  # the per-snapshot caches, as after any search
    outcomes = [
        run_one(client, name, path, timeout)
        for name, path in requests(hostile_queries(common), document_id)
    ]
    return sorted(outcomes, key=lambda o: -o.seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=2750, help="speeches (0: all of them)")
    parser.add_argument("--index-dir", type=Path, help="another index instead of the bench one")
    parser.add_argument("--budget", type=float, help="QUERY_TIME_BUDGET in seconds")
    parser.add_argument("--timeout", type=float, default=TIMEOUT)
    parser.add_argument("--json", type=Path, help="also write the outcomes here")
    args = parser.parse_args()
    index_dir = args.index_dir or ensure_index(args.limit or None, reuse=True)[0]
    outcomes = measure(index_dir, args.budget, args.timeout)
    for o in outcomes:
        where = o.path.split("?")[0]
        line = f"{o.seconds:8.3f} s {o.cpu:7.3f} cpu {o.status:3d} {o.code:22s} {o.grew_mb:5d} MB"
        print(f"{line}  {where:28s} {o.name}")
    if args.json:
        args.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=1), "utf-8")


if __name__ == "__main__":
    main()
