"""Estimate files exported by estimating platforms: CSV, XLSX and JSON.

:func:`parse` reads a file into :class:`EstimateLine` objects through a
column mapping (canonical field -> the column name the platform uses) and
reports every cell it cannot read. :func:`validate` then checks the lines
against the cost codes and units the caller knows, through two callables,
so that this module needs no database. Every problem is an :class:`Issue`
carrying the row and column a person must fix in the file.
"""

import csv
import io
import json
import math
import re
import zipfile
from collections import Counter
from dataclasses import dataclass

FORMATS = ("csv", "xlsx", "json")
# An XLSX file is a zip archive: what it may hold once unpacked, checked from
# its directory before anything is inflated. An estimate of 100,000 lines is
# some 30 MB of XML; a "zip bomb" of a few kilobytes unpacks to gigabytes.
MAX_XLSX_MEMBERS = 1000
MAX_XLSX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_XLSX_RATIO = 200  # unpacked / packed, per member (XML packs 10 to 30 times)

# Canonical fields and the column name used when a profile names none.
DEFAULT_COLUMNS = {
    "line_id": "line_id",
    "parent_id": "parent_id",
    "name": "description",
    "cost_code": "cost_code",
    "cost_type": "cost_type",
    "product": "product",
    "quantity": "quantity",
    "unit": "unit",
    "unit_cost": "unit_cost",
    "vendor": "vendor",
    "bid_package": "bid_package",
    "alternate": "alternate",
    "included": "included",
}

_TRUE = {"1", "true", "yes", "y", "x", "included"}
_FALSE = {"0", "false", "no", "n", "", "excluded"}


class EstimateFileError(ValueError):
    """The file as a whole cannot be read (wrong format, no header, no lines)."""


@dataclass
class Issue:
    """A problem found in one cell of the file; row 1 is the header."""

    row: int
    column: str
    message: str


@dataclass
class EstimateLine:
    row: int
    line_id: str = ""
    parent_id: str = ""
    name: str = ""
    cost_code: str = ""
    cost_type: str = ""
    product: str = ""
    quantity: float = 0.0
    unit: str = ""
    unit_cost: float | None = None
    vendor: str = ""
    bid_package: str = ""
    alternate: bool = False
    included: bool = True
    is_assembly: bool = False

    @property
    def amount(self):
        return round(self.quantity * (self.unit_cost or 0.0), 2)

    @property
    def in_budget(self):
        """Whether the line's cost reaches the budget: leaf lines, alternates only if included."""
        return not self.is_assembly and (not self.alternate or self.included)


@dataclass
class CostCodeInfo:
    """What :func:`validate` needs to know of a cost code."""

    code: str
    unit_category: str | None = None


@dataclass
class UnitInfo:
    name: str
    category: str


def detect_format(filename):
    """The format of a file from its name, or ``None``."""
    extension = (filename or "").rsplit(".", 1)[-1].lower()
    return extension if extension in FORMATS else None


def parse_unit_synonyms(text):
    """``"SF = ft²"`` lines into ``{"sf": "ft²"}``; lower-case keys."""
    synonyms = {}
    for line in (text or "").splitlines():
        if "=" not in line:
            continue
        alias, _sep, unit = line.partition("=")
        if alias.strip() and unit.strip():
            synonyms[alias.strip().lower()] = unit.strip()
    return synonyms


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(content):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise EstimateFileError("the CSV file is not UTF-8 text") from error
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    return [(index + 2, row) for index, row in enumerate(reader) if any(row.values())]


