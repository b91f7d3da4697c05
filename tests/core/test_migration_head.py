"""The HEAD constant that lets databases open without Alembic must name the newest script."""

from alembic.script import ScriptDirectory

from annotator.core.storage.migrations import HEAD, alembic_config


def test_head_constant_matches_the_newest_migration_script() -> None:
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD
