"""Letter templates: Jinja2 in a sandbox, the council's own files first, then the shipped ones.

Templates are HTML (``*.html.j2``) rendered with autoescaping, so whatever a person's record
holds (``{{ 7*7 }}``, ``<script>``) is text in the letter, never markup or template code: Jinja
never evaluates the data it inserts, and HTML escaping keeps it from becoming tags. They run in
Jinja's immutable sandbox with ``StrictUndefined``: a council template cannot reach Python
internals (``__class__``, ``__globals__``...) or change the data, and a misspelt variable is an
error rather than a blank in a letter. Any error names the template file and line.

Lookup: ``<council folder>/<name>`` if the council has one (``--templates DIR`` or the
``letter_templates_dir`` setting), else the shipped ``transition/templates/letters/<name>``. So a
council can override one file (say ``_contacts.html.j2``) and keep the rest.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplatesNotFound,
    TemplateSyntaxError,
    UndefinedError,
    meta,
    nodes,
)
from jinja2.exceptions import FilterArgumentError, SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from transition.errors import TransitionError
from transition.languages import language_name
from transition.letter_template_check import (
    SHIPPED_EXAMPLE,
    TemplateWarning,
    called_macros,
    fallbacks_by_macro,
)

SHIPPED_FOLDER = "templates/letters"
EASY_READ_FOLDER = "easy_read"
TEMPLATE_SUFFIX = ".html.j2"


class LetterTemplateError(TransitionError):
    """A letter template cannot be used (nothing was written)."""


def _sentence(text: str | None) -> str:
    """Jinja's words as a sentence: one full stop at the end, whether or not they had one."""
    text = (text or "the template could not be read").strip()
    return text if text.endswith((".", "?", "!")) else f"{text}."


class _NotUtf8(Exception):
    """A template file that is not UTF-8 text (say, saved as Windows-1252 with a '£')."""

    def __init__(self, filename: str, line: int) -> None:
        super().__init__(filename)
        self.filename = filename
        self.line = line


class _FolderLoader(FileSystemLoader):
    """Templates from one folder; a file that is not UTF-8 is named, not blamed on its includer."""

    def get_source(self, environment: Any, template: str) -> Any:
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError as exc:
            line = exc.object[: exc.start].count(b"\n") + 1
            raise _NotUtf8(str(Path(self.searchpath[0]) / template), line) from None


@dataclass(frozen=True, slots=True)
class TemplateChoice:
    """Which template a letter uses and where it came from."""

    name: str  # e.g. "person.html.j2" or "easy_read/person.html.j2"
    origin: str  # "council" | "shipped"

    @property
    def label(self) -> str:
        """What ``Letter.template`` records: the name, marked when it is the council's file."""
        return self.name if self.origin == "shipped" else f"council:{self.name}"


def shipped_folder() -> Path:
    return Path(str(resources.files("transition").joinpath(SHIPPED_FOLDER)))


