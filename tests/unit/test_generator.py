"""The synthetic data generator: contract, determinism, the shipped sample, realistic shape."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from transition import nhs
from transition.columns import (
    CASELOAD_BY_NAME,
    CASELOAD_COLUMNS,
    ETHNIC_CATEGORIES,
    STAFF_COLUMNS,
)
from transition.errors import TransitionError
from transition.files import FORMULA_PREFIXES
from transition.generator import (
    CASELOAD_FILE,
    DEFAULT_REFERENCE_DATE,
    DEFAULT_TRANSFER_DATE,
    STAFF_FILE,
    XLSX_FILE,
    GeneratedFiles,
    generate,
)
from transition.generator.messy import messy_rows_markdown
from transition.generator.places import REACH_KM, WESTSHIRE_KM, road_km
from transition.generator.writers import EXTRA_COLUMNS
from transition.models import CARE_ACT_OUTCOMES, AccessibleFormat
from transition.ruleset import load_rules

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
CASELOAD_HEADER = [column.name for column in CASELOAD_COLUMNS] + list(EXTRA_COLUMNS)
REFERENCE = DEFAULT_REFERENCE_DATE


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def day(text: str) -> date | None:
    return datetime.strptime(text, "%d/%m/%Y").date() if text else None


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> GeneratedFiles:
    """The shipped sample, regenerated: 784 people, messy rows, the workbook."""
    return generate(tmp_path_factory.mktemp("sample"), messy=True, xlsx=True)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> GeneratedFiles:
    return generate(tmp_path_factory.mktemp("clean"))


@pytest.fixture(scope="module")
def people(clean: GeneratedFiles) -> list[dict[str, str]]:
    return read_csv(clean.caseload_csv)


@pytest.fixture(scope="module")
def staff(clean: GeneratedFiles) -> list[dict[str, str]]:
    return read_csv(clean.staff_csv)


def share(rows: list[dict[str, str]], predicate) -> float:
    return sum(1 for row in rows if predicate(row)) / len(rows)


# -- the contract ---------------------------------------------------------------------------


def test_headers_are_the_canonical_columns_then_the_trusts_own(clean: GeneratedFiles) -> None:
    with clean.caseload_csv.open(encoding="utf-8-sig", newline="") as handle:
        assert next(csv.reader(handle)) == CASELOAD_HEADER
    with clean.staff_csv.open(encoding="utf-8-sig", newline="") as handle:
        assert next(csv.reader(handle)) == [column.name for column in STAFF_COLUMNS]
    assert clean.caseload_xlsx is None
    assert [path.name for path in clean.paths] == [CASELOAD_FILE, STAFF_FILE]


def test_files_are_excel_csv_written_owner_only(clean: GeneratedFiles) -> None:
    data = clean.caseload_csv.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfnhs_number,")
    assert data.count(b"\r\n") == clean.caseload_rows + 1
    assert clean.caseload_csv.stat().st_mode & 0o777 == 0o600


def test_same_arguments_write_the_same_bytes(tmp_path: Path, sample: GeneratedFiles) -> None:
    again = generate(tmp_path / "again", messy=True, xlsx=True)
    for first, second in zip(sample.paths, again.paths, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name
    other = generate(tmp_path / "other", seed=7)
    assert other.caseload_csv.read_bytes() != sample.caseload_csv.read_bytes()


def test_output_does_not_depend_on_hash_seeds(tmp_path: Path) -> None:
    """No set or dict order leaks into the files: another interpreter writes the same bytes."""
    code = ("import sys; from pathlib import Path; from transition.generator import generate; "
            "generate(Path(sys.argv[1]), people=300, messy=True, xlsx=True)")
    for hash_seed in ("1", "2"):
        subprocess.run([sys.executable, "-c", code, str(tmp_path / hash_seed)], check=True,
                       env={**os.environ, "PYTHONHASHSEED": hash_seed})
    for name in (CASELOAD_FILE, STAFF_FILE, XLSX_FILE):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes()


def test_the_shipped_sample_is_what_the_generator_writes(sample: GeneratedFiles) -> None:
    """sample_data/ never drifts from the code (README: the command that regenerates it)."""
    for name in (CASELOAD_FILE, STAFF_FILE):
        assert (SAMPLE / name).read_bytes() == (sample.caseload_csv.parent / name).read_bytes(), (
            f"sample_data/{name} is stale: run "
            "`transition generate --out sample_data --messy --xlsx --force`"
        )
    # The workbook is compared cell by cell: zlib builds may compress the same bytes differently.
    assert xlsx_cells(SAMPLE / XLSX_FILE) == xlsx_cells(sample.caseload_xlsx)


def xlsx_cells(path: Path | None) -> list[tuple[object, ...]]:
    assert path is not None
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in workbook.active.iter_rows(values_only=True)]
    finally:
        workbook.close()


def test_the_readme_lists_every_messy_row(sample: GeneratedFiles) -> None:
    readme = (SAMPLE / "README.md").read_text(encoding="utf-8")
    assert messy_rows_markdown(sample.messy_rows) in readme, (
        "sample_data/README.md's table of messy rows is out of date: paste "
        "transition.generator.messy.messy_rows_markdown(...) for the sample"
    )


# -- the messy sample -----------------------------------------------------------------------


def test_sample_keeps_784_people_after_the_rejects(sample: GeneratedFiles) -> None:
    outcomes = Counter(row.outcome for row in sample.messy_rows)
    assert sample.people == 784
    assert sample.caseload_rows == 784 + outcomes["rejected"] + outcomes["duplicate"]
    assert outcomes == {"rejected": 7, "duplicate": 1, "warning": 4, "accepted": 5}
    kinds = {row.kind for row in sample.messy_rows}
    assert {"nhs_number_check_digit", "impossible_date", "future_date_of_birth",
            "missing_family_name", "shared_nhs_number", "exact_repeat", "unknown_cluster",
            "unknown_outcome", "unknown_coordinator", "ended_allocation", "not_yes_or_no", "date_iso",
            "date_month_name", "date_day_first"} <= kinds


def test_messy_rows_are_where_the_list_says(sample: GeneratedFiles) -> None:
    rows = read_csv(sample.caseload_csv)

    def at(row_number: int) -> dict[str, str]:
        return rows[row_number - 2]  # the header is row 1

    for messy in sample.messy_rows:
        row = at(messy.row)
        if messy.kind == "exact_repeat":
            original = int(re.search(r"row (\d+)", messy.expect).group(1))
            assert row == at(original)
        elif messy.kind == "yes_no_spellings":
            cells = [row[column] for column in messy.column.split(", ")]
            assert ", ".join(cells) == messy.value
        else:
            assert row[messy.column] == messy.value, messy
    by_kind = {messy.kind: messy for messy in sample.messy_rows}
    assert not nhs.is_valid(at(by_kind["nhs_number_check_digit"].row)["nhs_number"])
    assert day(by_kind["future_date_of_birth"].value) > date.today()
    shared = [m for m in sample.messy_rows if m.kind == "shared_nhs_number"]
    first, second = (at(m.row) for m in shared)
    assert first["nhs_number"] == second["nhs_number"] and first != second
    assert f"row {shared[1].row}" in shared[0].expect and f"row {shared[0].row}" in shared[1].expect
    for kind in ("date_iso", "date_month_name", "date_day_first"):
        assert by_kind[kind].value in ("03/04/1980", "1980-04-03", "3 Apr 1980")


def test_nhs_numbers_valid_unique_and_synthetic_except_the_deliberate_ones(
    sample: GeneratedFiles,
) -> None:
    rows = read_csv(sample.caseload_csv)
    deliberate = {m.row for m in sample.messy_rows
                  if m.kind in ("nhs_number_check_digit", "shared_nhs_number", "exact_repeat")}
    numbers = []
    for row_number, row in enumerate(rows, start=2):
        number = nhs.normalise(row["nhs_number"])
        assert number.startswith("999"), row_number
        if row_number == next(m.row for m in sample.messy_rows
                              if m.kind == "nhs_number_check_digit"):
            continue
        assert nhs.is_valid(number), row_number
        if row_number not in deliberate:
            numbers.append(number)
    assert len(numbers) == len(set(numbers))
    assert len({row["local_id"] for row in rows}) == len(rows) - 1  # the exact repeat


def test_every_coordinator_is_on_the_staff_list_except_the_deliberate_one(
    sample: GeneratedFiles,
) -> None:
    staff_ids = {row["staff_id"] for row in read_csv(sample.staff_csv)}
    unknown = [row["care_coordinator_id"] for row in read_csv(sample.caseload_csv)
               if row["care_coordinator_id"] and row["care_coordinator_id"] not in staff_ids]
    expected = [m.value for m in sample.messy_rows if m.kind == "unknown_coordinator"]
    assert unknown == expected and len(expected) == 1


def test_the_workbook_is_the_same_caseload_with_typed_cells(sample: GeneratedFiles) -> None:
    cells = xlsx_cells(sample.caseload_xlsx)
    assert cells[0][0] == "Westshire Partnership NHS Trust - community caseload export"
    assert cells[1][0] == "Generated 20/11/2026"
    assert list(cells[2]) == CASELOAD_HEADER
    body = cells[3:]
    assert len(body) == sample.caseload_rows
    position = {column.name: index for index, column in enumerate(CASELOAD_COLUMNS)}
    csv_rows = read_csv(sample.caseload_csv)
    messy = {m.row for m in sample.messy_rows}
    for row_number, (cells_row, csv_row) in enumerate(zip(body, csv_rows, strict=True), start=2):
        if row_number in messy:
            continue
        assert isinstance(cells_row[position["nhs_number"]], int)
        assert str(cells_row[position["nhs_number"]]) == csv_row["nhs_number"]
        assert cells_row[position["date_of_birth"]].date() == day(csv_row["date_of_birth"])
        assert cells_row[position["cpa"]] == csv_row["cpa"]
        assert cells_row[position["given_name"]] == csv_row["given_name"]
    by_kind = {m.kind: m for m in sample.messy_rows}
    assert body[by_kind["impossible_date"].row - 2][position["date_of_birth"]] == "31/02/1975"
    assert body[by_kind["nhs_number_with_spaces"].row - 2][position["nhs_number"]] == \
        by_kind["nhs_number_with_spaces"].value
    workbook = openpyxl.load_workbook(sample.caseload_xlsx)
    sheet = workbook.active
    assert sheet.cell(4, position["date_of_birth"] + 1).number_format == "DD/MM/YYYY"
    assert workbook.properties.modified == datetime(2026, 11, 20, 6, 0)


def test_no_cell_would_run_as_a_spreadsheet_formula(sample: GeneratedFiles) -> None:
    for path in (sample.caseload_csv, sample.staff_csv):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                assert not [cell for cell in row if cell.startswith(FORMULA_PREFIXES)]


# -- a realistic caseload -------------------------------------------------------------------


def test_values_follow_the_canonical_kinds(people: list[dict[str, str]]) -> None:
    for row in people:
        for name, value in row.items():
            if name in EXTRA_COLUMNS:
                assert value in ("Y", "N"), (name, value)
                continue
            kind = CASELOAD_BY_NAME[name].kind
            if value == "":
                assert not CASELOAD_BY_NAME[name].required, name
            elif kind == "bool":
                # Z: MHSDS "not stated" (the sample does not record accommodation).
                assert value in ("Y", "N") or (name, value) == ("settled_accommodation", "Z"), (
                    name, value)
            elif kind == "date" and name == "cto_expiry":  # the one date ahead: an order's end
                assert REFERENCE < day(value) <= REFERENCE + timedelta(days=183), value
                assert row["cto"] == "Y"
            elif kind == "date":
                assert day(value) <= REFERENCE, (name, value)
            elif kind == "cluster":
                assert 0 <= int(value) <= 21 and value != "9"
            elif kind == "int":
                assert int(value) >= 0
            elif kind == "outcomes":
                assert value == "none" or set(value.split(";")) <= set(CARE_ACT_OUTCOMES)
            elif kind == "choice" and name == "employment_status":
                assert value == "ZZ"  # carried, not recorded (MHSDS: not stated)
            elif kind == "choice" and name == "ethnic_category":
                assert value in ETHNIC_CATEGORIES
            elif kind == "choice":
                assert value in {fmt.value for fmt in AccessibleFormat}
            elif kind == "gender":
                assert value in ("male", "female", "non_binary", "other", "not_known")
        assert row["postcode"].startswith("WX") and re.fullmatch(r"WX\d{1,2} \d[A-Z]{2}",
                                                                   row["postcode"])
        assert re.fullmatch(r"Y0\d{4}", row["gp_practice"])


def test_distributions_are_within_sensible_bounds(people: list[dict[str, str]]) -> None:
    yes = lambda column: share(people, lambda row: row[column] == "Y")
    assert len(people) == 784
    assert 0.12 <= yes("s117") <= 0.22
    assert 0.03 <= yes("cto") <= 0.08
    assert share(people, lambda r: r["cto"] == "Y" and r["s117"] != "Y") <= 0.01
    assert 0.03 <= yes("safeguarding_open") <= 0.08
    assert 0.45 <= yes("cpa") <= 0.70
    assert 0.25 <= yes("lives_alone") <= 0.60
    assert 0.15 <= yes("carer") <= 0.45
    assert 0.05 <= yes("personal_budget") <= 0.20
    assert 0.25 <= yes("self_harm_history") <= 0.60
    assert 0.10 <= yes("substance_misuse") <= 0.35
    assert 0.03 <= share(people, lambda r: r["interpreter_language"] != "") <= 0.06
    assert 0.035 <= share(people, lambda r: r["accessible_format"] != "") <= 0.07
    formats = Counter(row["accessible_format"] for row in people)
    assert formats["braille"] >= 2 and formats["bsl"] >= 2 and formats["large_print"] >= 5
    assert 0.02 <= share(people, lambda r: r["preferred_worker_gender"] != "") <= 0.10
    assert 0.07 <= share(people, lambda r: r["care_act_outcomes"] == "") <= 0.14
    assert 0.10 <= share(people, lambda r: r["care_act_outcomes"] == "none") <= 0.30
    recent = lambda days: share(
        people, lambda r: r["last_discharge"] != ""
        and (REFERENCE - day(r["last_discharge"])).days <= days)
    assert 0.005 <= recent(14) <= 0.04 and 0.04 <= recent(92) <= 0.15
    assert share(people, lambda r: int(r["admissions_12m"]) > 0) >= 0.08
    assert share(people, lambda r: int(r["missed_appointments_6m"]) >= 3) >= 0.05
    assert 0.003 <= share(people, lambda r: r["care_coordinator_id"] == "") <= 0.03
    clusters = Counter(int(row["cluster"]) for row in people if row["cluster"])
    psychosis = sum(clusters[c] for c in range(10, 18)) / len(people)
    assert 0.30 <= psychosis <= 0.60
    assert {0, 1, 4, 8, 10, 11, 14, 16, 18, 21} <= set(clusters)
    genders = Counter(row["gender"] for row in people)
    assert genders["male"] > 300 and genders["female"] > 300 and genders["non_binary"] >= 1
    names = {row["given_name"] + " " + row["family_name"] for row in people}
    assert any(re.search(r"[éëâáíóúłńśżęąťāș]", name, re.IGNORECASE) for name in names)
    assert any("'" in name for name in names)
    languages = Counter(row["interpreter_language"] for row in people
                        if row["interpreter_language"])
    assert len(languages) >= 4 and languages["polish"] >= 2


def test_each_record_is_consistent(people: list[dict[str, str]]) -> None:
    for row in people:
        born = day(row["date_of_birth"])
        age = (REFERENCE - born).days // 365
        assert 18 <= age <= 100
        if "Early Intervention" in row["team"]:
            assert age <= 36
        if "Older Adults" in row["team"]:
            assert age >= 65
        if "Perinatal" in row["team"]:
            assert row["gender"] == "female"
        if "Forensic" in row["team"]:
            assert row["forensic_history"] == "Y"
        if row["forensic_history"] == "Y":
            assert "Early Intervention" not in row["team"] and "Older Adults" not in row["team"]
        if row["s117"] == "Y":
            assert row["last_discharge"], "everyone on s117 was once detained"
        if row["admissions_12m"] != "0":
            assert (REFERENCE - day(row["last_discharge"])).days <= 365
        assert (row["carer"] == "Y") == bool(row["carer_name"]) == bool(row["carer_address"])
        assert (row["care_act_outcomes"] == "") == (row["significant_impact"] == "")
        assert bool(row["care_coordinator_id"]) == bool(row["coordinator_since"])
        if row["coordinator_since"]:
            assert born + timedelta(days=18 * 365) <= day(row["coordinator_since"]) <= REFERENCE
        assert row["address"].endswith(row["locality"]) or "Care Home" in row["address"] \
            or "Nursing Home" in row["address"] or "Residential" in row["address"]


def test_every_pathway_is_designed_and_capacity_covers_demand(clean: GeneratedFiles) -> None:
    assert set(clean.design) == {"council", "trust", "joint", "assess", "signpost"}
    assert min(clean.design.values()) >= 40
    for employer in ("council", "trust"):
        assert 1.2 <= clean.capacity[employer] / clean.demand[employer] <= 2.5, employer


def test_the_workforce_has_the_somerset_shape(staff: list[dict[str, str]],
                                             people: list[dict[str, str]]) -> None:
    seconded = [row for row in staff if row["seconded"] == "Y"]
    assert len(seconded) == 60
    assert all(row["employer"] == "council" and row["role"] == "social_worker" for row in seconded)
    assert 3 <= sum(1 for row in seconded if not row["council_team"]) <= 12
    leaving = [day(row["leaving_date"]) for row in seconded if row["leaving_date"]]
    assert any(d < DEFAULT_TRANSFER_DATE for d in leaving)
    assert any(DEFAULT_TRANSFER_DATE < d <= DEFAULT_TRANSFER_DATE + timedelta(days=92)
               for d in leaving)
    assert sum(1 for row in seconded if row["absent_until"]) >= 2
    roles = Counter((row["employer"], row["role"]) for row in staff)
    for role in ("nurse", "ot", "psychologist", "social_worker", "amhp"):
        assert roles[("trust", role)] >= 1, role
    assert roles[("council", "amhp")] >= 1
    in_council_teams = [row for row in staff if row["employer"] == "council"
                        and row["seconded"] == "N" and row["role"] == "social_worker"]
    assert in_council_teams and all("Social Work Team" in row["team"] for row in in_council_teams)
    assert sum("polish" in row["languages"].split(";") for row in staff) == 1
    assert all(row["languages"].split(";")[0] == "english" for row in staff)
    assert all(re.fullmatch(r"07700 900\d{3}", row["phone"]) for row in staff)
    assert all(row["email"].endswith(".example") for row in staff)
    assert len({row["email"] for row in staff}) == len(staff)
    assert len({row["staff_id"] for row in staff}) == len(staff)
    skills = Counter(skill for row in staff for skill in row["skills"].split(";") if skill)
    assert set(skills) == {"forensic", "eip", "older_adults", "dual_diagnosis",
                           "personality_disorder", "perinatal"}
    assert 4 <= len({row["locality"] for row in staff}) <= 6

    by_id = {row["staff_id"]: row for row in staff}
    held = Counter(row["care_coordinator_id"] for row in people if row["care_coordinator_id"])
    for staff_id, count in held.items():
        worker = by_id[staff_id]
        assert count <= int(worker["capacity"]), staff_id
        assert "Social Work Team" not in worker["team"] and "AMHP" not in worker["team"]
    by_seconded = sum(count for staff_id, count in held.items()
                      if by_id[staff_id]["seconded"] == "Y")
    assert 0.4 <= by_seconded / sum(held.values()) <= 0.6
    for row in staff:
        fte = float(row["fte"])
        assert 0.4 <= fte <= 1.0 and int(row["capacity"]) <= 31 * fte + 1


def test_the_forensic_pinch_point(staff: list[dict[str, str]],
                                  people: list[dict[str, str]]) -> None:
    """Tarrow Moor, at the far end of the county, is beyond reach of the forensic team at
    Kestlemouth; only one part-time worker there, and nobody in Dunmere Vale next to it, has
    forensic experience, while people with a forensic history live there."""
    assert road_km("Kestlemouth", "Tarrow Moor") > REACH_KM >= road_km("Dunmere Vale",
                                                                        "Tarrow Moor")
    experienced = [row for row in staff if "forensic" in row["skills"].split(";")
                   and "Forensic" not in row["team"]]
    far_end = [row for row in experienced if row["locality"] in ("Tarrow Moor", "Dunmere Vale")]
    assert [(row["locality"], row["fte"]) for row in far_end] == [("Tarrow Moor", "0.5")]
    assert {row["locality"] for row in experienced} == {
        "Westhaven", "Brackenford", "Kestlemouth", "Tarrow Moor"}
    history = Counter(row["locality"] for row in people if row["forensic_history"] == "Y")
    assert history["Tarrow Moor"] >= 5 and sum(history.values()) >= 40


def test_the_rules_know_the_county_the_generator_draws(tmp_path: Path) -> None:
    """The shipped rules' distances are the generator's geography, so the demo's reach is the
    county's: every pair of the default localities, the same kilometres, the same reach."""
    matching = load_rules().matching
    shipped = {frozenset(d.between): d.km for d in matching.distances}
    assert shipped == {frozenset((one, other)): km for one, other, km in WESTSHIRE_KM}
    assert matching.reach.mode == "nearby" and matching.reach.max_km == REACH_KM
    localities = {row["locality"] for row in read_csv(generate(tmp_path, people=30).caseload_csv)}
    assert localities <= {name for pair in shipped for name in pair}
    assert len(shipped) == 5 * 4 // 2


