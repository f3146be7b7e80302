"""Settings: where the database lives, which rules apply, the council's details.

Settings are one typed object, built once (by the CLI or a test) and passed explicitly to
whatever needs them. They come, lowest priority first, from defaults, a settings TOML file
(``TRANSITION_SETTINGS_FILE`` or ``settings.toml`` in the user's config directory),
``TRANSITION_*`` environment variables, and command-line options.
"""

from __future__ import annotations

import getpass
import os
from datetime import date
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from transition.errors import TransitionError

APP_NAME = "transition"
ACTOR_MAX_LENGTH = 120  # the audit trail's actor column (and every *_by column) holds this many


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
        extra="ignore",
    )

    database_url: str | None = Field(
        None, description="SQLAlchemy URL, or the path of a SQLite file; default a SQLite file "
        "in the user's data directory."
    )
    rules_file: Path | None = Field(
        None, description="The council's rules TOML; default the shipped rules."
    )
    output_dir: Path | None = Field(
        None, description="Where letters and reports go by default; default <data dir>/output."
    )
    actor: str = Field(default_factory=default_actor, description="Who is making changes.")
    as_of: date | None = Field(
        None, description="Fixed 'today' for reproducible runs and tests; default the real date."
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
    stale_import_days: int = Field(
        14, description="A caseload import older than this many days is reported as stale."
    )
    pseudonym_key: SecretStr | None = Field(
        None, description="Secret key for `transition export --pseudonymise` (at least 32 "
        "characters); default a key generated once in the data directory (pseudonym.key). Set "
        "the same key on every machine that exports for the same partner."
    )
    busy_timeout_seconds: float = Field(
        15.0, description="How long to wait for another writer before giving up."
    )
    settings_file: Path | None = Field(
        None, description="The settings TOML read for these settings (informational)."
    )

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
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)

    @field_validator("database_url")
    @classmethod
    def _path_means_sqlite(cls, value: str | None) -> str | None:
        """A URL is used as given; anything else is the path of a SQLite file (``~`` expanded)."""
        if not value or "://" in value:
            return value or None
        return f"sqlite:///{Path(value).expanduser().resolve()}"

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

    @property
    def resolved_output_dir(self) -> Path:
        return self.output_dir or (data_dir() / "output")

    def today(self) -> date:
        """'Today' for date arithmetic: the fixed ``as_of`` if set, else the real date."""
        return self.as_of or date.today()


def settings_file_path() -> Path | None:
    explicit = os.environ.get("TRANSITION_SETTINGS_FILE")
    if explicit:
        return Path(explicit)
    return config_dir() / "settings.toml"


def settings_file_shown(settings: Settings) -> Path:
    """The settings file to name in a message: the one read, else where one would be read."""
    return settings.settings_file or settings_file_path() or config_dir() / "settings.toml"


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the file, the environment and explicit overrides (None ignored)."""
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        settings = Settings(**given)
    except ValidationError as exc:
        raise settings_error(exc) from None
    path = settings_file_path()
    if path is not None and path.is_file():
        settings.settings_file = path
    return settings


# Where each setting a person is likely to get wrong comes from, for the message.
_SETTING_SOURCES = {"actor": "--actor or TRANSITION_ACTOR", "database_url": "--db or "
                    "TRANSITION_DATABASE_URL", "rules_file": "--rules or TRANSITION_RULES_FILE"}


def settings_error(exc: ValidationError) -> TransitionError:
    """A clear message for settings that cannot be used. It names each setting and says what
    is wrong, never the value given (a setting may be secret: the pseudonym key)."""
    problems = []
    for error in exc.errors():
        name = ".".join(str(part) for part in error["loc"]) or "settings"
        source = _SETTING_SOURCES.get(name, f"TRANSITION_{name.upper().replace('.', '__')}")
        reason = error["msg"].removeprefix("Value error, ")
        reason = reason[:1].lower() + reason[1:]
        problems.append(f"The setting {name} ({source}) cannot be used: {reason}.")
    return TransitionError(
        " ".join(problems) + " Nothing was changed.",
        hint=f"Fix it on the command line, in the environment or in the settings file "
        f"{settings_file_path() or config_dir() / 'settings.toml'}, and run the command again.",
    )
