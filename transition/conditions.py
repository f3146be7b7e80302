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
Text compares without regard to case. A value compared with ``extra.KEY`` is read as the
column's value is (:func:`extra_fact`), so ``extra.forensic_history == 'Y'`` matches a stored
``yes`` and ``extra.code == '01'`` a stored ``01``; a yes/no fact compared with ``'Y'``/``'no'``
compares as yes/no.

A condition that could not mean what it says is refused when the rules load, saying what to
write instead: a constant where a test belongs (``cluster == 10 or 11``, always true), a value
of the wrong kind for a known fact (``cluster == "10"``, ``cto == 1``, ``gender == 5``), ``==``
with a list or ``in`` without one, a blank or ``None`` value, or a comparison of constants.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from transition.columns import FALSE_WORDS, TRUE_WORDS, header_key
from transition.models import AccessibleFormat, Pathway, RiskBand

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
    test = _compile_test(tree.body, source, names)
    return Condition(source, frozenset(names), lambda facts: bool(_truthy(test(facts))))


def _truthy(value: Any) -> bool:
    return value is not None and value is not False and value != 0 and value != ""


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _segment(source: str, node: ast.AST) -> str:
    return ast.get_source_segment(source, node) or source


def _is_constant(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and node.id in _LITERAL_NAMES
            or isinstance(node, ast.Constant | ast.List | ast.Tuple)
            or isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.Not))


