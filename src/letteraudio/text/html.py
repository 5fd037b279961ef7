"""A saved web page to a document: the article, not the page.

The article is found by trafilatura (see :mod:`letteraudio.text.article`), imported only
when a page is read; when it finds nothing usable, letteraudio's own parser (below) reads
the page. Either way the page is first parsed once with BeautifulSoup (lxml): posts kept
in ``<script type="text/template">`` (Blogger) are unpacked, and elements nested more
than :data:`MAX_DEPTH` levels deep are flattened into paragraphs (their text is kept,
their structure is not, and the script says so), so a pathological page costs about
what a flat one of the same size does. Related-link sections, reading times, tag lists
and author boxes are left out (:mod:`letteraudio.text.webclutter`). Everything the page
had that is not spoken is listed with its reason: clutter, tables, code, blocks outside
the article.

letteraudio's own parser takes the ``<article>`` (or ``<main>``) that holds the page's
text; only inside it are scripts, styles, navigation, asides, footers and blocks whose
class names say they are clutter removed, and never a wrapper that holds most of the
text. Block elements and ``<br><br>`` separate paragraphs; inline tags join their
words. Data tables are read row by row; code is dropped and listed. Nothing is
fetched: no external entity, image or stylesheet.
"""

from __future__ import annotations

import re
from typing import Any

from letteraudio.text.parse import (
    CODE_SAID,
    Document,
    Dropped,
    code_is_plain,
    document_from_blocks,
    table_reason,
)
from letteraudio.text.webclutter import block_reason, remove_page_furniture

OUTSIDE_ARTICLE = "not part of the article"
"""Why a block of a web page around its article is not spoken."""

MAX_DEPTH = 100
"""Deeper elements are flattened (real pages nest about 50 levels; lxml, and so
trafilatura, silently stop reading at 255)."""
MIN_ARTICLE_SHARE = 0.3
"""An ``<article>`` with less of the page's paragraph text than this is a teaser or a
comment, not the story."""
MIN_TEMPLATE_WORDS = 20
"""A ``<script type="text/template">`` with fewer words of HTML is a widget, not a post."""
CLUTTER_MAX_SHARE = 0.5
"""A block whose class says clutter but which holds more of the text than this is a
wrapper around the article (``entry themeform share``), not clutter."""

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
_TEMPLATE_TYPE = re.compile(r"^\s*text/(x-)?template\s*$", re.I)
_INVISIBLE = frozenset(("script", "style", "noscript", "template", "svg", "canvas", "object",
                        "embed", "iframe", "select", "textarea", "button", "head"))  # fmt: skip
_MARKED = frozenset((*_HEADINGS, "li", *_BLOCK_TAGS))
_FLAT_BREAKS = frozenset((*_HEADINGS, *_BLOCK_TAGS, "li", "br"))
_MARK = "\x01"
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_ENTITY = re.compile(r"&[A-Za-z][\w.-]*;")  # an entity the parser left unresolved: not text
_STANDFIRST = re.compile(r"standfirst|subtitle|subhead|dek\b|deck\b|lede|summary", re.I)
_SITE_SUFFIX = re.compile(r"\s+[|\u2013\u2014-]\s+[^|\u2013\u2014-]{2,40}$")


