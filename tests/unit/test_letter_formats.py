"""Letter files and templates: type sizes read back from DOCX and PDF, Unicode, injection,
the sandbox, broken templates, and the HTML reader every format is written from."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader
from pypdf.generic import ContentStream
from sqlalchemy import select, update

from tests.letter_setup import TODAY, handover_person, with_transfer_date
from transition.config import CouncilDetails
from transition.db import Database
from transition.letter_formats import (
    LARGE_PRINT_MINIMUM_PT,
    markdown_text,
    parse_letter_html,
)
from transition.letter_templates import (
    LetterTemplateError,
    LetterTemplates,
    TemplateChoice,
    shipped_folder,
)
from transition.letters import GenerationResult, generate_letters
from transition.models import AuditEvent, Letter, utcnow

COUNCIL = CouncilDetails()


def generate(session, out: Path, **options) -> GenerationResult:  # type: ignore[no-untyped-def]
    return generate_letters(session, council=COUNCIL, out_dir=out, as_of=TODAY, actor="tester",
                            **options)


def docx_sizes(path: Path) -> tuple[set[float], set[float]]:
    """(every run's size, every paragraph style's size) in a Word file, in points."""
    document = Document(str(path))
    runs: set[float] = set()
    styles: set[float] = set()
    for paragraph in document.paragraphs:
        style = paragraph.style
        while style is not None and style.font.size is None:
            style = style.base_style
        assert style is not None, "every paragraph has a sized style"
        styles.add(style.font.size.pt)
        for run in paragraph.runs:
            assert run.font.size is not None, "every run is sized explicitly"
            runs.add(run.font.size.pt)
    return runs, styles


def pdf_font_sizes(path: Path) -> set[float]:
    """Every size set by a Tf (set font) operator on every page, read with a real PDF reader."""
    reader = PdfReader(str(path))
    sizes = set()
    for page in reader.pages:
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                sizes.add(float(operands[1]))
    return sizes


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages).replace("\xa0", " ")


# ---------------------------------------------------------------------------------------------
# Large print, read back
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("need", ["large_print", "easy_read"])
def test_large_print_and_easy_read_are_at_least_16_point_in_docx_and_pdf(
    database: Database, tmp_path: Path, need: str
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session, accessible_format=need)
        docx = generate(session, tmp_path / "d", kinds=["person"], fmt="docx").written[0]
        pdf = generate(session, tmp_path / "p", kinds=["person"], fmt="pdf").written[0]
    runs, styles = docx_sizes(Path(docx.path or ""))
    assert min(runs | styles) >= LARGE_PRINT_MINIMUM_PT
    sizes = pdf_font_sizes(Path(pdf.path or ""))
    assert sizes and min(sizes) >= LARGE_PRINT_MINIMUM_PT, sizes


def test_standard_print_is_smaller_so_the_read_back_can_tell(database: Database, tmp_path: Path) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session)
        docx = generate(session, tmp_path / "d", kinds=["person"], fmt="docx").written[0]
        pdf = generate(session, tmp_path / "p", kinds=["person"], fmt="pdf").written[0]
    runs, _ = docx_sizes(Path(docx.path or ""))
    assert 12 in runs and min(runs) < LARGE_PRINT_MINIMUM_PT
    assert 12 in pdf_font_sizes(Path(pdf.path or ""))


def test_the_pdf_embeds_a_unicode_font_and_shows_accented_names(
    database: Database, tmp_path: Path
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session, given_name="Zoë", family_name="Siân-Łukasz",
                        address="7 Ffordd Ŵyn, Ystrad Ştefan")
        [person_pdf] = generate(session, tmp_path / "p", kinds=["person"], fmt="pdf").written
    path = Path(person_pdf.path or "")
    text = pdf_text(path)
    for name in ("Zoë Siân-Łukasz", "Ffordd Ŵyn", "Ştefan", "Jo Łukasz", "1 April 2027"):
        assert name in text, name
    reader = PdfReader(str(path))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert fonts
    for font in fonts.values():
        font = font.get_object()
        if "/DescendantFonts" in font:  # a composite (Type 0) font
            font = font["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in font["/FontDescriptor"].get_object(), "the TrueType font is embedded"
        assert "DejaVuSans" in str(font["/BaseFont"])
    assert reader.metadata is not None and reader.metadata.title.startswith("Your new social worker")


def test_a_pdf_reader_shows_the_letters_title_and_language(database: Database, tmp_path: Path) -> None:
    """A screen reader announces the window's title: the letter's title, not its file name
    (DisplayDocTitle, as PDF/UA and WCAG technique PDF18 ask)."""
    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session)
        [letter] = generate(session, tmp_path / "p", kinds=["person"], fmt="pdf").written
    catalog = PdfReader(str(letter.path)).trailer["/Root"]
    assert catalog["/Lang"] == "en-GB"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True


def test_a_name_the_pdf_font_cannot_show_skips_the_pdf_with_a_reason(
    database: Database, tmp_path: Path
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session, given_name="王", family_name="芳")
        result = generate(session, tmp_path / "p", kinds=["person"], fmt="pdf")
        docx = generate(session, tmp_path / "d", kinds=["person"], fmt="docx")
    [skipped] = result.skipped
    assert "U+738B" in (skipped.reason or "") and "--format docx" in (skipped.reason or "")
    assert not list((tmp_path / "p").glob("*.pdf"))
    assert "王 芳" in "\n".join(p.text for p in Document(docx.written[0].path).paragraphs)


def test_docx_is_a4_with_the_title_and_dated_properties(database: Database, tmp_path: Path) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session)
        [letter] = generate(session, tmp_path / "d", kinds=["gp"], fmt="docx").written
    document = Document(letter.path)
    assert round(document.sections[0].page_width.mm) == 210
    assert document.core_properties.title.endswith("change of care coordinator from 1 April 2027")
    assert document.core_properties.created.date() == TODAY


def test_docx_properties_say_what_the_pdfs_do_and_nothing_of_python_docx(
    database: Database, tmp_path: Path
) -> None:
    """Author (Word's "Author" is dc:creator) the council, as the PDF's /Author; the program
    that made it transition, as the PDF's /Creator; python-docx's template said "generated by
    python-docx" and "Microsoft Macintosh Word"."""
    import zipfile

    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session)
        [letter] = generate(session, tmp_path / "d", kinds=["person"], fmt="docx").written
        [pdf] = generate(session, tmp_path / "p", kinds=["person"], fmt="pdf").written
    properties = Document(letter.path).core_properties
    metadata = PdfReader(str(pdf.path)).metadata
    assert metadata is not None
    assert properties.author == properties.last_modified_by == metadata.author == COUNCIL.name
    assert properties.title == metadata.title and properties.language == "en-GB"
    assert (properties.comments, properties.keywords, properties.subject) == ("", "", "")
    with zipfile.ZipFile(letter.path) as package:
        described = package.read("docProps/core.xml").decode() + package.read(
            "docProps/app.xml").decode()
    assert "python-docx" not in described and "Microsoft" not in described
    assert metadata.creator == "transition"
    assert "<Application>transition</Application>" in described


