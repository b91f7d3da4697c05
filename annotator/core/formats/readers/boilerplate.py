"""The lines of a scraped article that are the site's, not the story's (issue 13, defect 2).

Scrapes carry the page's furniture inside the text: the site's name and slogan above the
headline, the headline twice, "Share · Post · Email", photo captions (often twice), "Read
more:" links, the copyright line, "Recent Posts" lists with "3 hours ago", "Join the mailing
list", comments. The window dims these so annotators can skip them. The text is never changed
(every span's offsets depend on it): only character ranges are returned, whole lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from annotator.core.formats.readers.headline import (
    HEAD_LINES,
    _looks_like_slogan,
    _norm,
    detect_headline,
    is_boilerplate,
)

# A line that starts a list of links or comments: the lines under it, up to a blank line, go.
_LIST_HEAD = re.compile(
    r"^(recent posts|more on this (story|topic)|related (articles|posts|stories)|most read|"
    r"most popular|trending( now)?|read (more|next)|you may also like|latest news|"
    r"comments?\s*\(\d+\)|join (the|our) mailing list|sign up for (the|our) newsletter)\b",
    re.IGNORECASE,
)
# Lines that are furniture wherever they stand.
_FURNITURE = re.compile(
    r"^(\(?(additional )?(reporting|writing|editing|compiled) by\b|"
    r"(advertisement|sponsored|promoted|partner content)\b|"
    r"(join (the|our) mailing list|sign up for (the|our) newsletter|log in|register)\b|"
    r"comments?\s*\(\d+\)|"
    r"all rights reserved)",
    re.IGNORECASE,
)
_CREDITED = re.compile(r"(©|\((?:[^()]*/[^()]*|[^()]*\b(?:handout|file photo|photo)\b[^()]*)\)$)")
_PROSE_WORDS = 12  # a line this long that ends like a sentence starts the story
# How furniture that reads like a sentence starts ("Photo: …", "(Reporting by …)", "© …").
_PROSE_PREFIXES = (
    "©",
    "(",
    "Copyright",
    "Photo",
    "Image",
    "Picture",
    "Caption",
    "Handout",
    "Credit",
    "By ",
    "Comments",
    "Join",
    "Sign up",
    "Log in",
    "Read",
    "Related",
    "Tags",
    "Published",
    "Updated",
    "Posted",
    "Source",
    "Advertisement",
    "ADVERTISEMENT",
    "Sponsored",
    "SPONSORED",
)


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str  # white space made single spaces
    key: str  # compared with other lines: case and spacing ignored
    words: int


def _lines(text: str) -> list[_Line]:
    out = []
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            text = " ".join(raw.split())
            words = text.count(" ") + 1
            out.append(_Line(pos + lead, pos + lead + len(stripped), text, text.casefold(), words))
        pos += len(raw) + 1
    return out


def _is_prose(line: _Line) -> bool:
    return line.words >= _PROSE_WORDS and line.text.endswith((".", "”", '"', "?", "!", "’"))


def _furniture(line: _Line) -> bool:
    """Known furniture; a sentence-long line is only checked for what may start one (most
    of a long article: the full check on each line cost a second per megabyte)."""
    if _is_prose(line) and not line.text.startswith(_PROSE_PREFIXES):
        return _CREDITED.search(line.text) is not None and line.words <= 40
    return (
        is_boilerplate(line.text)
        or _FURNITURE.match(line.text) is not None
        or (_CREDITED.search(line.text) is not None and line.words <= 40)
    )


def detect_boilerplate(text: str) -> list[tuple[int, int]]:
    """Character ranges (whole lines, in text order) of the page's furniture in ``text``."""
    lines = _lines(text)
    if not lines:
        return []
    headline = _norm(detect_headline(text))
    seen: dict[str, int] = {}
    for line in lines:
        seen[line.key] = seen.get(line.key, 0) + 1
    story = next((i for i, ln in enumerate(lines[:HEAD_LINES]) if _is_prose(ln)), 0)
    head_done = False
    flagged: list[tuple[int, int]] = []
    in_list = False
    previous_end = -2
    for i, line in enumerate(lines):
        key = line.key
        blank_before = text.count("\n", previous_end, line.start) >= 2 if i else True
        previous_end = line.end
        if blank_before:
            in_list = False
        is_headline = key == headline and not head_done
        if is_headline:
            head_done = True
            continue
        flag = _furniture(line) or (seen[key] > 1 and line.words >= 3)  # a caption again
        if i < story:  # above the story: site names, slogans, the headline repeated
            flag = flag or not head_done or _looks_like_slogan(line.text)
        if _LIST_HEAD.match(line.text):
            in_list = True
            flag = True
        elif in_list and line.words <= 40:
            flag = True
        if flag:
            flagged.append((line.start, line.end))
    return flagged
