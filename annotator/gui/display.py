"""Whether the window has a screen to open on, asked before Qt is.

Without one, Qt aborts the process (exit 134) naming a library (xcb-cursor0) that is not the
problem; a newcomer on a server or in a container needs to hear what to do instead.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

# Platforms whose Qt looks for an X11 or Wayland display; macOS and Windows always have a screen.
_NEEDS_DISPLAY = ("linux", "freebsd", "openbsd", "netbsd", "sunos")

NO_DISPLAY = (
    "annotator: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset): "
    "run it in a desktop session, or under a virtual one with `xvfb-run annotator`, "
    "or set QT_QPA_PLATFORM=offscreen for scripts."
)


def missing_display(
    environ: Mapping[str, str] | None = None, platform: str | None = None
) -> str | None:
    """The one line to print when no Qt platform can start here, else None.

    A ``QT_QPA_PLATFORM`` the user chose is left to Qt: they know what they asked for.
    """
    env = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if not platform.startswith(_NEEDS_DISPLAY) or env.get("QT_QPA_PLATFORM"):
        return None
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None
    return NO_DISPLAY
