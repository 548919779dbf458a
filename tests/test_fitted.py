"""Fitted models are data: versioned JSON files in the package, checked by one loader."""

from __future__ import annotations

import json
import math
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest

from search_app.qa import confidence, fitted, rerank, sentence_scoring, short_answer

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "search_app" / "qa" / "models"


def test_every_model_is_a_shipped_data_file_and_no_weights_are_code() -> None:
    names = sorted(p.stem for p in MODELS.glob("*.json"))
    assert names == [
        "answer-confidence",
        "answer-confidence-words",
        "confidence",
        "confidence-words",
        "rerank",
        "sentence",
        "span",
    ]
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"][
        "setuptools"
    ]["package-data"]["search_app"]
    for path in MODELS.glob("*.json"):
        relative = path.relative_to(ROOT / "search_app").as_posix()
        assert any(fnmatch(relative, pattern) for pattern in package_data), relative
    assert not (ROOT / "search_app" / "qa" / "span_weights.py").exists()
    # No module of question answering holds a long literal table any more.
    for module in (ROOT / "search_app" / "qa").glob("*.py"):
        assert len(module.read_text("utf-8").splitlines()) < 700, module.name


def test_the_code_reads_the_files_it_is_given() -> None:
    span = json.loads((MODELS / "span.json").read_text("utf-8"))
    assert short_answer.WEIGHTS["near"] == span["weights"]["near"]
    assert len(short_answer.WEIGHTS) == len(span["features"]) > 1000
    assert sentence_scoring.WEIGHTS.keys() == set(sentence_scoring.FEATURES)
    assert rerank.MODEL.features == rerank.INPUTS
    # The no-answer thresholds are the answer models' (chosen on tuning questions).
    assert 0 < confidence.ANSWER_MODEL.threshold < 1
    assert 0 < confidence.WORDS_ANSWER_MODEL.threshold < 1
    assert confidence.MODEL.threshold is None
    # A feature fitted to 0 is not in the file's weights, yet weighs 0 rather than failing.
    assert confidence.WORDS_WEIGHTS["similarity"] == 0.0


def _body(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "format": fitted.FORMAT,
        "name": "m",
        "version": 2,
        "fitted_by": "test",
        "features": ["a", "b"],
        "weights": {"bias": -1.0, "a": 0.5},
        "threshold": 0.2,
    }
    body.update(changes)
    return body


def test_a_good_model_loads_with_every_feature_weighed() -> None:
    model = fitted.check(_body(), "m", 2, ("a", "b"))
    assert model.weights == {"a": 0.5, "b": 0.0, "bias": -1.0}
    assert model.linear({"a": 2.0, "b": 9.0}) == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("changes", "expected", "message"),
    [
        ({"version": 1}, ("a", "b"), "version 1, the code reads version 2"),
        ({"name": "other"}, ("a", "b"), "holds model 'other'"),
        ({}, ("a", "c"), "missing ['c'], unknown ['b']"),
        ({}, ("b", "a"), "features differ"),
        ({"weights": {"z": 1.0}}, None, "names features the file does not list"),
        ({"weights": {"a": math.nan}}, None, "not a finite number"),
        ({"weights": {"a": "1"}}, None, "not a finite number"),
        ({"features": ["a", "a"]}, None, "listed twice"),
        ({"threshold": 1.5}, None, "not a probability"),
        ({"format": 99}, None, "not a model file"),
    ],
)
def test_a_model_unlike_the_codes_is_refused_saying_why(
    changes: dict[str, object], expected: tuple[str, ...] | None, message: str
) -> None:
    with pytest.raises(fitted.FittedModelError, match="model 'm'") as error:
        fitted.check(_body(**changes), "m", 2, expected)
    assert message in str(error.value)


def test_a_model_refuses_features_the_code_does_not_describe() -> None:
    with pytest.raises(fitted.FittedModelError, match="unknown features"):
        fitted.check(_body(), "m", 2, allowed=lambda name: name == "a")


def test_what_the_fitting_scripts_write_loads_back(tmp_path: Path) -> None:
    out = fitted.write(
        "m", 2, "test", ["a", "b"], {"bias": -0.1234, "a": 1e-9}, 0.3, folder=tmp_path
    )
    raw = json.loads(out.read_text("utf-8"))
    assert raw["weights"] == {"bias": -0.123}  # rounded; a weight of 0 is left out
    assert fitted.check(raw, "m", 2, ("a", "b")).threshold == 0.3
    with pytest.raises(fitted.FittedModelError):
        fitted.write("m", 2, "test", ["a"], {"b": 1.0}, folder=tmp_path)
