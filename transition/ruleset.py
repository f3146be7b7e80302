"""The council's rules: loading, merging and validating the rules TOML.

The shipped defaults live in ``transition/rules/default.toml``. A council's own file (``--rules``
or the ``rules_file`` setting) is merged over them: tables merge key by key, anything else (a
number, a list) replaces the default. So a council can change one threshold without copying the
whole file. Three exceptions, each what the shipped file promises (:func:`deep_merge`):

- ``[[matching.required_skills]]`` entries are *added* to the shipped ones; an entry for a skill
  the shipped file has replaces every shipped entry for that skill, and one with
  ``enabled = false`` (and no ``when``) turns that skill's shipped rule off;
- an ``unless`` table replaces the shipped one whole (``unless = {}`` removes it);
- a task's deadline in working days replaces the shipped one in calendar days, and the reverse.

Values must have the type the setting has (``points = true`` or ``red = "12"`` are refused, not
read as 1 and 12), and settings that name each other across sections must agree
(``[checks] handover_visit_task`` names a task template).

Each section is validated by a model that lives with the code that uses it (``eligibility``,
``risk``, ``matching``, ``tasks``, ``checks``, ``import_rules``), so a domain module takes only its own section.
A bad file raises :class:`~transition.errors.RulesError` naming the file, the line and the
problem; nothing is changed.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from transition.checks import CheckRules
from transition.eligibility import EligibilityRules
from transition.errors import RulesError
from transition.import_rules import ImportRules
from transition.matching import MatchingRules, staff_word
from transition.plain_errors import plain_reason
from transition.risk import RiskRules
from transition.tasks import TaskRules

DEFAULT_RULES_NAME = "default.toml"


class Rules(BaseModel):
    """A complete, validated rules file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(description="The council's own version string for these rules.")
    description: str = ""
    eligibility: EligibilityRules = Field(default_factory=EligibilityRules)
    risk: RiskRules = Field(default_factory=RiskRules)
    matching: MatchingRules = Field(default_factory=MatchingRules)
    tasks: TaskRules = Field(default_factory=TaskRules)
    checks: CheckRules = Field(default_factory=CheckRules)
    importing: ImportRules = Field(default_factory=ImportRules)

    # Set by the loader, not the file.
    fingerprint: str = Field("", description="SHA-256 of the files these rules came from.")
    sources: tuple[str, ...] = ()

    @property
    def version_label(self) -> str:
        """What is stored with every decision: the declared version and a content fingerprint."""
        return f"{self.version}#{self.fingerprint[:8]}" if self.fingerprint else self.version


def default_rules_text() -> str:
    return (resources.files("transition") / "rules" / DEFAULT_RULES_NAME).read_text("utf-8")


RULES_FILE_GIVEN_BY = "--rules, TRANSITION_RULES_FILE or the settings file's rules_file"
"""Where a rules file may be named, for a hint when it is not known which one named it."""


def load_rules(path: Path | None = None, *, given_by: str | None = None) -> Rules:
    """The shipped defaults, with ``path`` (a council's rules file) merged over them.
    ``given_by`` says where ``path`` came from (``--rules``, ``TRANSITION_RULES_FILE``, ...),
    for the hint when it names no file (:attr:`Settings.rules_file_given_by
    <transition.config.Settings.rules_file_given_by>`)."""
    if path is not None:
        _refuse_no_file(path, given_by or RULES_FILE_GIVEN_BY)
    return _load_rules_cached(str(path.resolve()) if path else None, _mtime(path))


def _refuse_no_file(path: Path, given_by: str) -> None:
    if not path.exists():
        raise RulesError(f"Rules file {path} does not exist. Nothing was changed.",
                         hint=f"Check the path ({given_by}).")
    if path.is_dir():
        raise RulesError(f"{path} is a folder, not a rules file. Nothing was changed.",
                         hint="Give the path of the rules file itself (a .toml file), not "
                         f"of its folder ({given_by}).")


def _mtime(path: Path | None) -> float:
    try:
        return path.stat().st_mtime if path else 0.0
    except OSError:
        return -1.0


