"""The tests' seed report, corpus/unitar-migration-2009.txt, is the shared seed unchanged."""

from paths import SEED, SHARED_SEED, needs_shared


@needs_shared
def test_the_bundled_seed_is_the_shared_seed_byte_for_byte() -> None:
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()
