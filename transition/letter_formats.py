"""Turning a rendered letter into a file: Markdown/plain text, HTML, DOCX and PDF.

A template renders HTML. That HTML is read back into a small document model (headings,
paragraphs, list items; bold and italic runs; line breaks; right alignment) with the standard
library's HTML parser, and each format is written from the model. Type sizes come from the
letter's style, not from the template, so a large-print letter is at least 16 point in DOCX
and PDF whatever a council's template says.

Supported HTML: ``h1``-``h3`` (``h4``-``h6`` read as ``h3``), ``p``, ``div``, ``ul``/``ol``/``li``,
``strong``/``b``, ``em``/``i``, ``br``, ``class="right"`` on a block; ``head``, ``style`` and
``script`` are ignored, ``title`` becomes the document title; other tags contribute their text.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

from transition.models import LetterFormat

FONT_REGULAR = "DejaVuSans.ttf"
FONT_BOLD = "DejaVuSans-Bold.ttf"
DOCX_FONT = "Arial"


# ---------------------------------------------------------------------------------------------
# Styles: how big the type is
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LetterStyle:
    """Type sizes (points) for one kind of reader."""

    name: str  # standard | large_print | easy_read
    body_pt: float
    h1_pt: float
    h2_pt: float
    h3_pt: float
    small_pt: float  # page numbers; never smaller than body in large print and easy read
    line_spacing: float

    def size_for(self, kind: str) -> float:
        return {"h1": self.h1_pt, "h2": self.h2_pt, "h3": self.h3_pt}.get(kind, self.body_pt)


STANDARD = LetterStyle("standard", 12, 18, 14, 12, 9, 1.3)
LARGE_PRINT = LetterStyle("large_print", 16, 24, 20, 18, 16, 1.4)
EASY_READ = LetterStyle("easy_read", 16, 24, 20, 18, 16, 1.5)
STYLES = {style.name: style for style in (STANDARD, LARGE_PRINT, EASY_READ)}
LARGE_PRINT_MINIMUM_PT = 16


# ---------------------------------------------------------------------------------------------
# The document model
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # h1 | h2 | h3 | p | li
    runs: tuple[Run, ...]
    align: str = "left"  # left | right
    number: int | None = None  # list item number in an <ol>

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True, slots=True)
class LetterDocument:
    title: str
    blocks: tuple[Block, ...]

    def plain_text(self) -> str:
        return "\n".join(block.text for block in self.blocks)


_BLOCK_TAGS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "address", "tr",
               "header", "footer", "section", "article", "main", "body", "ul", "ol", "table",
               "blockquote"}
_SKIPPED_TAGS = {"head", "style", "script", "template"}
_HEADINGS = {"h1": "h1", "h2": "h2", "h3": "h3", "h4": "h3", "h5": "h3", "h6": "h3"}
_WHITESPACE = re.compile(r"\s+")


class _LetterParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.title_parts: list[str] = []
        self._runs: list[Run] = []
        self._kind = "p"
        self._align = "left"
        self._number: int | None = None
        self._bold = 0
        self._italic = 0
        self._skip = 0
        self._in_title = False
        self._lists: list[list[int]] = []  # per open list: [is_ordered, next number]

    # Blocks ---------------------------------------------------------------------------------
    def _flush(self) -> None:
        runs = _tidy_runs(self._runs)
        if runs:
            self.blocks.append(Block(self._kind, runs, self._align, self._number))
        self._runs = []
        self._kind, self._align, self._number = "p", "left", None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip += 1
            return
        if tag == "title":
            self._in_title = True
            return
        if tag in ("strong", "b"):
            self._bold += 1
        elif tag in ("em", "i"):
            self._italic += 1
        elif tag == "br":
            self._runs.append(Run("\n", bool(self._bold), bool(self._italic)))
        elif tag in ("ul", "ol"):
            self._flush()
            self._lists.append([tag == "ol", 1])
        elif tag in _BLOCK_TAGS:
            self._flush()
            classes = (dict(attrs).get("class") or "").split()
            self._align = "right" if "right" in classes else "left"
            if tag in _HEADINGS:
                self._kind = _HEADINGS[tag]
            elif tag == "li":
                self._kind = "li"
                if self._lists and self._lists[-1][0]:
                    self._number = self._lists[-1][1]
                    self._lists[-1][1] += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif tag in ("strong", "b"):
            self._bold = max(0, self._bold - 1)
        elif tag in ("em", "i"):
            self._italic = max(0, self._italic - 1)
        elif tag in ("ul", "ol"):
            self._flush()
            if self._lists:
                self._lists.pop()
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        elif not self._skip:
            self._runs.append(Run(_WHITESPACE.sub(" ", data), bool(self._bold), bool(self._italic)))

    def close(self) -> None:
        super().close()
        self._flush()


def _tidy_runs(runs: list[Run]) -> tuple[Run, ...]:
    """Merge runs of one style, trim spaces at the block's ends and around line breaks."""
    merged: list[Run] = []
    for run in runs:
        if merged and (merged[-1].bold, merged[-1].italic) == (run.bold, run.italic):
            merged[-1] = Run(merged[-1].text + run.text, run.bold, run.italic)
        elif run.text:
            merged.append(run)
    text = "".join(run.text for run in merged)
    if not text.strip():
        return ()
    result: list[Run] = []
    at_line_start = True
    for run in merged:
        value = re.sub(r" *\n *", "\n", run.text)
        if at_line_start:
            value = value.lstrip(" ")
        if value:
            result.append(Run(value, run.bold, run.italic))
            at_line_start = value.endswith("\n")
    # Trim the end of the block.
    while result:
        last = result[-1]
        trimmed = last.text.rstrip(" \n")
        if trimmed:
            result[-1] = Run(trimmed, last.bold, last.italic)
            break
        result.pop()
    # Drop leading line breaks.
    while result and not result[0].text.strip(" \n"):
        result.pop(0)
    if result:
        first = result[0]
        result[0] = Run(first.text.lstrip(" \n"), first.bold, first.italic)
    return tuple(result)


