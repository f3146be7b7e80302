"""A council's own letter templates written for an older version: what they would print wrongly.

Templates carry no version number, so what an older copy does is read from the template itself
(its Jinja syntax tree, never by rendering it). One thing is checked, because it puts a number
in a letter that cannot do what the letter says: a worker with no direct line given the
council's number (``council.phone``) as theirs. The first shipped templates did that for every
worker (``{% if worker.phone %}...{% else %}{{ council.phone }} (ask for ...){% endif %}``). The
council's switchboard can put a caller through to its own workers, never to an NHS worker, so
today's templates print it only for a council worker (``worker.phone_is_main_number``), give an
NHS worker their team's number (``worker.team_phone``, when the staff list has it), and otherwise
say that the number is not known yet. A council copy older than that still prints the council's
number for an NHS worker, and nothing else would stop it: every variable it uses still exists.

:func:`council_phone_fallbacks` finds such uses in one template; ``LetterTemplates.outdated``
(:mod:`transition.letter_templates`) looks through a council's folder, and
``LetterTemplates.outdated_in`` through what one letter's template uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from jinja2 import nodes

# Testing either means the template tells a council worker from an NHS worker with no direct
# line (today's templates): their council.phone is only ever printed where it reaches them.
_CURRENT_PHONE_FIELDS = frozenset({"phone_is_main_number", "team_phone"})

# The file a council copies to fix it: the worker's contact details in the person's letter.
SHIPPED_EXAMPLE = "_macros.html.j2"


@dataclass(frozen=True, slots=True)
class TemplateWarning:
    """One use in a council's template that an older version wrote and this one would not."""

    file: str  # the file's name inside the council folder, e.g. "_macros.html.j2"
    line: int
    folder: str  # the council folder
    example: str = SHIPPED_EXAMPLE  # the shipped file to copy from: the same name, if shipped
    macro: str | None = None  # the macro it is in: only a letter that calls it prints it

    @property
    def message(self) -> str:
        """The warning in full: which file and line, what it prints, and what to use instead."""
        return (
            f"Letter template {self.file} (council folder {self.folder}) line {self.line} prints "
            "the council's number (council.phone) as the phone number of a worker who has no "
            "direct line: it was written for an older version. For an NHS worker that number is "
            "wrong: the council cannot put callers through to them. Use "
            "worker.phone_is_main_number (a council worker: the council's number, ask for them), "
            "then worker.team_phone if it is defined (an NHS worker: their team's number), else "
            f"say we do not have their number yet, as the shipped {self.example} does (see "
            "docs/letters.md)."
        )

    def as_json(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "folder": self.folder,
                "message": self.message}


def _field(node: nodes.Node) -> tuple[str, str] | None:
    """``(object, field)`` for ``x.field`` or ``x["field"]`` on a plain name, else None."""
    if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name):
        return node.node.name, node.attr
    if (isinstance(node, nodes.Getitem) and isinstance(node.node, nodes.Name)
            and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str)):
        return node.node.name, node.arg.value
    return None


def _walk(items: nodes.Node | Iterable[nodes.Node] | None) -> Iterator[nodes.Node]:
    """Every node in ``items`` and below them."""
    if items is None:
        return
    for item in [items] if isinstance(items, nodes.Node) else items:
        yield item
        yield from item.find_all(nodes.Node)


def _council_phones(items: nodes.Node | Iterable[nodes.Node] | None) -> list[nodes.Node]:
    return [node for node in _walk(items) if _field(node) == ("council", "phone")]


def _fields(items: nodes.Node | Iterable[nodes.Node] | None) -> set[str]:
    return {found[1] for node in _walk(items) if (found := _field(node))}


def _is_worker_phone(node: nodes.Node) -> bool:
    found = _field(node)
    return found is not None and found[1] == "phone" and found[0] != "council"


def _tests_worker_phone(test: nodes.Node) -> bool:
    return any(_is_worker_phone(node) for node in _walk(test))


def _branches(node: nodes.Node) -> list[tuple[nodes.Node | None, list[nodes.Node]]]:
    """(test, what it prints) for each branch of an if, elif... else or an inline if."""
    if isinstance(node, nodes.If):
        return [(node.test, node.body), *((elif_.test, elif_.body) for elif_ in node.elif_),
                (None, node.else_)]
    assert isinstance(node, nodes.CondExpr)
    return [(node.test, [node.expr1]), (None, [node.expr2] if node.expr2 is not None else [])]


def fallbacks_by_macro(template: nodes.Template) -> list[tuple[int, str | None]]:
    """:func:`council_phone_fallbacks` as ``(line, macro)``: the macro each is in (None when
    outside any), since a letter that imports a file of macros prints only those it calls."""
    in_macros: dict[int, str] = {}
    for macro in template.find_all(nodes.Macro):
        for line in council_phone_fallbacks(macro):
            in_macros.setdefault(line, macro.name)
    return [(line, in_macros.get(line)) for line in council_phone_fallbacks(template)]


def called_macros(template: nodes.Template) -> set[str]:
    """The names a template calls (``m.worker_details(...)``, ``worker_details(...)``)."""
    called = set()
    for call in template.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name):
            called.add(call.node.name)
        elif isinstance(call.node, nodes.Getattr):
            called.add(call.node.attr)
    return called


def council_phone_fallbacks(template: nodes.Node) -> list[int]:
    """The lines where ``template`` prints the council's number for a worker with no phone of
    their own, without telling a council worker from an NHS one: an ``if`` (or inline ``if``)
    on a worker's phone with ``council.phone`` in a branch taken when it is empty, or
    ``worker.phone or council.phone``, or ``worker.phone|default(council.phone, true)``."""
    lines: set[int] = set()
    elifs = {id(elif_) for node in template.find_all(nodes.If) for elif_ in node.elif_}
    for node in template.find_all((nodes.If, nodes.CondExpr)):
        if id(node) in elifs:
            continue  # read with the if it belongs to
        branches = _branches(node)
        tests = [test for test, _ in branches if test is not None]
        if (not any(_tests_worker_phone(test) for test in tests)
                or _fields(tests) & _CURRENT_PHONE_FIELDS):
            continue
        for test, printed in branches:
            if test is not None and _is_worker_phone(test):
                continue  # taken only when the worker has a phone of their own
            lines.update(found.lineno for found in _council_phones(printed))
    for node in template.find_all(nodes.Or):
        if _is_worker_phone(node.left):
            lines.update(found.lineno for found in _council_phones(node.right))
    for node in template.find_all(nodes.Filter):
        if node.name in ("default", "d") and node.node is not None and _is_worker_phone(node.node):
            lines.update(found.lineno for found in _council_phones(node.args))
    return sorted(lines)
