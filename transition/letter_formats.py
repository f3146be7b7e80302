"""Turning a rendered letter into a file: Markdown/plain text, HTML, DOCX and PDF.

A template renders HTML. That HTML is read back into a small document model (headings,
paragraphs, list items; bold and italic runs; line breaks; right alignment) with lxml's HTML
parser, and each format is written from the model: Markdown, DOCX (python-docx) and PDF
(reportlab, with DejaVu Sans embedded). Type sizes come from the
letter's style, not from the template, so a large-print letter is at least 16 point in DOCX
and PDF whatever a council's template says.

Supported HTML: ``h1``-``h3`` (``h4``-``h6`` read as ``h3``), ``p``, ``div``, ``ul``/``ol``/``li``,
``strong``/``b``, ``em``/``i``, ``br``, ``class="right"`` on a block; ``head``, ``style`` and
``script`` are ignored, ``title`` becomes the document title; other tags contribute their text.
"""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

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
_SKIPPED_TAGS = {"head", "style", "script", "template", "title"}
_HEADINGS = {"h1": "h1", "h2": "h2", "h3": "h3", "h4": "h3", "h5": "h3", "h6": "h3"}
_WHITESPACE = re.compile(r"\s+")


class _LetterReader:
    """Collects blocks and runs from start tags, end tags and text, in document order."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.title_parts: list[str] = []
        self._runs: list[Run] = []
        self._kind = "p"
        self._align = "left"
        self._number: int | None = None
        self._bold = 0
        self._italic = 0
        self._lists: list[list[int]] = []  # per open list: [is_ordered, next number]

    # Blocks ---------------------------------------------------------------------------------
    def flush(self) -> None:
        runs = _tidy_runs(self._runs)
        if runs:
            self.blocks.append(Block(self._kind, runs, self._align, self._number))
        self._runs = []
        self._kind, self._align, self._number = "p", "left", None

    def start(self, tag: str, classes: list[str]) -> None:
        if tag in ("strong", "b"):
            self._bold += 1
        elif tag in ("em", "i"):
            self._italic += 1
        elif tag == "br":
            self._runs.append(Run("\n", bool(self._bold), bool(self._italic)))
        elif tag in ("ul", "ol"):
            self.flush()
            self._lists.append([tag == "ol", 1])
        elif tag in _BLOCK_TAGS:
            self.flush()
            self._align = "right" if "right" in classes else "left"
            if tag in _HEADINGS:
                self._kind = _HEADINGS[tag]
            elif tag == "li":
                self._kind = "li"
                if self._lists and self._lists[-1][0]:
                    self._number = self._lists[-1][1]
                    self._lists[-1][1] += 1

    def end(self, tag: str) -> None:
        if tag in ("strong", "b"):
            self._bold = max(0, self._bold - 1)
        elif tag in ("em", "i"):
            self._italic = max(0, self._italic - 1)
        elif tag in ("ul", "ol"):
            self.flush()
            if self._lists:
                self._lists.pop()
        elif tag in _BLOCK_TAGS:
            self.flush()

    def data(self, text: str | None) -> None:
        if text:
            self._runs.append(Run(_WHITESPACE.sub(" ", text), bool(self._bold), bool(self._italic)))

    def walk(self, element: Any) -> None:
        tag = element.tag if isinstance(element.tag, str) else None  # None: a comment
        if tag is not None and tag.lower() not in _SKIPPED_TAGS:
            tag = tag.lower()
            self.start(tag, (element.get("class") or "").split())
            self.data(element.text)
            for child in element:
                self.walk(child)
            self.end(tag)
        self.data(element.tail)


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
    from lxml import html as lxml_html

    if not html.strip():
        return LetterDocument(title="", blocks=())
    root = lxml_html.document_fromstring(html)
    title_element = root.find(".//title")
    title = "" if title_element is None else title_element.text_content()
    body = root.find("body")
    reader = _LetterReader()
    for element in [body] if body is not None else list(root):
        reader.walk(element)
    reader.flush()
    return LetterDocument(title=_WHITESPACE.sub(" ", title).strip(), blocks=tuple(reader.blocks))


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


_DIGIT_SPACE = re.compile(r"(?<=\d) (?=\d)")
_DATE_SPACES = re.compile(
    r"\b(\d{1,2}) (January|February|March|April|May|June|July|August|September|October|"
    r"November|December) (\d{4})\b"
)


_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def keep_numbers_together(text: str) -> str:
    """No-break spaces inside phone numbers and dates, so a line never splits "0800 000 1234".

    Also drops control characters, which DOCX and PDF cannot hold.
    """
    text = _NOT_IN_XML.sub("", text)
    text = _DATE_SPACES.sub("\\1\u00a0\\2\u00a0\\3", text)
    return _DIGIT_SPACE.sub("\u00a0", text)


# ---------------------------------------------------------------------------------------------
# DOCX (python-docx)
# ---------------------------------------------------------------------------------------------


_DOCX_STYLES = {"h1": "Heading 1", "h2": "Heading 2", "h3": "Heading 3"}
_DOCX_LOCK = threading.Lock()


@lru_cache(maxsize=8)
def _docx_base(style: LetterStyle) -> tuple[Any, dict[str, str]]:
    """An empty A4 document with the style's sizes, reused for every letter in that style.

    Opening a document costs as much as filling one, so one is kept per style and its body
    emptied before each letter (callers hold ``_DOCX_LOCK``).
    """
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(20)
    ids = {}
    for style_name, size in (("Normal", style.body_pt), ("Heading 1", style.h1_pt),
                             ("Heading 2", style.h2_pt), ("Heading 3", style.h3_pt),
                             ("List Bullet", style.body_pt), ("List Number", style.body_pt)):
        paragraph_style = doc.styles[style_name]
        paragraph_style.font.name = DOCX_FONT
        paragraph_style.font.size = Pt(size)
        if style_name.startswith("Heading"):
            paragraph_style.font.color.rgb = RGBColor(0, 0, 0)  # the default blue is low contrast
        ids[style_name] = paragraph_style.style_id
    doc.styles["Normal"].paragraph_format.line_spacing = style.line_spacing
    _slim(doc, keep=set(ids.values()))
    # The text's language (spelling, screen readers) is w:lang, not the document properties;
    # python-docx's default template says en-US.
    for language in doc.styles.element.iter(qn("w:lang")):
        language.set(qn("w:val"), "en-GB")
    _describe_as_transitions(doc)
    return doc, ids


# The extended properties (docProps/app.xml) of a letter: the program that made it, as the
# PDF's /Creator says. python-docx's template names Word for the Mac, with its word counts.
_APP_PROPERTIES = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties"><Application>transition</Application></Properties>'
)


def _describe_as_transitions(doc: Any) -> None:
    """Clear what python-docx's template says of itself ("generated by python-docx"); the
    title, author and dates are set for each letter (:func:`docx_bytes`)."""
    from docx.opc.constants import RELATIONSHIP_TYPE

    properties = doc.core_properties
    properties.comments = properties.keywords = properties.subject = properties.category = ""
    app = doc.part.package.part_related_by(RELATIONSHIP_TYPE.EXTENDED_PROPERTIES)
    # python-docx reads this part as plain bytes and offers no setter: replace them.
    app._blob = _APP_PROPERTIES


def _slim(doc: Any, *, keep: set[str]) -> None:
    """Drop what the letters never use from python-docx's default template.

    Its styles part lists hundreds of styles (about 800 KB with ``stylesWithEffects``) that
    would be serialised and compressed for every letter. Kept: the styles used and the styles
    they depend on. Theme fonts are removed so Arial applies everywhere. Dropped: the
    Word 2010 ``stylesWithEffects`` copy, custom XML and the thumbnail.
    """
    from docx.oxml.ns import qn

    styles = doc.styles.element
    by_id = {element.get(qn("w:styleId")): element for element in styles.findall(qn("w:style"))}
    wanted = set(keep)
    wanted |= {element.get(qn("w:styleId")) for element in by_id.values()
               if element.get(qn("w:default")) == "1"}
    pending = list(wanted)
    while pending:
        element = by_id.get(pending.pop())
        if element is None:
            continue
        for link in ("w:basedOn", "w:next", "w:link"):
            target = element.find(qn(link))
            if target is not None and target.get(qn("w:val")) not in wanted:
                wanted.add(target.get(qn("w:val")))
                pending.append(target.get(qn("w:val")))
    for style_id, element in by_id.items():
        if style_id not in wanted:
            styles.remove(element)
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)
    for fonts in styles.iter(qn("w:rFonts")):
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)
        fonts.set(qn("w:ascii"), DOCX_FONT)
        fonts.set(qn("w:hAnsi"), DOCX_FONT)
    dropped = ("/stylesWithEffects", "/customXml", "/thumbnail")
    for owner in (doc.part, doc.part.package):
        for rel_id, rel in list(owner.rels.items()):
            if rel.reltype.endswith(dropped):
                owner.rels.pop(rel_id)


def _docx_paragraph(block: Block, style: LetterStyle, style_ids: dict[str, str]) -> str:
    """One paragraph as WordprocessingML (text escaped; every run sized explicitly)."""
    if block.kind == "li":
        name = "List Number" if block.number else "List Bullet"
    else:
        name = _DOCX_STYLES.get(block.kind, "Normal")
    properties = ""
    if name != "Normal":
        properties += f'<w:pStyle w:val="{style_ids[name]}"/>'
    if block.align == "right":
        properties += '<w:jc w:val="right"/>'
    half_points = round(style.size_for(block.kind) * 2)
    runs = []
    for run in block.runs:
        weight = "<w:b/><w:bCs/>" if run.bold or block.kind in _DOCX_STYLES else ""
        slant = "<w:i/><w:iCs/>" if run.italic else ""
        lines = keep_numbers_together(run.text).split("\n")
        text = "<w:br/>".join(f'<w:t xml:space="preserve">{xml_escape(line)}</w:t>' for line in lines)
        runs.append(f'<w:r><w:rPr>{weight}{slant}<w:sz w:val="{half_points}"/>'
                    f'<w:szCs w:val="{half_points}"/></w:rPr>{text}</w:r>')
    return f"<w:p><w:pPr>{properties}</w:pPr>{''.join(runs)}</w:p>"


def docx_bytes(document: LetterDocument, style: LetterStyle, *, dated: date, author: str) -> bytes:
    """The letter as a Word document: A4, Arial, every run sized explicitly from the style.

    The body is written as WordprocessingML and parsed once (python-docx's run-by-run API costs
    more than the rest of a letter put together); the package, styles and properties are
    python-docx's.
    """
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    with _DOCX_LOCK:
        doc, style_ids = _docx_base(style)
        body = doc.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
        paragraphs = "".join(_docx_paragraph(block, style, style_ids) for block in document.blocks)
        wrapper = parse_xml(f"<w:body {nsdecls('w')}>{paragraphs}</w:body>")
        section = body.find(qn("w:sectPr"))
        for paragraph in list(wrapper):
            if section is not None:
                section.addprevious(paragraph)
            else:
                body.append(paragraph)
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
# PDF (reportlab, with an embedded Unicode font)
# ---------------------------------------------------------------------------------------------

PDF_FONT = "LetterSans"
PDF_FONT_BOLD = "LetterSans-Bold"
_PDF_LOCK = threading.Lock()


def font_path(name: str) -> Path:
    return Path(str(resources.files("transition").joinpath("fonts", name)))


@lru_cache(maxsize=1)
def _registered_fonts() -> frozenset[str]:
    """Register the embedded faces with reportlab once; return the characters both can draw."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular = TTFont(PDF_FONT, str(font_path(FONT_REGULAR)))
    bold = TTFont(PDF_FONT_BOLD, str(font_path(FONT_BOLD)))
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(bold)
    # <b> picks the bold face; italic is shown upright (no oblique face is shipped).
    for is_bold, is_italic in ((0, 0), (1, 0), (0, 1), (1, 1)):
        addMapping(PDF_FONT, is_bold, is_italic, PDF_FONT_BOLD if is_bold else PDF_FONT)
    codes = set(regular.face.charToGlyph) & set(bold.face.charToGlyph)
    return frozenset(chr(code) for code in codes) | {"\n", "\t"}


