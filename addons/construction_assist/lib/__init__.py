"""Plain-Python learning of the assist: no ``odoo`` import, no database."""
