"""A status's HTML `content` as the plain text a person reads on Mastodon.

Paragraphs become blank-line breaks and `<br>` a line break; a link keeps its visible
text (Mastodon hides the scheme and the tail of long URLs in `span.invisible` and marks
the cut with `span.ellipsis`, shown as "…"); mentions and hashtags read as @name and
#tag; entities are decoded. The standard library's HTMLParser never raises on broken HTML.
"""

from __future__ import annotations

from html.parser import HTMLParser


def plain_text(content: str) -> str:
    reader = _Reader()
    reader.feed(content)
    reader.close()
    return reader.text()


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0  # depth inside span.invisible
        self.spans: list[str] = []  # the class of each open span

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "span":
            self.spans.append("invisible" if "invisible" in classes else ("ellipsis" if "ellipsis" in classes else ""))
            self.hidden += self.spans[-1] == "invisible"
        elif tag == "br":
            self.parts.append("\n")
        elif tag in ("p", "blockquote", "ul", "ol", "pre") and self.parts:
            self.parts.append("\n\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt and not self.hidden:
                self.parts.append(alt)

    def handle_endtag(self, tag):
        if tag == "span" and self.spans:
            kind = self.spans.pop()
            if kind == "invisible":
                self.hidden -= 1
            elif kind == "ellipsis":
                self.parts.append("…")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)

    def text(self) -> str:
        lines = "".join(self.parts).split("\n")
        text = "\n".join(" ".join(line.split()) for line in lines)
        while "\n\n\n" in text:
            text = text.replace("\n\n\n", "\n\n")
        return text.strip()
