"""The install log of the suite on a fresh database is clean.

``bin/test`` installs the suite's modules, demo data included, into a new
database and keeps the log; a warning or error that names one of our
modules (in its logger or its message) fails the run.
"""

import os
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOG = Path(
    os.environ.get(
        "CONSTRUCTION_INSTALL_LOG",
        REPO / "var" / "log" / "construction_test-install.log",
    )
)
LINE = re.compile(r"^\d{4}-\d\d-\d\d [\d:,]+ \d+ (?P<level>[A-Z]+) \S+ (?P<logger>\S+): ")
MODULES = (
    "construction_sync",
    "construction_field_evidence",
    "construction_estimate_bridge",
    "construction_companycam",
    "construction_samsara",
    "construction_procore",
    "construction_billing",
    "construction_subcontract",
)


def records(text):
    """Log records as (level, logger, full text), continuation lines included."""
    current = None
    for line in text.splitlines():
        match = LINE.match(line)
        if match:
            if current:
                yield current
            current = [match["level"], match["logger"], line]
        elif current:
            current[2] += "\n" + line
    if current:
        yield current


def test_install_log_has_no_warning_or_error_from_the_suite():
    assert LOG.is_file(), f"{LOG} is missing: bin/test writes it when it installs the test database"
    text = LOG.read_text(encoding="utf-8", errors="replace")
    for module in MODULES:
        assert f"Loading module {module} (" in text, f"{module} was not installed"
        assert f"loading {module}/demo/" in text or module != "construction_sync", "no demo data"
    problems = [
        body
        for level, logger, body in records(text)
        if level in {"WARNING", "ERROR", "CRITICAL"}
        and ("construction" in logger or "construction" in body)
    ]
    assert not problems, "\n\n".join(problems)


def test_records_parser_catches_a_warning_from_the_suite():
    sample = (
        "2026-11-23 06:29:38,259 7409 INFO db odoo.modules.loading: loading 1 modules\n"
        "2026-11-23 06:29:38,260 7409 WARNING db odoo.addons.construction_sync.models.x: bad\n"
        "Traceback line\n"
        "2026-11-23 06:29:38,261 7409 ERROR db odoo.sql_db: other\n"
    )
    parsed = list(records(sample))
    assert [level for level, _logger, _body in parsed] == ["INFO", "WARNING", "ERROR"]
    assert parsed[1][1] == "odoo.addons.construction_sync.models.x"
    assert parsed[1][2].endswith("Traceback line")
