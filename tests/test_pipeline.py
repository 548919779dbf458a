"""Bulk indexing: incremental runs, atomic rebuilds, locks, bad files, the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import SEED
from whoosh.query import Term

from indexer.extraction import Limits
from indexer.index import generations
from indexer.pipeline import run
from search_app.cli import main


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def report_text(topic: str, n: int = 3) -> str:
    sentence = f"The report discusses {topic} in detail for member states and agencies."
    return "\n\n".join(" ".join([sentence] * 6) for _ in range(n))


def indexed_ids(index_dir: Path) -> set[str]:
    with generations.open_current(index_dir).searcher() as searcher:
        return {fields["document_id"] for fields in searcher.all_stored_fields()}


def hits(index_dir: Path, word: str) -> int:
    with generations.open_current(index_dir).searcher() as searcher:
        return len(searcher.search(Term("text", word), limit=None))


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "shelf"
    write(root / "a.txt", report_text("remittances"))
    write(root / "b.md", "# Heading\n\n" + report_text("peacebuilding"))
    write(root / "sub/c.txt", report_text("refugees"))
    return root


def test_first_run_indexes_every_file_with_stable_ids(corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    report = run([corpus], index_dir, workers=1)
    assert report.counts() == {"indexed": 3}
    assert indexed_ids(index_dir) == {"shelf/a.txt", "shelf/b.md", "shelf/sub/c.txt"}
    assert (generations.current_generation(index_dir) / generations.REPORT).is_file()


def test_incremental_run_follows_changes_additions_and_deletions(
    corpus: Path, tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    run([corpus], index_dir, workers=1)
    assert run([corpus], index_dir, workers=1).counts() == {"unchanged": 3}

    write(corpus / "a.txt", report_text("desertification"))
    write(corpus / "d.txt", report_text("urbanisation"))
    (corpus / "sub/c.txt").unlink()
    report = run([corpus], index_dir, workers=1)

    assert report.counts() == {"indexed": 2, "unchanged": 1, "removed": 1}
    assert indexed_ids(index_dir) == {"shelf/a.txt", "shelf/b.md", "shelf/d.txt"}
    assert hits(index_dir, "remitt") == 0  # the old text of a.txt is gone
    assert hits(index_dir, "desertif") > 0
    assert hits(index_dir, "refuge") == 0


def test_indexing_another_folder_keeps_the_first(corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    other = tmp_path / "more"
    write(other / "e.txt", report_text("biodiversity"))
    run([corpus], index_dir, workers=1)
    run([other], index_dir, workers=1)
    assert "shelf/a.txt" in indexed_ids(index_dir)
    assert "more/e.txt" in indexed_ids(index_dir)


def test_rebuild_swaps_in_a_new_generation(corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    first = run([corpus], index_dir, workers=1).generation
    second = run([corpus], index_dir, workers=2, rebuild=True).generation
    assert second == first + 1
    assert generations.current_generation(index_dir).name == f"gen-{second:06d}"
    assert indexed_ids(index_dir) == {"shelf/a.txt", "shelf/b.md", "shelf/sub/c.txt"}


def test_second_run_fails_at_once_while_the_index_is_locked(corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    with (
        generations.write_lock(index_dir),
        pytest.raises(generations.IndexBusyError, match="another"),
    ):
        run([corpus], index_dir, workers=1)


def test_bad_files_are_reported_and_skipped(corpus: Path, tmp_path: Path) -> None:
    (corpus / "empty.pdf").write_bytes(b"")
    (corpus / "garbage.pdf").write_bytes(b"%PDF-1.4\nthis is not a pdf at all\n")
    index_dir = tmp_path / "index"
    report = run([corpus], index_dir, workers=2)
    by_file = {Path(f.path).name: f for f in report.files}
    assert by_file["empty.pdf"].status == "failed" and by_file["empty.pdf"].reason
    assert by_file["garbage.pdf"].status == "failed" and by_file["garbage.pdf"].error
    assert by_file["a.txt"].status == "indexed"
    saved = json.loads((generations.current_generation(index_dir) / generations.REPORT).read_text())
    assert {Path(f["path"]).name for f in saved["failures"]} == {"empty.pdf", "garbage.pdf"}


def test_a_file_over_the_time_limit_is_stopped_and_recorded(tmp_path: Path) -> None:
    root = tmp_path / "slow"
    write(root / "big.txt", report_text("governance", n=4000))
    report = run([root], tmp_path / "index", workers=1, limits=Limits(seconds=0.01))
    assert [(f.status, f.reason) for f in report.files] == [("failed", "timeout")]


def test_killed_rebuild_leaves_the_last_good_index_serving(tmp_path: Path) -> None:
    root = tmp_path / "many"
    for i in range(300):
        write(root / f"r{i:03d}.txt", report_text(f"topic{i} migration", n=6))
    index_dir = tmp_path / "index"
    run([root], index_dir, workers=2)
    live = generations.current_generation(index_dir)

    code = "import sys; from search_app.cli import main; sys.exit(main())"
    args = [sys.executable, "-c", code, "index", str(root), "--index-dir", str(index_dir)]
    child = subprocess.Popen([*args, "--rebuild", "--workers", "1"], start_new_session=True)
    _wait_for(lambda: len(list((index_dir / generations.GENERATIONS).iterdir())) > 1)
    time.sleep(0.5)  # let it write for a moment
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()

    assert generations.current_generation(index_dir) == live
    assert hits(index_dir, "migrat") > 0
    report = run([root], index_dir, workers=1)  # no manual clean-up needed
    assert report.counts() == {"unchanged": 300}
    assert [p.name for p in (index_dir / generations.GENERATIONS).iterdir()] == [live.name]


def test_cli_index_and_stats(tmp_path: Path) -> None:
    root = tmp_path / "seed"
    write(root / SEED.name, SEED.read_text(encoding="utf-8"))
    index_dir = tmp_path / "index"
    runner = CliRunner()
    result = runner.invoke(main, ["index", str(root), "--index-dir", str(index_dir)])
    assert result.exit_code == 0, result.output
    assert "1 indexed" in result.output
    result = runner.invoke(main, ["stats", "--json", "--index-dir", str(index_dir)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["documents"] == 1 and data["passages"] > 10


def test_index_dir_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("REPORT_SEARCH_INDEX", str(tmp_path / "env-index"))
    assert generations.resolve_index_dir() == tmp_path / "env-index"
    assert generations.resolve_index_dir(tmp_path / "flag") == tmp_path / "flag"
    monkeypatch.delenv("REPORT_SEARCH_INDEX")
    monkeypatch.chdir(tmp_path)
    assert generations.resolve_index_dir() == tmp_path / "var/index"


def _wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)
