import io
import json
import zipfile

import openpyxl
import pytest

from ..estimate_file import (
    CostCodeInfo,
    EstimateFileError,
    NumberError,
    UnitInfo,
    detect_format,
    parse,
    parse_records,
    parse_unit_synonyms,
    validate,
)
from ..estimate_file import _number as read_number

CSV = (
    "line_id,parent_id,description,cost_code,quantity,unit,unit_cost,vendor,alternate,included\n"
    "A1,,Paving assembly,,,,,,,\n"
    "L1,A1,Asphalt overlay,321216,120,t,95.50,Summit Asphalt,,\n"
    'L2,A1,Seal coat,32-01-13.62,"1,000",ft²,0.35,,yes,no\n'
)

CODES = {"32 12 16": CostCodeInfo("32 12 16", "Weight"), "32 01 13.62": CostCodeInfo("32 01 13.62")}
UNITS = {
    "t": UnitInfo("t", "Weight"),
    "ft²": UnitInfo("ft²", "Surface"),
    "h": UnitInfo("h", "Time"),
}


def resolve_code(raw):
    digits = "".join(ch for ch in raw if ch.isdigit())
    canonical = f"{digits[0:2]} {digits[2:4]} {digits[4:6]}" + (
        f".{digits[6:]}" if digits[6:] else ""
    )
    return CODES.get(canonical)


def check(lines):
    return validate(lines, resolve_code, UNITS.get)


def test_csv_lines_assemblies_and_alternates():
    lines, issues = parse(CSV.encode(), "csv")
    assert issues == []
    assembly, overlay, seal = lines
    assert assembly.is_assembly and not assembly.in_budget
    assert (overlay.row, overlay.quantity, overlay.unit_cost, overlay.amount) == (
        3,
        120,
        95.5,
        11460,
    )
    assert overlay.parent_id == "A1" and overlay.vendor == "Summit Asphalt"
    assert seal.quantity == 1000 and seal.alternate and not seal.included and not seal.in_budget
    assert check(lines) == []


def test_xlsx_lines():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Item", "Code", "Qty", "UOM", "Rate"])
    sheet.append(["X1", "32 12 16", 10, "t", 90])
    sheet.append([None, None, None, None, None])
    sheet.append(["X2", "32 12 16", 2.5, "t", 100])
    buffer = io.BytesIO()
    workbook.save(buffer)
    columns = {
        "line_id": "Item",
        "cost_code": "Code",
        "quantity": "Qty",
        "unit": "UOM",
        "unit_cost": "Rate",
    }
    lines, issues = parse(buffer.getvalue(), "xlsx", columns)
    assert issues == []
    assert [(line.row, line.line_id, line.amount) for line in lines] == [
        (2, "X1", 900),
        (4, "X2", 250),
    ]


def test_json_object_or_list():
    payload = [{"line_id": "J1", "cost_code": "32 12 16", "quantity": 3, "unit_cost": 10}]
    for content in (payload, {"lines": payload}):
        lines, issues = parse(json.dumps(content).encode(), "json")
        assert issues == [] and lines[0].amount == 30 and lines[0].row == 1


def test_every_validation_error_with_row_and_column():
    content = (
        "line_id,cost_code,quantity,unit,unit_cost,parent_id\n"
        "B1,99 99 99,1,t,1,\n"
        "B2,32 12 16,1,h,1,\n"
        "B3,32 12 16,-4,t,1,\n"
        "B4,32 12 16,1,t,,\n"
        "B4,32 12 16,1,t,1,\n"
        "B6,32 12 16,lots,t,1,\n"
        "B7,32 12 16,1,furlong,1,ZZ\n"
    )
    lines, issues = parse(content.encode(), "csv")
    issues += check(lines)
    found = {(issue.row, issue.column) for issue in issues}
    assert found == {
        (2, "cost_code"),
        (3, "unit"),
        (4, "quantity"),
        (5, "unit_cost"),
        (5, "line_id"),
        (6, "line_id"),
        (7, "quantity"),
        (8, "unit"),
        (8, "parent_id"),
    }
    messages = {(issue.row, issue.column): issue.message for issue in issues}
    assert "unknown cost code" in messages[(2, "cost_code")]
    assert "does not measure" in messages[(3, "unit")]
    assert "negative" in messages[(4, "quantity")]
    assert "missing" in messages[(5, "unit_cost")]
    assert "repeated" in messages[(6, "line_id")]


