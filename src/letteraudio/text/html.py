"""A saved web page to a document (BeautifulSoup with lxml): the article, not the page.

The article body is found (``<article>``, else ``<main>``, else ``<body>``); scripts,
styles, navigation, asides, footers, forms and blocks whose class names say they are
clutter are removed. Headings, paragraphs, list items and quotes are read; code and
tables are dropped. Nothing is fetched: no external entity, image or stylesheet.
"""

from __future__ import annotations

import re
from typing import Any

from letteraudio.text.parse import Document, Dropped, looks_like_subtitle

_REMOVED_TAGS = (
    "script", "style", "noscript", "template", "nav", "aside", "footer", "form", "iframe",
    "svg", "button", "select", "input", "figcaption", "object", "embed", "canvas",
)  # fmt: skip
_REMOVED_ROLES = ("navigation", "complementary", "banner", "contentinfo", "search")
_CLUTTER = re.compile(
    r"(^|[-_\s])(nav|navbar|menu|sidebar|footer|share|sharing|social|cookie|newsletter|"
    r"subscribe|related|comments?|advert|ad|ads|promo|breadcrumbs?|byline-share)($|[-_\s])",
    re.IGNORECASE,
)
_BLOCKS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "table")
_SPACES = re.compile(r"\s+")
_ENTITY = re.compile(r"&[A-Za-z][\w.-]*;")  # an entity the parser left unresolved: not text


def parse_html(text: str) -> Document:
    """Parse an HTML page into a :class:`Document` of its article."""
    from bs4 import BeautifulSoup

    soup: Any = BeautifulSoup(text, "lxml")
    metadata = _metadata(soup)
    for element in soup.find_all(_REMOVED_TAGS):
        element.decompose()
    for element in soup.find_all(attrs={"role": _REMOVED_ROLES}):
        element.decompose()
    for element in soup.find_all(_is_clutter):
        element.decompose()
    for image in soup.find_all("img"):
        image.replace_with(f" {image.get('alt') or ''} ")
    root = _article_root(soup)
    blocks: list[tuple[str, str]] = []
    dropped: list[Dropped] = []
    for element in root.find_all(_BLOCKS) if root else []:
        if element.find_parent(("li", "pre", "table", "p")) or (
            element.name == "blockquote" and element.find(("p", "li"))
        ):
            continue
        spoken = _SPACES.sub(" ", _ENTITY.sub("", element.get_text(" ", strip=True))).strip()
        if element.name in ("pre", "table"):
            dropped.append(Dropped(spoken[:60] or f"(a {element.name})", _why(element.name)))
        elif spoken:
            blocks.append((_kind(element.name), spoken))
    subtitle = None
    title = blocks.pop(0)[1] if blocks and blocks[0][0] == "h1" else metadata.get("title")
    blocks = [("heading" if kind == "h1" else kind, text) for kind, text in blocks]
    body = [[text] for kind, text in blocks[1:] if kind == "paragraph"] or [[""]]
    if (
        title
        and len(blocks) > 1
        and blocks[0][0] == "paragraph"
        and looks_like_subtitle(blocks[0][1], body)
    ):
        subtitle = blocks.pop(0)[1]
    return Document(
        title=title,
        subtitle=subtitle,
        paragraphs=tuple(text for _, text in blocks),
        headings=tuple(i for i, (kind, _) in enumerate(blocks) if kind == "heading"),
        items=tuple(i for i, (kind, _) in enumerate(blocks) if kind == "item"),
        dropped=tuple(dropped),
        metadata=metadata,
    )


def _kind(tag: str) -> str:
    if tag == "h1":
        return "h1"
    if tag.startswith("h"):
        return "heading"
    return "item" if tag == "li" else "paragraph"


def _why(tag: str) -> str:
    return "code block" if tag == "pre" else "table"


def _is_clutter(element: Any) -> bool:
    if element.name in ("html", "body", "article", "main"):
        return False
    names = " ".join([*element.get("class", []), element.get("id") or ""])
    return bool(names.strip()) and bool(_CLUTTER.search(names))


def _article_root(soup: Any) -> Any:
    articles = soup.find_all("article")
    if articles:
        return max(articles, key=lambda a: len(a.get_text()))
    return soup.find("main") or soup.body or soup


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
                found[key] = _SPACES.sub(" ", value).strip()
                break
    language = soup.html.get("lang") if soup.html else None
    if language:
        found["language"] = str(language)
    return found
