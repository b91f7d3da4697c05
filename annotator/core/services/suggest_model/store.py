"""Where a database's model lives, and how a new one replaces it all or nothing.

A model folder holds ``model.json`` and one folder per trained version (``spans/`` and
``stance/`` pipelines inside). A new version is built in a hidden ``.tmp-*`` folder, renamed to
its version name, and only then does ``model.json`` (written to a temporary file and moved over
the old one, which is atomic) point at it. So a crash or a cancel at any moment leaves the
earlier model in use, never half of a new one; the folders of replaced versions are removed
after the switch, and stale temporary folders at the next training.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
import uuid
from dataclasses import replace
from pathlib import Path

from annotator.core.domain.suggesting.model_card import FORMAT, ModelCard
from annotator.core.services.workspace import Workspace

CARD = "model.json"
_TMP = ".tmp-"
_STALE_SECONDS = 6 * 3600  # a temporary folder this old belongs to no running training


def default_model_dir(workspace: Workspace) -> Path:
    """A folder per database under the user data folder (where the default database lives).

    Named after the database (its file name, or its URL without password) and a short hash of
    that URL, so two databases never share a model.
    """
    from platformdirs import user_data_dir

    db = workspace.db
    name = db.path.stem if db.path is not None else (db.url_object.database or "database")
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:40] or "database"
    digest = hashlib.sha256(db.remembered_url.encode("utf-8")).hexdigest()[:12]
    return Path(user_data_dir("annotator", appauthor=False)) / "models" / f"{slug}-{digest}"


def read_card(folder: Path) -> ModelCard | None:
    """The model stored in ``folder``, or None when there is none (or it cannot be read)."""
    try:
        data = json.loads((folder / CARD).read_text(encoding="utf-8"))
        card = ModelCard.from_json(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if card.format != FORMAT or not (folder / card.folder).is_dir():
        return None
    return card


def new_staging(folder: Path) -> Path:
    """A fresh hidden folder to build a version in; stale ones of crashed runs are removed."""
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in folder.glob(f"{_TMP}*"):
        try:
            if now - old.stat().st_mtime > _STALE_SECONDS:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            continue
    staging = folder / f"{_TMP}{uuid.uuid4().hex}"
    staging.mkdir()
    return staging


def publish(folder: Path, staging: Path, card: ModelCard) -> ModelCard:
    """Make the version built in ``staging`` the model in use; returns its card."""
    version = time.strftime("v%Y%m%dT%H%M%S", time.gmtime()) + f"-{uuid.uuid4().hex[:6]}"
    card = replace(card, folder=version)
    text = json.dumps(card.to_json(), indent=2, ensure_ascii=False) + "\n"
    (staging / CARD).write_text(text, encoding="utf-8")
    staging.rename(folder / version)
    pending = folder / f"{_TMP}{uuid.uuid4().hex}.json"
    pending.write_text(text, encoding="utf-8")
    with open(pending, "rb") as f:
        os.fsync(f.fileno())
    os.replace(pending, folder / CARD)
    for old in folder.iterdir():
        if old.is_dir() and old.name.startswith("v") and old.name != version:
            shutil.rmtree(old, ignore_errors=True)
    return card
