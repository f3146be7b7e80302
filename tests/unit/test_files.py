import csv
import io
import os
import stat
from pathlib import Path

import pytest

from transition.errors import TransitionError
from transition.files import (
    csv_text,
    inside,
    neutralise_cell,
    private_dir,
    write_private_csv,
    write_private_text,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_private_files_and_folders(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out.csv"
    write_private_csv(target, ["h"], [["x"]])
    assert mode(target) == 0o600
    assert mode(tmp_path / "a") == 0o700 and mode(tmp_path / "a" / "b") == 0o700


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tcmd"])
def test_formula_cells_are_neutralised(cell: str) -> None:
    assert neutralise_cell(cell) == "'" + cell
    [row] = list(csv.reader(io.StringIO(csv_text(["a"], [[cell]]).lstrip("\ufeff"))))[1:]
    assert row[0].startswith("'")


def test_plain_cells_are_untouched() -> None:
    assert neutralise_cell("O'Neill") == "O'Neill"
    assert neutralise_cell(5) == 5


def test_inside_refuses_traversal(tmp_path: Path) -> None:
    assert inside(tmp_path, "x.txt") == (tmp_path / "x.txt").resolve()
    for bad in ("../x", "../../etc/passwd", "/etc/passwd", "a/../../x"):
        with pytest.raises(TransitionError):
            inside(tmp_path, bad)


def test_existing_folders_keep_their_mode(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    private_dir(tmp_path)
    assert mode(tmp_path) == 0o755


def test_a_link_planted_where_the_temporary_file_would_go_is_never_followed(
        tmp_path: Path) -> None:
    """In a folder others may write to, a link at the old predictable temporary name
    ('.out.csv.<pid>.tmp') diverted the data into the planter's file."""
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    theirs = tmp_path / "theirs.txt"
    theirs.write_text("")
    (shared / f".out.csv.{os.getpid()}.tmp").symlink_to(theirs)
    write_private_text(shared / "out.csv", "personal data\n")
    assert theirs.read_text() == ""
    assert (shared / "out.csv").read_text() == "personal data\n"
    assert not (shared / "out.csv").is_symlink() and mode(shared / "out.csv") == 0o600
    assert sorted(path.name for path in shared.iterdir()) == [
        f".out.csv.{os.getpid()}.tmp", "out.csv"]  # no temporary file left behind


@pytest.mark.parametrize("path", ["", "/", ".", "reports/.."])
def test_a_path_with_no_file_name_is_refused_clearly(path: str) -> None:
    with pytest.raises(TransitionError, match="is not a file's name"):
        write_private_text(Path(path), "x")
