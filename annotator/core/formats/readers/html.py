"""HTML pages: the article's text only, nothing rendered or executed."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from annotator.core.domain.errors import Problem
from annotator.core.domain.rules import TITLE_LIMIT
from annotator.core.domain.text import normalise
from annotator.core.formats.readers.common import ParsedDocument, ReadProblem, decode, read_bytes
from annotator.core.formats.readers.headline import (
    LINE_CHARS,
    detect_headline,
    is_boilerplate,
    page_title_hint,
)


def read_html(path: Path, key: str, encoding: str | None = None) -> ParsedDocument:
    """An HTML page: the article's text, with scripts, styles and navigation dropped."""
    raw = decode(read_bytes(path), str(path), encoding)
    extractor = _ArticleText()
    try:
        extractor.feed(escape_unterminated(close_unclosed(raw)))
        extractor.close()
    except AssertionError as exc:  # html.parser's way of giving up on a malformed declaration
        raise ReadProblem(Problem(str(path), None, "", f"cannot parse the HTML: {exc}")) from None
    text = normalise(extractor.result())
    if not text.strip():
        raise ReadProblem(Problem(str(path), None, "", "no article text found in the HTML"))
    meta = {k: v for k, v in extractor.meta.items() if k not in ("url", "published", "source")}
    return ParsedDocument(
        text=text,
        key=key,
        title=_headline(extractor, text),
        source=extractor.meta.get("source") or path.name,
        url=extractor.meta.get("url"),
        published=extractor.meta.get("published"),
        meta=meta,
        origin=str(path),
    )


def _headline(page: _ArticleText, text: str) -> str:
    """The page's headline: its <h1>, else its own title without the site's name, else the
    line of the text that looks most like one (boilerplate lines never)."""
    sites = [n for n in (page.meta.get("source"), page.og_title_site) if n]
    for h1 in page.h1:
        h1 = " ".join(h1[:LINE_CHARS].split())
        if h1 and not is_boilerplate(h1, sites) and len(h1.split()) >= 3:
            return h1[:TITLE_LIMIT]
    # Read as far as a headline can be: an unclosed <title> holds the rest of the page (4 MB
    # took 3.5 s in the boilerplate and date patterns).
    titles = (t[:LINE_CHARS] for t in (page.og_title, page.title))
    hints = [page_title_hint(t, sites) for t in titles if t.strip()]
    return detect_headline(text, [h for h in hints if h], sites)


# Where html.parser rescans the rest of the page at every "<": inside a comment, and inside an
# element whose text it reads raw (title, script...). Left open, that is quadratic: a 160 kB page
# with an unclosed <title> took 82 s. A browser reads the rest of the page as that element, so
# the missing end is added here, found by one forward scan.
_RAW_OPENER = re.compile(r"<!--|<(title|textarea|script|style|xmp|iframe|noembed|noframes)\b", re.I)


def escape_unterminated(raw: str) -> str:
    """``raw`` with each "<" that nothing can end written as "&lt;": the text a browser shows.

    html.parser searches the rest of the page for the ">" (or "]]>" of a marked section) that
    would end a tag at every such "<", then moves on by one character: a page of "x<y" with no
    ">" after it took quadratic time (20,000 of them: 20 s). One backward look finds where the
    last possible end is; every "<" after it is plain text.
    """
    last_end = raw.rfind(">")
    last_section_end = raw.rfind("]>")
    if "<" not in raw[last_end + 1 :] and "<![" not in raw[last_section_end + 1 :]:
        return raw
    head, tail = raw[: last_end + 1], raw[last_end + 1 :].replace("<", "&lt;")
    if last_section_end < last_end:
        section_tail = head[last_section_end + 1 :].replace("<![", "&lt;![")
        head = head[: last_section_end + 1] + section_tail
    return head + tail


