"""Settings: where the database lives, which rules apply, the council's details.

Settings are one typed object, built once (by the CLI or a test) and passed explicitly to
whatever needs them. They come, lowest priority first, from defaults, a settings TOML file
(``TRANSITION_SETTINGS_FILE`` or ``settings.toml`` in the user's config directory),
``TRANSITION_*`` environment variables, and command-line options.
"""

from __future__ import annotations

import difflib
import getpass
import os
import re
import tomllib
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import platformdirs
from pydantic import (
    BaseModel,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from transition.errors import TransitionError
from transition.plain_errors import plain_reason

APP_NAME = "transition"
ACTOR_MAX_LENGTH = 120  # the audit trail's actor column (and every *_by column) holds this many

UK = ZoneInfo("Europe/London")  # whose calendar "today" is


def data_dir() -> Path:
    """The user's data directory for transition (created owner-only if missing)."""
    path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    ensure_private_dir(path)
    return path


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if missing; a folder we create is owner-only (0700)."""
    if not path.exists():
        path.mkdir(parents=True, mode=0o700, exist_ok=True)
        os.chmod(path, 0o700)
    return path


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / 'transition.db'}"


def default_actor() -> str:
    """The operating-system user, recorded in the audit trail unless ``--actor`` is given."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in some containers
        return f"uid:{os.getuid()}"


# The council details whose defaults are invented examples (a council that does not exist, a
# crisis line that is not its number): letters are never written with any of them unchanged,
# except on the demo database (transition.letters.check_council_details). ``service`` and
# ``signatory_title`` are left out: their defaults are ordinary wording a council may keep.
EXAMPLE_COUNCIL_KEYS = ("name", "address", "phone", "email", "crisis_line", "out_of_hours",
                        "complaints", "signatory", "website")


class CouncilDetails(BaseModel):
    """The council's details as they appear on letters (invented examples in the defaults:
    set the council's own under ``[council]`` in the settings file)."""

    name: str = Field("Westshire Council", description="The council's name.")
    service: str = Field("Adult Social Care (Mental Health)", description="The service name.")
    address: str = Field(
        "County Hall, Market Street, Westhaven WX1 1AA",
        description="Postal address for replies, one line, commas between parts.",
    )
    phone: str = Field("0300 123 0000", description="Main contact number.")
    email: str = Field("mentalhealth@westshire.example", description="Contact email.")
    crisis_line: str = Field(
        "0800 000 1234 (24 hours a day) or NHS 111, option 2",
        description="Who to call in a mental-health crisis.",
    )
    out_of_hours: str = Field("0300 123 9999", description="Council out-of-hours number.")
    complaints: str = Field(
        "Customer Feedback Team, County Hall, Market Street, Westhaven WX1 1AA, "
        "phone 0300 123 0001, or complaints@westshire.example",
        description="How to raise a concern or complain.",
    )
    signatory: str = Field("Alex Morgan", description="Who signs the letters.")
    signatory_title: str = Field(
        "Head of Mental Health Social Work", description="The signatory's job title."
    )
    website: str = Field("www.westshire.example/mentalhealth", description="Web address.")

    @field_validator("*")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        # A blank detail passed the examples' guard and a letter read "in a crisis ... call ."
        # (a set-but-empty TRANSITION_COUNCIL__CRISIS_LINE does it).
        text = value.strip()
        if not text:
            raise ValueError("is blank: a letter would print nothing where it belongs. Give the "
                             "council's own, or leave the key out until you have it (letters "
                             "are refused while a detail is still the example)")
        return text

    def example_keys(self) -> list[str]:
        """The details still at their invented example values (none once the council has set
        its own): a person must never be given an invented number or address."""
        fields = type(self).model_fields
        return [key for key in EXAMPLE_COUNCIL_KEYS
                if getattr(self, key).strip() == fields[key].default]


class Settings(BaseSettings):
    """Everything the tool needs to know about where it runs."""

    model_config = SettingsConfigDict(
        env_prefix="TRANSITION_",
        env_nested_delimiter="__",
        # The settings file's keys are checked by read_settings_file, which names the line and
        # the keys there are; this refuses a misspelt keyword to Settings(...) too.
        extra="forbid",
    )

    database_url: str | None = Field(
        None, description="SQLAlchemy URL, or the path of a SQLite file; default a SQLite file "
        "in the user's data directory."
    )
    rules_file: Path | None = Field(
        None, description="The council's rules TOML; default the shipped rules."
    )
    output_dir: Path | None = Field(
        None, description="Where letters and reports go by default; default <data dir>/output "
        "(on a demo database, the demo's own folder: output in <demo>-files beside it)."
    )
    actor: str = Field(default_factory=default_actor, description="Who is making changes.")
    as_of: date | None = Field(
        None, description="Fixed 'today' for reproducible runs and tests (read as --as-of "
        "reads a date); default the real date."
    )
    council: CouncilDetails = Field(default_factory=CouncilDetails)
    letter_templates_dir: Path | None = Field(
        None, description="The council's letter templates folder, looked up before the shipped "
        "templates (a file there replaces the shipped file of the same name)."
    )
    letter_format: Literal["md", "html", "docx", "pdf"] = Field(
        "pdf", description="Letter format when --format is not given (a person's accessible "
        "information need can change it: see docs/letters.md)."
    )
    pseudonym_key: SecretStr | None = Field(
        None, description="Secret key for `transition export --pseudonymise` (at least 32 "
        "characters); default a key generated once in the data directory (pseudonym.key; on a "
        "demo database, in the demo's own <demo>-files folder). Set the same key on every "
        "machine that exports for the same partner."
    )
    busy_timeout_seconds: float = Field(
        15.0, gt=0, le=3600, allow_inf_nan=False,
        description="How long to wait for another writer before giving up (seconds, above 0 "
        "and at most 3600)."
    )
    settings_file: Path | None = Field(
        None, description="The settings TOML read for these settings (informational)."
    )
    # Set once the database in use is known to be a demo (transition.demo.use_demo_files): what
    # would default into the data folder goes to the demo's own folder instead. Never read
    # from a file or the environment.
    _demo_files: Path | None = PrivateAttr(default=None)
    # Where rules_file came from (set by load_settings), for a hint when it names no file.
    _rules_file_given_by: str | None = PrivateAttr(default=None)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = settings_file_path()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file is not None and toml_file.is_file():
            sources.append(SettingsFileSource(settings_cls, toml_file))
        return tuple(sources)

    @field_validator("database_url", "rules_file", "output_dir", "letter_templates_dir",
                     mode="before")
    @classmethod
    def _set_means_given(cls, value: object, info: ValidationInfo) -> object:
        """A setting that is set but blank (``--db ""``, ``TRANSITION_DATABASE_URL=`` from an
        unset shell variable) is a mistake, not the default: a blank database meant the
        default file, and an import made it there."""
        if isinstance(value, str) and not value.strip():
            meaning = _BLANK_MEANS.get(info.field_name or "", "the default")
            raise ValueError(f"it is set but blank, which would mean {meaning}. Give the value, "
                             "or unset it to use the default")
        return value

    @field_validator("database_url")
    @classmethod
    def _path_means_sqlite(cls, value: str | None) -> str | None:
        """A URL is used as given; anything else is the path of a SQLite file (``~`` expanded)."""
        if value is None or "://" in value:
            return value
        return f"sqlite:///{Path(value.strip()).expanduser().resolve()}"

    @field_validator("as_of", mode="before")
    @classmethod
    def _date_as_typed(cls, value: object) -> object:
        """``TRANSITION_AS_OF`` is read exactly as ``--as-of`` is (20/11/2026 and 2026-11-20
        alike; never a bare number as a Unix time); blank means the real date, as ``--as-of ""``
        does."""
        from transition.validation import Bad, date_problem, typed_date

        if isinstance(value, datetime):
            return value.date()
        if value is None or isinstance(value, date):
            return value
        if isinstance(value, str):
            if not value.strip():
                return None
            try:
                return typed_date(value)
            except Bad as bad:
                raise ValueError(f"it is not a date{date_problem(bad)}; {_DATE_SHAPES}") from None
        raise ValueError(f"it is not a date; {_DATE_SHAPES}")

    @field_validator("council", mode="before")
    @classmethod
    def _known_details(cls, value: object) -> object:
        """A misspelt detail (``TRANSITION_COUNCIL__NMAE``) is refused, not ignored."""
        if isinstance(value, dict):
            for key in value:
                if key not in CouncilDetails.model_fields:
                    raise ValueError(f"there is no council detail {key!r}"
                                     f"{_did_you_mean(key, CouncilDetails.model_fields)}; the "
                                     f"details are {', '.join(CouncilDetails.model_fields)}")
        return value

    @field_validator("actor")
    @classmethod
    def _actor_names_someone(cls, value: str) -> str:
        """The audit trail records who made each change: a name, on one line, that fits."""
        actor = value.strip()
        if not actor:
            raise ValueError(
                "it is blank, so the audit trail could not say who made a change. Give a name, "
                "or leave it unset to record your login"
            )
        if len(actor) > ACTOR_MAX_LENGTH:
            raise ValueError(f"it is {len(actor)} characters long; the audit trail keeps at most "
                             f"{ACTOR_MAX_LENGTH}. Give a shorter name")
        if any(not character.isprintable() for character in actor):
            raise ValueError("it holds a line break, tab or other control character. Give a "
                             "name on one line")
        return actor

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or default_database_url()

    def keep_demo_files_in(self, folder: Path | None) -> None:
        """Send what would default into the data folder (the output folder, rejects files, the
        pseudonym key) to ``folder``, the demo database's own (None: the data folder again).
        A folder the person set (``output_dir``, ``--out``, the key) still wins."""
        self._demo_files = folder

    @property
    def rules_file_given_by(self) -> str | None:
        """Where ``rules_file`` was given: ``--rules``, ``TRANSITION_RULES_FILE`` or the
        settings file (its line); None when not known (settings not made by load_settings)."""
        return self._rules_file_given_by

    @property
    def demo_files_dir(self) -> Path | None:
        """The demo database's own folder when the database in use is a demo, else None."""
        return self._demo_files

    @property
    def resolved_output_dir(self) -> Path:
        """The output folder: ``output_dir`` if set, else ``output`` in the demo's own folder
        on a demo database, else ``<data dir>/output``: demo letters never join real ones."""
        if self.output_dir is not None:
            return self.output_dir
        return (self._demo_files or data_dir()) / "output"

    @property
    def pseudonym_key_dir(self) -> Path:
        """Where the generated pseudonym key file is kept (when no key is set): the data
        folder, or the demo's own folder on a demo database, so that trying an export on the
        demo never makes or uses the real key."""
        return self._demo_files or data_dir()

    def today(self) -> date:
        """'Today' for date arithmetic: the fixed ``as_of`` if set, else the UK date now.

        The UK's date, not the machine's: a server kept on UTC runs the nightly check at
        23:30 on a summer evening on the next UK day, and deadlines are UK working days."""
        return self.as_of or datetime.now(UK).date()


_BLANK_MEANS = {
    "database_url": "the default database in your data folder (an import would create it "
                    "there)",
    "rules_file": "the current folder, not a rules file",
    "output_dir": "the current folder",
    "letter_templates_dir": "the current folder",
}
# transition.validation.TYPED_DATE_HINT, as a clause (that module is imported only when needed).
_DATE_SHAPES = ("use YYYY-MM-DD (e.g. 2027-04-01), DD/MM/YYYY (e.g. 01/04/2027) or the month "
                "in words (e.g. 1 April 2027), as --as-of does")

# Settings there used to be, and where the idea lives now: given in the settings file or the
# environment they are refused with this pointer, never silently ignored.
RETIRED_SETTINGS = {
    "stale_import_days": "when a caseload import counts as stale is the rules' [checks] "
                         "stale_import_days (default 7 days), read by the nightly check",
}


def _did_you_mean(key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class SettingsFileSource(PydanticBaseSettingsSource):
    """The settings TOML, read by :func:`read_settings_file` (which refuses what it cannot
    use, naming the file and line)."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path):
        super().__init__(settings_cls)
        self.data = read_settings_file(path)

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self.data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self.data)


_SETTINGS_FILE_HINT = ("Correct the settings file (or point TRANSITION_SETTINGS_FILE at the "
                       "right one) and run the command again.")


def read_settings_file(path: Path) -> dict[str, Any]:
    """The settings file's keys and values; a TransitionError (exit 2) naming the file, the
    line where known, and what to do when it is not UTF-8 TOML, or sets a key there is no
    setting for (a misspelt key silently meant the default: another database)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise TransitionError(f"The settings file {path} is not UTF-8 text. Nothing was changed.",
                              hint="Save it as UTF-8 and run the command again.") from None
    except OSError as exc:
        raise TransitionError(
            f"The settings file {path} cannot be read ({exc.strerror or type(exc).__name__}). "
            "Nothing was changed.", hint=_SETTINGS_FILE_HINT) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TransitionError(
            f"The settings file {path} is not valid TOML: {exc}. Nothing was changed.",
            hint="Fix that line (key = \"value\", text in quotes, [council] for the council's "
            "details) and run the command again.") from None
    fields = [name for name in Settings.model_fields if name != "settings_file"]
    for key in data:
        line = _line_of(text, key)
        if key in RETIRED_SETTINGS:
            raise TransitionError(
                f"The settings file {path}{line} sets {key}, which is no longer a setting: "
                f"{RETIRED_SETTINGS[key]}. Nothing was changed.",
                hint=f"Remove {key} from the settings file; to change it, set it under "
                f"[checks] in the council's rules file (--rules or TRANSITION_RULES_FILE).")
        if key not in fields:
            raise TransitionError(
                f"The settings file {path}{line} sets {key!r}, which is not a setting"
                f"{_did_you_mean(key, fields)}. Nothing was changed.",
                hint=f"The settings are: {', '.join(fields)}. {_SETTINGS_FILE_HINT}")
    council = data.get("council")
    if isinstance(council, dict):
        details = CouncilDetails.model_fields
        for key in council:
            if key not in details:
                raise TransitionError(
                    f"The settings file {path}{_line_of(text, key, table='council')} sets "
                    f"[council] {key!r}, which is not a council detail"
                    f"{_did_you_mean(key, details)}. Nothing was changed.",
                    hint=f"The details are: {', '.join(details)}. {_SETTINGS_FILE_HINT}")
    return data


def _line_of(text: str, key: str, *, table: str | None = None) -> str:
    """", line N" for where ``key`` is set (in ``[table]`` if given), or "" if not found."""
    name = rf"""(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')"""
    prefix = rf"(?:{re.escape(table)}\s*\.\s*)?" if table else ""
    assignment = re.compile(rf"^\s*{prefix}{name}\s*=")
    header = re.compile(r"^\s*\[")
    inside = table is None
    for number, line in enumerate(text.splitlines(), start=1):
        if header.match(line):
            inside = table is not None and re.match(
                rf"^\s*\[\s*{re.escape(table)}\s*\]", line) is not None
            continue
        if assignment.match(line) and (inside or (table and line.lstrip().startswith(table))):
            return f", line {number},"
    return ""


def settings_file_path() -> Path | None:
    explicit = os.environ.get("TRANSITION_SETTINGS_FILE")
    if explicit:
        return Path(explicit)
    return config_dir() / "settings.toml"


def settings_file_shown(settings: Settings) -> Path:
    """The settings file to name in a message: the one read, else where one would be read."""
    return settings.settings_file or settings_file_path() or config_dir() / "settings.toml"


def _checked_settings_file() -> Path | None:
    """The settings file to read (None: there is none). One named by TRANSITION_SETTINGS_FILE
    must exist: a mistyped name meant every setting silently fell back to its default."""
    explicit = os.environ.get("TRANSITION_SETTINGS_FILE")
    if explicit is not None and not explicit.strip():
        raise TransitionError(
            "TRANSITION_SETTINGS_FILE is set but blank. Nothing was changed.",
            hint="Give the settings file's path, or unset it to read "
            f"{config_dir() / 'settings.toml'} (if there is one).")
    path = settings_file_path()
    if path is None or (explicit is None and not path.exists()):
        return None
    if not path.exists():
        raise TransitionError(
            f"There is no settings file at {path} (TRANSITION_SETTINGS_FILE). Nothing was "
            "changed.", hint="Check the path for a typing mistake, or unset "
            "TRANSITION_SETTINGS_FILE to run without a settings file.")
    if not path.is_file():
        raise TransitionError(f"The settings file {path} is not a file. Nothing was changed.",
                              hint=_SETTINGS_FILE_HINT)
    return path


def _refuse_retired_environment() -> None:
    for key, where in RETIRED_SETTINGS.items():
        name = f"TRANSITION_{key.upper()}"
        if any(variable.upper() == name for variable in os.environ):
            raise TransitionError(
                f"{name} is set, but {key} is no longer a setting: {where}. Nothing was "
                "changed.", hint=f"Unset {name}; to change it, set {key} under [checks] in "
                "the council's rules file (--rules or TRANSITION_RULES_FILE).")


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the file, the environment and explicit overrides (None ignored)."""
    given = {key: value for key, value in overrides.items() if value is not None}
    path = _checked_settings_file()
    from_file = read_settings_file(path) if path is not None else {}
    _refuse_retired_environment()
    try:
        settings = Settings(**given)
    except ValidationError as exc:
        raise settings_error(exc, given=given, from_file=from_file, path=path) from None
    except SettingsError as exc:  # e.g. TRANSITION_COUNCIL=Westshire (not a table)
        raise environment_error(exc) from None
    if path is not None:
        settings.settings_file = path
    settings._rules_file_given_by = _rules_file_given_by(given, from_file, path)
    return settings


def _rules_file_given_by(given: dict[str, Any], from_file: dict[str, Any],
                         path: Path | None) -> str | None:
    """Which of the places that can name the rules file named it, the first that wins."""
    if "rules_file" in given:
        return "--rules"
    if _in_environment("rules_file"):
        return "TRANSITION_RULES_FILE"
    if path is not None and "rules_file" in from_file:
        line = _line_of(path.read_text(encoding="utf-8"), "rules_file").rstrip(",")
        return f"rules_file in the settings file {path}{line}"
    return None


# Where each setting a person is likely to get wrong comes from, for the message.
_SETTING_SOURCES = {"actor": "--actor or TRANSITION_ACTOR", "database_url": "--db or "
                    "TRANSITION_DATABASE_URL", "rules_file": "--rules or TRANSITION_RULES_FILE"}


def _in_environment(name: str) -> bool:
    wanted = f"TRANSITION_{name.upper().replace('.', '__')}"
    top = f"TRANSITION_{name.split('.')[0].upper()}"
    return any(variable.upper() in (wanted, top) or variable.upper().startswith(top + "__")
               for variable in os.environ)


def _from_file(name: str, from_file: dict[str, Any]) -> bool:
    value: Any = from_file
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return False
        value = value[part]
    return True


def settings_error(exc: ValidationError, *, given: dict[str, Any] | None = None,
                   from_file: dict[str, Any] | None = None,
                   path: Path | None = None) -> TransitionError:
    """A clear message for settings that cannot be used. It names each setting, where it came
    from (an option, the environment, or the settings file and line) and says what is wrong,
    never the value given (a setting may be secret: the pseudonym key)."""
    given = given or {}
    problems = []
    for error in exc.errors():
        name = ".".join(str(part) for part in error["loc"]) or "settings"
        source = _SETTING_SOURCES.get(name, f"TRANSITION_{name.upper().replace('.', '__')}")
        top = name.split(".")[0]
        if (path is not None and top not in given and not _in_environment(name)
                and _from_file(name, from_file or {})):
            key = name.split(".")[-1]
            where = _line_of(path.read_text(encoding="utf-8"), key,
                             table=top if "." in name else None)
            source = f"in the settings file {path}{where.rstrip(',')}"
        reason = plain_reason(error)
        if error["type"] not in ("value_error", "assertion_error"):  # ours say "it is ..."
            reason = f"it {reason}"
        reason = reason[:1].lower() + reason[1:]
        problems.append(f"The setting {name} ({source}) cannot be used: {reason}.")
    return TransitionError(
        " ".join(problems) + " Nothing was changed.",
        hint=f"Fix it on the command line, in the environment or in the settings file "
        f"{settings_file_path() or config_dir() / 'settings.toml'}, and run the command again.",
    )


def environment_error(exc: SettingsError) -> TransitionError:
    """A ``TRANSITION_*`` variable that could not be read at all (a table given as text)."""
    match = re.search(r'field "([^"]+)"', str(exc))
    name = match.group(1) if match else None
    variable = f"TRANSITION_{name.upper()}" if name else "A TRANSITION_* variable"
    return TransitionError(
        f"{variable} cannot be read: it must be a JSON object, as it is a table of settings. "
        "Nothing was changed.",
        hint="Set each part on its own (e.g. TRANSITION_COUNCIL__CRISIS_LINE=...) or under "
        f"[{name or 'council'}] in the settings file, and unset {variable}.")
