"""Findings about the council's own letter templates (the settings' ``letter_templates_dir``):
a folder or file that stops ``transition letters generate``, and a template written for an older
version that gives an NHS worker with no direct line the council's number. Nothing when no
folder is set (every letter uses the shipped templates).

The folder is read once a night, as ``transition letters check-templates`` reads it (each file
parsed, none filled in): no template is parsed per person.
"""

from __future__ import annotations

from transition.check_findings.world import WARNING, Finding, _World
from transition.letter_plan import people_given_council_phone
from transition.letter_template_check import TemplateWarning

# What stops `letters generate` (check-templates' other kinds, a file no letter uses, stop
# nothing; an old phone number is old_letter_template).
_STOPPING = ("template_error", "not_found")
_QUOTED = 2  # problems quoted in full: a stored finding keeps 1,000 characters
_LISTED = 5  # lines listed: the rest are counted, and check-templates lists them all
_SETTING = "the letter_templates_dir setting"


def bad_letter_templates(world: _World) -> list[Finding]:
    """The templates folder is missing, or a template in it cannot be read or parsed, or
    extends, includes or imports one that does not exist: ``letters generate`` stops, writing
    nothing, on a letter that uses it. One finding for the programme."""
    if world.templates_dir is None:
        return []
    templates = world.council_templates()
    if templates is None:
        return [Finding(
            "bad_letter_templates", WARNING,
            f"The council's letter templates folder {world.templates_dir.expanduser()} (from "
            f"{_SETTING}) does not exist or is not a folder, so `transition letters generate` "
            "stops before writing any letter. Correct the path (in the settings file, or "
            "TRANSITION_LETTER_TEMPLATES_DIR), or unset it to use the shipped templates; "
            "`transition letters check-templates` then checks the folder.")]
    try:
        problems = [problem for problem in templates.check_folder().problems
                    if problem.kind in _STOPPING]
    except OSError as exc:  # the folder itself cannot be listed (a file's error is a problem)
        return [Finding(
            "bad_letter_templates", WARNING,
            f"The council's letter templates folder {templates.council_folder} (from "
            f"{_SETTING}) cannot be read ({exc.strerror or type(exc).__name__}), so `transition letters generate` cannot use "
            "it. Check that the user the check runs as may read the folder and its files.")]
    if not problems:
        return []
    files = sorted({problem.file for problem in problems})
    quoted = " ".join(problem.message for problem in problems[:_QUOTED])
    more = len(problems) - _QUOTED
    one = len(problems) == 1
    return [Finding(
        "bad_letter_templates", WARNING,
        f"{len(files)} of the council's letter templates (folder {templates.council_folder}) "
        f"cannot be used: {', '.join(files)}. `transition letters generate` stops, writing no "
        f"letters, when a letter uses {'it' if len(files) == 1 else 'one'}. {quoted}"
        + (f" And {more} more." if more > 0 else "")
        + f" Fix {'it' if one else 'them'}: `transition letters check-templates` lists each "
        "problem with what to do, and says when none is left.")]


def old_letter_template(world: _World) -> list[Finding]:
    """A council template written for an older version prints the council's number as the phone
    of a worker with no direct line (:mod:`transition.letter_template_check`): wrong for an NHS
    worker. One finding for the programme, listing each file and line and how many people's
    letters print it (people due letters with an NHS worker with no direct line)."""
    templates = world.council_templates()
    if templates is None:
        return []
    try:
        warnings = templates.outdated
    except OSError:  # the folder cannot be listed: bad_letter_templates says so
        return []
    if not warnings:
        return []
    printed = people_given_council_phone(world.session, templates)
    people = set().union(*printed.values())
    # Whose letters print each line, when there are several (one line: the total says it).
    lines = [_line(warning, None if len(warnings) == 1 else
                   printed.get((warning.file, warning.line), set()))
             for warning in warnings[:_LISTED]]
    if len(warnings) > _LISTED:
        lines.append(f"and {len(warnings) - _LISTED} more")
    examples = sorted({warning.example for warning in warnings})
    affected = (f"The letters of {_people(len(people))} print it (" + (
                    "they have" if len(people) == 1 else "each has")
                + " an NHS worker with no direct line): correct any already posted."
                if people else
                "No letter due now prints it, but any letter that uses it and names an NHS "
                "worker with no direct line will.")
    return [Finding(
        "old_letter_template", WARNING,
        f"The council's letter templates (folder {templates.council_folder}) were written for "
        "an older version: they print the council's number (council.phone) as the phone number "
        "of a worker with no direct line, which for an NHS worker is wrong (the council cannot "
        f"put callers through to them): {'; '.join(lines)}. {affected} In the template, use "
        "worker.phone_is_main_number (a council worker: the council's number), then "
        "worker.team_phone if it is defined (an NHS worker: their team's number), else say we "
        f"do not have their number yet, as the shipped {' and '.join(examples)} "
        f"{'does' if len(examples) == 1 else 'do'} (docs/letters.md); then `transition letters "
        "generate` writes the letters again.")]


def _line(warning: TemplateWarning, people: set[int] | None) -> str:
    said = f"{warning.file} line {warning.line}"
    if people is None:
        return said
    return f"{said} ({_people(len(people))})" if people else f"{said} (no letter now)"


def _people(number: int) -> str:
    return f"{number:,} {'person' if number == 1 else 'people'}"