def test_issue_names_the_platform_column():
    lines, issues = parse(
        b"ID,Code,Qty,Price\nQ1,32 12 16,-1,\n",
        "csv",
        {"line_id": "ID", "cost_code": "Code", "quantity": "Qty", "unit_cost": "Price"},
    )
    assert issues == []
    columns = {
        issue.column
        for issue in validate(
            lines, resolve_code, UNITS.get, {"quantity": "Qty", "unit_cost": "Price"}
        )
    }
    assert columns == {"Qty", "Price"}


def test_unreadable_files():
    with pytest.raises(EstimateFileError):
        parse(b"{not json", "json")
    with pytest.raises(EstimateFileError):
        parse(b"line_id\n", "csv")
    with pytest.raises(EstimateFileError):
        parse(b"PK garbage", "xlsx")
    with pytest.raises(EstimateFileError):
        parse(b"{}", "pdf")


def test_helpers():
    assert detect_format("Bid.XLSX") == "xlsx" and detect_format("bid.pdf") is None
    assert parse_unit_synonyms("SF = ft²\nTN=t\nnonsense\n") == {"sf": "ft²", "tn": "t"}


def test_records_of_an_api_payload_number_rows_from_one():
    lines, issues = parse_records(
        [
            {"line_id": "L1", "description": "Overlay", "quantity": 10, "unit_cost": 9.5},
            {"line_id": "L2", "quantity": "ten", "alternate": True},
        ]
    )
    assert [(line.row, line.line_id) for line in lines] == [(1, "L1"), (2, "L2")]
    assert lines[0].amount == 95.0
    assert (lines[1].alternate, lines[1].included) == (True, False)
    assert [(issue.row, issue.column) for issue in issues] == [(2, "quantity")]


