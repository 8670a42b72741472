import os

import pytest

from ..file_drop import (
    FolderError,
    csv_payloads,
    move_aside,
    parse_mapping,
    read_file,
    resolve_folder,
    waiting_files,
)


@pytest.fixture
def root(tmp_path):
    (tmp_path / "drops").mkdir()
    return tmp_path


def test_a_folder_is_found_below_the_root(root):
    assert resolve_folder(str(root), "drops") == os.path.realpath(root / "drops")


@pytest.mark.parametrize("folder", ["/etc", "../x", "drops/../..", "~", ".", "", "a\x00b"])
def test_a_folder_that_leaves_the_root_or_names_nothing_is_refused(root, folder):
    with pytest.raises(FolderError):
        resolve_folder(str(root), folder)


def test_a_link_out_of_the_root_is_refused(root, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    os.symlink(outside, root / "escape")
    with pytest.raises(FolderError):
        resolve_folder(str(root), "escape")


def test_without_a_root_nothing_is_resolved(root):
    with pytest.raises(FolderError):
        resolve_folder("", "drops")


def test_only_regular_visible_matching_files_wait_oldest_first(root):
    folder = root / "drops"
    (folder / "b.csv").write_text("x")
    os.utime(folder / "b.csv", (1, 1))
    (folder / "a.CSV").write_text("x")
    (folder / ".c.csv").write_text("x")
    (folder / "d.txt").write_text("x")
    (folder / "sub.csv").mkdir()
    os.symlink(folder / "b.csv", folder / "link.csv")
    assert waiting_files(str(folder), "*.csv") == ["b.csv", "a.CSV"]


def test_a_link_is_never_read(root):
    folder = root / "drops"
    (folder / "real.csv").write_text("secret")
    os.symlink(folder / "real.csv", folder / "link.csv")
    assert read_file(str(folder), "real.csv") == b"secret"
    with pytest.raises(OSError):
        read_file(str(folder), "link.csv")


def test_a_file_moved_aside_never_replaces_another(root):
    folder = root / "drops"
    (folder / "a.csv").write_text("1")
    assert move_aside(str(folder), "a.csv", "processed", "abc") == "abc-a.csv"
    assert (folder / "processed" / "abc-a.csv").read_text() == "1"
    assert not (folder / "a.csv").exists()


def test_a_mapping_is_one_key_a_line():
    assert parse_mapping("hours = Hours\n# note\n\nemployee=Badge") == {
        "hours": "Hours",
        "employee": "Badge",
    }
    with pytest.raises(ValueError, match="line 1"):
        parse_mapping("hours Hours")


def test_rows_are_typed_by_the_schema_and_bad_cells_named():
    content = b"\xef\xbb\xbfEntry,Hours,Count\nA,8,2\nB,eight,\n"
    properties = {"hours": {"type": "number"}, "count": {"type": "integer"}}
    rows, problems = csv_payloads(
        content, {"entry": "Entry", "hours": "Hours", "count": "Count"}, properties
    )
    assert rows == [(2, {"entry": "A", "hours": 8.0, "count": 2}), (3, {"entry": "B"})]
    assert problems == [(3, "Hours: 'eight' is not a number")]


def test_a_file_without_the_mapped_columns_or_rows_is_refused():
    assert csv_payloads(b"A\n1\n", {"x": "X"}, {})[1] == [(1, "missing columns: X")]
    assert csv_payloads(b"X\n", {"x": "X"}, {})[1] == [(1, "the file has no rows")]
    assert csv_payloads(b"\xff\xfe", {"x": "X"}, {})[1][0][0] == 0
