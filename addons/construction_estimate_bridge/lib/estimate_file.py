"""Estimate files exported by estimating platforms: CSV, XLSX and JSON.

:func:`parse` reads a file into :class:`EstimateLine` objects through a
column mapping (canonical field -> the column name the platform uses) and
reports every cell it cannot read. :func:`validate` then checks the lines
against the cost codes and units the caller knows, through two callables,
so that this module needs no database. Every problem is an :class:`Issue`
carrying the row and column a person must fix in the file.
"""

import codecs
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

# How a platform writes numbers in text: its decimal mark decides which
# character groups thousands. "auto" reads the file's own unambiguous numbers
# (1,234.56, 12,5, 0.75) to learn it, and refuses a number such as 1,234 that
# only a convention can tell (one thousand two hundred thirty-four, or 1.234).
NUMBER_FORMATS = ("auto", "point", "comma")
NUMBER_EXAMPLES = {"point": "1,234.56", "comma": "1.234,56"}
# Characters that group thousands whatever the decimal mark: blanks
# (space, no-break, narrow no-break, thin) and the Swiss apostrophe.
_BLANKS = " \u00a0\u202f\u2009"
_GROUP_BLANKS = _BLANKS + "'\u2019"
_CURRENCY = "$€£"
_MINUS = "-\u2212"

# Encodings of CSV files; "auto" reads a byte order mark, else UTF-8. A byte
# no encoding reads is a cell problem, never replaced by a guess.
ENCODINGS = ("auto", "utf-8", "utf-16", "cp1252", "latin-1")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

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