@lru_cache(maxsize=8)
def _load_rules_cached(path_text: str | None, _mtime_key: float) -> Rules:
    default_text = default_rules_text()
    data = _parse(default_text, "transition/rules/default.toml (shipped)")
    texts = [default_text]
    sources = ["default"]
    origin_text, origin_name = default_text, "transition/rules/default.toml (shipped)"
    if path_text is not None:
        path = Path(path_text)
        try:
            council_text = path.read_text("utf-8")
        except FileNotFoundError:  # removed since load_rules looked
            raise RulesError(
                f"Rules file {path} does not exist. Nothing was changed.",
                hint=f"Check the path ({RULES_FILE_GIVEN_BY}).",
            ) from None
        except UnicodeDecodeError:
            raise RulesError(f"Rules file {path} is not UTF-8 text. Nothing was changed.",
                             hint="Save it as UTF-8 and run the command again.") from None
        except OSError as exc:
            raise RulesError(f"Rules file {path} cannot be read "
                             f"({exc.strerror or type(exc).__name__}). Nothing was changed.",
                             hint="Check that you may read it.") from None
        council = _parse(council_text, str(path))
        problems = _type_problems(council, Rules, ()) + _merge_problems(data, council)
        if problems:
            raise RulesError(_report(problems, council_text, str(path)))
        data = deep_merge(data, council)
        texts.append(council_text)
        sources.append(str(path))
        origin_text, origin_name = council_text, str(path)
    fingerprint = hashlib.sha256("\0".join(texts).encode()).hexdigest()
    try:
        rules = Rules.model_validate({**data, "fingerprint": fingerprint, "sources": sources})
    except ValidationError as exc:
        raise RulesError(_describe(exc, origin_text, origin_name,
                                   _council_index(data, origin_text, origin_name))) from None
    problems = _cross_section_problems(rules)
    if problems:
        raise RulesError(_report(problems, origin_text, origin_name))
    return rules