def xlsx_bytes(rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_member(content, name, data):
    """``content`` (an XLSX archive) with one more member, deflated."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            target.writestr(member, source.read(member))
        target.writestr(name, data)
    return buffer.getvalue()


def test_xlsx_zip_bomb_is_refused_before_it_is_unpacked():
    good = xlsx_bytes([["line_id", "cost_code", "quantity", "unit_cost"], ["X1", "32", 1, 2]])
    # 300 MB of blanks in a sheet part: a few hundred kilobytes on the wire.
    bomb = with_member(good, "xl/worksheets/sheet2.xml", b" " * (300 << 20))
    assert len(bomb) < 1 << 20
    with pytest.raises(EstimateFileError, match="unpacks"):
        parse(bomb, "xlsx")
    # One part packed far tighter than a spreadsheet packs, under the total cap too.
    dense = with_member(good, "xl/media/blob.bin", bytes(50 << 20))
    with pytest.raises(EstimateFileError, match="more than a spreadsheet compresses"):
        parse(dense, "xlsx")
    assert parse(good, "xlsx")[0][0].line_id == "X1"


def test_xlsx_with_too_many_parts_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(1001):
            archive.writestr(f"part{index}.xml", b"")
    with pytest.raises(EstimateFileError, match="parts"):
        parse(buffer.getvalue(), "xlsx")


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-Infinity", float("nan"), 1e400])
def test_numbers_that_are_not_finite_are_cell_problems(value):
    lines, issues = parse_records([{"line_id": "L1", "quantity": value, "unit_cost": value}])
    assert [(issue.row, issue.column) for issue in issues] == [(1, "quantity"), (1, "unit_cost")]
    assert (lines[0].quantity, lines[0].unit_cost) == (0.0, None)


@pytest.mark.parametrize(
    ("text", "number_format", "number"),
    [
        ("1.234,56", "auto", 1234.56),
        ("1 234,56", "auto", 1234.56),
        ("1\u00a0234,56", "auto", 1234.56),
        ("1\u202f234,56", "comma", 1234.56),
        ("1,234.56", "auto", 1234.56),
        ("1.234.567", "auto", 1234567),
        ("12,5", "auto", 12.5),
        ("0,125", "auto", 0.125),
        ("1,234", "point", 1234),
        ("1,234", "comma", 1.234),
        ("1.234", "comma", 1234),
        ("(1,234.50)", "point", -1234.5),
        ("€ 1.234,50", "comma", 1234.5),
        ("1'234.5", "point", 1234.5),
    ],
)
def test_numbers_as_other_locales_write_them(text, number_format, number):
    assert read_number(text, number_format) == pytest.approx(number)


@pytest.mark.parametrize(
    ("text", "number_format", "reason"),
    [
        ("1,234", "auto", "could be written 1,234.56 or 1.234,56"),
        ("1.234", "auto", "could be written"),
        ("1.234,56", "point", "not a number written 1,234.56"),
        ("1,234.56", "comma", "not a number written 1.234,56"),
        ("1,23,4", "point", "not a number written"),
        ("12 34,5", "comma", "not a number written"),
        ("1.234 567", "comma", "not a number written"),
        ("1,2.3,4", "auto", "marks do not fit"),
    ],
)
def test_numbers_no_convention_reads_are_refused_with_the_reason(text, number_format, reason):
    with pytest.raises(NumberError, match=reason):
        read_number(text, number_format)


def test_a_file_teaches_its_own_convention_or_refuses_row_by_row():
    header = "line_id,cost_code,quantity,unit_cost\n"
    # decimal comma shown by 12,5: 1.234 is one thousand two hundred thirty-four
    lines, issues = parse((header + 'A,321216,"1.234","12,5"\n').encode(), "csv")
    assert issues == [] and (lines[0].quantity, lines[0].unit_cost) == (1234, 12.5)
    # nothing shows the convention: 1,234 is refused, the other row is read
    lines, issues = parse((header + 'A,321216,"1,234",12\nB,321216,3,4\n').encode(), "csv")
    assert [(issue.row, issue.column) for issue in issues] == [(2, "quantity")]
    assert "number format of the import profile" in issues[0].message
    # the profile says how the platform writes them
    lines, issues = parse((header + 'A,321216,"1,234",12\n').encode(), "csv", number_format="point")
    assert issues == [] and lines[0].quantity == 1234


def test_legacy_encodings_are_read_right_or_refused_by_row():
    text = (
        "line_id,description,cost_code,quantity,unit_cost\n"
        "A,Café crème,321216,2,3\n"
        "B,Joint,321216,1,1\n"
    )
    # BOM'd UTF-8 and UTF-16 (Excel's "Unicode text") are read whatever the profile says
    for content in (text.encode("utf-8-sig"), text.encode("utf-16")):
        lines, issues = parse(content, "csv", encoding="cp1252")
        assert issues == [] and lines[0].name == "Café crème"
    legacy = text.encode("cp1252")
    lines, issues = parse(legacy, "csv", encoding="cp1252")
    assert issues == [] and lines[0].name == "Café crème"
    # read as UTF-8, the row holding the legacy bytes is refused with the reason
    lines, issues = parse(legacy, "csv")
    assert [(issue.row, issue.column) for issue in issues] == [(2, "description")]
    assert "bytes E9 E8 cannot be read" in issues[0].message
    # a Windows-1252 € read as Latin-1 is a control code: refused, not shown as text
    euro = "line_id,description,cost_code,quantity,unit_cost\nA,5 € off,321216,1,1\n"
    _lines, issues = parse(euro.encode("cp1252"), "csv", encoding="latin-1")
    assert "U+0080" in issues[0].message
    # a UTF-8 file under a legacy profile is refused as a whole, not turned into mojibake
    with pytest.raises(EstimateFileError, match="UTF-8 text"):
        parse(text.encode(), "csv", encoding="cp1252")
    with pytest.raises(EstimateFileError, match="UTF-16"):
        parse(text.encode("utf-16-le"), "csv")
