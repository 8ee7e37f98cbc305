"""The report's small line-based markup, written by jinja2 templates in templates/report/.

    # Heading 1            ## Heading 2            ### Heading 3
    - bullet               (indent by two spaces for a second level)
    text lines             consecutive lines join into one paragraph; a blank line ends it
    **bold**               inline bold
    @toc                   the table of contents
    @pagebreak             a new page
    @landscape / @portrait a new section in that orientation (for wide tables)
    @table NAME | Caption  a table built from the data (the caption is optional)
    @chart NAME | Caption  a chart built from the data, with alt text (caption optional)
    @p STYLE | text        a paragraph in a named style of the reference document

Templates pull in others with jinja2's own `{% include "recommendations.md.j2" %}`.
Lines starting with `//` are comments. Nothing here knows about Word; the builder renders blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from collate.errors import ToolkitError


class MarkupError(ToolkitError):
    pass


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str | None = None


@dataclass(frozen=True)
class Bullet:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Directive:
    name: str  # toc, pagebreak, landscape, portrait, table, chart
    args: list[str] = field(default_factory=list)
    caption: str | None = None


Block = Heading | Paragraph | Bullet | Directive
DIRECTIVES = {"toc", "pagebreak", "landscape", "portrait", "table", "chart", "p"}
_HEADING = re.compile(r"^(#{1,3})\s+(.*)$")
_BULLET = re.compile(r"^( *)[-*]\s+(.*)$")


def parse(text: str, source: str = "template") -> list[Block]:
    """Turn rendered markup into blocks; errors name the line."""
    blocks: list[Block] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(Paragraph(" ".join(s.strip() for s in para)))
            para.clear()

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        if stripped.startswith("//"):
            continue
        if m := _HEADING.match(stripped):
            flush()
            blocks.append(Heading(len(m.group(1)), m.group(2).strip()))
        elif m := _BULLET.match(line):
            flush()
            blocks.append(Bullet(m.group(2).strip(), 1 + len(m.group(1)) // 2))
        elif stripped.startswith("@"):
            flush()
            blocks.append(_directive(stripped, source, number))
        else:
            para.append(stripped)
    flush()
    return blocks


def _directive(line: str, source: str, number: int) -> Block:
    head, _, tail = line[1:].partition("|")
    words = head.split()
    if not words or words[0] not in DIRECTIVES:
        known = ", ".join("@" + d for d in sorted(DIRECTIVES))
        raise MarkupError(f"{source}, line {number}: unknown marker '{line}' (known: {known})")
    name, args = words[0], words[1:]
    tail = tail.strip() or None
    if name == "p":
        if not args or tail is None:
            raise MarkupError(f"{source}, line {number}: write '@p Style Name | text'")
        return Paragraph(tail, style=" ".join(args))
    if name in ("table", "chart") and not args:
        raise MarkupError(f"{source}, line {number}: @{name} needs a name, e.g. '@{name} NAME'")
    return Directive(name, args, tail)


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def runs(text: str) -> list[tuple[str, bool]]:
    """Split inline text into (text, bold) runs."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in _BOLD.finditer(text):
        if m.start() > pos:
            out.append((text[pos : m.start()], False))
        out.append((m.group(1), True))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], False))
    return out