# -- sizes and scale ------------------------------------------------------------------------


def test_scale_grows_localities_not_team_sizes(tmp_path: Path) -> None:
    result = generate(tmp_path, people=20_000)
    assert result.staff == 2_832 and 60 <= result.localities <= 90
    staff = read_csv(result.staff_csv)
    per_locality = Counter((row["locality"], row["employer"]) for row in staff)
    council = [n for (_, employer), n in per_locality.items() if employer == "council"]
    trust = [n for (_, employer), n in per_locality.items() if employer == "trust"]
    assert 15 <= sorted(council)[len(council) // 2] <= 35
    assert 8 <= sorted(trust)[len(trust) // 2] <= 25
    people = read_csv(result.caseload_csv)
    assert len(people) == 20_000 and len({row["nhs_number"] for row in people}) == 20_000
    capacity = Counter()
    for row in staff:
        capacity[row["locality"]] += int(row["capacity"])
    load = Counter(row["locality"] for row in people)
    ratios = sorted(load[loc] / capacity[loc] for loc in capacity)
    assert ratios[-1] / ratios[0] < 3, "people are spread in proportion to capacity"
    for employer in ("council", "trust"):
        assert result.capacity[employer] >= result.demand[employer]


def test_many_people_per_worker_still_leaves_room(tmp_path: Path) -> None:
    result = generate(tmp_path, people=8_000, staff=400)
    for employer in ("council", "trust"):
        assert result.capacity[employer] >= 1.2 * result.demand[employer], employer
    assert result.without_coordinator < 0.03 * result.people


def test_tiny_runs_work_and_bad_sizes_are_refused(tmp_path: Path) -> None:
    small = generate(tmp_path / "one", people=1, staff=10)
    assert len(read_csv(small.caseload_csv)) == 1
    with pytest.raises(TransitionError, match="at least 20 people"):
        generate(tmp_path / "messy", people=10, messy=True)
    with pytest.raises(TransitionError, match="--staff must be between 10"):
        generate(tmp_path / "staff", people=100, staff=5)
    with pytest.raises(TransitionError, match="--people must be between 1"):
        generate(tmp_path / "none", people=0)


def test_existing_files_are_kept_unless_overwriting(tmp_path: Path) -> None:
    generate(tmp_path, people=30)
    before = (tmp_path / CASELOAD_FILE).read_bytes()
    with pytest.raises(TransitionError, match="Not overwriting"):
        generate(tmp_path, people=40, overwrite=False)
    assert (tmp_path / CASELOAD_FILE).read_bytes() == before
    generate(tmp_path, people=40)
    assert len(read_csv(tmp_path / CASELOAD_FILE)) == 40
