"""The headline of a scraped article, found among the site's furniture above it.

A scraped page starts with whatever the site put above the story: "Categories: Hard News",
"Home › Defence", "Share · Post · Email", a slogan, a byline, a date. Taking the first line as
the title made two of three real articles titled by boilerplate (issue 13), which then showed
in the document list, the window's header, the title filter and every export's title.

The headline is chosen among the lines above the story by evidence: a line the page repeats
(scrapes often carry the headline twice), a line equal to the page's own title (HTML
``<title>``, ``og:title``), the first line that is not boilerplate, the line just above the
byline. Known boilerplate is never chosen; site names and slogans are chosen only when
nothing else is there. Only the title is chosen here: the text is never changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from annotator.core.domain.rules import TITLE_LIMIT

HEAD_LINES = 25  # the story starts within this many non-empty lines on every page seen
LINE_CHARS = 4000  # of a line (or a page's title) read: a headline is far shorter

# "Categories: Hard News", "Photo: …", "Handout photo: …": a label, then a colon or a bar.
_LABELLED = re.compile(
    r"^(\w+\s)?(categor(y|ies)|tags?|topics?|filed under|posted in|sections?|keywords|"
    r"related|share( this)?( article| story)?|follow us|more from|read more|see also|"
    r"photos?|photo caption|image|picture|video|caption|credit|source|published|updated|"
    r"posted( on)?|last updated|written by|reporting by|editing by)\s*[:：|]",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^(by|von|par|por|door)\s+\S", re.IGNORECASE)
_CRUMB = re.compile(r"\s(›|»|>|/|\\|→)\s")
_SEPARATORS = re.compile(r"\s*(?:·|•|\||¦|∙)\s*")
_MONTH = (
    r"(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|"
    r"oct(ober)?|nov(ember)?|dec(ember)?)"
)
_DATE = re.compile(
    rf"(\b\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b|"
    rf"\b{_MONTH}\.?\s+\d{{1,2}},?\s+\d{{4}}\b|\b\d{{1,2}}\.?\s+{_MONTH}\.?,?\s+\d{{4}}\b|"
    r"\b\d{1,2}:\d{2}\b|\b\d+\s+(min|minutes?)\s+read\b|\b(hours?|days?|minutes?)\s+ago\b)",
    re.IGNORECASE,
)
_NAV_WORDS = {
    "share",
    "post",
    "tweet",
    "email",
    "e-mail",
    "print",
    "search",
    "subscribe",
    "log in",
    "login",
    "sign in",
    "sign up",
    "register",
    "menu",
    "newsletter",
    "home",
    "comments",
    "comment",
    "follow",
    "facebook",
    "twitter",
    "x",
    "linkedin",
    "whatsapp",
    "telegram",
    "reddit",
    "copy link",
    "save",
    "listen",
    "advertisement",
    "sponsored",
    "skip to content",
    "skip to main content",
    "recent posts",
    "most read",
    "trending",
    "latest",
    "latest news",
    "popular",
    "read more",
    "related articles",
    "related posts",
    "you may also like",
    "more",
    "back to top",
    "cookie settings",
    "accept cookies",
    "jobs",
    "careers",
    "contact",
    "about",
    "about us",
    "donate",
}
# Site slogans: "X — Where professionals find their next mission", "News you can trust".
_SLOGAN_WORDS = re.compile(
    r"\b(where|your|you|since \d{4}|trusted|leading|number one|no\. 1|#1|source for|home of|"
    r"news (and|&) analysis|independent (news|journalism)|jobs?|careers?|hiring|recruit\w*)\b",
    re.IGNORECASE,
)
_SITE_DASH = re.compile(r"^(?P<name>[^—–|:]{2,60}?)\s+[—–|]\s+(?P<rest>.+)$")


@dataclass(frozen=True)
class _Line:
    index: int  # among the head's non-empty lines
    text: str
    words: int


def _norm(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split()).casefold()


def _bare(text: str) -> str:
    """A line without the punctuation and ellipses nav items carry ("Search…", "Menu:")."""
    return _norm(text).strip(" .:…!?-–—»›>|·•")


def is_boilerplate(line: str, site_names: Iterable[str] = ()) -> bool:
    """Whether a line is known page furniture: labels ("Categories: …"), breadcrumbs
    ("Home › …"), share and navigation bars, bylines, dates, credits, the site's own name."""
    text = " ".join(line.split())
    if not text:
        return True
    bare = _bare(text)
    if not bare or bare in _NAV_WORDS or bare in {_bare(n) for n in site_names if n}:
        return True
    if _LABELLED.match(text) or _BYLINE.match(text) or text.startswith(("©", "(c) ", "Copyright")):
        return True
    parts = [p for p in _SEPARATORS.split(text) if p.strip()]
    if len(parts) >= 2 and all(len(p.split()) <= 4 for p in parts):
        navs = sum(_bare(p) in _NAV_WORDS for p in parts)
        if navs or len(parts) >= 3:  # "Share · Post · Email", "Search… · Subscribe · Log in"
            return True
    crumbs = _CRUMB.split(text)[::2]  # "World › Security", "Home › Defence › Missiles"
    longest = max(len(p.split()) for p in crumbs)
    if (len(crumbs) >= 3 and longest <= 5) or (len(crumbs) == 2 and longest <= 2):
        return True
    if bare.split()[0] == "home" and len(text.split()) <= 8 and _CRUMB.search(text):
        return True
    words = text.split()
    # A date line: "14 March 2026, 09:42 CET", "Friday 27 February 2026 | 14:20".
    return bool(_DATE.search(text)) and len(words) <= 12 and not text.endswith((".", "?", "!"))


