"""The programme site's search over the reports: Quarto's search.json documents, the
fallback's small finder, and the site's fieldwork lines."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from leerlab_research.report.site import add_to_search_index, search_finder
from leerlab_research.report.site_search import report_search_docs, search_docs_of_html

# The shapes the two engines write (abridged from the demo's lab-weert.html): pandoc's
# standalone HTML and Quarto's minimal HTML, both with the sections as <h2 id=…>.
PANDOC = """<!DOCTYPE html><html><head><title>Reflectie leerlab Weert</title>
<style>body { color: red }</style></head><body>
<header id="title-block-header"><h1 class="title">Reflectie leerlab Weert</h1>
<p class="subtitle">Sterk Beroepsonderwijs</p><div class="abstract"><p>Leerlab: Weert</p></div>
</header>
<nav id="TOC" role="doc-toc"><h2 id="toc-title">Inhoudsopgave</h2>
<ul><li><a href="#samenvatting">Samenvatting</a></li></ul></nav>
<h2 id="samenvatting">Samenvatting</h2>
<p>In leerlab Weert hebben 24 respondenten &lt;alles&gt; ingevuld.</p>
<table id="tbl-overview"><caption>Tabel 1: In één oogopslag</caption>
<tr><td>Gedeelde ambitie</td><td>4,07</td></tr></table>
<h2 id="de-voorwaarden">De voorwaarden één voor één</h2>
<h3 id="faciliteren">Faciliteren (tijd, middelen, ruimte)</h3><p>Wie aan de leerroute werkt.</p>
<h2 id="leeg">Leeg</h2>
<script>var x = "Samenvatting";</script>
</body></html>"""
QUARTO = PANDOC.replace(
    '<table id="tbl-overview"><caption>Tabel 1: In één oogopslag</caption>',
    '<div id="tbl-overview" class="quarto-float"><figure><figcaption>Tabel 1: In één '
    "oogopslag</figcaption><div><table>",
).replace("</table>", "</table></div></figure></div>")


@pytest.mark.parametrize("page", [PANDOC, QUARTO], ids=["fallback", "quarto"])
def test_a_report_gives_one_search_document_per_section(page: str) -> None:
    docs = search_docs_of_html(page, "../reports/lab-weert.html")
    assert [d["href"] for d in docs] == [
        "../reports/lab-weert.html#samenvatting",
        "../reports/lab-weert.html#de-voorwaarden",
    ]  # no page entry (title block and contents are left out) and no empty section
    first, second = docs
    assert first["objectID"] == first["href"] and first["title"] == "Reflectie leerlab Weert"
    assert first["section"] == "Samenvatting"
    # the text of the section, escaped as Quarto's encodeHtml does (tag brackets only),
    # without the contents, the title block or scripts
    assert first["text"] == (
        "In leerlab Weert hebben 24 respondenten &lt;alles&gt; ingevuld. "
        "Tabel 1: In één oogopslag Gedeelde ambitie 4,07"
    )
    assert second["text"] == "Faciliteren (tijd, middelen, ruimte) Wie aan de leerroute werkt."
    assert set(first) == {"objectID", "href", "title", "section", "text"}


def test_the_given_reports_are_indexed_in_the_order_given(tmp_path: Path) -> None:
    (tmp_path / "programme.html").write_text(PANDOC.replace("Weert", "Programma"), "utf-8")
    (tmp_path / "lab-weert.html").write_text(QUARTO, "utf-8")
    docs = report_search_docs([tmp_path / "programme.html", tmp_path / "lab-weert.html"])
    assert [d["href"].split("#")[0] for d in docs] == ["../reports/programme.html"] * 2 + [
        "../reports/lab-weert.html"
    ] * 2


def test_reports_are_added_to_quartos_search_json(tmp_path: Path) -> None:
    """Quarto indexed only the site's index page; the reports' sections are appended
    in its format, and what Quarto wrote stays as it was."""
    index = [
        {"objectID": "index.html", "href": "index.html", "title": "T", "section": "", "text": "x"}
    ]
    path = tmp_path / "search.json"
    path.write_text(json.dumps(index), encoding="utf-8")
    docs = search_docs_of_html(PANDOC, "../reports/lab-weert.html")
    add_to_search_index(path, docs + [dict(index[0], text="mine")])
    written = json.loads(path.read_text(encoding="utf-8"))
    assert written == index + docs
    assert "één" in path.read_text(encoding="utf-8")  # UTF-8, as Quarto writes it


def test_fallback_finder_lists_sections_and_needs_no_file(tmp_path: Path) -> None:
    from leerlab_research.report.site import SiteContent

    content = SiteContent(
        lang="nl",
        title="Leerlabs",
        fieldwork=[],
        programme=[],
        columns=[],
        headings={"site_search": "Zoeken in de rapporten"},
        search=search_docs_of_html(PANDOC, "../reports/lab-weert.html"),
    )
    finder = "\n".join(search_finder(content))
    assert finder.startswith('<nav id="report-search"><h2>Zoeken in de rapporten</h2>')
    assert finder.count("<li ") == 2
    assert '<a href="../reports/lab-weert.html#de-voorwaarden">' in finder
    assert 'data-s="reflectie leerlab weert de voorwaarden één voor één"' in finder
    assert not re.search(r"<(script|link|img)[^>]*(src|href)=", finder)  # nothing to fetch
    assert search_finder(SiteContent("nl", "T", [], [], [])) == []
