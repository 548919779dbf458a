"""Fitted models as data: the weights of every model of question answering, read from the
versioned JSON files of search_app/qa/models/ and checked before use.

Each file holds one model: its `name`, its `version` (raised when what its features mean
changes, so that weights fitted for the old meaning are refused, not misread), the command
that fitted it, its `features` in order, its `weights` by feature (plus "bias" for a logistic
model) and, for a no-answer model, its `threshold`. The fitting commands of bench/ write
them with write(); the code reads them with load(), which refuses a file whose name,
version, features or numbers are not what the code expects.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

FORMAT = 1  # the layout of the files themselves
MODELS = "models"  # the package folder holding them
BIAS = "bias"


class FittedModelError(RuntimeError):
    """A model file is missing, unreadable, or not the model the code expects."""


@dataclass(frozen=True)
class Fitted:
    """One fitted model: its features in order, its weights and its threshold (if any)."""

    name: str
    version: int
    features: tuple[str, ...]
    weights: Mapping[str, float]
    threshold: float | None = None
    fitted_by: str = ""  # the command that fitted it

    @property
    def bias(self) -> float:
        return self.weights.get(BIAS, 0.0)

    def linear(self, values: Mapping[str, float]) -> float:
        """Bias plus the weighted sum of the features `values` holds (absent ones count 0)."""
        return self.bias + sum(w * values.get(n, 0.0) for n, w in self.weights.items() if n != BIAS)


def path(name: str) -> Path:
    """Where the model `name` is stored in the source tree (the fitting commands write it)."""
    return Path(__file__).resolve().parent / MODELS / f"{name}.json"


@cache
def load(
    name: str,
    version: int,
    features: tuple[str, ...] | None = None,
    allowed: Callable[[str], bool] | None = None,
) -> Fitted:
    """The model `name` at `version`, checked: with `features` its features must be exactly
    those, in order; with `allowed` each of its features must pass it (models whose features
    are partly learnt, as the short-answer model's edge words)."""
    try:
        text = resources.files("search_app.qa").joinpath(f"{MODELS}/{name}.json").read_text("utf-8")
        raw = json.loads(text)
    except (OSError, ValueError) as error:
        raise FittedModelError(f"model {name!r} cannot be read: {error}") from error
    return check(raw, name, version, features, allowed)


def check(
    raw: Any,
    name: str,
    version: int,
    features: tuple[str, ...] | None = None,
    allowed: Callable[[str], bool] | None = None,
) -> Fitted:
    """The model of a parsed file, or FittedModelError saying what is wrong with it."""

    def fail(why: str) -> FittedModelError:
        return FittedModelError(f"model {name!r}: {why}")

    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise fail(f"not a model file of format {FORMAT}")
    if raw.get("name") != name:
        raise fail(f"the file holds model {raw.get('name')!r}")
    if raw.get("version") != version:
        raise fail(f"version {raw.get('version')!r}, the code reads version {version}: refit it")
    listed = raw.get("features")
    weights = raw.get("weights")
    if not isinstance(listed, list) or not all(isinstance(f, str) for f in listed):
        raise fail("`features` is not a list of names")
    if len(set(listed)) != len(listed):
        raise fail("a feature is listed twice")
    if features is not None and tuple(listed) != features:
        missing = sorted(set(features) - set(listed))
        extra = sorted(set(listed) - set(features))
        raise fail(f"features differ from the code's (missing {missing}, unknown {extra})")
    if allowed is not None and (bad := [f for f in listed if not allowed(f)]):
        raise fail(f"unknown features {bad[:5]}")
    if not isinstance(weights, dict) or not set(weights) <= {*listed, BIAS}:
        raise fail("`weights` names features the file does not list")
    if not all(_finite(v) for v in weights.values()):
        raise fail("a weight is not a finite number")
    threshold = raw.get("threshold")
    if threshold is not None and not (_finite(threshold) and 0.0 <= threshold <= 1.0):
        raise fail("`threshold` is not a probability")
    # Every listed feature has a weight: one fitted to 0 is left out of the file.
    full = {f: float(weights.get(f, 0.0)) for f in listed}
    if BIAS in weights:
        full[BIAS] = float(weights[BIAS])
    return Fitted(name, version, tuple(listed), full, threshold, str(raw.get("fitted_by", "")))


def write(
    name: str,
    version: int,
    fitted_by: str,
    features: Iterable[str],
    weights: Mapping[str, float],
    threshold: float | None = None,
    digits: int = 3,
    folder: Path | None = None,
) -> Path:
    """Write a fitted model to its file (search_app/qa/models/NAME.json, or NAME.json in
    `folder`); returns the path. Weights are rounded to `digits` decimals and those that
    round to 0 are left out."""
    listed = list(features)
    body: dict[str, Any] = {
        "format": FORMAT,
        "name": name,
        "version": version,
        "fitted_by": fitted_by,
        "features": listed,
        "weights": {
            k: round(float(v), digits) for k, v in weights.items() if round(float(v), digits)
        },
    }
    if threshold is not None:
        body["threshold"] = threshold
    check(body, name, version, tuple(listed))  # never write what load() would refuse
    out = folder / f"{name}.json" if folder else path(name)
    out.write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n", "utf-8")
    return out


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
