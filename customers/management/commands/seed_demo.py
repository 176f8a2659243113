"""``manage.py seed_demo``: the demo archive of DESIGN §6, created once and left alone on later runs."""

from __future__ import annotations

import time
from collections import Counter

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from archive.choices import FilingStatus
from archive.history import save_with_trail
from customers import permissions, services
from customers.demo_data import (
    ARCHIVE_NO_PREFIX,
    GRADE_REASON,
    HANDOVER_REASON,
    PASSWORD,
    REGION_CLERK,
    REGION_CLERK_GROUP,
    REGION_CLERK_GROUP_REGION,
    REGIONS,
    STATUS_REASONS,
    USERS,
    CustomerPlan,
    build_customers,
)
from customers.models import Contact, CoOwner, Customer, Interaction, Region

User = get_user_model()

CO_OWNER_REASON = "重要客户，增设协同经理"
REGION_REASON = "演示数据：建立销售区域"


class Command(BaseCommand):
    help = (
        "Fill the archive with demo users (password demo-pass-2026), regions and about sixty customers with "
        "contacts, interactions and a change trail. Safe to run again: what exists is left as it is."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        with transaction.atomic():
            seeder = DemoSeeder(today=timezone.localdate(), log=self.stdout.write if options["verbosity"] > 1 else None)
            created = seeder.run()
        elapsed = time.monotonic() - started

        made = ", ".join(f"{n} {what}" for what, n in created.items() if n) or "nothing (all demo data was there)"
        self.stdout.write(f"Created: {made}.")
        self.stdout.write(
            "The archive now holds "
            f"{User.objects.count()} users, {Region.objects.count()} regions, {Customer.objects.count()} customers "
            f"({CoOwner.objects.values('customer').distinct().count()} co-owned), "
            f"{Contact.objects.count()} contacts, {Interaction.objects.count()} interactions, "
            f"{Customer.history.count()} card versions in the change trail."
        )
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {elapsed:.1f} s. Log in with password {PASSWORD}."))


class DemoSeeder:
    """Creates what the demo tables describe and does not exist yet, through the services.

    Users are found by username, regions by code, customers by credit code (by name for the private persons
    who have none). An existing customer is skipped with everything on it, so a second run adds nothing.
    """

    def __init__(self, *, today, log=None):
        self.today = today
        self.log = log or (lambda message: None)
        self.created: Counter[str] = Counter()

    def run(self) -> Counter[str]:
        self.users = self.ensure_users()
        self.director = self.users["director"]
        self.regions = self.ensure_regions()
        existing_codes = set(Customer.objects.exclude(credit_code="").values_list("credit_code", flat=True))
        existing_names = set(Customer.objects.filter(credit_code="").values_list("name", flat=True))
        for plan in build_customers(self.today):
            if plan.credit_code in existing_codes or (not plan.credit_code and plan.name in existing_names):
                continue
            self.create_customer(plan)
        self.grant_region_to_clerks()
        return self.created

    # ---- People and places -----------------------------------------------------------------------------

    def ensure_users(self) -> dict[str, User]:
        for spec in USERS:
            if not User.objects.filter(username=spec.username).exists():
                user = User(
                    username=spec.username,
                    first_name=spec.full_name,
                    last_name="",
                    email=f"{spec.username}@example.com",
                    is_staff=spec.is_superuser,
                    is_superuser=spec.is_superuser,
                )
                user.set_password(PASSWORD)
                user.save()
                self.created["users"] += 1
            if spec.role:
                # Adding a membership that exists is a no-op; without its role the user could not play its part.
                User.objects.get(username=spec.username).groups.add(Group.objects.get(name=spec.role))
        # Fetched afresh after the group changes, so no permission cache predates them.
        return {u.username: u for u in User.objects.filter(username__in=[spec.username for spec in USERS])}

    def ensure_regions(self) -> dict[str, Region]:
        for code, name, sort_order in REGIONS:
            if not Region.objects.filter(code=code).exists():
                region = Region(code=code, name=name, sort_order=sort_order)
                save_with_trail(region, actor=self.director, reason=REGION_REASON)
                self.created["regions"] += 1
        return {r.code: r for r in Region.objects.filter(code__in=[code for code, _, _ in REGIONS])}

    def grant_region_to_clerks(self) -> None:
        """The East region's clerk reads that region's cards through a group, as DESIGN §1 describes."""
        group, made = Group.objects.get_or_create(name=REGION_CLERK_GROUP)
        self.created["clerk group"] += made
        self.users[REGION_CLERK].groups.add(group)
        granted = permissions.customers_granted_to_group(group).values("pk")
        for customer in Customer.objects.filter(region__code=REGION_CLERK_GROUP_REGION).exclude(pk__in=granted):
            permissions.grant(customer, group)
            self.created["region grants"] += 1

    # ---- One customer ----------------------------------------------------------------------------------

    def create_customer(self, plan: CustomerPlan) -> Customer:
        """Open the card and live through its story: contacts, visits, grading, edits, handover, filing."""
        users = self.users
        first_owner = users[plan.first_owner]
        co_owners = [users[name] for name in plan.co_owners]
        data = {**plan.data, "region": self.regions[plan.region]}
        customer = services.customer_create(actor=users[plan.opened_by], data=data, owner=first_owner)
        self.created["customers"] += 1
        self.log(f"  {customer.name} ({plan.owner})")

        contacts = [
            services.contact_create(actor=first_owner, customer_id=customer.pk, data=contact)
            for contact in plan.contacts
        ]
        self.created["contacts"] += len(contacts)
        if co_owners:
            services.customer_assign_keepers(
                actor=self.director,
                customer_id=customer.pk,
                owner=first_owner,
                co_owners=co_owners,
                reason=CO_OWNER_REASON,
            )
        for interaction in plan.interactions:
            services.interaction_create(actor=users[interaction.staff], customer_id=customer.pk, data=interaction.data)
        self.created["interactions"] += len(plan.interactions)

        if plan.grade != customer.grade:
            # No sales analysis exists yet: the director records the grade the ABC analysis would give.
            customer.refresh_from_db()
            customer.grade = plan.grade
            save_with_trail(customer, actor=self.director, reason=GRADE_REASON)
        if plan.owner != plan.first_owner:
            services.customer_assign_keepers(
                actor=self.director,
                customer_id=customer.pk,
                owner=users[plan.owner],
                co_owners=co_owners,
                reason=HANDOVER_REASON,
            )
        for edit in plan.edits:
            services.customer_update(
                actor=users[edit.actor],
                customer_id=customer.pk,
                data=edit.data,
                expected_version=None,
                reason=edit.reason,
            )
        for edit in plan.contact_edits:
            services.contact_update(actor=users[edit.actor], contact_id=contacts[edit.index].pk, data=edit.data)
        self.set_status(customer, plan)
        return customer

    def set_status(self, customer: Customer, plan: CustomerPlan) -> None:
        """Move the card along the approval path (not built yet) by setting the state, with the trail's reason."""
        if plan.status == FilingStatus.DRAFT:
            return
        customer.refresh_from_db()
        customer.status = FilingStatus.PENDING
        save_with_trail(customer, actor=self.users[plan.owner], reason=STATUS_REASONS["submitted"])
        if plan.status == FilingStatus.RETURNED:
            customer.status = FilingStatus.RETURNED
            save_with_trail(customer, actor=self.director, reason=STATUS_REASONS["returned"])
        elif plan.status == FilingStatus.FILED:
            customer.status = FilingStatus.FILED
            customer.archive_no = self.next_archive_no(plan.filed_year)
            save_with_trail(customer, actor=self.director, reason=STATUS_REASONS["filed"])
        self.created[f"{plan.status} cards"] += 1

    @staticmethod
    def next_archive_no(year: int) -> str:
        """The year's next catalogue number (KH-2025-00001, …), after the highest one already given."""
        prefix = ARCHIVE_NO_PREFIX.format(year=year)
        last = (
            Customer.objects.filter(archive_no__startswith=prefix)
            .order_by("-archive_no")
            .values_list("archive_no", flat=True)
            .first()
        )
        seq = int(last.removeprefix(prefix)) + 1 if last else 1
        return f"{prefix}{seq:05d}"
