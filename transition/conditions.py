"""A small condition language for the rules file: tests over a person's facts.

A council writes conditions such as ``cto or extra.forensic``, ``age >= 65`` or
``cluster == 10 and age < 36``. The text is parsed once, when the rules file loads, with
Python's own expression parser and then checked against a short list of allowed forms, so a
rules file can never run code. What is allowed:

- facts by name (``age``, ``cluster``, ``cto``, ...; see :data:`PERSON_FACTS`) and
  ``extra.KEY`` for a column the trust sends that the tool does not know (kept in ``extra``);
- numbers, quoted text, ``true``/``false`` (or ``True``/``False``), and lists ``[10, 11]``;
- comparisons ``==  !=  <  <=  >  >=  in  not in`` (chains like ``18 <= age < 65`` too);
- ``and``, ``or``, ``not`` and brackets.

A fact that is not recorded (empty in the export) makes every comparison with it false, and a
bare fact is true only when it is recorded and true (or a non-zero number, or non-empty text).
Text compares without regard to case.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from transition.columns import FALSE_WORDS, TRUE_WORDS, header_key

PERSON_FACTS: dict[str, str] = {
    "age": "age in whole years on the handover date",
    "cluster": "mental health cluster 0-21",
    "cto": "on a Community Treatment Order",
    "s117": "entitled to section 117 aftercare",
    "cpa": "on CPA / has a named key worker",
    "substance_misuse": "drug or alcohol misuse",
    "self_harm_history": "history of self-harm",
    "safeguarding_open": "an open safeguarding enquiry",
    "lives_alone": "lives alone",
    "carer": "has a carer",
    "personal_budget": "has a personal budget or direct payment",
    "admissions_12m": "inpatient admissions in the last 12 months",
    "missed_appointments_6m": "missed appointments in the last 6 months",
    "gender": "the person's gender",
    "interpreter_language": "the language an interpreter is needed for",
    "accessible_format": "Accessible Information Standard need",
    "pathway": "the decided pathway",
    "risk_band": "handover risk band (red, amber, green)",
    "team": "the person's team",
    "locality": "the person's locality",
}
"""The facts a condition can name, with what each means."""

Facts = Mapping[str, Any]

_COMPARISONS: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda left, right: left in right,
    ast.NotIn: lambda left, right: left not in right,
}
_LITERAL_NAMES = {"true": True, "false": False, "True": True, "False": False}


@dataclass(frozen=True)
class Condition:
    """A parsed condition: call it with a person's facts to get True or False."""

    text: str
    facts: frozenset[str] = field(compare=False)
    _test: Callable[[Facts], bool] = field(compare=False, repr=False)

    def __call__(self, facts: Facts) -> bool:
        return self._test(facts)

    @property
    def uses_extra(self) -> bool:
        return any(name.startswith("extra.") for name in self.facts)


def extra_fact(raw: Any) -> Any:
    """A value from ``Person.extra`` as a condition sees it: yes/no words become True/False and
    numbers written as text become numbers, so ``extra.forensic`` means what a council expects
    whether the export said ``Y``, ``yes`` or ``1``."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    word = text.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS or not text:
        return False if text else None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def parse_condition(text: str) -> Condition:
    """Parse and check ``text``; a ValueError says what is wrong in words a council can act on."""
    source = text.strip()
    if not source:
        raise ValueError("the condition is empty")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"cannot read condition {source!r}: {exc.msg}") from None
    names: set[str] = set()
    test = _compile(tree.body, source, names)
    return Condition(source, frozenset(names), lambda facts: bool(_truthy(test(facts))))


def _truthy(value: Any) -> bool:
    return value is not None and value is not False and value != 0 and value != ""


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _compile(node: ast.AST, source: str, names: set[str]) -> Callable[[Facts], Any]:
    if isinstance(node, ast.BoolOp):
        parts = [_compile(value, source, names) for value in node.values]
        if isinstance(node.op, ast.And):
            return lambda facts: all(_truthy(part(facts)) for part in parts)
        return lambda facts: any(_truthy(part(facts)) for part in parts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = _compile(node.operand, source, names)
        return lambda facts: not _truthy(inner(facts))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        constant = _constant(node, source)
        return lambda _facts: constant
    if isinstance(node, ast.Compare):
        return _compile_comparison(node, source, names)
    if isinstance(node, ast.Name) and node.id in _LITERAL_NAMES:
        literal = _LITERAL_NAMES[node.id]
        return lambda _facts: literal
    if isinstance(node, ast.Name | ast.Attribute):
        name = _fact_name(node, source)
        names.add(name)
        return lambda facts: _fold(facts.get(name))
    if isinstance(node, ast.Constant | ast.List | ast.Tuple):
        constant = _constant(node, source)
        return lambda _facts: constant
    raise ValueError(f"{ast.get_source_segment(source, node) or source!r} is not allowed in a "
                     "condition; use facts, numbers, text, lists, comparisons, and/or/not")


def _compile_comparison(node: ast.Compare, source: str, names: set[str]) -> Callable[[Facts], bool]:
    operands = [_compile(part, source, names) for part in (node.left, *node.comparators)]
    ops = []
    for op in node.ops:
        compare = _COMPARISONS.get(type(op))
        if compare is None:
            raise ValueError(f"the comparison in {source!r} is not allowed (use == != < <= > >= in)")
        ops.append(compare)

    def test(facts: Facts) -> bool:
        values = [operand(facts) for operand in operands]
        for compare, left, right in zip(ops, values, values[1:], strict=False):
            if left is None or right is None:
                return False  # an unrecorded fact makes the comparison false
            try:
                if not compare(left, right):
                    return False
            except TypeError:
                return False  # e.g. text compared with a number: not a match
        return True

    return test


def _fact_name(node: ast.Name | ast.Attribute, source: str) -> str:
    if isinstance(node, ast.Name):
        if node.id not in PERSON_FACTS:
            known = ", ".join(sorted(PERSON_FACTS))
            raise ValueError(f"unknown fact {node.id!r} in {source!r}; known facts: {known}, "
                             "or extra.KEY for a column kept in extra")
        return node.id
    if isinstance(node.value, ast.Name) and node.value.id == "extra":
        return f"extra.{header_key(node.attr)}"
    raise ValueError(f"{ast.get_source_segment(source, node)!r} is not a fact; only extra.KEY "
                     "may use a dot")


def _constant(node: ast.AST, source: str) -> Any:
    try:
        value = ast.literal_eval(node)
    except ValueError:
        raise ValueError(f"{ast.get_source_segment(source, node)!r} is not a constant") from None
    if isinstance(value, list | tuple):
        return frozenset(_fold(item) for item in value)
    return _fold(value)
