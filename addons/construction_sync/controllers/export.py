"""Odoo's XLSX export, with text written as text.

The export writes cells with xlsxwriter's ``write``, which reads a string
starting with ``=`` as a formula (and ``{=...}`` as an array formula): a
note, a label or an estimate line a platform sent as ``=HYPERLINK(...)``
would become a live formula in the spreadsheet of whoever exports it.
Every string is written with ``write_string`` instead, so the cell holds
exactly the text that was stored, whichever model is exported. (Odoo's CSV
export already prefixes such text with an apostrophe.)
"""

from odoo.addons.web.controllers import export


class _TextCells:
    def write(self, row, column, cell_value, style=None):
        if isinstance(cell_value, str):
            return self.worksheet.write_string(row, column, cell_value, style)
        return super().write(row, column, cell_value, style)


class TextXlsxWriter(_TextCells, export.ExportXlsxWriter):
    pass


class TextGroupXlsxWriter(_TextCells, export.GroupExportXlsxWriter):
    pass


class ExcelExport(export.ExcelExport):
    def from_group_data(self, fields, columns_headers, groups):
        with TextGroupXlsxWriter(fields, columns_headers, groups.count) as xlsx_writer:
            x, y = 1, 0
            for group_name, group in groups.children.items():
                x, y = xlsx_writer.write_group(x, y, group_name, group)
        return xlsx_writer.value

    def from_data(self, fields, columns_headers, rows):
        with TextXlsxWriter(fields, columns_headers, len(rows)) as xlsx_writer:
            for row_index, row in enumerate(rows):
                for cell_index, cell_value in enumerate(row):
                    xlsx_writer.write_cell(row_index + 1, cell_index, cell_value)
        return xlsx_writer.value
