"""The reports' text, by section, for the programme site's search.

Quarto's website search reads ``search.json``: a list of documents
``{objectID, href, title, section, text}`` (Quarto's ``website-search.ts``: one
document per page for the text before its first section, one per ``h2`` section
with ``href#id``; the text HTML-escaped for ``<`` and ``>``). The site's index page
is the only page Quarto renders, so its search found only the index; the reports'
HTML (lab, programme, methods) are added here in the same format, section by
section, with links relative to the site (``../reports/lab-weert.html#samenvatting``).

Both engines write a report's sections as ``<h2 id=…>`` in the body (no section
divs in the minimal HTML), after the title block and the contents; those two are
left out, as Quarto leaves them out of its own pages. Only the standard library's
HTML parser is used: the reports are our own pandoc/Quarto output.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

__all__ = ["report_search_docs", "search_docs_of_html"]

#: Elements whose text is not searchable: the head, scripts, styles, the contents and the
#: title block.
SKIPPED = {"head", "script", "style", "nav", "header"}
_SPACE = re.compile(r"\s+")


class _Sections(HTMLParser):
    """Collect the title (``h1.title``) and the text of the body per ``h2`` section."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.in_title = False
        self.skip = 0  # depth inside skipped elements
        self.heading: list[str] | None = None  # text of the h2 being read
        self.sections: list[tuple[str, str, list[str]]] = [("", "", [])]  # (id, heading, text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "h1" and "title" in (a.get("class") or "").split():
            self.in_title = True
        if tag in SKIPPED:
            self.skip += 1
        elif tag == "h2" and not self.skip:
            self.sections.append((a.get("id") or "", "", []))
            self.heading = []
        elif tag in ("p", "li", "tr", "td", "th", "br", "div", "h3", "h4", "figcaption", "caption"):
            self._text(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self.in_title = False
        if tag in SKIPPED:
            self.skip = max(0, self.skip - 1)
        elif tag == "h2" and self.heading is not None:
            anchor, _, text = self.sections[-1]
            self.sections[-1] = (anchor, _clean("".join(self.heading)), text)
            self.heading = None

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
        elif not self.skip:
            self._text(data)

    def _text(self, data: str) -> None:
        if self.heading is not None:
            self.heading.append(data)
        else:
            self.sections[-1][2].append(data)


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _escape(text: str) -> str:
    """As Quarto's ``encodeHtml``: only the tag brackets."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def search_docs_of_html(html: str, href: str) -> list[dict[str, str]]:
    """Search documents of one report: its page (text before the first section) and sections.

    Parameters
    ----------
    html
        The report's HTML (either engine).
    href
        Its address relative to the site (``../reports/lab-weert.html``).
    """
    parser = _Sections()
    parser.feed(html)
    parser.close()
    title = _clean(parser.title)
    docs = []
    for anchor, heading, parts in parser.sections:
        text = _clean("".join(parts))
        if not text or (heading and not anchor):
            continue  # Quarto indexes neither empty sections nor ones without an id
        link = f"{href}#{anchor}" if heading else href
        docs.append(
            {
                "objectID": link,
                "href": link,
                "title": title,
                "section": heading,
                "text": _escape(text),
            }
        )
    return docs


def report_search_docs(paths: list[Path], prefix: str = "../reports") -> list[dict[str, str]]:
    """Search documents of the given report HTML files, in the order given.

    The caller passes the reports the index links, not whatever ``*.html`` lies in
    the folder: a stray or old file (a lab no longer in labs.yaml, a backup copy)
    must not put its text into the site's search.
    """
    docs: list[dict[str, str]] = []
    for path in paths:
        html = path.read_text(encoding="utf-8")
        docs.extend(search_docs_of_html(html, f"{prefix}/{path.name}"))
    return docs
