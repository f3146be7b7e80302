"""The council's rules: loading, merging and validating the rules TOML.

The shipped defaults live in ``transition/rules/default.toml``. A council's own file (``--rules``
or the ``rules_file`` setting) is merged over them: tables merge key by key, anything else (a
number, a list) replaces the default. So a council can change one threshold without copying the
whole file.

Each section is validated by a model that lives with the code that uses it (``eligibility``,
``risk``, ``matching``, ``tasks``, ``checks``), so a domain module takes only its own section.
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
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from transition.checks import CheckRules
from transition.eligibility import EligibilityRules
from transition.errors import RulesError
from transition.matching import MatchingRules
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

    # Set by the loader, not the file.
    fingerprint: str = Field("", description="SHA-256 of the files these rules came from.")
    sources: tuple[str, ...] = ()

    @property
    def version_label(self) -> str:
        """What is stored with every decision: the declared version and a content fingerprint."""
        return f"{self.version}#{self.fingerprint[:8]}" if self.fingerprint else self.version


def default_rules_text() -> str:
    return (resources.files("transition") / "rules" / DEFAULT_RULES_NAME).read_text("utf-8")


def load_rules(path: Path | None = None) -> Rules:
    """The shipped defaults, with ``path`` (a council's rules file) merged over them."""
    return _load_rules_cached(str(path.resolve()) if path else None, _mtime(path))


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
        except FileNotFoundError:
            raise RulesError(
                f"Rules file {path} does not exist. Nothing was changed.",
                hint="Check the path given to --rules or the rules_file setting.",
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise RulesError(f"Rules file {path} cannot be read: {exc}. Nothing was changed.")
        data = deep_merge(data, _parse(council_text, str(path)))
        texts.append(council_text)
        sources.append(str(path))
        origin_text, origin_name = council_text, str(path)
    fingerprint = hashlib.sha256("\0".join(texts).encode()).hexdigest()
    try:
        return Rules.model_validate({**data, "fingerprint": fingerprint, "sources": sources})
    except ValidationError as exc:
        raise RulesError(_describe(exc, origin_text, origin_name)) from None


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


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; any other value in ``override`` replaces the base's (and a key
    of a ``_ONE_OF`` group replaces the others of its group)."""
    merged = dict(base)
    for group in _ONE_OF:
        if group & override.keys():
            for key in group - override.keys():
                merged.pop(key, None)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _describe(exc: ValidationError, text: str, name: str) -> str:
    problems = []
    for error in exc.errors():
        loc = tuple(part for part in error["loc"] if part not in ("fingerprint", "sources"))
        where = ".".join(str(part) for part in loc) or "(top level)"
        line = locate(text, loc) or _line_of_a_named_value(text, loc, error["msg"])
        at = f"line {line}" if line else "a value inherited from the defaults"
        message = error["msg"].removeprefix("Value error, ")
        problems.append(f"  {name}, {at}: {where}: {message}")
    return "The rules file is not valid. Nothing was changed.\n" + "\n".join(problems)


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