def _compile_test(node: ast.AST, source: str, names: set[str]) -> Callable[[Facts], Any]:
    """A part of a condition that must be a test (true or false about a person): the whole
    condition, each side of ``and``/``or`` and what ``not`` negates. A constant there is
    refused: ``cluster == 10 or 11`` reads as ``(cluster == 10) or 11``, always true."""
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            if _is_constant(value):
                raise ValueError(_not_a_test(value, source, node.values))
        parts = [_compile_test(value, source, names) for value in node.values]
        if isinstance(node.op, ast.And):
            return lambda facts: all(_truthy(part(facts)) for part in parts)
        return lambda facts: any(_truthy(part(facts)) for part in parts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = _compile_test(node.operand, source, names)
        return lambda facts: not _truthy(inner(facts))
    if isinstance(node, ast.Compare):
        return _compile_comparison(node, source, names)
    if _is_constant(node):
        raise ValueError(_not_a_test(node, source, []))
    if isinstance(node, ast.Name | ast.Attribute):
        name = _fact_name(node, source)
        names.add(name)
        return lambda facts: _fold(facts.get(name))
    raise ValueError(f"{_segment(source, node)!r} is not allowed in a condition; use facts, "
                     "numbers, text, lists, comparisons, and/or/not")


def _not_a_test(node: ast.AST, source: str, siblings: list[ast.expr]) -> str:
    """Why a constant cannot stand where a test is expected, and what to write instead."""
    text = _segment(source, node)
    message = (f"{text!r} on its own is not a test (a value is not true or false about a "
               f"person), so {source!r} would not mean what it seems to")
    compared = next((value for value in siblings if isinstance(value, ast.Compare)
                     and len(value.ops) == 1 and isinstance(value.ops[0], ast.Eq)
                     and isinstance(value.left, ast.Name | ast.Attribute)), None)
    if compared is not None:
        fact = _segment(source, compared.left)
        first = _segment(source, compared.comparators[0])
        return (f"{message}: to test one fact against several values write "
                f"'{fact} in [{first}, {text}]' (or '{fact} == {first} or {fact} == {text}')")
    return f"{message}: compare a fact with it, e.g. 'cluster == 10' or 'cluster in [10, 11]'"


_NUMBER, _YES_NO, _TEXT = "a number", "yes or no", "text"
_FACT_KINDS: dict[str, str] = {
    "age": _NUMBER, "cluster": _NUMBER, "admissions_12m": _NUMBER,
    "missed_appointments_6m": _NUMBER,
    "cto": _YES_NO, "s117": _YES_NO, "cpa": _YES_NO, "substance_misuse": _YES_NO,
    "self_harm_history": _YES_NO, "safeguarding_open": _YES_NO, "lives_alone": _YES_NO,
    "carer": _YES_NO, "personal_budget": _YES_NO,
    "gender": _TEXT, "interpreter_language": _TEXT, "accessible_format": _TEXT,
    "pathway": _TEXT, "risk_band": _TEXT, "team": _TEXT, "locality": _TEXT,
}
"""What kind of value each fact in :data:`PERSON_FACTS` holds (``extra.KEY`` is any kind)."""

_KNOWN_VALUES: dict[str, frozenset[str]] = {
    "pathway": frozenset(value.value for value in Pathway),
    "risk_band": frozenset(value.value for value in RiskBand),
    "accessible_format": frozenset(value.value for value in AccessibleFormat),
}
"""Facts whose text is one of a fixed set of words."""

_EQUALITY = (ast.Eq, ast.NotEq)
_ORDER = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_MEMBERSHIP = (ast.In, ast.NotIn)


@dataclass(frozen=True)
class _Operand:
    """One side of a comparison: a fact (``fact`` its name) or a constant (``value`` as written;
    a tuple for a list)."""

    node: ast.expr
    text: str
    fact: str | None = None
    value: Any = None

    @property
    def is_list(self) -> bool:
        return self.fact is None and isinstance(self.value, tuple)

    @property
    def kind(self) -> str | None:
        """The fact's kind; None for ``extra.KEY`` (any kind) or a constant."""
        return _FACT_KINDS.get(self.fact) if self.fact else None


def _operand(node: ast.expr, source: str, names: set[str]) -> _Operand:
    text = _segment(source, node)
    if isinstance(node, ast.Name) and node.id in _LITERAL_NAMES:
        return _Operand(node, text, value=_LITERAL_NAMES[node.id])
    if isinstance(node, ast.Name | ast.Attribute):
        name = _fact_name(node, source)
        names.add(name)
        return _Operand(node, text, fact=name)
    if isinstance(node, ast.Constant | ast.List | ast.Tuple | ast.UnaryOp) and not isinstance(
            getattr(node, "op", None), ast.Not):
        try:
            value = ast.literal_eval(node)
        except ValueError:
            raise ValueError(f"{text!r} is not a value a condition can compare with") from None
        items = value if isinstance(value, list | tuple) else (value,)
        for item in items:
            if isinstance(item, bool) or (isinstance(item, int | float | str)
                                          and not isinstance(item, complex)):
                continue
            raise ValueError(
                f"{text!r} in {source!r} is not a value a condition can compare with: use "
                "numbers, 'quoted text', true/false or a list of them"
                + ("; a fact that is not recorded never matches, so write 'not FACT' for "
                   "'FACT is blank'" if item is None else ""))
        return _Operand(node, text, value=tuple(value) if isinstance(value, list | tuple)
                        else value)
    raise ValueError(f"{text!r} is not allowed in a comparison ({source!r}): each side is a "
                     "fact or a value (a number, 'quoted text', true/false, a list)")


def _compile_comparison(node: ast.Compare, source: str, names: set[str]) -> Callable[[Facts], bool]:
    operands = [_operand(part, source, names) for part in (node.left, *node.comparators)]
    if all(operand.fact is None for operand in operands):
        raise ValueError(f"{source!r} compares values only, so it is the same for everyone: "
                         "compare a fact, e.g. 'cluster == 10'")
    steps: list[tuple[Callable[[Any, Any], bool], Callable[[Facts], Any],
                      Callable[[Facts], Any]]] = []
    for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
        compare = _COMPARISONS.get(type(op))
        if compare is None:
            raise ValueError(f"the comparison in {source!r} is not allowed (use == != < <= > >= "
                             "in, not in)")
        _check_pair(op, left, right, source)
        steps.append((compare, _getter(left, right, source), _getter(right, left, source)))

    def test(facts: Facts) -> bool:
        for compare, left_value, right_value in steps:
            left, right = left_value(facts), right_value(facts)
            if left is None or right is None:
                return False  # an unrecorded fact makes the comparison false
            try:
                if not compare(left, right):
                    return False
            except TypeError:
                return False  # two facts of different kinds: not a match
        return True

    return test


def _getter(operand: _Operand, other: _Operand, source: str) -> Callable[[Facts], Any]:
    """How a comparison reads ``operand``, compared with ``other``: a fact's value (text folded),
    or the constant in the form the other side's fact takes."""
    if operand.fact is not None:
        name = operand.fact
        return lambda facts: _fold(facts.get(name))
    if isinstance(operand.value, tuple):
        constant: Any = frozenset(_as_compared(item, operand, other, source)
                                  for item in operand.value)
    else:
        constant = _as_compared(operand.value, operand, other, source)
    return lambda _facts: constant


def _as_compared(value: Any, operand: _Operand, other: _Operand, source: str) -> Any:
    """A constant as it is compared with the fact ``other``: for ``extra.KEY``, read as the
    fact's value is (:func:`extra_fact`: ``'Y'`` is true, ``'01'`` the number 1), so
    ``extra.forensic_history == 'Y'`` means what it says; for a yes/no fact, a yes/no word is
    true or false. Text is compared folded."""
    if isinstance(value, str) and not value.strip():
        raise ValueError(f"{operand.text} in {source!r} is blank, and a blank is not recorded: "
                         f"a fact that is not recorded never matches a comparison, so write "
                         f"'not {other.text if other.fact else 'FACT'}' for 'is blank'")
    if isinstance(value, str) and other.fact is not None:
        if other.kind is None:  # extra.KEY
            value = extra_fact(value)
        elif other.kind == _YES_NO:
            word = value.strip().lower()
            value = True if word in TRUE_WORDS else False if word in FALSE_WORDS else value
    return _fold(value)


def _check_pair(op: ast.cmpop, left: _Operand, right: _Operand, source: str) -> None:
    """Refuse a comparison that could never be true (or is true for everyone) because of what
    it compares, saying what to write instead."""
    fact, constant = (left, right) if left.fact is not None else (right, left)
    if isinstance(op, _MEMBERSHIP):
        word = "not in" if isinstance(op, ast.NotIn) else "in"
        if left.is_list:
            raise ValueError(f"{source!r} has a list before '{word}': the list comes after, "
                             f"e.g. 'cluster {word} [10, 11]'")
        if right.fact is None and not right.is_list or right.kind in (_NUMBER, _YES_NO):
            raise ValueError(f"{source!r}: '{word}' needs a list after it, e.g. "
                             f"'{left.text} {word} [{_example(right)}]'")
    elif left.is_list or right.is_list:
        listed = left if left.is_list else right
        instead = ("'<', '>' and the like compare with one value" if not isinstance(op, _EQUALITY)
                   else f"write '{fact.text} {'in' if isinstance(op, ast.Eq) else 'not in'} "
                   f"{listed.text}'")
        raise ValueError(f"{source!r} compares {fact.text} with a list, which it never "
                         f"equals: {instead}")
    if constant.fact is not None:
        return  # two facts: their values decide
    kind = fact.kind
    values = constant.value if constant.is_list else (constant.value,)
    for value in values:
        if kind == _NUMBER and isinstance(value, bool | str):
            raise ValueError(
                f"{fact.text} is a number, so {source!r} would never match: write the number "
                f"without quotes, e.g. '{fact.text} == {_number_example(value)}'")
        if kind == _YES_NO and not isinstance(value, bool) and not (
                isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS):
            raise ValueError(f"{fact.text} is yes or no, so {source!r} would never match: write "
                             f"'{fact.text}' (yes) or 'not {fact.text}' (no)")
        if kind == _TEXT and not isinstance(value, str):
            raise ValueError(f"{fact.text} is text, so {source!r} would never match: quote the "
                             f"value, e.g. \"{fact.text} == '{value}'\"")
        known = _KNOWN_VALUES.get(fact.fact or "")
        if known and isinstance(value, str) and value.strip().casefold() not in known:
            raise ValueError(f"{fact.text} is one of {', '.join(sorted(known))}; "
                             f"{value!r} in {source!r} is none of them")
    if kind == _YES_NO and isinstance(op, _ORDER):
        raise ValueError(f"{fact.text} is yes or no, so it cannot be less or more than "
                         f"something: write '{fact.text}' or 'not {fact.text}'")


def _example(operand: _Operand) -> str:
    if operand.fact is not None:
        return "10, 11"
    value = operand.value
    if isinstance(value, str):
        parts = [part.strip() for part in value.split(",") if part.strip()]
        return ", ".join(part if part.lstrip("-").isdigit() else repr(part) for part in parts)
    return operand.text


def _number_example(value: Any) -> str:
    if isinstance(value, str) and value.strip().lstrip("-").replace(".", "", 1).isdigit():
        return value.strip()
    return "10"


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
