"""Where the read-only shared test data lives: ../shared beside the checkout (as in CI)."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
SEED = SHARED_DATA / "seed" / "unitar-migration-2009.txt"
