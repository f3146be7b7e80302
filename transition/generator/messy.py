"""Deliberately messy rows: what real trust exports contain, for the importer to catch.

The 784 people of the sample stay importable: the rows that must be *rejected* are extra rows
(invented people, or repeats), and the rows that must be *accepted* (with or without a warning)
are ordinary people whose record is written awkwardly. Each is placed at a fixed fraction of the
file, so the shipped sample's row numbers are stable and listed in ``sample_data/README.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random

from transition import nhs
from transition.generator.caseload import Person, PersonFactory, assign_coordinators
from transition.generator.places import World

MIN_MESSY_PEOPLE = 20
EXTRA_PEOPLE = 7  # invented people used only by rejected rows (drawn even for clean files)
ROW_OFFSET_XLSX = 2  # the workbook has two title lines above the header
BIRTHDAY_1980 = date(1980, 4, 3)  # written three ways; day first, so 3 April, not 4 March


@dataclass(slots=True)
class CaseloadRow:
    """One row of the caseload file: a person, and any cells written as raw text instead."""

    person: Person
    overrides: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MessyRow:
    """A deliberately messy row and what the importer should do with it."""

    row: int  # spreadsheet row in trust_caseload.csv (the header is row 1)
    kind: str
    column: str
    value: str  # the cell as written
    outcome: str  # rejected | warning | duplicate | accepted
    expect: str  # what a manager should see

    @property
    def xlsx_row(self) -> int:
        return self.row + ROW_OFFSET_XLSX

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "xlsx_row": self.xlsx_row, "kind": self.kind,
                "column": self.column, "value": self.value, "outcome": self.outcome,
                "expect": self.expect}


@dataclass(slots=True)
class _Planned:
    fraction: float
    row: CaseloadRow
    kind: str
    column: str
    value: str
    outcome: str
    expect: str
    extra: bool  # an added row (True) or an existing person written awkwardly (False)
    partner: CaseloadRow | None = None  # the other row of a pair (shared NHS number, repeat)


def _yes_no(value: bool, style: tuple[str, str]) -> str:
    return style[0] if value else style[1]


def make_messy(rng: Random, factory: PersonFactory, world: World, people: list[Person],
               reference_date: date) -> tuple[list[CaseloadRow], list[MessyRow]]:
    """The caseload rows with the messy ones placed, and the list of what each should do."""
    assert len(people) >= MIN_MESSY_PEOPLE, "generate() checks the size first"
    base = [CaseloadRow(person) for person in people]
    used: set[int] = set()

    def near(fraction: float, wanted=lambda person: True) -> CaseloadRow:
        """The first suitable, unused person at or after ``fraction`` of the file."""
        start = int(fraction * len(base))
        for offset in range(len(base)):
            index = (start + offset) % len(base)
            if index not in used and wanted(base[index].person):
                used.add(index)
                return base[index]
        raise AssertionError("no suitable person for a messy row")

    extras = [factory.make() for _ in range(EXTRA_PEOPLE)]
    assign_coordinators(rng, world, extras, reference_date)
    invalid_nhs, impossible, shared_a, future, no_family, shared_b, maybe = extras
    working_age = lambda person: person.service == "cmht"
    plans: list[_Planned] = []

    # Accepted as they are (a robust importer reads them): awkward but valid.
    spaced = near(0.05)
    spaced.overrides["nhs_number"] = nhs.format_334(spaced.person.nhs_number)
    plans.append(_Planned(0.05, spaced, "nhs_number_with_spaces", "nhs_number",
                          spaced.overrides["nhs_number"], "accepted",
                          "Imported: the spaces are removed from the NHS number.", False))
    for fraction, kind, written in ((0.14, "date_day_first", None),
                                    (0.36, "date_iso", "1980-04-03"),
                                    (0.90, "date_month_name", "3 Apr 1980")):
        row = near(fraction, working_age)
        row.person.date_of_birth = BIRTHDAY_1980
        if written:
            row.overrides["date_of_birth"] = written
        plans.append(_Planned(fraction, row, kind, "date_of_birth", written or "03/04/1980",
                              "accepted", "Imported with date of birth 3 April 1980.", False))
    spelled = near(0.60)
    styles = {"cpa": ("Yes", "No"), "s117": ("true", "false"), "lives_alone": ("TRUE", "FALSE"),
              "carer": ("1", "0")}
    for column, style in styles.items():
        spelled.overrides[column] = _yes_no(getattr(spelled.person, column), style)
    plans.append(_Planned(0.60, spelled, "yes_no_spellings", "cpa, s117, lives_alone, carer",
                          ", ".join(spelled.overrides[c] for c in styles), "accepted",
                          "Imported: Yes/No, true/false, TRUE/FALSE and 1/0 are read as yes "
                          "and no.", False))

    # Imported with a warning: an optional value the tool does not know.
    cluster = near(0.24, lambda person: person.cluster is not None)
    cluster.person.cluster = 27
    plans.append(_Planned(0.24, cluster, "unknown_cluster", "cluster", "27", "warning",
                          "Imported with a warning: 27 is not a mental health cluster (0-21); "
                          "the cluster is left blank.", False))
    outcome = near(0.48, lambda person: ";" in (person.care_act_outcomes or ""))
    outcome.person.care_act_outcomes = f"{outcome.person.care_act_outcomes};managing_money"
    plans.append(_Planned(0.48, outcome, "unknown_outcome", "care_act_outcomes",
                          outcome.person.care_act_outcomes, "warning",
                          "Imported with a warning: managing_money is not one of the ten Care "
                          "Act outcomes; the known outcomes are kept.", False))
    staff_ids = {worker.staff_id for worker in world.workers}
    departed = next(f"WP{number:05d}" for number in range(417, 100_000, 1000)
                    if f"WP{number:05d}" not in staff_ids)
    orphan = near(0.72, lambda person: person.care_coordinator_id is not None)
    orphan.person.care_coordinator_id = departed
    plans.append(_Planned(0.72, orphan, "unknown_coordinator", "care_coordinator_id", departed,
                          "warning", f"Imported with a warning: {departed} is not in the staff "
                          "list (a worker who has left); the person needs a new worker.", False))
    # The export still names a coordinator whose allocation ended three weeks ago (MHSDS
    # EndDateAssCareCoord): someone who may already have fallen through the gap.
    lapsed = near(0.81, lambda person: person.care_coordinator_id is not None
                  and person.coordinator_since is not None)
    lapsed.person.coordinator_until = reference_date - timedelta(days=21)
    ended = lapsed.person.coordinator_until
    plans.append(_Planned(0.81, lapsed, "ended_allocation", "coordinator_until",
                          f"{ended.day:02d}/{ended.month:02d}/{ended.year}", "warning",
                          "Imported with a warning: the care coordinator's allocation ended on "
                          f"{ended.day} {ended:%B %Y}, so the person may have no one; the nightly "
                          "check lists them as unassigned until a plan or a manager gives them a "
                          "worker.", False))

    # Rejected: the row cannot be trusted until someone fixes it.
    invalid_nhs.nhs_number = _mistyped(invalid_nhs.nhs_number)
    plans.append(_Planned(0.09, CaseloadRow(invalid_nhs), "nhs_number_check_digit", "nhs_number",
                          invalid_nhs.nhs_number, "rejected",
                          "Rejected: the NHS number fails the Modulus 11 check (two digits "
                          "swapped).", True))
    impossible_row = CaseloadRow(impossible, {"date_of_birth": "31/02/1975"})
    plans.append(_Planned(0.18, impossible_row, "impossible_date", "date_of_birth", "31/02/1975",
                          "rejected", "Rejected: 31/02/1975 is not a real date.", True))
    future.date_of_birth = _century_typo(future.date_of_birth)
    future_text = f"{future.date_of_birth:%d/%m/%Y}"
    plans.append(_Planned(0.42, CaseloadRow(future), "future_date_of_birth", "date_of_birth",
                          future_text, "rejected",
                          f"Rejected: the date of birth {future_text} is in the future "
                          "(probably a century typo).", True))
    no_family.family_name = ""
    plans.append(_Planned(0.54, CaseloadRow(no_family), "missing_family_name", "family_name", "",
                          "rejected", "Rejected: the family name is missing.", True))
    maybe_row = CaseloadRow(maybe, {"s117": "Maybe"})
    plans.append(_Planned(0.78, maybe_row, "not_yes_or_no", "s117", "Maybe", "rejected",
                          "Rejected: s117 must be yes or no, not 'Maybe'.", True))
    shared_b.nhs_number = shared_a.nhs_number
    first, second = CaseloadRow(shared_a), CaseloadRow(shared_b)
    plans.append(_Planned(0.30, first, "shared_nhs_number", "nhs_number", shared_a.nhs_number,
                          "rejected", "", True, partner=second))
    plans.append(_Planned(0.84, second, "shared_nhs_number", "nhs_number", shared_a.nhs_number,
                          "rejected", "", True, partner=first))
    original = near(0.20)
    repeat = CaseloadRow(original.person, original.overrides)
    plans.append(_Planned(0.66, repeat, "exact_repeat", "(whole row)", "", "duplicate", "", True,
                          partner=original))

    rows = _place(base, [plan for plan in plans if plan.extra])
    row_number = {id(row): position + 2 for position, row in enumerate(rows)}
    messy = []
    for plan in sorted(plans, key=lambda plan: row_number[id(plan.row)]):
        expect = plan.expect
        if plan.kind == "shared_nhs_number":
            expect = (f"Rejected: row {row_number[id(plan.partner)]} has the same NHS number "
                      "with different details; both rows are rejected.")
        elif plan.kind == "exact_repeat":
            expect = (f"Not imported again: an exact repeat of row {row_number[id(plan.partner)]}"
                      " (counted as a duplicate; that person is imported once).")
        messy.append(MessyRow(row_number[id(plan.row)], plan.kind, plan.column, plan.value,
                              plan.outcome, expect))
    return rows, messy


def messy_rows_markdown(rows: list[MessyRow] | tuple[MessyRow, ...]) -> str:
    """The table of messy rows in ``sample_data/README.md`` (a test keeps the two in step)."""
    lines = ["| CSV row | XLSX row | Column | Cell | Outcome | What a manager should see |",
             "|---:|---:|---|---|---|---|"]
    for row in rows:
        value = f"`{row.value}`" if row.value else "(empty)" if row.kind != "exact_repeat" else ""
        lines.append(f"| {row.row} | {row.xlsx_row} | {row.column} | {value} | {row.outcome} "
                     f"| {row.expect} |")
    return "\n".join(lines) + "\n"


def _place(base: list[CaseloadRow], extras: list[_Planned]) -> list[CaseloadRow]:
    """Insert each extra row before the person at its fraction of the file."""
    by_position: dict[int, list[CaseloadRow]] = {}
    for plan in sorted(extras, key=lambda plan: plan.fraction):
        by_position.setdefault(int(plan.fraction * len(base)), []).append(plan.row)
    rows: list[CaseloadRow] = []
    for index, row in enumerate(base):
        rows += by_position.get(index, [])
        rows.append(row)
    return rows


def _mistyped(number: str) -> str:
    """Swap two neighbouring digits (a typing slip Modulus 11 always catches)."""
    digits = list(number)
    for position in range(3, 9):
        if digits[position] != digits[position + 1]:
            digits[position], digits[position + 1] = digits[position + 1], digits[position]
            break
    mistyped = "".join(digits)
    assert not nhs.is_valid(mistyped), "a transposition always fails Modulus 11"
    return mistyped


def _century_typo(born: date) -> date:
    """1964 typed as 2064 (someone born this century is made older first)."""
    year = born.year - 40 if born.year >= 2000 else born.year
    day = 28 if (born.month, born.day) == (2, 29) else born.day
    return born.replace(year=2000 + year % 100, day=day)