class LetterTemplates:
    """The templates for one run: compiled once, rendered many times."""

    def __init__(self, council_folder: Path | None = None) -> None:
        if council_folder is not None:
            council_folder = council_folder.expanduser()
            if not council_folder.is_dir():
                raise LetterTemplateError(
                    f"The letter templates folder {council_folder} does not exist or is not a folder.",
                    hint="Give a folder holding your own *.html.j2 files (see docs/letters.md), "
                    "or leave --templates out to use the shipped templates.",
                )
        self.council_folder = council_folder.resolve() if council_folder else None
        self.shipped = shipped_folder().resolve()
        loaders: list[BaseLoader] = []
        if self.council_folder is not None:
            loaders.append(_FolderLoader(str(self.council_folder)))
        loaders.append(_FolderLoader(str(self.shipped)))
        self.env = ImmutableSandboxedEnvironment(
            loader=ChoiceLoader(loaders),
            undefined=StrictUndefined,
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        # Languages as English writes them ("Urdu"): stored as the export wrote them ("urdu").
        self.env.filters["language"] = language_name
        self._trees: dict[str, nodes.Template | None] = {}
        self._outdated_in: dict[str, tuple[TemplateWarning, ...]] = {}

    def _origin_of(self, name: str) -> str:
        if self.council_folder is not None and (self.council_folder / name).is_file():
            return "council"
        return "shipped"

    def exists(self, name: str) -> bool:
        return self._origin_of(name) == "council" or (self.shipped / name).is_file()

    def choose(self, kind: str, *, easy_read: bool = False) -> TemplateChoice:
        """The template for a kind of letter; the easy-read variant where one exists."""
        name = f"{kind}{TEMPLATE_SUFFIX}"
        if easy_read:
            variant = f"{EASY_READ_FOLDER}/{name}"
            if self.exists(variant):
                return TemplateChoice(variant, self._origin_of(variant))
        return TemplateChoice(name, self._origin_of(name))

    @cached_property
    def outdated(self) -> tuple[TemplateWarning, ...]:
        """What the council's own files, written for an older version, would print wrongly
        (:mod:`transition.letter_template_check`): every file in its folder, used or not."""
        if self.council_folder is None:
            return ()
        found: list[TemplateWarning] = []
        for path in sorted(self.council_folder.rglob(f"*{TEMPLATE_SUFFIX}")):
            name = path.relative_to(self.council_folder).as_posix()
            if (tree := self._tree(name)) is None:
                continue
            example = name if (self.shipped / name).is_file() else SHIPPED_EXAMPLE
            found += [TemplateWarning(name, line, str(self.council_folder), example, macro)
                      for line, macro in fallbacks_by_macro(tree)]
        return tuple(found)

    def outdated_in(self, choice: TemplateChoice) -> tuple[TemplateWarning, ...]:
        """The warnings (:attr:`outdated`) in what a letter with this template prints: the
        template and what it extends, includes or imports (of a file's macros, those called)."""
        if not self.outdated:
            return ()
        if choice.name not in self._outdated_in:
            used: set[str] = set()
            called: set[str] = set()
            waiting = [choice.name]
            while waiting:
                name = waiting.pop()
                if name in used:
                    continue
                used.add(name)
                if (tree := self._tree(name)) is not None:
                    called |= called_macros(tree)
                    waiting += [found for found in meta.find_referenced_templates(tree)
                                if isinstance(found, str)]  # a computed name is None
            self._outdated_in[choice.name] = tuple(
                warning for warning in self.outdated if warning.file in used
                and (warning.macro is None or warning.macro in called))
        return self._outdated_in[choice.name]

    def _tree(self, name: str) -> nodes.Template | None:
        """A template's syntax tree (the council's file first), or None when it cannot be found,
        read or parsed: rendering it says what is wrong, naming the file and line."""
        if name not in self._trees:
            assert self.env.loader is not None
            try:
                source, filename, _ = self.env.loader.get_source(self.env, name)
                self._trees[name] = self.env.parse(source, name, filename)
            except (TemplateNotFound, TemplateSyntaxError, _NotUtf8, OSError):
                self._trees[name] = None
        return self._trees[name]

    def render(self, choice: TemplateChoice, context: dict[str, Any]) -> str:
        """The letter as HTML; any template problem becomes a LetterTemplateError."""
        try:
            template = self.env.get_template(choice.name)
            return template.render(context)
        except TemplateSyntaxError as exc:
            where = self._describe(exc.filename or exc.name or choice.name, exc.lineno)
            raise LetterTemplateError(
                f"Letter template {where} has a syntax error: {_sentence(exc.message)} "
                "No letters were written.",
                hint="Fix the template (Jinja2 syntax, see docs/letters.md) and run again.",
            ) from None
        except _NotUtf8 as exc:
            raise LetterTemplateError(
                f"Letter template {self._describe(exc.filename, exc.line)} is not saved as UTF-8 "
                "text. No letters were written.",
                hint="Open it in a text editor and save it with the encoding UTF-8 (in Notepad: "
                "Save as, Encoding: UTF-8), then run again.",
            ) from None
        except RecursionError as exc:
            raise LetterTemplateError(
                f"Letter template {self._where_raised(exc, choice)} extends or includes itself "
                "(directly or through another template), so it never ends. No letters were written.",
                hint="A council's file cannot extend or include the shipped file of the same name "
                "(it finds itself): copy the whole shipped file into your folder and edit the copy.",
            ) from None
        except TemplateNotFound as exc:
            raise LetterTemplateError(
                f"{_missing(exc)} was not found (needed by {self._where_raised(exc, choice)}). "
                "No letters were written.",
                hint="Check the names in {% extends %} and {% include %} tags.",
            ) from None
        except TemplateError as exc:
            # Never the error's own text: raised while filling in a letter, it can quote the
            # person's data ("'dict object' has no attribute 'Dear Callum Murray'").
            filename, line = self._raised_at(exc, choice)
            raise LetterTemplateError(
                f"Letter template {self._describe(filename, line)} could not be filled in: "
                f"{_runtime_kind(exc, _source_line(filename, line))}. No letters were written.",
                hint="Check the variable names on that line against docs/letters.md, and that "
                "the template only uses the variables and filters listed there.",
            ) from None
        except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError) as exc:
            # Python errors raised inside a template (e.g. "x" + 1); the message may quote data,
            # so only the type is shown.
            raise LetterTemplateError(
                f"Letter template {self._where_raised(exc, choice)} failed "
                f"({type(exc).__name__}). No letters were written.",
                hint="Check the expression on that line of the template.",
            ) from None

    def _where_raised(self, exc: BaseException, choice: TemplateChoice) -> str:
        """The template file and line an error was raised from, for a message."""
        return self._describe(*self._raised_at(exc, choice))

    def _raised_at(self, exc: BaseException, choice: TemplateChoice) -> tuple[str, int | None]:
        """The template file and line an error was raised from (Jinja rewrites the traceback)."""
        known = {str(self.shipped)} | ({str(self.council_folder)} if self.council_folder else set())
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.endswith(".j2") and any(frame.filename.startswith(f) for f in known):
                return frame.filename, frame.lineno
        return choice.name, None

    def _describe(self, filename: str, line: int | None) -> str:
        path = Path(filename)
        origin = "shipped"
        name = filename
        for folder, label in ((self.council_folder, "council"), (self.shipped, "shipped")):
            if folder is not None and path.is_absolute() and path.is_relative_to(folder):
                name, origin = path.relative_to(folder).as_posix(), label
                break
        else:
            origin = self._origin_of(filename)
        where = f"{name} ({origin}"
        if origin == "council" and self.council_folder is not None:
            where += f" folder {self.council_folder}"
        where += ")"
        return f"{where} line {line}" if line else where