def parse_letter_html(html: str) -> LetterDocument:
    """Read rendered letter HTML into the document model every format is written from."""
    parser = _LetterParser()
    parser.feed(html)
    parser.close()
    title = _WHITESPACE.sub(" ", "".join(parser.title_parts)).strip()
    return LetterDocument(title=title, blocks=tuple(parser.blocks))


# ---------------------------------------------------------------------------------------------
# Markdown / plain text
# ---------------------------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]<>])")


def _markdown_escape(text: str) -> str:
    """Escape what would turn text into Markdown markup (names stay names, never links or HTML)."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"(?m)^(\s*)([#>+-]|\d+[.)])(?=\s)", r"\1\\\2", escaped)


def _markdown_runs(runs: tuple[Run, ...]) -> str:
    parts = []
    for run in runs:
        lines = run.text.split("\n")
        marked = []
        for line in lines:
            text = _markdown_escape(line)
            if text.strip() and run.bold:
                text = f"**{text}**"
            if text.strip() and run.italic:
                text = f"*{text}*"
            marked.append(text)
        parts.append("  \n".join(marked))  # two spaces: a Markdown line break
    return "".join(parts)


def markdown_text(document: LetterDocument) -> str:
    """The letter as Markdown that also reads as plain text."""
    lines: list[str] = []
    previous = ""
    for block in document.blocks:
        body = _markdown_runs(block.runs)
        if block.kind in ("h1", "h2", "h3"):
            text = "#" * int(block.kind[1]) + " " + body.replace("  \n", " ")
        elif block.kind == "li":
            marker = f"{block.number}." if block.number is not None else "-"
            text = f"{marker} " + body.replace("  \n", "  \n  ")
        else:
            text = body
        if lines and not (block.kind == "li" and previous == "li"):
            lines.append("")
        lines.append(text)
        previous = block.kind
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# DOCX (python-docx)
# ---------------------------------------------------------------------------------------------


def docx_bytes(document: LetterDocument, style: LetterStyle, *, dated: date, author: str) -> bytes:
    """The letter as a Word document: A4, Arial, every run sized explicitly from the style."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(20)
    styles = doc.styles
    for style_name, size in (("Normal", style.body_pt), ("Heading 1", style.h1_pt),
                             ("Heading 2", style.h2_pt), ("Heading 3", style.h3_pt),
                             ("List Bullet", style.body_pt), ("List Number", style.body_pt)):
        font = styles[style_name].font
        font.name = DOCX_FONT
        font.size = Pt(size)
        if style_name.startswith("Heading"):
            font.color.rgb = RGBColor(0, 0, 0)  # the default blue is low contrast
    styles["Normal"].paragraph_format.line_spacing = style.line_spacing
    style_for = {"h1": "Heading 1", "h2": "Heading 2", "h3": "Heading 3", "p": "Normal"}
    for block in document.blocks:
        if block.kind == "li":
            paragraph = doc.add_paragraph(style="List Number" if block.number else "List Bullet")
        else:
            paragraph = doc.add_paragraph(style=style_for.get(block.kind, "Normal"))
        if block.align == "right":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        size = Pt(style.size_for(block.kind))
        for run in block.runs:
            added = paragraph.add_run(keep_numbers_together(run.text))  # "\n": a line break
            added.font.size = size
            added.font.name = DOCX_FONT
            added.bold = run.bold or block.kind in ("h1", "h2", "h3") or None
            added.italic = run.italic or None
    properties = doc.core_properties
    properties.title = document.title
    properties.author = author
    properties.last_modified_by = author
    properties.language = "en-GB"
    properties.revision = 1
    stamp = datetime(dated.year, dated.month, dated.day, tzinfo=UTC)
    properties.created = properties.modified = stamp
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# PDF (fpdf2, with an embedded Unicode font)
# ---------------------------------------------------------------------------------------------


