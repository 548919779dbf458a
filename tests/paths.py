"""Where the tests' data lives: the bundled corpus/ of the checkout, and the read-only
../shared/data beside it (as in CI). Tests that need ../shared skip without it."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The bundled copy of ../shared/data/seed/unitar-migration-2009.txt: the core fixtures use it.
SEED = REPO / "corpus" / "unitar-migration-2009.txt"
# Not resolved: with ../shared a symlink, these paths differ from the resolved ones the
# indexer reports, so tests compare resolved with resolved.
SHARED_DATA = REPO.parent / "shared" / "data"
SHARED_SEED = SHARED_DATA / "seed" / SEED.name

needs_shared = pytest.mark.skipif(
    not SHARED_DATA.is_dir(),
    reason="needs ../shared/data (the read-only test data beside the checkout)",
)
