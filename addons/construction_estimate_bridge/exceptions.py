from odoo.exceptions import UserError


class EstimateImportError(UserError):
    """An estimate that cannot be imported: nothing was written.

    ``issues`` are the :class:`..lib.estimate_file.Issue` of the lines (row
    and column), ``blocked`` the revision changes the overwrite rule refuses.
    """

    def __init__(self, message, issues=(), blocked=()):
        super().__init__(message)
        self.issues = list(issues)
        self.blocked = list(blocked)