def parse_html(text: str) -> Document:
    """Parse an HTML page into a :class:`Document` of its article."""
    from letteraudio.text.article import extract_article

    soup, notes, changed = _prepared_soup(text)
    furniture = _remove_furniture(soup)
    structural = any(item.reason in ("table of contents", "table") for item in furniture)
    page = str(soup) if changed or structural else text  # trafilatura reads no image, and
    # says inline code as letteraudio does: badges and code need no new page
    metadata = _metadata(soup)
    everything = _blocks(_marked_text(soup.body or soup, skip=_INVISIBLE))
    teasers = _teasers(soup)
    title, blocks, dropped = _read_own(soup, metadata)
    own = blocks
    dropped = notes + furniture + dropped
    extracted = None if notes else extract_article(page)  # flattened: trafilatura's
    # judgement rests on the structure that was taken away; letteraudio reads it all
    if extracted is not None and any(kind != "h1" for kind, _ in extracted.blocks):
        for key in ("author", "date"):  # what the page says of itself (a title it guesses)
            if key in extracted.metadata and key not in metadata:
                metadata[key] = extracted.metadata[key]
        title, blocks, header = _take_title(extracted.blocks, metadata.get("title"))
        blocks = _restored(blocks, [b for b in own if _comparable(b[1]) not in teasers])
        dropped = [*notes, *extracted.dropped, *header, *dropped]
    return _document(title, blocks, _unspoken(title, blocks, dropped, everything), metadata)


RESTORED_KINDS = ("heading", "term")
"""What trafilatura leaves out between the blocks it keeps that letteraudio puts back:
the body's headings (DocBook's ``<div class="chapter"><div class="titlepage"><h2>``)
and the terms of definition lists, which it drops while keeping their meanings."""


RESTORED_MAX_WORDS = 12
"""A heading or term put back is short: a longer "heading" is a standfirst or a teaser."""
RESTORE_WINDOW = 64
"""How many of trafilatura's blocks ahead a paragraph is looked for (so a page of
20,000 blocks costs no more than a short one, block for block)."""


def _teasers(soup: Any) -> set[str]:
    """The headings that are links to other pages (a related story's title), which are
    never put back."""
    found = set()
    for heading in soup.find_all(_HEADINGS):
        links = heading.find_all("a", href=True)
        rest = heading.get_text(" ")
        for link in links:
            rest = rest.replace(link.get_text(" "), " ", 1)
        inside = heading.find_parent("a", href=True) is not None
        if inside or (links and not any(ch.isalnum() for ch in rest)):
            found.add(_comparable(heading.get_text(" ")))
    return found


