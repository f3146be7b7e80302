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

import difflib
import re
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
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


# What a template error stopped, said after it (``letters check-templates`` writes nothing).
NOTHING_WRITTEN = "No letters were written."
NOT_FOUND_HINT = "Check the names in {% extends %} and {% include %} tags."
SELF_REFERENCE_HINT = (
    "A council's file cannot extend or include the shipped file of the same name (it finds "
    "itself): copy the whole shipped file into your folder and edit the copy.")


class LetterTemplateError(TransitionError):
    """A letter template cannot be used (nothing was written)."""

    def __init__(self, message: str, *, hint: str | None = None, line: int | None = None) -> None:
        super().__init__(message, hint=hint)
        self.line = line  # in the file the message names, when known


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


@dataclass(frozen=True, slots=True)
class TemplateProblem:
    """One thing wrong in a council's templates folder, found without writing a letter."""

    file: str  # its name inside the council folder, e.g. "persn.html.j2"
    line: int | None
    kind: str  # "template_error" | "not_found" | "unused" | "outdated_phone"
    message: str
    hint: str | None = None

    def as_json(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "kind": self.kind,
                "message": self.message, "hint": self.hint}


@dataclass(frozen=True, slots=True)
class FolderCheck:
    """What :meth:`LetterTemplates.check_folder` found in a council's folder."""

    folder: Path
    templates: tuple[str, ...]  # the *.html.j2 files read
    ignored: tuple[str, ...]  # other files, which are not templates (a README, a .bak)
    problems: tuple[TemplateProblem, ...]


# Other files that look meant as templates: a wrong or missing suffix (``person.html``,
# ``person.j2``) or one an editor added (``person.html.j2.txt``). Letters look up only
# ``<kind>.html.j2``, so these are never used unless a template includes them by that name.
_TEMPLATE_LIKE = re.compile(r"\.(html?|j2|jinja2?)(\.txt)?$", re.IGNORECASE)
_SUFFIXES = re.compile(r"(\.(html?|j2|jinja2?|txt))+$", re.IGNORECASE)