def test_docx_text_is_marked_british_english(database: Database, tmp_path: Path) -> None:
    """Word, its spelling checker and screen readers take the language from the text's own
    w:lang, not from the document properties: python-docx's default template says en-US."""
    from docx.oxml.ns import qn

    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session)
        [letter] = generate(session, tmp_path / "d", kinds=["person"], fmt="docx").written
    document = Document(letter.path)
    assert document.core_properties.language == "en-GB"
    languages = {element.get(qn("w:val"))
                 for element in document.styles.element.iter(qn("w:lang"))}
    languages |= {element.get(qn("w:val")) for element in document.element.iter(qn("w:lang"))}
    assert languages == {"en-GB"}


# ---------------------------------------------------------------------------------------------
# A person's data is text, whatever it holds
# ---------------------------------------------------------------------------------------------

HOSTILE_NAME = "{{ 7*7 }}"
HOSTILE_FAMILY = "<script>alert(1)</script>{% raw %}"


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "pdf"])
def test_template_code_and_markup_in_a_record_are_printed_literally(
    database: Database, tmp_path: Path, fmt: str
) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session, given_name=HOSTILE_NAME, family_name=HOSTILE_FAMILY,
                        address="{{ council.__class__ }}, **bold** [link](http://x.invalid)")
        [letter] = generate(session, tmp_path / fmt, kinds=["person"], fmt=fmt).written
    path = Path(letter.path or "")
    if fmt == "md":
        text = path.read_text()
        assert "\\{{ 7\\*7 }}" not in text and "{{ 7\\*7 }}" in text  # escaped, never evaluated
        assert "\\<script\\>" in text and "<script>" not in text
        assert "\\*\\*bold\\*\\*" in text and "\\[link\\]" in text
    elif fmt == "html":
        text = path.read_text()
        assert "{{ 7*7 }}" in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "<script>" not in text
    elif fmt == "docx":
        text = "\n".join(p.text for p in Document(str(path)).paragraphs)
        assert f"Dear {HOSTILE_NAME} {HOSTILE_FAMILY}" in text
    else:
        text = pdf_text(path)
        assert HOSTILE_NAME in text and "<script>alert(1)</script>" in text
    assert "Dear 49" not in text  # the name was not evaluated (a reference number may contain 49)
    assert "{{ council.__class__ }}" in text


