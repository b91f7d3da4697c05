"""The ``annotator`` command: the window by default, and subcommands for scripted work."""

from __future__ import annotations

from annotator.cli.main import main

__all__ = ["main"]