def _restored(blocks: list[tuple[str, str]], own: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """trafilatura's ``blocks`` with the headings and defined terms of letteraudio's own
    reading (``own``, clutter already out) put back in their place when what follows
    them is kept (a heading over a section trafilatura left out stays out). A heading
    or term counts as kept only when a block is exactly it; a paragraph, when a block
    holds it."""
    kept = [_comparable(text) for _, text in blocks]
    headed = any(kind == "heading" for kind, _ in blocks)
    restoring = ("term",) if headed else RESTORED_KINDS
    exact: dict[str, list[int]] = {}
    for index, text in enumerate(kept):
        exact.setdefault(text, []).append(index)
    if not any(kind in restoring and _comparable(text) not in exact for kind, text in own):
        return blocks  # nothing to put back (most pages: no cost)
    found: list[tuple[str, str]] = []
    pending: list[tuple[str, str]] = []
    done = 0  # blocks of trafilatura's already placed
    for kind, text in own:
        wanted = _comparable(text)
        short = (
            kind in restoring
            and len(text.split()) <= RESTORED_MAX_WORDS
            and block_reason(text) is None  # not furniture
        )
        start = max(done - 1, 0)
        at = next((i for i in exact.get(wanted, ()) if i >= start), None)
        if at is None and not short:  # a paragraph held in a block: looked for nearby
            at = next(
                (i for i in range(start, min(len(blocks), start + RESTORE_WINDOW))
                 if wanted in kept[i] or kept[i] in wanted),
                None,
            )  # fmt: skip
        if at is None:
            if short:
                pending.append((kind, text))
            else:
                pending = []  # a heading over something not kept: a section left out
            continue
        if at >= done:
            found += blocks[done:at]
            found += pending if done else [b for b in pending if b[0] == "heading"][-1:]
            found.append(blocks[at])
            done = at + 1
        else:
            found += pending
        pending = []
    return found + blocks[done:]


def _unspoken(
    title: str | None,
    blocks: list[tuple[str, str]],
    dropped: list[Dropped],
    everything: list[tuple[str, str]],
) -> list[Dropped]:
    """What the page had that is not spoken: what the readers dropped (with their
    reasons; not what trafilatura kept after letteraudio's parser dropped it), then any
    other block of the page, as not part of the article."""
    spoken = _comparable(" ".join([title or "", *(text for _, text in blocks)]))
    kept: list[Dropped] = []
    listed: set[tuple[str, str]] = set()
    for item in dropped:
        text = _comparable(item.text.rstrip("\u2026"))
        judged = item.reason in ("page clutter", "navigation links", "page header")
        if (item.reason, text) in listed or (judged and (not text or text in spoken)):
            continue  # listed, empty, or spoken after all (trafilatura kept it)
        listed.add((item.reason, text))
        kept.append(item)
    said = " ".join(text for _, text in listed)
    for _, block in everything:
        text = _comparable(block)
        if text not in spoken and _comparable(_preview(block).rstrip("\u2026")) not in said:
            kept.append(Dropped.of(block, OUTSIDE_ARTICLE))
            said += " " + text
    return kept


def parse_html_own(text: str) -> Document:
    """Parse an HTML page with letteraudio's own parser alone (no trafilatura)."""
    soup, notes, _ = _prepared_soup(text)
    notes += _remove_furniture(soup)
    metadata = _metadata(soup)
    title, blocks, dropped = _read_own(soup, metadata)
    return _document(title, blocks, notes + dropped, metadata)


def _document(
    title: str | None,
    blocks: list[tuple[str, str]],
    dropped: list[Dropped],
    metadata: dict[str, str],
) -> Document:
    unresolved = [(kind, " ".join(_ENTITY.sub("", text).split())) for kind, text in blocks]
    blocks = [(kind, text) for kind, text in unresolved if any(ch.isalnum() for ch in text)]
    blocks, furniture = remove_page_furniture(blocks)
    return document_from_blocks(title, blocks, dropped + furniture, metadata)


def _comparable(text: str) -> str:
    return " ".join(text.split()).casefold()


def _prepared_soup(text: str) -> tuple[Any, list[Dropped], bool]:
    """The page parsed, its templates unpacked and its depth bounded; what was changed."""
    from bs4 import BeautifulSoup

    soup: Any = BeautifulSoup(text, "lxml")
    unpacked = _unpack_templates(soup)
    notes = _bound_depth(soup)
    return soup, notes, unpacked or bool(notes)


def _remove_furniture(soup: Any) -> list[Dropped]:
    """Take out what a document (a README, a manual) has around its text that is not
    read: links that hold only images (badges), tables of contents (a list of two or
    more links within the page and nothing else, with a short label beside it) and data
    tables too wide or too full of symbols to read aloud. Inline code that is not a few
    plain words is said as "code" (and listed)."""
    dropped: list[Dropped] = []
    for code in soup.find_all("code"):
        text = code.get_text()
        if _gone(code) or code.find_parent("pre") is not None or code_is_plain(text.strip()):
            continue
        dropped.append(Dropped.of(text, 'inline code, said as "code"'))
        code.string = CODE_SAID
    for table in soup.find_all("table"):
        if _gone(table) or not _attached(table) or not _is_data_table(table):
            continue
        grid = _grid(table)
        reason = table_reason(grid)
        if reason:
            dropped.append(Dropped.of(" ".join(map(" ".join, grid)), "table", reason))
            table.decompose()
    for link in soup.find_all("a"):
        if _gone(link) or not link.find("img") or _has_words(link):
            continue
        alts = " ".join(str(img.get("alt") or "") for img in link.find_all("img")).strip()
        dropped.append(Dropped.of(alts, "badge", None if alts else "(an image link)"))
        link.decompose()
    for listing in soup.find_all(("ul", "ol", "dl")):
        if _gone(listing) or not _is_contents(listing):
            continue
        holder = listing.parent
        rest = [c for c in holder.children if c is not listing] if holder is not None else []
        label = " ".join(c.get_text(" ") if hasattr(c, "get_text") else str(c) for c in rest)
        whole = holder is not None and holder.name in ("div", "nav", "section") and (
            len(label.split()) <= 4 and not any(getattr(c, "name", None) in ("ul", "ol", "dl")
                                                 for c in rest))  # fmt: skip
        target = holder if whole else listing
        dropped.append(Dropped.of(target.get_text(" "), "table of contents"))
        target.decompose()
    return dropped


def _has_words(element: Any) -> bool:
    from bs4.element import NavigableString

    return any(
        isinstance(text, NavigableString) and any(ch.isalnum() for ch in text)
        for text in element.find_all(string=True)
    )


def _is_contents(listing: Any) -> bool:
    """A list whose every word is in a link to a place in the same page (``#usage``)."""
    links = listing.find_all("a")
    if len(links) < 2 or any(not str(a.get("href") or "").startswith("#") for a in links):
        return False
    rest = listing.get_text(" ")
    for link in links:
        rest = rest.replace(link.get_text(" "), " ", 1)
    return not any(ch.isalpha() for ch in rest)


def _unpack_templates(soup: Any) -> bool:
    """Replace ``<script type="text/template">`` holding HTML (a Blogger post) by that HTML."""
    from bs4 import BeautifulSoup

    unpacked = False
    for script in soup.find_all("script", attrs={"type": _TEMPLATE_TYPE}):
        content = script.string or ""
        if not content.lstrip().startswith("<"):
            continue  # JSON or a template language, not a post
        fragment: Any = BeautifulSoup(content, "lxml")
        if len(fragment.get_text(" ").split()) < MIN_TEMPLATE_WORDS:
            continue
        holder = soup.new_tag("div")
        for child in list((fragment.body or fragment).contents):
            holder.append(child.extract())
        script.replace_with(holder)
        unpacked = True
    return unpacked


def _bound_depth(soup: Any) -> list[Dropped]:
    """Flatten what lies deeper than :data:`MAX_DEPTH`: each element at that depth keeps
    the text below it as paragraphs (and headings, items), and loses the structure."""
    depth = {id(soup): 0}
    floors = []
    for element in soup.descendants:
        if getattr(element, "name", None) is None:
            continue
        level = depth[id(element.parent)] + 1
        depth[id(element)] = level
        if level == MAX_DEPTH and element.find(True) is not None:
            floors.append(element)
    flattened = sum(_flatten(soup, floor) for floor in floors)
    if not flattened:
        return []
    return [Dropped(f"{flattened:,} elements nested more than {MAX_DEPTH} levels deep",
                    "nesting flattened: their text is read as plain paragraphs")]  # fmt: skip


def _flatten(soup: Any, floor: Any) -> int:
    from bs4.element import NavigableString, PreformattedString

    blocks: list[tuple[str, list[str]]] = []
    current: tuple[str, list[str]] = ("p", [])
    removed = 0
    for node in floor.descendants:
        name = getattr(node, "name", None)
        if name is not None:
            removed += 1
            if name in _FLAT_BREAKS:
                blocks.append(current)
                current = (name if name in (*_HEADINGS, "li") else "p", [])
        elif (
            isinstance(node, NavigableString)
            and not isinstance(node, PreformattedString)
            and getattr(node.parent, "name", None) not in _REMOVED_TAGS
        ):
            current[1].append(str(node))
    blocks.append(current)
    floor.clear()
    for name, parts in blocks:
        text = " ".join("".join(parts).split())
        if text:
            block = soup.new_tag(name)
            block.string = text
            floor.append(block)
    return removed


def _read_own(
    soup: Any, metadata: dict[str, str]
) -> tuple[str | None, list[tuple[str, str]], list[Dropped]]:
    """letteraudio's own reading of the page: title, (kind, text) blocks, what it dropped."""
    root = _article_root(soup)
    if root is None:
        return metadata.get("title"), [], []
    dropped: list[Dropped] = []
    _clean(root, dropped)
    title, blocks, header = _take_title(_blocks(_marked_text(root)), metadata.get("title"))
    return title, blocks, dropped + header


def _take_title(
    blocks: list[tuple[str, str]], title: str | None
) -> tuple[str | None, list[tuple[str, str]], list[Dropped]]:
    """The headline the page's ``<title>`` names (headings before it are the site's), else
    a first ``h1``; the blocks without it; the site's headings dropped."""
    named = [i for i, (_, text) in enumerate(blocks)
             if title and text.casefold() == title.casefold()]  # fmt: skip
    if named:
        dropped = [Dropped(text, "page header") for kind, text in blocks[: named[0]]
                   if kind in ("h1", "heading")]  # fmt: skip
        rest = [b for b in blocks[: named[0]] if b[0] not in ("h1", "heading")]
        return title, rest + blocks[named[0] + 1 :], dropped
    if blocks and blocks[0][0] == "h1":
        return blocks[0][1], blocks[1:], []
    return title, blocks, []


def _article_root(soup: Any) -> Any:
    """The ``<article>`` that holds the page's text, else ``<main>`` if it does, else the body.

    A page's longest ``<article>`` may be a teaser card, a related-story block or a
    reader comment while the story sits outside it: an article holding less than
    :data:`MIN_ARTICLE_SHARE` of the page's paragraph text is not taken."""
    page = soup.body or soup
    total = _paragraph_chars(page)
    articles = soup.find_all("article")
    best = max(articles, key=_paragraph_chars) if articles else None
    for candidate in (best, soup.find("main")):  # a <main> may hold nothing but a header
        if candidate is not None and _paragraph_chars(candidate) >= MIN_ARTICLE_SHARE * total:
            return candidate
    return page


def _paragraph_chars(element: Any) -> int:
    return sum(len(p.get_text()) for p in element.find_all("p")) or len(element.get_text())


def _clean(root: Any, dropped: list[Dropped]) -> None:
    """Remove clutter inside the article root (never the root or what contains it)."""
    for element in root.find_all(_REMOVED_TAGS):
        element.decompose()
    for element in root.find_all(attrs={"role": _REMOVED_ROLES}):
        element.decompose()
    total = len(root.get_text())
    for element in root.find_all(_is_clutter):
        if _gone(element):
            continue
        text = element.get_text(" ")
        if len(text) > CLUTTER_MAX_SHARE * total:
            continue  # a wrapper around the article, whatever its class says
        dropped.append(Dropped.of(text, "page clutter"))
        element.decompose()
    for element in root.find_all(("pre", "table")):
        if _gone(element) or (element.name == "table" and not _is_data_table(element)):
            continue
        if element.name == "table":
            if _attached(element):  # not inside a table already read (a nested one)
                _read_by_rows(element, dropped)
            continue
        code = element.get_text(" ")
        dropped.append(Dropped.of(code, "code block", None if code.strip() else "(code)"))
        element.decompose()
    for element in root.find_all(("p", "div", "li")):
        if not _gone(element) and _only_links(element):
            dropped.append(Dropped.of(element.get_text(" "), "navigation links"))
            element.decompose()


def _read_by_rows(table: Any, dropped: list[Dropped]) -> None:
    """A data table read as a screen reader reads it: a list item per row, its cells
    joined by commas (as trafilatura's tables are read); a wide one or one of symbols
    is listed with its size instead."""
    grid = _grid(table)
    reason = table_reason(grid)
    if reason:
        dropped.append(Dropped.of(" ".join(map(" ".join, grid)), "table", reason))
        table.decompose()
        return
    rows = [", ".join(cell for cell in cells if cell) for cells in grid]
    soup = _top(table)
    holder = soup.new_tag("ul")
    for text in rows:
        item = soup.new_tag("li")
        item.string = text
        holder.append(item)
    table.replace_with(holder)


def _top(element: Any) -> Any:
    while element.parent is not None:
        element = element.parent
    return element


def _attached(element: Any) -> bool:
    """Still in the page (not inside a block taken out of it): only there can
    new tags be made."""
    from bs4 import BeautifulSoup

    return isinstance(_top(element), BeautifulSoup)


def _grid(table: Any) -> list[list[str]]:
    """The text of each cell of each row of a table that has any (not of tables nested
    in its cells: a cell's text holds theirs)."""
    grid = []
    for row in table.find_all("tr"):
        if row.find_parent("table") is not table:
            continue
        cells = [
            " ".join(c.get_text(" ").split()) for c in row.find_all(("td", "th"), recursive=False)
        ]
        if any(cells):
            grid.append(cells)
    return grid


def _gone(element: Any) -> bool:
    """Removed with an enclosing element (read from the instance: bs4's ``decomposed``
    property falls through to a search of the whole subtree when the flag is unset)."""
    return bool(vars(element).get("_decomposed", False))


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


def _marked_text(root: Any, skip: frozenset[str] = frozenset()) -> str:
    """The text of ``root`` with blank lines around blocks, a mark before headings and
    list items, images as their alt text and ``<br>`` as a newline.

    One pass over the tree with a stack of its own (no recursion, and no insertion into
    the tree, which costs a search of the siblings each time)."""
    from bs4.element import CData, NavigableString

    out: list[str] = []
    stack = [(root, iter(root.contents))]
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if node is not root and node.name in _MARKED:
                out.append("\n\n")
        elif type(child) in (NavigableString, CData):
            out.append(str(child))
        elif isinstance(child, NavigableString):
            continue  # comments, doctypes, processing instructions
        elif child.name in skip:
            continue
        elif child.name == "br":
            out.append("\n")
        elif child.name == "img":
            out.append(f" {child.get('alt') or ''} ")
        else:
            if child.name in _MARKED:
                out.append(_opening(child))
            stack.append((child, iter(child.contents)))
    return "".join(out)


def _opening(element: Any) -> str:
    if element.name in _HEADINGS:
        return f"\n\n{_MARK}{element.name}{_MARK}"
    if element.name == "p" and _STANDFIRST.search(" ".join(element.get("class", []))):
        return f"\n\n{_MARK}sub{_MARK}"
    if element.name in ("li", "dt"):
        return f"\n\n{_MARK}{element.name}{_MARK}"
    return "\n\n"


def _blocks(text: str) -> list[tuple[str, str]]:
    """(kind, text) for each block between blank lines; ``<br><br>`` splits paragraphs."""
    blocks = []
    for raw in re.split(r"\n[ \t\u00a0]*\n", text):
        kind = "paragraph"
        marked = re.match(rf"\s*{_MARK}(\w+){_MARK}", raw)
        if marked:
            tag = marked.group(1)
            kinds = {"h1": "h1", "li": "item", "sub": "subtitle", "dt": "term"}
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
    """Title, author, description and language as the page's head declares them
    (``find``, not CSS selectors: compiling soupsieve's patterns costs a tenth of a second)."""
    found: dict[str, str] = {}
    for key, wanted in (
        ("title", (("meta", "property", "og:title"), ("title", None, None))),
        ("author", (("meta", "name", "author"), ("meta", "property", "article:author"))),
        ("description", (("meta", "name", "description"),
                         ("meta", "property", "og:description"))),
    ):  # fmt: skip
        for tag, attribute, value in wanted:
            element = soup.find(tag, attrs={attribute: value} if attribute else {})
            text = (element.get("content") or element.get_text()) if element else ""
            if text and text.strip():
                found[key] = " ".join(text.split())
                break
    if "title" in found:
        found["title"] = _SITE_SUFFIX.sub("", found["title"])
    language = soup.html.get("lang") if soup.html else None
    if language:
        found["language"] = str(language)
    return found
