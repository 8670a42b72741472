"""Repository-wide pytest rules.

A skipped test proves nothing, so a run with skips fails: a test that
cannot run here is a problem to fix, not a pass.
"""


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter and reporter.stats.get("skipped") and exitstatus == 0:
        session.exitstatus = 1