def _runtime_kind(exc: TemplateError, source: str) -> str:
    """What went wrong while a template was filled in, without the error's own text.

    For an undefined value, the name Jinja reports is shown only if it is written on the failing
    line of the template (``council.crisis_number``): then it comes from the template, not from
    a person's record (``{{ {}[recipient.greeting] }}`` reports the greeting itself)."""
    if isinstance(exc, UndefinedError):
        quoted = re.findall(r"'([^']*)'", exc.message or "")
        name = quoted[-1] if quoted else ""
        if name.isidentifier() and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", source):
            return (f"it uses an undefined value, {name} (a misspelt variable or field, or one "
                    "this letter does not have)")
        return ("it uses an undefined value (a misspelt variable or field, or one this letter "
                "does not have)")
    if isinstance(exc, SecurityError):
        return "it does something the template sandbox does not allow"
    if isinstance(exc, FilterArgumentError):
        return "a filter was given an argument it cannot use"
    return f"template error ({type(exc).__name__})"


def _source_line(filename: str, line: int | None) -> str:
    """Line ``line`` of a template file as written ('' if it cannot be read)."""
    try:
        lines = Path(filename).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    return lines[line - 1] if line and 0 < line <= len(lines) else ""


def _missing(exc: TemplateNotFound) -> str:
    """The template that was not found, if the template named it: a name computed from the
    letter's data (``{% include recipient.name %}``) could be personal data, so it is not shown."""
    names = exc.templates if isinstance(exc, TemplatesNotFound) else [exc.name]
    if names and all(isinstance(name, str) and name.endswith(".j2") for name in names):
        return f"Letter template {' or '.join(map(str, names))}"
    return ("A letter template whose name the template computed (not shown: it may come from "
            "a person's record)")
