"""What the benchmarks run inside Odoo's process share: their options (the
database, the addons path, the configuration file) and Odoo configured
with them."""

import odoo


def add_database_arguments(parser):
    parser.add_argument("--db", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--config", default="odoo.conf")


def configure(args):
    """Odoo's configuration: the file, the addons path and the database."""
    odoo.tools.config.parse_config(
        ["-c", args.config, f"--addons-path={args.addons_path}", "-d", args.db]
    )


def open_registry(args):
    """Odoo configured (:func:`configure`), with the registry of ``args.db``."""
    configure(args)
    return odoo.modules.registry.Registry(args.db)