def _parse(text: str, name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(
            f"Rules file {name} is not valid TOML: {exc}. Nothing was changed.",
            hint="Fix the line named above; see transition/rules/default.toml for the format.",
        ) from None


# Keys that say the same thing two ways (a task's deadline in working or in calendar days): a
# council table giving one replaces the default's other, rather than merging into "both".
_ONE_OF: tuple[frozenset[str], ...] = (
    frozenset({"offset_working_days", "offset_calendar_days"}),
)


# Arrays of tables whose entries a council file adds to the shipped ones, keyed by the field
# that names an entry: an entry with a key the shipped list has replaces the shipped entries
# with that key (default.toml: a council "can add" a required skill). Other lists (distances,
# a template's deadlines, plain lists of values) replace the shipped list whole, as documented.
_KEYED_LISTS: dict[tuple[str, ...], str] = {("matching", "required_skills"): "skill"}

# Tables a council file replaces whole rather than merging into: a template's ``unless`` is one
# exception, and merging a council's ``unless`` into the shipped one would make it require
# both; ``unless = {}`` removes it.
_REPLACED_WHOLE = frozenset({"unless"})


def deep_merge(base: dict[str, Any], override: dict[str, Any],
               path: tuple[str, ...] = ()) -> dict[str, Any]:
    """Tables merge key by key; any other value in ``override`` replaces the base's (and a key
    of a ``_ONE_OF`` group replaces the others of its group). Two exceptions: a
    ``_KEYED_LISTS`` list adds the override's entries to the base's (after them), an entry
    replacing the base's entries of the same key; a ``_REPLACED_WHOLE`` table replaces."""
    merged = dict(base)
    for group in _ONE_OF:
        if group & override.keys():
            for key in group - override.keys():
                merged.pop(key, None)
    for key, value in override.items():
        where = (*path, key)
        if (where in _KEYED_LISTS and isinstance(value, list)
                and isinstance(merged.get(key), list)):
            merged[key] = _merge_keyed(merged[key], value, _KEYED_LISTS[where])
        elif (isinstance(value, dict) and isinstance(merged.get(key), dict)
                and key not in _REPLACED_WHOLE):
            merged[key] = deep_merge(merged[key], value, where)
        else:
            merged[key] = value
    return merged


def _entry_key(entry: Any, field: str) -> str | None:
    value = entry.get(field) if isinstance(entry, dict) else None
    return staff_word(value) if isinstance(value, str) else None


def _merge_keyed(base: list[Any], override: list[Any], field: str) -> list[Any]:
    """The base's entries the override gives no entry with the same ``field`` for, then the
    override's entries (so an error in one is at its index less the base's kept count)."""
    replaced = {_entry_key(entry, field) for entry in override} - {None}
    return [entry for entry in base if _entry_key(entry, field) not in replaced] + list(override)


def _council_index(merged: dict[str, Any], text: str, name: str) -> dict[tuple[str, ...], int]:
    """For each ``_KEYED_LISTS`` list the council's file gives, how many shipped entries come
    before its own in the merged list (to name the council's entry in an error)."""
    if name.endswith("(shipped)"):
        return {}
    council = tomllib.loads(text)
    offsets = {}
    for path in _KEYED_LISTS:
        mine, theirs = _dig(council, path), _dig(merged, path)
        if isinstance(mine, list) and isinstance(theirs, list):
            offsets[path] = len(theirs) - len(mine)
    return offsets


def _dig(data: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        data = data.get(part) if isinstance(data, dict) else None
    return data


Problem = tuple[tuple[Any, ...], str]
"""A problem found outside the models: where (a path into the rules) and what, in words."""


def _merge_problems(shipped: dict[str, Any], council: dict[str, Any]) -> list[Problem]:
    """An entry that turns off a shipped skill rule must name one."""
    problems: list[Problem] = []
    for path, field in _KEYED_LISTS.items():
        entries = _dig(council, path)
        if not isinstance(entries, list):
            continue
        known = {_entry_key(entry, field) for entry in _dig(shipped, path) or ()} - {None}
        for index, entry in enumerate(entries):
            key = _entry_key(entry, field)
            if isinstance(entry, dict) and entry.get("enabled") is False and key not in known:
                problems.append(((*path, index, field), (
                    f"{entry.get(field)!r} with enabled = false turns off no shipped rule: the "
                    f"shipped {field}s are {', '.join(sorted(known))} (check the spelling)")))
    return problems


def _type_problems(value: Any, annotation: Any, loc: tuple[Any, ...]) -> list[Problem]:
    """Values of the wrong type for their setting in a council's file, which pydantic would
    otherwise convert without a word: ``points = true`` read as 1, ``red = "12"`` as 12,
    ``cpa_is_health_led = "no"`` as false. Only the council's file is looked at (the shipped
    one is right), so each problem has a line there."""
    if get_origin(annotation) is Annotated:
        return _type_problems(value, get_args(annotation)[0], loc)
    if get_origin(annotation) in (Union, UnionType):
        options = [option for option in get_args(annotation) if option is not type(None)]
        return _type_problems(value, options[0], loc) if len(options) == 1 else []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if not isinstance(value, dict):
            return []
        problems = []
        for key, item in value.items():
            field = annotation.model_fields.get(key)
            if field is not None:
                problems += _type_problems(item, field.annotation, (*loc, key))
        return problems
    origin = get_origin(annotation)
    if origin in (tuple, list, frozenset, set) and isinstance(value, list):
        return [problem for index, item in enumerate(value)
                for problem in _type_problems(item, get_args(annotation)[0], (*loc, index))]
    if origin is dict and isinstance(value, dict):
        return [problem for key, item in value.items()
                for problem in _type_problems(item, get_args(annotation)[1], (*loc, key))]
    if annotation is bool and not isinstance(value, bool):
        return [(loc, f"is {_toml(value)}: write true or false (no quotes)")]
    if annotation in (int, float) and isinstance(value, bool | str):
        number = "a whole number" if annotation is int else "a number"
        if isinstance(value, str):
            return [(loc, f"is {_toml(value)}: write {number} without quotes")]
        off = ", and points = 0 switches a factor off" if loc[-1:] == ("points",) else ""
        return [(loc, (f"is {_toml(value)}: write {number} (true and false are not "
                       f"numbers{off})"))]
    return []


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _cross_section_problems(rules: Rules) -> list[Problem]:
    """Settings in one section that name something in another."""
    problems: list[Problem] = []
    visit = rules.checks.handover_visit_task
    if visit not in rules.tasks.templates:
        problems.append((("checks", "handover_visit_task"), (
            f"names {visit!r}, which is not a task template, so the nightly check would never "
            f"see a handover visit done: write the key of the joint handover visit template, "
            f'e.g. handover_visit_task = "joint_visit" (templates: '
            f"{', '.join(sorted(rules.tasks.templates))})")))
    return problems


def _report(problems: list[Problem], text: str, name: str) -> str:
    lines = []
    for loc, message in problems:
        where = ".".join(str(part) for part in loc) or "(top level)"
        line = locate(text, loc)
        at = f"line {line}" if line else "a value inherited from the defaults"
        lines.append(f"  {name}, {at}: {where}: {message}")
    return "The rules file is not valid. Nothing was changed.\n" + "\n".join(lines)


def _describe(exc: ValidationError, text: str, name: str,
              offsets: dict[tuple[str, ...], int] | None = None) -> str:
    problems = []
    for error in exc.errors():
        loc = tuple(part for part in error["loc"] if part not in ("fingerprint", "sources"))
        for path, offset in (offsets or {}).items():
            if (loc[:len(path)] == path and len(loc) > len(path)
                    and isinstance(loc[len(path)], int) and loc[len(path)] >= offset):
                loc = (*path, loc[len(path)] - offset, *loc[len(path) + 1:])
        where = ".".join(str(part) for part in loc) or "(top level)"
        line = locate(text, loc) or _line_of_a_named_value(text, loc, error["msg"])
        at = f"line {line}" if line else "a value inherited from the defaults"
        table = loc[:-1]
        section = f"[{'.'.join(str(part) for part in table)}]" if table else "the top level"
        message = plain_reason(error, allowed=_keys_at(table), where=section)
        problems.append(f"  {name}, {at}: {where}: {message}")
    return "The rules file is not valid. Nothing was changed.\n" + "\n".join(problems)


def _keys_at(loc: tuple[Any, ...]) -> list[str]:
    """The settings the table at ``loc`` may hold (none when it is not a fixed set)."""
    annotation: Any = Rules
    for part in loc:
        annotation = _unwrap(annotation)
        origin = get_origin(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            if field is None:
                return []
            annotation = field.annotation
        elif origin in (tuple, list, frozenset, set) and isinstance(part, int):
            annotation = get_args(annotation)[0]
        elif origin is dict:
            annotation = get_args(annotation)[1]
        else:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [name for name in annotation.model_fields
                if annotation is not Rules or name not in ("fingerprint", "sources")]
    return []


def _unwrap(annotation: Any) -> Any:
    """``X`` from ``Annotated[X, ...]`` and ``X | None``."""
    if get_origin(annotation) is Annotated:
        return _unwrap(get_args(annotation)[0])
    if get_origin(annotation) in (Union, UnionType):
        options = [option for option in get_args(annotation) if option is not type(None)]
        return _unwrap(options[0]) if len(options) == 1 else annotation
    return annotation


# A check that compares two settings ("discharged_very_recently.points (4) must be at least
# discharged_recently.points") is reported at one of them: when the council's file does not
# set that one, the line of the other, which it names, is where to look.
_NAMED_SETTING = re.compile(r"\b([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)\b")


def _line_of_a_named_value(text: str, loc: tuple[Any, ...], message: str) -> int | None:
    parent = tuple(str(part) for part in loc[:-1])
    for table, key in _NAMED_SETTING.findall(message):
        wanted = (*parent, table, key)
        line = locate(text, wanted)
        if line is not None and _sets(text, line, key):
            return line
    return None


def _sets(text: str, line: int, key: str) -> bool:
    """Whether ``line`` of ``text`` is ``key = ...`` (not a table header that merely contains
    the setting's table)."""
    found = _KEY.match(text.splitlines()[line - 1])
    return found is not None and found.group(1).split(".")[-1].strip("\"'") == key


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'.]+)\s*=")


def locate(text: str, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line in ``text`` best matching a validation error's location, if any.

    Tracks ``[table]`` and ``[[array.of.tables]]`` headers (counting array entries) and
    ``key =`` lines; returns the line of the longest matching prefix of ``loc``.
    """
    if not loc:
        return 1 if text.strip() else None
    want = [str(part) for part in loc]
    best_line: int | None = None
    best_len = 0
    current: list[str] = []
    array_counts: dict[tuple[str, ...], int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            path = [part.strip().strip("\"'") for part in header.group(2).split(".")]
            if header.group(1) == "[[":
                key = tuple(path)
                index = array_counts.get(key, -1) + 1
                array_counts[key] = index
                current = [*path, str(index)]
            else:
                current = path
            candidate = current
        else:
            key_match = _KEY.match(line)
            if not key_match:
                continue
            key_path = [part.strip("\"'") for part in key_match.group(1).split(".")]
            candidate = [*current, *key_path]
        matched = _common_prefix(candidate, want)
        if matched == len(candidate) and matched > best_len:
            best_len, best_line = matched, number
        elif matched == len(want) and best_line is None:
            best_line = number  # inside the table the error is about (a whole-section check)
    return best_line


def _common_prefix(a: list[str], b: list[str]) -> int:
    count = 0
    for left, right in zip(a, b, strict=False):
        if left != right:
            break
        count += 1
    return count


_UNSET = object()


def council_changes(shipped: dict[str, Any], council: dict[str, Any]) -> list[str]:
    """What a council's rules file changes from the shipped rules, one plain line per setting
    it gives, in the file's order (``risk.bands.amber = 4 (shipped 5)``). Both arguments are
    parsed TOML: the shipped file and a council file that loads (:func:`load_rules`). Skill
    rules are said to be added, replaced or turned off, task templates added or turned off;
    a list (or ``unless``) the council gives is said to replace the shipped one."""
    return _changes(shipped, council, ())


def _changes(shipped: dict[str, Any], council: dict[str, Any],
             path: tuple[str, ...]) -> list[str]:
    lines: list[str] = []
    for key, value in council.items():
        where = (*path, key)
        name = ".".join(where)
        before = shipped.get(key, _UNSET)
        if where in _KEYED_LISTS and isinstance(value, list):
            lines += _keyed_changes(before if isinstance(before, list) else [], value,
                                    _KEYED_LISTS[where], name)
        elif isinstance(value, dict) and before is _UNSET and path == ("tasks", "templates"):
            off = ", turned off" if value.get("enabled") is False else ""
            lines.append(f"{name}: template added{off} ({_shown(value.get('title', ''))})")
        elif isinstance(value, dict) and isinstance(before, dict) and key not in _REPLACED_WHOLE:
            lines += _changes(before, value, where)
        elif key == "enabled" and path[:2] == ("tasks", "templates") and before is _UNSET:
            parent = ".".join(path)
            lines.append(f"{parent}: turned off" if value is False
                         else f"{parent}: enabled = true (shipped templates are on)")
        else:
            lines.append(_setting_change(name, key, before, value, shipped))
    return lines


def _setting_change(name: str, key: str, before: Any, value: Any,
                    shipped: dict[str, Any]) -> str:
    if before is _UNSET:
        for group in _ONE_OF:
            other = next((other for other in sorted(group - {key}) if other in shipped), None)
            if key in group and other is not None:
                return (f"{name} = {_shown(value)} (replaces the shipped {other} = "
                        f"{_shown(shipped[other])})")
        return f"{name} = {_shown(value)} (the shipped rules do not set it)"
    if value == before:
        return f"{name} = {_shown(value)} (the same as shipped)"
    if isinstance(value, str) and isinstance(before, str) and max(len(value), len(before)) > 40:
        return f"{name}: reworded"
    if isinstance(value, dict) and not value:
        return f"{name}: removed (shipped {_shown(before)})"
    if isinstance(value, list) and any(isinstance(item, dict) for item in value + before):
        return (f"{name}: {_entries(len(value))}, replacing the shipped "
                f"{_entries(len(before))}")
    return f"{name} = {_shown(value)} (shipped {_shown(before)})"


def _keyed_changes(shipped: list[Any], council: list[Any], field: str, name: str) -> list[str]:
    """Skill rules: each council entry adds, replaces or turns off the shipped rule for its
    skill (:func:`_merge_keyed`)."""
    lines = []
    for entry in council:
        key = _entry_key(entry, field)
        if key is None:
            continue
        old = [str(item.get("when", "")) for item in shipped if _entry_key(item, field) == key]
        was = f" (shipped: when {' or '.join(old)})" if old else ""
        if entry.get("enabled") is False:
            lines.append(f"{name}: {key} turned off{was}")
        elif old:
            lines.append(f"{name}: {key} replaced: when {entry.get('when', '')}{was}")
        else:
            lines.append(f"{name}: {key} added: when {entry.get('when', '')}")
    return lines


def _entries(count: int) -> str:
    return f"{count} entr{'y' if count == 1 else 'ies'}"


def _shown(value: Any) -> str:
    """A value as the TOML file writes it (short: a list of tables is counted)."""
    if isinstance(value, list):
        if any(isinstance(item, dict) for item in value):
            return _entries(len(value))
        return "[" + ", ".join(_shown(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key} = {_shown(item)}" for key, item in value.items()) + "}"
    return _toml(value)
