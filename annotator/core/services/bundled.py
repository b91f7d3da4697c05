"""Files shipped with annotator: label schemas and the demo corpus.

In a source checkout (and an editable install) they sit at the top of the repository; a wheel
carries them inside the package under ``_bundled``.
"""

from __future__ import annotations

from pathlib import Path

from annotator.core.domain.schema import Schema, load_schema

DEFAULT_SCHEMA = "defence_statements.yaml"
_PACKAGE = Path(__file__).resolve().parents[2]  # the annotator package folder


def _find(folder: str) -> Path:
    for candidate in (_PACKAGE / "_bundled" / folder, _PACKAGE.parent / folder):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled folder {folder!r} is missing from this installation")


def schemas_dir() -> Path:
    return _find("label_schemas")


def resources_dir() -> Path:
    return _find("resources")


def schema_path(name: str = DEFAULT_SCHEMA) -> Path:
    return schemas_dir() / name


def default_schema() -> Schema:
    return load_schema(schema_path())


def demo_corpus() -> Path:
    return resources_dir() / "demo" / "articles.jsonl"


def demo_team_work() -> Path:
    """Two demo annotators' finished work on three of the articles, with real disagreements,
    so that agreement and curation show something on first start."""
    return resources_dir() / "demo" / "team.jsonl"
