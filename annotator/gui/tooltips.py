"""Tooltips that show document text as it is written, never as HTML.

Qt renders a tooltip as rich text when it merely looks like HTML, so a span whose text is
``<img src="file:///...">`` would load a local file. Every tooltip built from document or span
text goes through ``plain_tooltip``: the text is escaped inside a paragraph that keeps its line
breaks, so Qt shows it literally.
"""

from __future__ import annotations

import html


def plain_tooltip(text: str) -> str:
    """``text`` as a tooltip that Qt shows character for character."""
    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>"
