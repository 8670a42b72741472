"""Plain-Python helpers of the sync hub: no ``odoo`` import, no database."""