def check_xlsx_archive(content):
    """Refuse an XLSX archive that would unpack to more than an estimate
    needs, from the sizes its directory declares (Python's ``zipfile`` reads
    no member past its declared size, so they bound what is inflated)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise EstimateFileError("the file is not an XLSX workbook") from error
    if len(members) > MAX_XLSX_MEMBERS:
        raise EstimateFileError(
            f"the workbook holds {len(members)} parts; an estimate needs far fewer "
            f"(at most {MAX_XLSX_MEMBERS})"
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise EstimateFileError(
            f"the workbook unpacks to {unpacked} bytes; the limit is {MAX_XLSX_UNPACKED_BYTES}"
        )
    for member in members:
        if member.file_size > MAX_XLSX_RATIO * max(member.compress_size, 1024):
            raise EstimateFileError(
                f"part {member.filename} of the workbook unpacks {member.file_size} bytes "
                f"from {member.compress_size}: more than a spreadsheet compresses"
            )


def _read_xlsx(content):
    # openpyxl is an optional dependency of Odoo itself; import it only when needed.
    import openpyxl

    check_xlsx_archive(content)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:
        raise EstimateFileError("the file is not an XLSX workbook") from error
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    header = [_cell_text(cell) for cell in next(rows, ())]
    table = []
    for index, values in enumerate(rows):
        if not any(value not in (None, "") for value in values):
            continue
        table.append((index + 2, dict(zip(header, values, strict=False))))
    workbook.close()
    return table


def _read_json(content, json_key):
    try:
        data = json.loads(content)
    except (ValueError, UnicodeDecodeError) as error:
        raise EstimateFileError(f"the file is not valid JSON: {error}") from error
    if isinstance(data, dict):
        data = data.get(json_key)
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise EstimateFileError(
            f"a JSON estimate is a list of line objects, or an object whose {json_key!r} "
            "key holds that list"
        )
    return [(index + 1, item) for index, item in enumerate(data)]


def read_table(content, file_format, json_key="lines"):
    """Rows of the file as ``(row number, {column: value})`` pairs."""
    if file_format == "csv":
        table = _read_csv(content)
    elif file_format == "xlsx":
        table = _read_xlsx(content)
    elif file_format == "json":
        table = _read_json(content, json_key)
    else:
        raise EstimateFileError(f"unsupported format {file_format!r}; use CSV, XLSX or JSON")
    if not table:
        raise EstimateFileError("the file holds no estimate lines")
    return table


def _number(value):
    """A finite number: ``NaN`` and infinities (which Python reads from
    "nan" or "inf" text, JSON's NaN or 1e400) are not quantities or costs."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = re.sub(r"[\s$€£,]", "", str(value))
        if text.startswith("(") and text.endswith(")"):
            text = "-" + text[1:-1]
        number = float(text)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def _boolean(value):
    if isinstance(value, bool):
        return value
    text = _cell_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(value)


def parse(content, file_format, columns=None, json_key="lines"):
    """Read ``content`` into ``(lines, issues)``.

    ``columns`` maps canonical fields to the platform's column names;
    fields it leaves out use :data:`DEFAULT_COLUMNS`.
    """
    return parse_table(read_table(content, file_format, json_key), columns)


def parse_records(records, columns=None):
    """Read line objects already decoded from JSON (an API payload's lines)
    into ``(lines, issues)``; row ``n`` is the ``n``-th object, counted from 1."""
    return parse_table([(index + 1, record) for index, record in enumerate(records)], columns)


def parse_table(table, columns=None):
    """``(row, {column: value})`` pairs into ``(lines, issues)``."""
    columns = dict(DEFAULT_COLUMNS, **{k: v for k, v in (columns or {}).items() if v})
    lines, issues = [], []
    for row, record in table:
        line = EstimateLine(row=row)
        for field in ("line_id", "parent_id", "name", "cost_code", "cost_type", "product"):
            setattr(line, field, _cell_text(record.get(columns[field])))
        for field in ("unit", "vendor", "bid_package"):
            setattr(line, field, _cell_text(record.get(columns[field])))
        for field in ("quantity", "unit_cost"):
            raw = record.get(columns[field])
            if raw is None or _cell_text(raw) == "":
                setattr(line, field, 0.0 if field == "quantity" else None)
                continue
            try:
                setattr(line, field, _number(raw))
            except ValueError:
                issues.append(Issue(row, columns[field], f"{_cell_text(raw)!r} is not a number"))
        for field, default in (("alternate", False), ("included", None)):
            raw = record.get(columns[field])
            try:
                value = default if raw is None or _cell_text(raw) == "" else _boolean(raw)
            except ValueError:
                issues.append(Issue(row, columns[field], f"{_cell_text(raw)!r} is not yes or no"))
                value = default
            setattr(line, field, value)
        if line.included is None:
            line.included = not line.alternate
        lines.append(line)
    parents = {line.parent_id for line in lines if line.parent_id}
    for line in lines:
        line.is_assembly = line.line_id in parents
    return lines, issues


def validate(lines, resolve_cost_code, resolve_unit, columns=None):
    """Issues of the parsed ``lines``.

    ``resolve_cost_code(raw)`` returns a :class:`CostCodeInfo` or ``None``
    when the code is unknown; ``resolve_unit(raw)`` a :class:`UnitInfo` or
    ``None``.
    """
    columns = dict(DEFAULT_COLUMNS, **{k: v for k, v in (columns or {}).items() if v})
    issues = []
    counts = Counter(line.line_id for line in lines if line.line_id)
    known_ids = set(counts)
    for line in lines:
        if not line.line_id:
            issues.append(Issue(line.row, columns["line_id"], "the line id is missing"))
        elif counts[line.line_id] > 1:
            issues.append(
                Issue(line.row, columns["line_id"], f"line id {line.line_id!r} is repeated")
            )
        if line.parent_id and line.parent_id not in known_ids:
            issues.append(
                Issue(
                    line.row,
                    columns["parent_id"],
                    f"assembly {line.parent_id!r} is not a line of this file",
                )
            )
        if line.quantity < 0:
            issues.append(
                Issue(line.row, columns["quantity"], f"quantity {line.quantity:g} is negative")
            )
        if line.is_assembly:
            continue
        if line.unit_cost is None:
            issues.append(Issue(line.row, columns["unit_cost"], "the unit cost is missing"))
        elif line.unit_cost < 0:
            issues.append(
                Issue(line.row, columns["unit_cost"], f"unit cost {line.unit_cost:g} is negative")
            )
        cost_code = None
        if not line.cost_code:
            issues.append(Issue(line.row, columns["cost_code"], "the cost code is missing"))
        else:
            cost_code = resolve_cost_code(line.cost_code)
            if cost_code is None:
                issues.append(
                    Issue(line.row, columns["cost_code"], f"unknown cost code {line.cost_code!r}")
                )
        unit = None
        if line.unit:
            unit = resolve_unit(line.unit)
            if unit is None:
                issues.append(Issue(line.row, columns["unit"], f"unknown unit {line.unit!r}"))
        if (
            cost_code
            and unit
            and cost_code.unit_category
            and unit.category != cost_code.unit_category
        ):
            issues.append(
                Issue(
                    line.row,
                    columns["unit"],
                    f"unit {line.unit!r} ({unit.category}) does not measure cost code "
                    f"{cost_code.code}, counted in {cost_code.unit_category}",
                )
            )
    return sorted(issues, key=lambda issue: issue.row)