def font_path(name: str) -> Path:
    return Path(str(resources.files("transition").joinpath("fonts", name)))


@lru_cache(maxsize=1)
def pdf_characters() -> frozenset[int]:
    """Every character both embedded faces can draw."""
    from fontTools.ttLib import TTFont

    regular = set(TTFont(font_path(FONT_REGULAR), lazy=True).getBestCmap())
    bold = set(TTFont(font_path(FONT_BOLD), lazy=True).getBestCmap())
    return frozenset(regular & bold)


def unprintable_characters(document: LetterDocument) -> list[str]:
    """Characters in the letter that the PDF font cannot draw (as U+XXXX), in order."""
    known = pdf_characters()
    missing: dict[str, None] = {}
    for block in document.blocks:
        for character in block.text + document.title:
            if character not in "\n\t" and ord(character) not in known:
                missing[f"U+{ord(character):04X}"] = None
    return list(missing)


class UnprintableCharacters(ValueError):
    """The letter holds characters the PDF font cannot draw."""

    def __init__(self, characters: list[str]) -> None:
        super().__init__(", ".join(characters))
        self.characters = characters


_PT_TO_MM = 25.4 / 72


def pdf_bytes(document: LetterDocument, style: LetterStyle, *, dated: date, author: str) -> bytes:
    """The letter as a PDF (A4) with DejaVu Sans embedded, sized from the style."""
    from fpdf import FPDF

    missing = unprintable_characters(document)
    if missing:
        raise UnprintableCharacters(missing)

    class LetterPDF(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("LetterSans", "", style.small_pt)
            self.cell(0, style.small_pt * _PT_TO_MM, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = LetterPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_creation_date(datetime(dated.year, dated.month, dated.day, tzinfo=UTC))
    pdf.set_title(document.title)
    pdf.set_author(author)
    pdf.set_creator("transition")
    pdf.set_lang("en-GB")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=22)
    pdf.add_font("LetterSans", "", str(font_path(FONT_REGULAR)))
    pdf.add_font("LetterSans", "B", str(font_path(FONT_BOLD)))
    pdf.add_page()
    left = pdf.l_margin
    previous = ""
    for block in document.blocks:
        size = style.size_for(block.kind)
        line = size * _PT_TO_MM * style.line_spacing
        heading = block.kind in ("h1", "h2", "h3")
        if heading:
            pdf.ln(line * 0.6)
        elif previous and not (block.kind == "li" and previous == "li"):
            pdf.ln(line * 0.5)
        if block.align == "right":
            _right_aligned(pdf, block, size, line)
        elif block.kind == "li":
            marker = f"{block.number}." if block.number is not None else "\u2022"
            indent = size * _PT_TO_MM * 1.6
            pdf.set_font("LetterSans", "", size)
            pdf.set_x(left)
            pdf.cell(indent, line, marker)
            pdf.set_left_margin(left + indent)
            _write_runs(pdf, block.runs, size, line, bold=False)
            pdf.set_left_margin(left)
            pdf.ln(line)
        else:
            _write_runs(pdf, block.runs, size, line, bold=heading)
            pdf.ln(line)
        previous = block.kind
    return bytes(pdf.output())


_DIGIT_SPACE = re.compile(r"(?<=\d) (?=\d)")
_DATE_SPACES = re.compile(
    r"\b(\d{1,2}) (January|February|March|April|May|June|July|August|September|October|"
    r"November|December) (\d{4})\b"
)


def keep_numbers_together(text: str) -> str:
    """No-break spaces inside phone numbers and dates, so a line never splits "0800 000 1234"."""
    text = _DATE_SPACES.sub("\\1\u00a0\\2\u00a0\\3", text)
    return _DIGIT_SPACE.sub("\u00a0", text)


def _write_runs(pdf: object, runs: tuple[Run, ...], size: float, line: float, *, bold: bool) -> None:
    for run in runs:
        pdf.set_font("LetterSans", "B" if (bold or run.bold) else "", size)  # type: ignore[attr-defined]
        pdf.write(line, keep_numbers_together(run.text))  # type: ignore[attr-defined]


def _right_aligned(pdf: object, block: Block, size: float, line: float) -> None:
    """Each line of the block flush right (letterheads); runs keep their own weight."""
    lines: list[list[Run]] = [[]]
    for run in block.runs:
        for index, part in enumerate(run.text.split("\n")):
            if index:
                lines.append([])
            if part:
                lines[-1].append(Run(part, run.bold, run.italic))
    for parts in lines:
        widths = []
        for part in parts:
            pdf.set_font("LetterSans", "B" if part.bold else "", size)  # type: ignore[attr-defined]
            widths.append(pdf.get_string_width(part.text))  # type: ignore[attr-defined]
        available = pdf.w - pdf.l_margin - pdf.r_margin  # type: ignore[attr-defined]
        if sum(widths) > available:  # too long to sit on one line: wrap it left-aligned
            _write_runs(pdf, tuple(parts), size, line, bold=False)
            pdf.ln(line)  # type: ignore[attr-defined]
            continue
        pdf.set_x(pdf.w - pdf.r_margin - sum(widths))  # type: ignore[attr-defined]
        for part, width in zip(parts, widths, strict=True):
            pdf.set_font("LetterSans", "B" if part.bold else "", size)  # type: ignore[attr-defined]
            pdf.cell(width, line, part.text)  # type: ignore[attr-defined]
        pdf.ln(line)  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------
# One entry point
# ---------------------------------------------------------------------------------------------

EXTENSIONS = {LetterFormat.MARKDOWN: "md", LetterFormat.HTML: "html", LetterFormat.DOCX: "docx",
              LetterFormat.PDF: "pdf"}


@dataclass(frozen=True, slots=True)
class RenderedLetter:
    """One letter rendered from its template: the HTML and the document read from it."""

    html: str
    document: LetterDocument
    style: LetterStyle
    notes: tuple[str, ...] = field(default=())

    @property
    def text(self) -> str:
        """The letter as Markdown / plain text (what a preview shows)."""
        return markdown_text(self.document)


def letter_bytes(letter: RenderedLetter, fmt: str, *, dated: date, author: str) -> bytes:
    """The file contents for one letter in one format."""
    if fmt == LetterFormat.MARKDOWN:
        return letter.text.encode("utf-8")
    if fmt == LetterFormat.HTML:
        return letter.html.encode("utf-8")
    if fmt == LetterFormat.DOCX:
        return docx_bytes(letter.document, letter.style, dated=dated, author=author)
    if fmt == LetterFormat.PDF:
        return pdf_bytes(letter.document, letter.style, dated=dated, author=author)
    raise ValueError(f"unknown letter format {fmt!r}")