# ---------------------------------------------------------------------------------------------
# Council templates: overriding, the sandbox, and broken templates
# ---------------------------------------------------------------------------------------------

ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ council.__class__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ self.__init__.__globals__ }}",
    "{{ person.update({'name': 'changed'}) }}",
    "{{ change.workers.append(1) }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ (1).__class__.__mro__ }}",
    "{{ namespace.__init__.__globals__ }}",
]


@pytest.mark.parametrize("attack", ESCAPES)
def test_a_malicious_council_template_cannot_reach_python_internals(
    tmp_path: Path, attack: str
) -> None:
    folder = tmp_path / "council"
    folder.mkdir()
    (folder / "_crisis.html.j2").write_text(f"<h2>Crisis</h2>\n<p>{attack}</p>\n")
    templates = LetterTemplates(folder)
    context = {"council": {"crisis_line": "0800"}, "person": {"name": "Sam"},
               "change": {"workers": [{"name": "Jo"}]}}
    with pytest.raises(LetterTemplateError) as caught:
        templates.render(TemplateChoice("_crisis.html.j2", "council"), context)
    assert f"_crisis.html.j2 (council folder {folder.resolve()}) line 2" in caught.value.message
    assert context["person"] == {"name": "Sam"} and context["change"]["workers"] == [{"name": "Jo"}]


def test_a_sandbox_escape_in_a_real_run_writes_nothing(database: Database, tmp_path: Path) -> None:
    folder = tmp_path / "council"
    folder.mkdir()
    (folder / "_crisis.html.j2").write_text(f"<p>{ESCAPES[0]}</p>")
    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session)
        with pytest.raises(LetterTemplateError, match="_crisis.html.j2"):
            generate(session, tmp_path / "out", templates_dir=folder, fmt="md")
    assert not (tmp_path / "out").exists()


def test_a_council_file_overrides_only_that_file(database: Database, tmp_path: Path) -> None:
    folder = tmp_path / "council"
    folder.mkdir()
    (folder / "person.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block title %}Hello {{ person.given_name }}{% endblock %}'
        "{% block body %}<h1>{{ self.title() }}</h1><p>Your worker: "
        "{{ change.new_workers[0].name }}</p>{% endblock %}"
    )
    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session, given_name="Sam")
        result = generate(session, tmp_path / "out", templates_dir=folder, fmt="md")
    by_kind = {o.kind: o for o in result.written}
    assert by_kind["person"].template == "council:person.html.j2"
    assert by_kind["gp"].template == "gp.html.j2"
    person_text = Path(by_kind["person"].path or "").read_text()
    assert "# Hello Sam" in person_text and "Your worker: Jo Łukasz" in person_text
    assert COUNCIL.signatory in person_text  # the shipped base layout still applies


