from odoo import models

from ..exceptions import LockedPeriodError


class ResCompany(models.Model):
    _inherit = "res.company"

    def _construction_check_lock(self, day):
        """Refuse field actuals dated in a period the company has locked
        (fiscal year or hard lock date): they would change closed figures."""
        self.ensure_one()
        violations = self._get_lock_date_violations(
            day, fiscalyear=True, sale=False, purchase=False, tax=False, hard=True
        )
        if violations:
            raise LockedPeriodError(
                self.env._(
                    "%(day)s falls in a locked accounting period of %(company)s (%(locks)s): "
                    "nothing was posted. Date the entry after the lock, or have an adviser "
                    "reopen the period, then replay the event.",
                    day=day,
                    company=self.name,
                    locks=self._format_lock_dates(violations),
                )
            )
