"""Stop PySide6 reading the source of every module imported after it.

PySide6 replaces ``__import__`` to support its opt-in ``from __feature__ import snake_case``:
after each new module is imported it reads that module's whole source file, looking for the
word "PySide6", to decide whether the module takes part in feature switching. SQLAlchemy and the
core are imported after the window's first paint: some 400 modules, and 0.1-0.2 s of start-up
spent reading their files again. annotator selects no feature, so no module needs the answer:
each is marked "ignore" without a read, as PySide marks any module whose source it cannot read.
"""

from __future__ import annotations

import sys
from types import ModuleType

import PySide6.QtCore  # noqa: F401  (installs the import hook and its ``feature`` module)

_FEATURE = "PySide6.support.feature"


def _uses_no_feature(_module: ModuleType) -> bool:
    return False


def skip_feature_scan() -> bool:
    """Replace PySide6's per-import source scan with "uses no feature"; whether it was there.

    A PySide6 without that scan (another version's internals) is left as it is.
    """
    feature = sys.modules.get(_FEATURE)
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    setattr(feature, "_mod_uses_pyside", _uses_no_feature)  # noqa: B010  (not in its stubs)
    return True
