"""A post's `cooked` HTML as the plain text a person reads.

Discourse sends `raw` (the author's markdown) on some endpoints only; elsewhere the
text must come from `cooked`. What matters for triage and for reading in a terminal:

* quotes are marked: each line of a quoted post starts with "> ", after a line
  "> NAME:" naming whom it quotes (`<aside class="quote" data-username=…>`);
* code blocks keep their lines and indentation;
* an image is its alt text (an emoji image's alt is its :name:), a link its words;
* paragraphs, line breaks and list items become lines; everything else is its text.

Uses only the standard library's HTMLParser, which never raises on broken HTML.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = {"p", "div", "aside", "blockquote", "ul", "ol", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "details"}
_SKIP = {"script", "style", "svg", "template"}
_VOID = {"br", "img", "hr", "input", "meta", "link", "source", "wbr"}


def plain_text(cooked: str) -> str:
    parser = _Reader()
    parser.feed(cooked)
    parser.close()
    return parser.text()


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line: list[str] = []
        self.quote_depth = 0
        self.pre = 0
        self.skip = 0
        self.stack: list[str] = []  # open elements, to tell a quote's <aside> from its <div class="title">
        self.quote_title = 0  # inside a quote's title bar (its avatar and "NAME:"), replaced by our own line
        self.header = False  # the last line is a quote's "> NAME:"

    # Lines ------------------------------------------------------------------------------

    def _break(self) -> None:
        if self.line:
            self._emit("".join(self.line))
            self.line = []

    def _emit(self, text: str) -> None:
        text = text if self.pre else " ".join(text.split())
        if not text.strip() and not self.pre:
            return
        self.lines.append("> " * self.quote_depth + text)
        self.header = False

    def _paragraph(self) -> None:
        self._break()
        if self.header:  # no blank line between a quote's "> NAME:" and what it quotes
            return
        if self.lines and self.lines[-1].strip("> ") != "":
            self.lines.append("> " * self.quote_depth)

    def text(self) -> str:
        self._break()
        while self.lines and not self.lines[-1].strip("> "):
            self.lines.pop()
        text = "\n".join(line.rstrip() for line in self.lines)
        return re.sub(r"\n(?:>? *\n){2,}", "\n\n", text).strip("\n")

    # Parser events ----------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag not in _VOID:
            self.stack.append(tag)
        if tag in _SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        if self.quote_title:  # nested elements of a quote's title bar
            self.quote_title += tag == "div"
            return
        if tag == "aside" and "quote" in a.get("class", "").split():
            self._paragraph()
            who = a.get("data-username")
            self.quote_depth += 1
            if who:
                self._emit(f"{who}:")
                self.header = True
            return
        if tag == "div" and self.quote_depth and "title" in a.get("class", "").split():
            self.quote_title += 1
            return
        if tag == "pre":
            self._paragraph()
            self.pre += 1
            return
        if tag == "br":
            self._break()
            return
        if tag == "li":
            self._break()
            self.line.append("- ")
            return
        if tag == "img":
            alt = a.get("alt") or a.get("title") or ""
            if alt:
                self.line.append(alt)
            return
        if tag in _BLOCKS:
            self._paragraph()

    def handle_endtag(self, tag: str) -> None:
        # Pop up to the matching open element (HTML in posts is not always well nested).
        if tag in self.stack:
            while self.stack:
                if self.stack.pop() == tag:
                    break
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag == "div" and self.quote_title:
            self.quote_title -= 1
            return
        if tag == "aside" and self.quote_depth:
            self._break()
            self.quote_depth -= 1
            self._paragraph()
            return
        if tag == "pre" and self.pre:
            self._flush_pre()
            self.pre -= 1
            self._paragraph()
            return
        if tag in _BLOCKS or tag == "li":
            self._break()

    def handle_data(self, data: str) -> None:
        if self.skip or self.quote_title:
            return
        if self.pre:
            self.line.append(data)
            return
        self.line.append(data)

    def _flush_pre(self) -> None:
        block = "".join(self.line).strip("\n")
        self.line = []
        for row in block.split("\n"):
            self.lines.append("> " * self.quote_depth + row)
