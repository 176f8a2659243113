"""``manage.py grade_customers [--as-of YYYY-MM-DD] [--user USERNAME]``: the ABC grading (客户分级), e.g. nightly.

Without ``--user`` the grading runs as the system (the trail says so); with it, as that user, who needs the
right to grade customers (the sales director).
"""

from __future__ import annotations

import datetime
import time

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from contracts.grading import customers_grade


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of takes a date as YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = "Grade every customer A/B/C/D by its filed sales in the trailing window (ABC analysis)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="last day of the window, YYYY-MM-DD (default: today)")
        parser.add_argument("--user", help="login name of the director who runs the grading (default: the system)")

    def handle(self, *args, as_of=None, user=None, **options):
        actor = None
        if user:
            User = get_user_model()
            try:
                actor = User.objects.get(username=user, is_active=True)
            except User.DoesNotExist:
                raise CommandError(f"No active user {user!r}.") from None
        started = time.monotonic()
        try:
            result = customers_grade(actor=actor, as_of=_date(as_of) if as_of else None)
        except PermissionDenied:
            raise CommandError(f"{user} may not grade customers.") from None
        elapsed = time.monotonic() - started

        out = self.stdout
        out.write(
            f"ABC grading as of {result.as_of:%Y-%m-%d}: orders after {result.window_start:%Y-%m-%d} "
            f"up to {result.window_end:%Y-%m-%d}, sales {result.total_sales:,.2f}"
        )
        out.write(f"{result.customers} customers graded")
        out.write("grade  by sales  shown")
        for grade, count in result.by_sales_grade.items():
            out.write(f"{grade:<5}  {count:>8}  {result.by_grade[grade]:>5}")
        out.write(f"{result.overrides_differing} overridden grades differ from the grade by sales")
        out.write(self.style.SUCCESS(f"{result.changed} customers changed in {elapsed:.2f} s"))
