"""``manage.py export_customers OUT.xlsx --user USERNAME``: the register export, for administrators.

It reads through the same selector and filters as the list page, so it holds exactly the rows ``--user`` may
read, and it is entered in the access register like any export.
"""

from __future__ import annotations

from pathlib import Path
from shutil import copyfileobj

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from django.utils.translation import gettext as _

from customers import exports, selectors, services
from customers.filtersets import CustomerFilterSet
from customers.models import AccessRecord


class Command(BaseCommand):
    help = "Export the customer register that USER may read, filtered as on the list page, to an Excel workbook."

    def add_arguments(self, parser):
        parser.add_argument("out", help="the .xlsx file to write")
        parser.add_argument("--user", required=True, help="login name whose rights decide the rows")
        parser.add_argument("--q", help="search: name, short name, credit code or contact")
        parser.add_argument("--grade", action="append", default=[], help="A, B, C or D (repeatable)")
        parser.add_argument("--region", help="region id")
        parser.add_argument("--lifecycle", help="potential, current or past")
        parser.add_argument("--tier", help="key, general or sporadic")
        parser.add_argument("--nature", help="nature value, such as ordinary")
        parser.add_argument("--status", help="draft, pending, returned or filed")
        parser.add_argument("--owner", help="login name of the account manager")
        parser.add_argument("--sort", help="name, grade, region, owner, lifecycle or updated; prefix - to reverse")

    def handle(self, *args, out, user, **options):
        User = get_user_model()
        try:
            reader = User.objects.get(username=user, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user {user!r}.") from None
        query = QueryDict(mutable=True)
        for name in ("q", "region", "lifecycle", "tier", "nature", "status", "sort"):
            if options.get(name):
                query[name] = options[name]
        query.setlist("grade", options["grade"])
        if options.get("owner"):
            owner = User.objects.filter(username=options["owner"]).first()
            if owner is None:
                raise CommandError(f"No user {options['owner']!r}.")
            query["owner"] = str(owner.pk)
        filterset = CustomerFilterSet(query, queryset=selectors.customer_list(user=reader))
        if not filterset.is_valid():
            raise CommandError(f"The filter is not valid: {filterset.errors.as_text()}")
        workbook, count = exports.register_workbook(filterset.qs)
        with workbook, Path(out).open("wb") as target:
            copyfileobj(workbook, target)
        services.access_record(
            user=reader,
            action=AccessRecord.Action.EXPORT,
            what=_("Customer register"),
            query=query.urlencode(),
            row_count=count,
        )
        self.stdout.write(self.style.SUCCESS(f"{count} customers written to {out}."))