def _nearest(name: str, shipped: list[str]) -> str | None:
    """The shipped template whose name is nearest ``name`` (a typo's intended name), if any."""
    stems = {_SUFFIXES.sub("", found).lower(): found for found in shipped}
    close = difflib.get_close_matches(_SUFFIXES.sub("", name).lower(), list(stems), n=1)
    return stems[close[0]] if close else None


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

    def check_folder(self) -> FolderCheck:
        """Everything wrong in the council's folder that shows without filling in a letter:
        files that cannot be read or parsed (the error rendering would give, with its line),
        an ``extends``/``include``/``import`` of a template that does not exist or of the file
        itself, files no letter uses (a name no shipped template has that no template includes:
        ``persn.html.j2``, with the nearest shipped name), and :attr:`outdated` uses."""
        folder = self.council_folder
        assert folder is not None, "a council folder to check (the command says when none is set)"
        files = sorted(path.relative_to(folder).as_posix()
                       for path in folder.rglob("*") if path.is_file())
        templates = [name for name in files if name.endswith(TEMPLATE_SUFFIX)]
        # Hidden files (.DS_Store, an editor's .swp, a .git folder) are neither read nor listed.
        others = [name for name in files if name not in templates
                  and not any(part.startswith(".") for part in name.split("/"))]
        looks_like = [name for name in others if _TEMPLATE_LIKE.search(name)]
        problems: list[TemplateProblem] = []
        for name in templates:
            try:
                self.compile(name)
            except LetterTemplateError as exc:
                problems.append(TemplateProblem(name, exc.line, "template_error", exc.message,
                                                exc.hint))
                continue
            except OSError as exc:  # unreadable (permissions): say which file, and go on
                problems.append(TemplateProblem(
                    name, None, "template_error",
                    f"Letter template {self._describe(str(folder / name), None)} cannot be "
                    f"read ({exc.strerror or type(exc).__name__}).",
                    "Check that you may read the file."))
                continue
            problems += self._reference_problems(name)
        problems += [TemplateProblem(warning.file, warning.line, "outdated_phone",
                                     warning.message) for warning in self.outdated]
        used, unsure = self._used_names()
        if used is not None:
            shipped = self._shipped_names()
            problems += [self._unused(name, _nearest(name, shipped), unsure=unsure)
                         for name in [*templates, *looks_like] if name not in used]
        problems.sort(key=lambda problem: (problem.file, problem.line or 0))
        return FolderCheck(folder, tuple(templates),
                           tuple(name for name in others if name not in looks_like),
                           tuple(problems))

    def _shipped_names(self) -> list[str]:
        return sorted(path.relative_to(self.shipped).as_posix()
                      for path in self.shipped.rglob(f"*{TEMPLATE_SUFFIX}"))

    def _used_names(self) -> tuple[set[str] | None, bool]:
        """Every template a letter may use: the shipped names (the council's file first) and
        what they extend, include or import, on down; None when a template computes a name.
        And whether one of them could not be parsed (reported): what it includes is unknown."""
        used: set[str] = set()
        unsure = False
        waiting = self._shipped_names()
        while waiting:
            name = waiting.pop()
            if name in used:
                continue
            used.add(name)
            if not self.exists(name):
                continue  # reported where it is named (not found)
            if (tree := self._tree(name)) is None:
                unsure = True
                continue
            for found in meta.find_referenced_templates(tree):
                if not isinstance(found, str):
                    return None, unsure
                waiting.append(found)
        return used, unsure

    def _reference_problems(self, name: str) -> list[TemplateProblem]:
        """A council file's ``extends``, ``include`` and ``import`` of a template that does not
        exist, or of itself (in the council's folder a file of a shipped name finds itself)."""
        if (tree := self._tree(name)) is None:
            return []
        problems = []
        assert self.council_folder is not None
        path = str(self.council_folder / name)
        for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
            if not (isinstance(node.template, nodes.Const) and isinstance(node.template.value, str)):
                continue  # a list to choose from, or a computed name: only rendering can tell
            named = node.template.value
            where = self._describe(path, node.lineno)
            if named == name:
                problems.append(TemplateProblem(
                    name, node.lineno, "template_error",
                    f"Letter template {where} extends or includes itself, so it never ends.",
                    SELF_REFERENCE_HINT))
            elif not self.exists(named) and not getattr(node, "ignore_missing", False):
                problems.append(TemplateProblem(
                    name, node.lineno, "not_found",
                    f"Letter template {named} was not found (needed by {where}).",
                    NOT_FOUND_HINT))
        return problems

    def _unused(self, name: str, nearest: str | None, *, unsure: bool) -> TemplateProblem:
        """A file in the council's folder that no letter uses, and the name it may have meant."""
        assert self.council_folder is not None
        where = self._describe(str(self.council_folder / name), None)
        said = ("has a name no shipped template has" if name.endswith(TEMPLATE_SUFFIX) else
                f"is not named *{TEMPLATE_SUFFIX}, as letter templates are")
        message = (f"Letter template {where} {said}, and no template includes it, so no letter "
                   "uses it" + (" (unless a template that cannot be read, above, does)" if unsure
                                else "") + "." + (f" Did you mean {nearest}?" if nearest else ""))
        listed = ("the shipped names are listed in docs/letters.md, under Templates and how a "
                  "council changes them")
        hint = (f"If it replaces the shipped {nearest}, rename it {nearest}; {listed}."
                if nearest else
                "Give it the name of the shipped template it replaces, include it from a "
                f"template that is used, or move it out of the folder; {listed}.")
        return TemplateProblem(name, None, "unused", message, hint)

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
        with self._explained(choice):
            template = self.env.get_template(choice.name)
            return template.render(context)

    def compile(self, name: str) -> None:
        """Read and parse one template, as :meth:`render` would but without filling it in (nor
        what it extends or includes): a syntax error, or a file not saved as UTF-8, raises the
        LetterTemplateError rendering would, naming the file and line."""
        with self._explained(TemplateChoice(name, self._origin_of(name)), outcome=""):
            self.env.get_template(name)

    @contextmanager
    def _explained(self, choice: TemplateChoice,
                   outcome: str = NOTHING_WRITTEN) -> Iterator[None]:
        """Any template problem raised inside as a LetterTemplateError: what, which file and
        line, and what to do; ``outcome`` (a sentence, or '') says what that stopped."""
        then = f" {outcome}" if outcome else ""
        try:
            yield
        except TemplateSyntaxError as exc:
            filename = exc.filename or exc.name or choice.name
            raise LetterTemplateError(
                f"Letter template {self._describe(filename, exc.lineno)} has a syntax error: "
                f"{_sentence(exc.message)}{then}",
                hint="Fix the template (Jinja2 syntax, see docs/letters.md) and run again.",
                line=exc.lineno,
            ) from None
        except _NotUtf8 as exc:
            raise LetterTemplateError(
                f"Letter template {self._describe(exc.filename, exc.line)} is not saved as UTF-8 "
                f"text.{then}",
                hint="Open it in a text editor and save it with the encoding UTF-8 (in Notepad: "
                "Save as, Encoding: UTF-8), then run again.",
                line=exc.line,
            ) from None
        except RecursionError as exc:
            raise LetterTemplateError(
                f"Letter template {self._where_raised(exc, choice)} extends or includes itself "
                f"(directly or through another template), so it never ends.{then}",
                hint=SELF_REFERENCE_HINT,
            ) from None
        except TemplateNotFound as exc:
            raise LetterTemplateError(
                f"{_missing(exc)} was not found (needed by {self._where_raised(exc, choice)}).{then}",
                hint=NOT_FOUND_HINT,
            ) from None
        except TemplateError as exc:
            # Never the error's own text: raised while filling in a letter, it can quote the
            # person's data ("'dict object' has no attribute 'Dear Callum Murray'").
            filename, line = self._raised_at(exc, choice)
            raise LetterTemplateError(
                f"Letter template {self._describe(filename, line)} could not be filled in: "
                f"{_runtime_kind(exc, _source_line(filename, line))}.{then}",
                hint="Check the variable names on that line against docs/letters.md, and that "
                "the template only uses the variables and filters listed there.",
                line=line,
            ) from None
        except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError) as exc:
            # Python errors raised inside a template (e.g. "x" + 1); the message may quote data,
            # so only the type is shown.
            raise LetterTemplateError(
                f"Letter template {self._where_raised(exc, choice)} failed "
                f"({type(exc).__name__}).{then}",
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
