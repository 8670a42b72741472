"""Files dropped in a server folder by a system that only exports files,
without Odoo: where a source's folder may be, which files it holds, and
how a CSV file's rows become payloads.

A folder is always below a root an administrator configured; a source names
it relative to that root. Nothing outside the root is ever read or moved:
absolute paths, ``..`` and symbolic links that lead out are refused, and
only regular files directly in the folder are taken (no links, no
sub-folders). Files whose name starts with a dot are still being written
(the convention of tools that write then rename) and are left alone.
"""

import csv
import fnmatch
import io
import os
import stat

PROCESSED = "processed"
FAILED = "failed"
# Largest file read (bytes).
MAX_FILE_BYTES = 20 * 1024 * 1024


class FolderError(ValueError):
    """The folder cannot be used; the message says why."""


def resolve_folder(root, folder):
    """The absolute, real path of ``folder`` below ``root``, or
    :class:`FolderError`: no root, an absolute path, a ``..`` part, or a
    path (links followed) that leaves the root."""
    if not root:
        raise FolderError("no root folder for file sources is configured")
    if not folder or not folder.strip():
        raise FolderError("the folder is empty")
    folder = folder.strip()
    if os.path.isabs(folder) or folder.startswith("~"):
        raise FolderError("the folder is relative to the file sources' root, not absolute")
    if ".." in folder.replace("\\", "/").split("/") or "\x00" in folder:
        raise FolderError("the folder may not go up (..)")
    real_root = os.path.realpath(root)
    path = os.path.realpath(os.path.join(real_root, folder))
    if os.path.commonpath([real_root, path]) != real_root or path == real_root:
        raise FolderError("the folder leaves the file sources' root")
    return path


def waiting_files(path, pattern):
    """Names of the regular files directly in ``path`` matching the glob
    ``pattern`` (case-insensitive), oldest first; links, sub-folders, hidden
    and oversize files are left out."""
    found = []
    with os.scandir(path) as entries:
        for entry in entries:
            if entry.name.startswith(".") or not fnmatch.fnmatch(
                entry.name.lower(), (pattern or "*").lower()
            ):
                continue
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
                continue
            found.append((info.st_mtime, entry.name))
    return [name for _mtime, name in sorted(found)]


def read_file(path, name):
    """Bytes of the regular file ``name`` in ``path`` (never through a link)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(os.path.join(path, name), flags)
    with os.fdopen(descriptor, "rb") as handle:
        return handle.read(MAX_FILE_BYTES + 1)[:MAX_FILE_BYTES]


def move_aside(path, name, where, prefix):
    """Move ``name`` into the ``where`` sub-folder (processed or failed) as
    ``<prefix>-<name>``, never over another file; returns the new name."""
    target_dir = os.path.join(path, where)
    os.makedirs(target_dir, exist_ok=True)
    target = f"{prefix}-{name}"
    os.replace(os.path.join(path, name), os.path.join(target_dir, target))
    return target


def parse_mapping(text):
    """``{payload key: column}`` of lines written ``payload_key = Column``."""
    mapping = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, column = line.partition("=")
        if not sep or not key.strip() or not column.strip():
            raise ValueError(f"mapping line {number} is not written key = Column")
        mapping[key.strip()] = column.strip()
    return mapping


def _typed(value, kinds):
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "integer" in kinds:
        return int(value)
    if "number" in kinds:
        return float(value.replace(",", ""))
    if "boolean" in kinds:
        return value.strip().lower() in ("1", "true", "yes", "y")
    return value


def csv_payloads(content, mapping, properties):
    """``[(row number, payload)]`` of a CSV file's rows, and ``[(row,
    message)]`` problems: each mapped column's text typed as the event
    type's schema ``properties`` say (numbers, integers, booleans); empty
    cells left out."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return [], [(0, f"the file is not UTF-8 text ({error.reason})")]
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in mapping.values() if column not in (reader.fieldnames or [])]
    if missing:
        return [], [(1, f"missing columns: {', '.join(missing)}")]
    rows, problems = [], []
    for number, row in enumerate(reader, start=2):
        payload = {}
        for key, column in mapping.items():
            value = (row.get(column) or "").strip()
            if not value:
                continue
            try:
                payload[key] = _typed(value, (properties.get(key) or {}).get("type", "string"))
            except ValueError:
                problems.append((number, f"{column}: {value!r} is not a number"))
        rows.append((number, payload))
    if not rows and not problems:
        problems.append((1, "the file has no rows"))
    return rows, problems
