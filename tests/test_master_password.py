"""Odoo's master password is this machine's own, never the repository's.

``odoo.conf`` is committed, so it holds no ``admin_passwd``; servers started
by ``bin/run``, ``bin/bench`` and ``bin/prove`` read ``var/odoo-server.conf``,
which ``server_config`` (``bin/common.sh``) writes from ``odoo.conf`` plus a
random password made once per machine in ``var/admin-passwd``.
"""

import configparser
import stat
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def read_config(path):
    parser = configparser.ConfigParser()
    parser.read(path)
    return {section: dict(parser[section]) for section in parser.sections()}


def server_config():
    """Run ``server_config`` as the bin/ commands do; returns the path it sets."""
    result = subprocess.run(
        ["bash", "-c", 'source bin/common.sh && server_config && echo "$SERVER_CONF"'],
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(result.stdout.strip().splitlines()[-1])


def test_the_committed_configuration_holds_no_master_password():
    assert "admin_passwd" not in read_config(REPO / "odoo.conf")["options"]


def test_servers_get_odoo_conf_plus_a_private_password_kept_across_starts():
    conf = server_config()
    secret = REPO / "var" / "admin-passwd"
    password = secret.read_text().strip()
    assert len(password) >= 24
    for path in (secret, conf):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path

    served = read_config(conf)
    assert served["options"].pop("admin_passwd") == password
    assert served == read_config(REPO / "odoo.conf")

    server_config()
    assert secret.read_text().strip() == password
    assert read_config(conf)["options"]["admin_passwd"] == password