def _is_utf8(content):
    """Whether ``content`` holds text beyond ASCII that is valid UTF-8: a
    single-byte encoding's accented letters almost never are."""
    if content.isascii():
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_text(content, encoding="auto"):
    """The text of a CSV file. A byte order mark decides; else ``encoding``
    (``auto`` is UTF-8). Bytes the encoding cannot read stay in the text as
    lone surrogates (``surrogateescape``), for :func:`text_problem` to
    name in the row that holds them."""
    for bom, codec in _BOMS:
        if content.startswith(bom):
            encoding = codec
            break
    else:
        if encoding == "auto":
            if b"\x00" in content:
                raise EstimateFileError(
                    "the file looks like UTF-16 text without a byte order mark; set the "
                    "encoding of the import profile to UTF-16"
                )
            encoding = "utf-8"
        elif encoding in ("cp1252", "latin-1") and _is_utf8(content):
            raise EstimateFileError(
                f"the file is UTF-8 text, but the import profile reads it as {encoding}: "
                "set the profile's encoding to UTF-8 or Automatic"
            )
        elif encoding == "utf-16":
            encoding = "utf-16-le"
    if encoding.startswith("utf-16"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError as error:
            raise EstimateFileError(f"the file is not UTF-16 text: {error}") from error
    return content.decode(encoding, errors="surrogateescape")


def text_problem(text):
    """Why a cell's text cannot be trusted (bytes its encoding does not read,
    or control characters a Windows-1252 file read as Latin-1 shows), or ``None``."""
    unread = [ch for ch in text if "\udc80" <= ch <= "\udcff"]
    if unread:
        codes = " ".join(f"{ord(ch) - 0xDC00:02X}" for ch in unread[:4])
        return (
            f"bytes {codes} cannot be read in the file's encoding: the file was saved in "
            "another one (a spreadsheet's Windows-1252?); set the encoding of the import profile"
        )
    controls = [ch for ch in text if "\x80" <= ch <= "\x9f"]
    if controls:
        return (
            f"character U+{ord(controls[0]):04X} is a control code, not text: the file is "
            "probably Windows-1252 rather than Latin-1; set the encoding of the import profile"
        )
    return None


def _read_csv(content, encoding="auto"):
    text = decode_text(content, encoding)
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


def read_table(content, file_format, json_key="lines", encoding="auto"):
    """Rows of the file as ``(row number, {column: value})`` pairs;
    ``encoding`` is the text encoding of a CSV file."""
    if file_format == "csv":
        table = _read_csv(content, encoding)
    elif file_format == "xlsx":
        table = _read_xlsx(content)
    elif file_format == "json":
        table = _read_json(content, json_key)
    else:
        raise EstimateFileError(f"unsupported format {file_format!r}; use CSV, XLSX or JSON")
    if not table:
        raise EstimateFileError("the file holds no estimate lines")
    return table


class NumberError(ValueError):
    """A cell that is not a number in the file's convention; the message says why."""


def _marks(body):
    """``(decimal mark, thousands mark)`` of digits written with "." and ","
    whatever the convention, or ``None`` when only a convention can tell."""
    points, commas = body.count("."), body.count(",")
    if points and commas:
        decimal = "." if body.rfind(".") > body.rfind(",") else ","
        return decimal, "," if decimal == "." else "."
    mark = "." if points else "," if commas else ""
    if not mark:
        return "", ""
    if body.count(mark) > 1:
        return "", mark
    whole, _sep, fraction = body.partition(mark)
    grouped_by_blanks = any(blank in whole for blank in _GROUP_BLANKS)
    if not grouped_by_blanks and len(fraction) == 3 and re.fullmatch(r"[1-9]\d{0,2}", whole):
        return None
    return mark, ""


def _convention(marks):
    """The number format (``point`` or ``comma``) ``marks`` show, or ``None``."""
    decimal, thousands = marks
    if decimal == "." or thousands == ",":
        return "point"
    if decimal == "," or thousands == ".":
        return "comma"
    return None


def number_convention(value):
    """The number format a text cell shows by itself, or ``None``."""
    if not isinstance(value, str):
        return None
    body = value.strip().strip(_CURRENCY + _MINUS + "()+ ").strip()
    if not re.fullmatch(r"[\d.," + _GROUP_BLANKS + r"]+", body):
        return None
    marks = _marks(body)
    return marks and _convention(marks)


def _number(value, number_format="auto"):
    """A finite number read from a cell. Text is read in ``number_format``
    (:data:`NUMBER_FORMATS`): currency signs, blanks and the thousands mark
    of the convention are dropped only where they group digits by three;
    ``(12.50)`` is negative. ``NaN`` and infinities (which Python reads from
    "nan" or "inf" text, JSON's NaN or 1e400) are not quantities or costs.
    Raises :class:`NumberError` with the reason."""
    if isinstance(value, bool):
        raise NumberError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        number = _read_number_text(str(value), number_format)
    if not math.isfinite(number):
        raise NumberError(f"{_cell_text(value)!r} is not a number")
    return number


def _read_number_text(raw, number_format):
    text = raw.strip()
    sign = 1.0
    if text.startswith("(") and text.endswith(")"):
        sign, text = -1.0, text[1:-1]
    text = text.strip().strip(_CURRENCY).strip()
    if text[:1] in _MINUS:
        sign, text = -sign, text[1:]
    elif text[:1] == "+":
        text = text[1:]
    text = text.strip().strip(_CURRENCY).strip()
    if re.fullmatch(r"\d+(\.\d+)?[eE][+-]?\d+", text) and number_format != "comma":
        return sign * float(text)
    if not re.fullmatch(r"[\d.," + _GROUP_BLANKS + r"]*\d[\d.," + _GROUP_BLANKS + r"]*", text):
        raise NumberError(f"{raw.strip()!r} is not a number")
    if number_format == "auto":
        marks = _marks(text)
        if marks is None:
            raise NumberError(
                f"{raw.strip()!r} could be written {NUMBER_EXAMPLES['point']} or "
                f"{NUMBER_EXAMPLES['comma']}: set the number format of the import profile"
            )
        decimal = marks[0]
    else:
        decimal = "." if number_format == "point" else ","
    other = "," if decimal == "." else "."
    if number_format == "auto" and not decimal:
        other = marks[1]
    whole, _sep, fraction = text.partition(decimal) if decimal else (text, "", "")
    if not re.fullmatch(r"\d*", fraction) or (decimal and decimal in fraction):
        raise NumberError(_not_written(raw, number_format))
    groups = re.split("[" + re.escape(_GROUP_BLANKS + other) + "]", whole)
    kinds = {
        " " if mark in _BLANKS else mark
        for mark in re.findall("[" + re.escape(_GROUP_BLANKS + other) + "]", whole)
    }
    if len(groups) > 1 and (
        len(kinds) > 1
        or not re.fullmatch(r"\d{1,3}", groups[0])
        or any(not re.fullmatch(r"\d{3}", group) for group in groups[1:])
    ):
        raise NumberError(_not_written(raw, number_format))
    if not re.fullmatch(r"\d*", "".join(groups)):
        raise NumberError(_not_written(raw, number_format))
    return sign * float(f"{''.join(groups) or '0'}.{fraction or '0'}")


def _not_written(raw, number_format):
    example = NUMBER_EXAMPLES.get(number_format)
    if example:
        return f"{raw.strip()!r} is not a number written {example} (the import profile's format)"
    return f"{raw.strip()!r} is not a number: its thousands or decimal marks do not fit"


def _boolean(value):
    if isinstance(value, bool):
        return value
    text = _cell_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(value)


def parse(
    content, file_format, columns=None, json_key="lines", number_format="auto", encoding="auto"
):
    """Read ``content`` into ``(lines, issues)``.

    ``columns`` maps canonical fields to the platform's column names;
    fields it leaves out use :data:`DEFAULT_COLUMNS`. ``number_format``
    (:data:`NUMBER_FORMATS`) is how the platform writes numbers in text,
    ``encoding`` (:data:`ENCODINGS`) how it encodes a CSV file.
    """
    return parse_table(read_table(content, file_format, json_key, encoding), columns, number_format)


def parse_records(records, columns=None, number_format="auto"):
    """Read line objects already decoded from JSON (an API payload's lines)
    into ``(lines, issues)``; row ``n`` is the ``n``-th object, counted from 1."""
    table = [(index + 1, record) for index, record in enumerate(records)]
    return parse_table(table, columns, number_format)


def file_number_format(table, columns, number_format="auto"):
    """The number format to read ``table`` with: the given one, or under
    ``auto`` the one every number of the file that shows one agrees on
    (``auto`` still when none shows it, or they disagree)."""
    if number_format != "auto":
        return number_format
    shown = {
        number_convention(record.get(columns[field]))
        for _row, record in table
        for field in ("quantity", "unit_cost")
    } - {None}
    return shown.pop() if len(shown) == 1 else "auto"


def parse_table(table, columns=None, number_format="auto"):
    """``(row, {column: value})`` pairs into ``(lines, issues)``."""
    columns = dict(DEFAULT_COLUMNS, **{k: v for k, v in (columns or {}).items() if v})
    for column in table[0][1] if table else ():
        if isinstance(column, str) and text_problem(column):
            raise EstimateFileError(f"the header cannot be read: {text_problem(column)}")
    number_format = file_number_format(table, columns, number_format)
    lines, issues = [], []
    for row, record in table:
        line = EstimateLine(row=row)
        for column, value in record.items():
            problem = isinstance(value, str) and text_problem(value)
            if problem:
                issues.append(Issue(row, str(column), problem))
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
                setattr(line, field, _number(raw, number_format))
            except NumberError as error:
                issues.append(Issue(row, columns[field], str(error)))
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
