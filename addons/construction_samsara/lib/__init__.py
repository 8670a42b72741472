"""Plain-Python helpers of the Samsara adapter: no ``odoo`` import, no database."""
