"""Repository-wide pytest rules.

A skipped test proves nothing, so a run with skips fails: a test that
cannot run here is a problem to fix, not a pass.
"""

import importlib

import pytest


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_cmdline_main(config):
    """Import Odoo's test framework as what it is here: a test run.

    pytest-odoo imports ``odoo.tests`` while it reads Odoo's configuration,
    before it switches Odoo to test mode (it does so per test module, since
    test mode during the registry load would make Odoo run every installed
    module's tests). Odoo 18 logs that import outside test mode as an ERROR,
    with a stack, to catch business code importing test helpers. Importing
    it first, in test mode, logs the usual line instead; Odoo's configuration
    is read afterwards, by pytest-odoo, and sets test mode back as it wants.
    """
    if config.getoption("--odoo-database", None) or config.getoption("--odoo-config", None):
        odoo_config = importlib.import_module("odoo.tools").config
        odoo_config["test_enable"] = True
        tests_common = importlib.import_module("odoo.tests.common")
        _wait_longer_for_chrome(tests_common)
    return (yield)


BROWSER_START_SECONDS = 90


def _wait_longer_for_chrome(tests_common):
    """Give headless Chromium time to start on a cold or busy machine.

    Odoo waits 10 s for Chromium's DevTools port and then *skips* the tour.
    On a fresh CI machine the first start (nothing in the page cache, the
    install and other jobs competing for two cores) has taken longer, and a
    skipped tour here fails the run. Waiting longer changes nothing when
    Chromium starts quickly: Odoo polls the port file and returns as soon as
    it appears.
    """
    sleep = tests_common.CHECK_BROWSER_SLEEP
    tests_common.CHECK_BROWSER_ITERATIONS = int(BROWSER_START_SECONDS / sleep)
    tests_common.BROWSER_WAIT = BROWSER_START_SECONDS


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter and reporter.stats.get("skipped") and exitstatus == 0:
        session.exitstatus = 1