def unprintable_characters(document: LetterDocument) -> list[str]:
    """Characters in the letter that the PDF font cannot draw (as U+XXXX), sorted."""
    text = document.title + "".join(block.text for block in document.blocks)
    missing = set(text).difference(_registered_fonts())
    return [f"U+{ord(character):04X}" for character in sorted(missing)]


class UnprintableCharacters(ValueError):
    """The letter holds characters the PDF font cannot draw."""

    def __init__(self, characters: list[str]) -> None:
        super().__init__(", ".join(characters))
        self.characters = characters


def _pdf_markup(runs: tuple[Run, ...]) -> str:
    """Runs as reportlab paragraph markup: every character of text escaped, weight as <b>/<i>."""
    parts = []
    for run in runs:
        text = xml_escape(keep_numbers_together(run.text)).replace("\n", "<br/>")
        if run.bold:
            text = f"<b>{text}</b>"
        if run.italic:
            text = f"<i>{text}</i>"
        parts.append(text)
    return "".join(parts)


@lru_cache(maxsize=8)
def _pdf_styles(style: LetterStyle) -> dict[str, Any]:
    from reportlab.lib.enums import TA_LEFT, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    def make(name: str, size: float, *, bold: bool = False, before: float = 0,
             align: int = TA_LEFT, indent: float = 0) -> ParagraphStyle:
        return ParagraphStyle(
            name, fontName=PDF_FONT_BOLD if bold else PDF_FONT, fontSize=size,
            leading=size * style.line_spacing, spaceBefore=before, spaceAfter=size * 0.5,
            alignment=align, leftIndent=indent, bulletIndent=0, bulletFontName=PDF_FONT,
            bulletFontSize=size, keepWithNext=bold, allowWidows=0, allowOrphans=0,
        )

    body = style.body_pt
    return {
        "h1": make("h1", style.h1_pt, bold=True, before=style.h1_pt * 0.4),
        "h2": make("h2", style.h2_pt, bold=True, before=style.h2_pt * 0.6),
        "h3": make("h3", style.h3_pt, bold=True, before=style.h3_pt * 0.5),
        "p": make("p", body),
        "right": make("right", body, align=TA_RIGHT),
        "li": make("li", body, indent=body * 1.6),
    }


