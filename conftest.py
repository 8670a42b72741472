"""Repository-wide pytest rules.

* Odoo's test modules are imported while pytest collects, before
  pytest-odoo marks the session as a test run; mark it first, as Odoo's own
  test runner does, so Odoo does not log a false "not in test mode" error.
* A skipped test proves nothing, so a run with skips fails: a test that
  cannot run here is a problem to fix, not a pass.
"""

import threading

threading.current_thread().testing = True


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter and reporter.stats.get("skipped") and exitstatus == 0:
        session.exitstatus = 1
