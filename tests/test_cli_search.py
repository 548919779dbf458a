"""`report-search search` and its --json output, which must equal the API's body."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from search_app.cli import main


def invoke(*args: str, color: bool = False):
    result = CliRunner().invoke(main, list(args), color=color)
    assert result.exit_code == 0, result.output
    return result.output


def without_timing(body: dict) -> dict:
    return {key: value for key, value in body.items() if key != "took_ms"}


def test_json_equals_the_api_body(small_index: Path, client):
    import json

    output = invoke(
        "search",
        "remittances",
        "migrants",
        "--json",
        "--index-dir",
        str(small_index),
        "--filter",
        "country=Mexico",
        "--filter",
        "country=India",
        "--limit",
        "3",
    )
    api = client.get(
        "/api/search?q=remittances+migrants&country=Mexico&country=India&per_page=3"
    ).get_json()
    assert api["total"] > 0
    assert without_timing(json.loads(output)) == without_timing(api)


def test_readable_output_emphasises_terms(small_index: Path):
    output = invoke("search", "ethical recruitment", "--index-dir", str(small_index), color=True)
    assert "Ethical Recruitment of Health Personnel".lower() in output.lower()
    assert "\x1b[1mrecruitment\x1b[0m" in output or "\x1b[1mRecruitment\x1b[0m" in output
    plain = invoke("search", "ethical recruitment", "--index-dir", str(small_index))
    assert "\x1b[" not in plain and "<mark>" not in plain


def test_corrections_and_bad_filter(small_index: Path):
    assert "Showing results for emigration. Search instead for emigartion" in invoke(
        "search", "emigartion", "--index-dir", str(small_index)
    )
    assert "Did you mean: emigration?" in invoke(
        "search", "emigartion", "--no-correct", "--index-dir", str(small_index)
    )
    result = CliRunner().invoke(
        main, ["search", "x", "--index-dir", str(small_index), "--filter", "colour=red"]
    )
    assert result.exit_code != 0 and "colour" in result.output


def test_serve_is_listed():
    assert "waitress" in invoke("serve", "--help")


def test_search_without_an_index_says_so(tmp_path: Path):
    result = CliRunner().invoke(main, ["search", "x", "--index-dir", str(tmp_path / "none")])
    assert result.exit_code != 0 and "no index" in result.output