def pdf_bytes(document: LetterDocument, style: LetterStyle, *, dated: date, author: str) -> bytes:
    """The letter as a PDF: A4, DejaVu Sans embedded, sized from the style, page numbers."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    known = _registered_fonts()
    missing = unprintable_characters(document)
    if missing:
        raise UnprintableCharacters(missing)
    assert known
    styles = _pdf_styles(style)
    story = []
    for block in document.blocks:
        markup = _pdf_markup(block.runs)
        if block.kind == "li":
            bullet = f"{block.number}." if block.number is not None else "\u2022"
            story.append(Paragraph(markup, styles["li"], bulletText=bullet))
        elif block.align == "right" and block.kind == "p":
            story.append(Paragraph(markup, styles["right"]))
        else:
            story.append(Paragraph(markup, styles.get(block.kind, styles["p"])))
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm,
        bottomMargin=22 * mm, title=document.title, author=author, creator="transition",
        lang="en-GB", invariant=1,
        displayDocTitle=1,  # the window (and a screen reader) shows the title, not the file name
    )
    with _PDF_LOCK:  # reportlab keeps some module-level state while it builds
        template.build(story, canvasmaker=_numbered_canvas(style, dated))
    return buffer.getvalue()


def _numbered_canvas(style: LetterStyle, dated: date) -> Any:
    """A canvas that writes "Page N of M" on every page and is dated the letter's date."""
    from reportlab.pdfgen.canvas import Canvas

    stamp = datetime(dated.year, dated.month, dated.day, tzinfo=UTC)

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # The page's opening font state is the letter's own face and size (not Helvetica 12).
            kwargs.update(initialFontName=PDF_FONT, initialFontSize=style.body_pt,
                          initialLeading=style.body_pt * style.line_spacing)
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            timestamp = getattr(self._doc, "_timeStamp", None)
            if timestamp is not None:  # same letter, same bytes: dated, not the clock's time
                timestamp.t = stamp.timestamp()
                timestamp.lt = stamp.timetuple()
                timestamp.YMDhms = tuple(stamp.timetuple())[:6]

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(PDF_FONT, style.small_pt)
                self.drawCentredString(self._pagesize[0] / 2, 12 * 2.8346,
                                       f"Page {self._pageNumber} of {total}")
                super().showPage()
            super().save()

    return NumberedCanvas


# ---------------------------------------------------------------------------------------------
# One entry point
# ---------------------------------------------------------------------------------------------

EXTENSIONS = {LetterFormat.MARKDOWN: "md", LetterFormat.HTML: "html", LetterFormat.DOCX: "docx",
              LetterFormat.PDF: "pdf"}


@dataclass(frozen=True)
class RenderedLetter:
    """One letter rendered from its template: the HTML, and the document read from it."""

    html: str
    style: LetterStyle
    # The council's details the template read (``crisis_line``, ``phone``...): what the letter
    # prints of them (transition.letter_council), so that correcting one flags it.
    council_printed: frozenset[str] = frozenset()

    @cached_property
    def document(self) -> LetterDocument:
        """Read only when a file or preview needs it (an unchanged-letter check needs the HTML)."""
        return parse_letter_html(self.html)

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
