"""A saved web page to a document (BeautifulSoup with lxml): the article, not the page.

The article is found first (the longest ``<article>``, else ``<main>``, else ``<body>``);
only inside it are scripts, styles, navigation, asides, footers and blocks whose class
names say they are clutter removed, so a wrapper's class can never take the article
with it. Block elements and ``<br><br>`` separate paragraphs; inline tags join their
words. Data tables and code are dropped and listed. Nothing is fetched: no external
entity, image or stylesheet.
"""

from __future__ import annotations

import re
from typing import Any

from letteraudio.text.parse import Document, Dropped, document_from_blocks

_REMOVED_TAGS = (
    "script", "style", "noscript", "template", "nav", "aside", "footer", "iframe", "svg",
    "button", "select", "input", "textarea", "figcaption", "object", "embed", "canvas",
)  # fmt: skip
_REMOVED_ROLES = ("navigation", "complementary", "banner", "contentinfo", "search")
_CLUTTER_CLASS = re.compile(
    r"^(nav|navbar|menu|sidebar|footer|share|sharing|social|cookie|cookies|newsletter|"
    r"subscribe|related|relatedposts|jp-relatedposts|comments?|advert|ad|ads|promo|"
    r"breadcrumbs?)([-_].*)?$",
    re.IGNORECASE,
)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCK_TAGS = (
    "p", "div", "section", "article", "main", "header", "blockquote", "figure", "td", "th",
    "tr", "dd", "dt", "ul", "ol", "address", "center",
)  # fmt: skip
_MARK = "\x01"
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_ENTITY = re.compile(r"&[A-Za-z][\w.-]*;")  # an entity the parser left unresolved: not text
_STANDFIRST = re.compile(r"standfirst|subtitle|subhead|dek\b|deck\b|lede|summary", re.I)
_SITE_SUFFIX = re.compile(r"\s+[|\u2013\u2014-]\s+[^|\u2013\u2014-]{2,40}$")


def parse_html(text: str) -> Document:
    """Parse an HTML page into a :class:`Document` of its article."""
    from bs4 import BeautifulSoup

    soup: Any = BeautifulSoup(text, "lxml")
    metadata = _metadata(soup)
    root = _article_root(soup)
    if root is None:
        return Document(metadata=metadata)
    dropped: list[Dropped] = []
    _clean(root, dropped)
    _mark_blocks(root)
    blocks = _blocks(root.get_text(""))
    title = metadata.get("title")
    named = [
        i for i, (_, text) in enumerate(blocks) if title and text.casefold() == title.casefold()
    ]
    if named:  # the headline the page's <title> names; headings before it are the site's
        dropped += [Dropped(text, "page header") for kind, text in blocks[: named[0]]
                    if kind in ("h1", "heading")]  # fmt: skip
        blocks = [b for b in blocks[: named[0]] if b[0] not in ("h1", "heading")] + blocks[
            named[0] + 1 :
        ]
    elif blocks and blocks[0][0] == "h1":
        title = blocks.pop(0)[1]
    return document_from_blocks(title, blocks, dropped, metadata)


def _article_root(soup: Any) -> Any:
    articles = soup.find_all("article")
    if articles:
        return max(articles, key=lambda a: len(a.get_text()))
    return soup.find("main") or soup.body or soup


def _clean(root: Any, dropped: list[Dropped]) -> None:
    """Remove clutter inside the article root (never the root or what contains it)."""
    for element in root.find_all(_REMOVED_TAGS):
        element.decompose()
    for element in root.find_all(attrs={"role": _REMOVED_ROLES}):
        element.decompose()
    for element in root.find_all(_is_clutter):
        if not element.decomposed:
            dropped.append(Dropped(_preview(element.get_text(" ")), "page clutter"))
            element.decompose()
    for element in root.find_all(("pre", "table")):
        if element.decomposed or (element.name == "table" and not _is_data_table(element)):
            continue
        reason = "code block" if element.name == "pre" else "table"
        dropped.append(Dropped(_preview(element.get_text(" ")) or f"(a {reason})", reason))
        element.decompose()
    for element in root.find_all(("p", "div", "li")):
        if not element.decomposed and _only_links(element):
            dropped.append(Dropped(_preview(element.get_text(" ")), "navigation links"))
            element.decompose()
    for image in root.find_all("img"):
        image.replace_with(f" {image.get('alt') or ''} ")
    for br in root.find_all("br"):
        br.replace_with("\n")


def _is_clutter(element: Any) -> bool:
    classes = [*element.get("class", []), element.get("id") or ""]
    return any(_CLUTTER_CLASS.match(name) for name in classes if name)


def _only_links(element: Any) -> bool:
    """Two or more links and nothing else worth saying (a menu, a list of parts)."""
    links = element.find_all("a")
    if len(links) < 2 or element.find(("p", "li", "div")):
        return False
    rest = element.get_text(" ")
    for link in links:
        rest = rest.replace(link.get_text(" "), " ", 1)
    return not any(ch.isalnum() for ch in rest)


def _is_data_table(table: Any) -> bool:
    """A table of data (headers, short cells), not a layout table holding paragraphs."""
    if table.find(("p", "div", "h1", "h2", "h3")):
        return False
    cells = table.find_all(("td", "th"))
    return bool(table.find("th")) or (
        len(cells) >= 4 and sum(len(c.get_text()) for c in cells) / len(cells) < 60
    )


def _mark_blocks(root: Any) -> None:
    """Put blank lines around blocks, and a mark before headings and list items."""
    for element in root.find_all((*_HEADINGS, "li", *_BLOCK_TAGS)):
        if element.name in _HEADINGS:
            opening = f"\n\n{_MARK}{element.name}{_MARK}"
        elif element.name == "p" and _STANDFIRST.search(" ".join(element.get("class", []))):
            opening = f"\n\n{_MARK}sub{_MARK}"
        elif element.name == "li":
            opening = f"\n\n{_MARK}li{_MARK}"
        else:
            opening = "\n\n"
        element.insert_before(opening)
        element.insert_after("\n\n")


def _blocks(text: str) -> list[tuple[str, str]]:
    """(kind, text) for each block between blank lines; ``<br><br>`` splits paragraphs."""
    blocks = []
    for raw in re.split(r"\n[ \t\u00a0]*\n", text):
        kind = "paragraph"
        marked = re.match(rf"\s*{_MARK}(\w+){_MARK}", raw)
        if marked:
            tag = marked.group(1)
            kinds = {"h1": "h1", "li": "item", "sub": "subtitle"}
            kind = kinds.get(tag, "heading")
            raw = raw[marked.end() :]
        spoken = _SPACES.sub(
            " ", _ENTITY.sub("", raw.replace("\n", " ").replace(_MARK, ""))
        ).strip()
        if spoken and any(ch.isalnum() for ch in spoken):
            blocks.append((kind, spoken))
    return blocks


def _preview(text: str) -> str:
    line = " ".join(text.split())
    return line[:60] + ("\u2026" if len(line) > 60 else "")


def _metadata(soup: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, selectors in (
        ("title", ('meta[property="og:title"]', "title")),
        ("author", ('meta[name="author"]', 'meta[property="article:author"]')),
        ("description", ('meta[name="description"]', 'meta[property="og:description"]')),
    ):
        for selector in selectors:
            element = soup.select_one(selector)
            value = (element.get("content") or element.get_text()) if element else ""
            if value and value.strip():
                found[key] = " ".join(value.split())
                break
    if "title" in found:
        found["title"] = _SITE_SUFFIX.sub("", found["title"])
    language = soup.html.get("lang") if soup.html else None
    if language:
        found["language"] = str(language)
    return found
