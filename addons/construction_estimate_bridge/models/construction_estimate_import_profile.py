from odoo import fields, models

from ..lib import estimate_file


class ConstructionEstimateImportProfile(models.Model):
    _name = "construction.estimate.import.profile"
    _description = "Estimate Import Profile"
    _order = "name"
    _check_company_auto = True

    name = fields.Char(required=True)
    system_id = fields.Many2one(
        "construction.sync.system",
        string="Source System",
        check_company=True,
        help="Estimating platform whose exports this profile reads.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    active = fields.Boolean(default=True)
    column_line_id = fields.Char("Line Id Column", default="line_id", required=True)
    column_parent_id = fields.Char("Assembly Column", default="parent_id")
    column_name = fields.Char("Description Column", default="description")
    column_cost_code = fields.Char("Cost Code Column", default="cost_code", required=True)
    column_cost_type = fields.Char("Cost Type Column", default="cost_type")
    column_product = fields.Char(
        "Product Column", default="product", help="Internal reference or name of the product."
    )
    column_quantity = fields.Char("Quantity Column", default="quantity", required=True)
    column_unit = fields.Char("Unit Column", default="unit")
    column_unit_cost = fields.Char("Unit Cost Column", default="unit_cost", required=True)
    column_vendor = fields.Char("Vendor Column", default="vendor")
    column_bid_package = fields.Char("Bid Package Column", default="bid_package")
    column_alternate = fields.Char("Alternate Column", default="alternate")
    column_included = fields.Char("Included Column", default="included")
    json_lines_key = fields.Char(
        "JSON Lines Key",
        default="lines",
        help="Key of the list of lines when a JSON file is an object.",
    )
    number_format = fields.Selection(
        [
            ("auto", "Automatic (from the file's own numbers)"),
            ("point", "1,234.56 (decimal point)"),
            ("comma", "1.234,56 or 1 234,56 (decimal comma)"),
        ],
        default="auto",
        required=True,
        help="How the platform writes numbers in text cells. Automatic learns it from the "
        "numbers of each file that show it (1,234.56, 12,5, 0.75) and refuses, row by row, "
        "a number only the convention can tell, such as 1,234. Thousands may be grouped by "
        "the other mark, blanks or apostrophes; anything else is refused, never guessed.",
    )
    encoding = fields.Selection(
        [
            ("auto", "Automatic (byte order mark, else UTF-8)"),
            ("utf-8", "UTF-8"),
            ("utf-16", "UTF-16"),
            ("cp1252", "Windows-1252 (Excel's CSV on Western Windows)"),
            ("latin-1", "Latin-1 (ISO 8859-1)"),
        ],
        default="auto",
        required=True,
        help="Text encoding of the platform's CSV files (XLSX and JSON carry their own). "
        "A byte order mark in the file wins; a row with bytes the encoding cannot read is "
        "refused with the reason.",
    )
    unit_synonyms = fields.Text(
        help="One synonym a line, written platform unit = Odoo unit, e.g. SF = ft² or TN = t.",
    )

    def _column_map(self):
        """Canonical estimate field -> column name in this platform's files."""
        self.ensure_one()
        return {field: self[f"column_{field}"] for field in estimate_file.DEFAULT_COLUMNS}

    def _resolve_cost_code(self, raw, company=None):
        """The cost code written ``raw`` in a file, or an empty recordset.

        Resolved like every external reference (the sync resolver): the
        profile's system's bindings and cost code value maps, then the
        number normalized with construction_sync's rules, the company's own
        before a shared one.
        """
        company = company or self.company_id or self.env.company
        return self.env["construction.sync.resolver"]._find(
            self.system_id,
            "construction.cost.code",
            str(raw),
            kind="cost_code",
            natural=True,
            company=company,
        )
