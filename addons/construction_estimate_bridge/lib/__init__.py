"""Plain-Python helpers of the estimate bridge: no ``odoo`` import, no database."""