@pytest.mark.parametrize(
    "broken, line, words",
    [
        ("<p>ok</p>\n<p>{% if person.s117 %}unclosed</p>\n", 2, "syntax error"),
        ("<p>ok</p>\n<p>\n{{ person.nickname }}</p>\n", 3, "could not be filled in"),
        ("<p>{{ person.given_name + 1 }}</p>\n", 1, "failed (TypeError)"),
        ('<p>{% include "missing.html.j2" %}</p>\n', None, "was not found"),
    ],
)
def test_a_broken_template_stops_the_run_before_any_letter_is_written(
    database: Database, tmp_path: Path, broken: str, line: int | None, words: str
) -> None:
    folder = tmp_path / "council"
    folder.mkdir()
    (folder / "_concerns.html.j2").write_text(broken)
    with database.transaction() as session:
        with_transfer_date(session)
        for _ in range(3):
            handover_person(session)
    with pytest.raises(LetterTemplateError) as caught, database.transaction() as session:
        generate(session, tmp_path / "out", templates_dir=folder, fmt="pdf")
    message = caught.value.message
    assert words in message and "No letters were written" in message
    if line is not None:
        assert f"_concerns.html.j2 (council folder {folder.resolve()}) line {line}" in message
    assert not (tmp_path / "out").exists()
    with database.session() as session:
        assert session.scalars(select(Letter)).all() == []
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "letter.generate")).all() == []


def test_a_missing_templates_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LetterTemplateError, match="does not exist or is not a folder"):
        LetterTemplates(tmp_path / "nowhere")


def test_every_shipped_template_compiles() -> None:
    templates = LetterTemplates()
    names = sorted(p.relative_to(shipped_folder()).as_posix()
                   for p in shipped_folder().rglob("*.html.j2"))
    assert "easy_read/person.html.j2" in names and "base.html.j2" in names
    for name in names:
        templates.env.get_template(name)


# ---------------------------------------------------------------------------------------------
# The HTML reader and Markdown writer
# ---------------------------------------------------------------------------------------------


def test_the_reader_keeps_structure_weight_and_line_breaks() -> None:
    document = parse_letter_html(
        "<html><head><title>T &amp; C</title><style>p{}</style></head><body>"
        "<p class='right'><strong>Council</strong><br>\n  1 Road</p>"
        "<h1>Title</h1><p>Hello   <em>you</em>,\n there.</p>"
        "<ul><li>One</li><li>Two <b>bold</b></li></ul><ol><li>First</li><li>Second</li></ol>"
        "<h4>Small</h4><script>alert(1)</script>loose text</body></html>"
    )
    assert document.title == "T & C"
    kinds = [(block.kind, block.text, block.align, block.number) for block in document.blocks]
    assert kinds == [
        ("p", "Council\n1 Road", "right", None),
        ("h1", "Title", "left", None),
        ("p", "Hello you, there.", "left", None),
        ("li", "One", "left", None),
        ("li", "Two bold", "left", None),
        ("li", "First", "left", 1),
        ("li", "Second", "left", 2),
        ("h3", "Small", "left", None),
        ("p", "loose text", "left", None),
    ]
    assert document.blocks[0].runs[0].bold and not document.blocks[0].runs[1].bold
    assert markdown_text(document).splitlines()[:3] == ["**Council**  ", "1 Road", ""]
    assert "- Two **bold**\n1. First\n2. Second" in markdown_text(document)


def test_markdown_escapes_what_would_become_markup() -> None:
    document = parse_letter_html("<p># not a heading &lt;b&gt; *x* [y](z) 1. a</p><p>- item</p>")
    text = markdown_text(document)
    assert text == "\\# not a heading \\<b\\> \\*x\\* \\[y\\](z) 1. a\n\n\\- item\n"


def test_the_same_pdf_letter_is_the_same_bytes(database: Database, tmp_path: Path) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session)
        first = generate(session, tmp_path / "a", kinds=["person"], fmt="pdf").written[0]
    with database.transaction() as session:
        session.execute(update(Letter).values(superseded_at=utcnow()))  # force a rewrite
        second = generate(session, tmp_path / "b", kinds=["person"], fmt="pdf").written[0]
    data = Path(first.path or "").read_bytes()
    assert data.startswith(b"%PDF-") and b"D:20270115" in data  # dated the letter's date
    assert first.sha256 == second.sha256 and data == Path(second.path or "").read_bytes()


def test_control_characters_in_a_record_do_not_stop_a_letter(database: Database, tmp_path: Path) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session, family_name="Jo\x0bnes", address="1 Road\x1f, Westhaven")
        docx = generate(session, tmp_path / "d", kinds=["person"], fmt="docx").written
        pdf = generate(session, tmp_path / "p", kinds=["person"], fmt="pdf").written
    assert "Dear Sam Jones" in "\n".join(p.text for p in Document(docx[0].path).paragraphs)
    assert "Dear Sam Jones" in pdf_text(Path(pdf[0].path or ""))