def _looks_like_slogan(line: str) -> bool:
    """A site's name with its tagline ("Strategic Desk — Defence · Security · Industry") or a
    slogan ("Where security professionals find their next mission")."""
    found = _SITE_DASH.match(line)
    if found is not None:
        name, rest = found.group("name"), found.group("rest")
        if len(name.split()) <= 4 and (
            _SLOGAN_WORDS.search(rest) or len(_SEPARATORS.split(rest)) >= 2 or len(rest) < 40
        ):
            return True
    return bool(_SLOGAN_WORDS.search(line)) and not re.search(r"\b(says?|said)\b", line)


def _head(text: str) -> list[_Line]:
    """The first non-empty lines, read without splitting the whole (maybe 1 MB) text."""
    lines: list[_Line] = []
    pos = 0
    while pos <= len(text) and len(lines) < HEAD_LINES:
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line = " ".join(text[pos : min(end, pos + LINE_CHARS)].split())
        if line:
            lines.append(_Line(len(lines), line, len(line.split())))
        pos = end + 1
    return lines


def page_title_hint(title: str, site_names: Sequence[str] = ()) -> str:
    """A page's ``<title>`` without the site's name ("Headline | Site" gives "Headline")."""
    text = " ".join(title.split())
    for separator in (" | ", " — ", " – ", " - ", " :: ", " · "):
        if separator not in text:
            continue
        head, _, tail = text.rpartition(separator)
        names = {_bare(n) for n in site_names if n}
        if _bare(tail) in names or (len(tail.split()) <= 4 < len(head.split())):
            text = head
            break
    return "" if _bare(text) in {_bare(n) for n in site_names if n} else text


def detect_headline(text: str, hints: Sequence[str] = (), site_names: Sequence[str] = ()) -> str:
    """The article's headline: a line of ``text``, or the first usable hint (the page's own
    title) when no line is evidently one. Never empty for a text with a visible character."""
    head = _head(text)
    hinted = [_norm(h) for h in hints if h and h.strip()]
    byline = next(
        (
            ln.index
            for ln in head
            if _BYLINE.match(ln.text) or ln.text.lower().startswith("posted on")
        ),
        None,
    )
    counts: dict[str, int] = {}
    for ln in head:
        counts[_norm(ln.text)] = counts.get(_norm(ln.text), 0) + 1
    candidates = [
        ln
        for ln in head
        if (byline is None or ln.index < byline)
        and ln.words <= 40
        and not is_boilerplate(ln.text, site_names)
    ]
    best: tuple[float, int, str] | None = None
    for rank, ln in enumerate(candidates):
        norm = _norm(ln.text)
        score = 0.0
        if counts[norm] > 1:
            score += 6  # the headline repeated, as scrapes of a page's title often are
        if any(norm == h for h in hinted):
            score += 6
        elif any(h.startswith(norm) or norm.startswith(h) for h in hinted if len(h) > 15):
            score += 4
        if rank == 0:
            score += 2
        if byline is not None and all(
            is_boilerplate(other.text, site_names) for other in head[ln.index + 1 : byline]
        ):
            score += 1  # just above the byline
        if ln.words < 4:
            score -= 3  # a site's name ("Harbourline Post"), a section
        if _looks_like_slogan(ln.text):
            score -= 4
        if ln.words > 12 and ln.text.endswith("."):
            score -= 1  # a sentence: the standfirst, or the story itself
        if best is None or score > best[0]:
            best = (score, -ln.index, ln.text)
    if best is not None and best[0] >= 6:  # repeated, or the page's own title
        return best[2][:TITLE_LIMIT]
    for hint in hints:  # the page's own title beats a guess among its lines
        if hint and hint.strip() and not is_boilerplate(hint, site_names):
            return " ".join(hint.split())[:TITLE_LIMIT]
    if best is not None:
        return best[2][:TITLE_LIMIT]
    first = next((ln.text for ln in head), "")
    return first[:TITLE_LIMIT]