def close_unclosed(raw: str) -> str:
    """``raw`` with the end tag (or "-->") of a comment or raw-text element that never ends."""
    pos = 0
    while (opener := _RAW_OPENER.search(raw, pos)) is not None:
        tag = opener.group(1)
        if tag is None:
            end = raw.find("-->", opener.end())
            closer = "-->"
        else:
            found = re.compile(rf"</{tag}\b", re.I).search(raw, opener.end())
            end = -1 if found is None else found.start()
            closer = f"</{tag.lower()}>"
        if end < 0:
            return raw + closer
        pos = end + 2
    return raw


_HTML_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_DROP = {
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "svg",
    "head",
    "nav",
    "footer",
    "aside",
    "form",
    "button",
    "select",
    "object",
    "embed",
    "canvas",
    "math",
}
_VOID = {
    "br",
    "img",
    "hr",
    "meta",
    "link",
    "input",
    "source",
    "wbr",
    "area",
    "base",
    "col",
    "embed",
    "param",
    "track",
}
_PARAGRAPH = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "figure",
    "figcaption",
    "article",
    "section",
    "header",
    "main",
    "pre",
    "table",
    "ul",
    "ol",
}
_LINE = {"div", "li", "tr", "dt", "dd", "br"}


class _ArticleText(HTMLParser):
    """Extracts readable text. Nothing is rendered, fetched or executed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.article_parts: list[str] = []
        self.title = ""
        self.og_title = ""
        self.og_title_site = ""  # twitter:site, application-name: the site's name again
        self.h1: list[str] = []  # the text of each <h1> outside dropped parts
        self._h1_depth = 0
        self.meta: dict[str, str] = {}
        self._drop_depth = 0
        self._drop_stack: list[str] = []
        self._in_title = False
        self._article_depth = 0
        self._seen_article = False

    def _emit(self, piece: str) -> None:
        self.parts.append(piece)
        if self._article_depth:
            self.article_parts.append(piece)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta":
            name = (a.get("property") or a.get("name") or "").lower()
            content = a.get("content", "")
            mapping = {
                "og:url": "url",
                "article:published_time": "published",
                "og:site_name": "source",
                "author": "author",
                "description": "description",
            }
            if name in mapping and content:
                self.meta.setdefault(mapping[name], content)
            if name in ("og:title", "twitter:title") and content and not self.og_title:
                self.og_title = content
            if name == "application-name" and content:
                self.og_title_site = content
        if tag == "link" and a.get("rel", "").lower() == "canonical" and a.get("href"):
            self.meta.setdefault("url", a["href"])
        if tag == "title":
            self._in_title = True
        if tag in _DROP:
            if tag not in _VOID:
                self._drop_stack.append(tag)
            return
        if self._drop_stack or (tag in _VOID and tag != "br"):
            return
        if tag == "article":
            self._article_depth += 1
            self._seen_article = True
        if tag == "h1":
            self._h1_depth += 1
            self.h1.append("")
        if tag in _PARAGRAPH:
            self._emit("\n\n")
        elif tag in _LINE:
            self._emit("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if self._drop_stack:
            if tag == self._drop_stack[-1]:
                self._drop_stack.pop()
            elif tag in self._drop_stack:
                while self._drop_stack and self._drop_stack.pop() != tag:
                    pass
            return
        if tag in _PARAGRAPH:
            self._emit("\n\n")
        elif tag in _LINE:
            self._emit("\n")
        if tag == "article" and self._article_depth:
            self._article_depth -= 1
        if tag == "h1" and self._h1_depth:
            self._h1_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
            return
        if self._drop_stack:
            return
        # Source line breaks and tabs are just white space in HTML; no-break spaces are content.
        self._emit(_HTML_SPACE.sub(" ", data))
        if self._h1_depth:
            self.h1[-1] += data

    def result(self) -> str:
        raw = "".join(self.article_parts if self._seen_article else self.parts)
        lines = []
        for line in raw.split("\n"):
            lines.append(_HTML_SPACE.sub(" ", line).strip(" "))
        text = "\n".join(lines)
        while "\n\n\n" in text:
            text = text.replace("\n\n\n", "\n\n")
        return text.strip("\n")
