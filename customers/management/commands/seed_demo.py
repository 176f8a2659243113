"""``manage.py seed_demo``: the demo archive of DESIGN §6, created once and left alone on later runs."""

from __future__ import annotations

import io
import time
from collections import Counter

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from archive import filing
from archive.choices import FilingStatus
from archive.history import save_with_trail
from archive.models import FilingRequest
from archive.registry import registry
from customers import permissions, services
from customers.demo_data import (
    ATTACHMENT_HEADINGS,
    ATTACHMENT_NOTE,
    GRADE_REASON,
    HANDOVER_REASON,
    PASSWORD,
    REGION_CLERK,
    REGION_CLERK_GROUP,
    REGION_CLERK_GROUP_REGION,
    REGIONS,
    STATUS_REASONS,
    USERS,
    AttachmentPlan,
    CardEdit,
    ChangeRequestPlan,
    CustomerPlan,
    build_customers,
)
from customers.models import Attachment, Contact, CoOwner, Customer, Interaction, Region

User = get_user_model()

CO_OWNER_REASON = "重要客户，增设协同经理"
REGION_REASON = "演示数据：建立销售区域"


class Command(BaseCommand):
    help = (
        "Fill the archive with demo users (password demo-pass-2026), regions and about sixty customers with "
        "contacts, interactions, documents and a change trail, filed through the director's approval, with "
        "requests still waiting. Safe to run again: what exists is left as it is."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        with transaction.atomic():
            seeder = DemoSeeder(today=timezone.localdate(), log=self.stdout.write if options["verbosity"] > 1 else None)
            created = seeder.run()
            for step in registry.demo_steps:
                created.update(step.run(today=seeder.today, log=seeder.log))
        elapsed = time.monotonic() - started

        made = ", ".join(f"{n} {what}" for what, n in created.items() if n) or "nothing (all demo data was there)"
        self.stdout.write(f"Created: {made}.")
        states = Counter(Customer.objects.values_list("status", flat=True))
        waiting = Counter(
            FilingRequest.objects.filter(state=FilingRequest.State.PENDING).values_list("kind", flat=True)
        )
        self.stdout.write(
            "The archive now holds "
            f"{User.objects.count()} users, {Region.objects.count()} regions, {Customer.objects.count()} customers "
            f"({states[FilingStatus.FILED]} filed, {states[FilingStatus.PENDING]} pending, "
            f"{states[FilingStatus.RETURNED]} returned, {states[FilingStatus.DRAFT]} drafts; "
            f"{CoOwner.objects.values('customer').distinct().count()} co-owned), "
            f"{Contact.objects.count()} contacts, {Interaction.objects.count()} interactions, "
            f"{Attachment.objects.count()} attachments "
            f"({Attachment.objects.filter(status=FilingStatus.FILED).count()} filed), "
            f"{Customer.history.count()} card versions in the change trail."
        )
        self.stdout.write(
            "Requests waiting for the director: "
            f"filing {waiting[FilingRequest.Kind.FILING]}, change {waiting[FilingRequest.Kind.CHANGE]}, "
            f"deletion {waiting[FilingRequest.Kind.DELETION]}. "
            f"Customers in the recycle bin: {Customer.all_objects.filter(deleted_at__isnull=False).count()}."
        )
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {elapsed:.1f} s. Log in with password {PASSWORD}."))


class DemoSeeder:
    """Creates what the demo tables describe and does not exist yet, through the services.

    Users are found by username, regions by code, customers by credit code (by name for the private persons
    who have none), the recycle bin included. An existing customer is skipped with everything on it, so a
    second run adds nothing. Every filing, change and deletion goes through ``archive.filing``: the owner
    asks, the director decides, so numbers come from the counters and the authors get their notifications.
    """

    def __init__(self, *, today, log=None):
        self.today = today
        self.log = log or (lambda message: None)
        self.created: Counter[str] = Counter()

    def run(self) -> Counter[str]:
        self.users = self.ensure_users()
        self.director = self.users["director"]
        self.regions = self.ensure_regions()
        known = Customer.all_objects.all()
        existing_codes = set(known.exclude(credit_code="").values_list("credit_code", flat=True))
        existing_names = set(known.filter(credit_code="").values_list("name", flat=True))
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
            self.edit_card(customer, edit)
        for edit in plan.contact_edits:
            services.contact_update(actor=users[edit.actor], contact_id=contacts[edit.index].pk, data=edit.data)
        self.set_status(customer, plan)
        for attachment in plan.attachments:
            self.add_attachment(customer, attachment)
        for change in plan.change_requests:
            self.propose_change(customer, change)
        if plan.deletion:
            self.request_deletion(customer, plan)
        return customer

    def edit_card(self, customer: Customer, edit: CardEdit) -> None:
        services.customer_update(
            actor=self.users[edit.actor],
            customer_id=customer.pk,
            data=edit.data,
            expected_version=None,
            reason=edit.reason,
        )

    def set_status(self, customer: Customer, plan: CustomerPlan) -> None:
        """Take the card as far as the plan says: the owner submits, the director returns or files it.

        The owner submits even a card the director opened, since no one decides on their own request.
        """
        if plan.status == FilingStatus.DRAFT:
            return
        owner = self.users[plan.owner]
        request = filing.entry_submit(actor=owner, entry=customer, note=STATUS_REASONS["submitted"])
        if plan.return_comment:
            filing.request_return(actor=self.director, request_id=request.pk, comment=plan.return_comment)
            if plan.rework:
                self.edit_card(customer, plan.rework)
                request = filing.entry_submit(actor=owner, entry=customer, note=STATUS_REASONS["resubmitted"])
        if plan.status == FilingStatus.FILED:
            filing.request_approve(actor=self.director, request_id=request.pk)
        self.created[f"{plan.status} cards"] += 1

    def add_attachment(self, customer: Customer, plan: AttachmentPlan) -> Attachment:
        """Upload a placeholder scan and take it as far towards the archive as the plan says."""
        actor = self.users[plan.actor]
        upload = SimpleUploadedFile(
            plan.file_name, placeholder_scan(plan.kind, customer.credit_code), content_type="image/png"
        )
        attachment = services.attachment_create(
            actor=actor, customer_id=customer.pk, upload=upload, kind=plan.kind, title=plan.title
        )
        self.created["attachments"] += 1
        if plan.status == FilingStatus.DRAFT:
            return attachment
        request = filing.entry_submit(actor=actor, entry=attachment, note=ATTACHMENT_NOTE)
        if plan.status == FilingStatus.RETURNED:
            filing.request_return(actor=self.director, request_id=request.pk, comment=plan.comment)
        elif plan.status == FilingStatus.FILED:
            filing.request_approve(actor=self.director, request_id=request.pk)
            if plan.proposed:
                services.attachment_change_propose(
                    actor=actor, attachment_id=attachment.pk, data=plan.proposed, note=plan.proposal_note
                )
                self.created["change requests"] += 1
        return attachment

    def propose_change(self, customer: Customer, plan: ChangeRequestPlan) -> None:
        request = services.card_change_propose(
            actor=self.users[plan.actor], customer_id=customer.pk, data=plan.data, note=plan.note
        )
        if plan.decision == "approved":
            filing.request_approve(actor=self.director, request_id=request.pk)
        elif plan.decision == "returned":
            filing.request_return(actor=self.director, request_id=request.pk, comment=plan.comment)
        self.created["change requests"] += 1

    def request_deletion(self, customer: Customer, plan: CustomerPlan) -> None:
        deletion = plan.deletion
        request = filing.deletion_request(actor=self.users[deletion.actor], entry=customer, note=deletion.note)
        self.created["deletion requests"] += 1
        if deletion.approved:
            filing.request_approve(actor=self.director, request_id=request.pk)
            self.created["moved to the recycle bin"] += 1


def placeholder_scan(kind: str, credit_code: str = "") -> bytes:
    """A small PNG standing in for a scanned document: a bordered page, a heading, text lines and a seal."""
    width, height = 600, 400
    image = Image.new("RGB", (width, height), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((12, 12, width - 13, height - 13), outline=(150, 110, 60), width=4)
    draw.rectangle((24, 24, width - 25, height - 25), outline=(190, 160, 110), width=1)

    def centred(top: int, text: str, size: int, fill) -> None:
        # Without FreeType Pillow falls back to a bitmap font, which knows no anchors: centre by measuring.
        font = ImageFont.load_default(size=size)
        left, _, right, _ = draw.textbbox((0, 0), text, font=font)
        draw.text(((width - (right - left)) / 2 - left, top), text, fill=fill, font=font)

    centred(45, ATTACHMENT_HEADINGS.get(kind, ATTACHMENT_HEADINGS["other"]), 30, (60, 40, 20))
    if credit_code:
        centred(92, credit_code, 16, (80, 80, 80))
    for row in range(6):
        top = 135 + row * 34
        draw.rectangle((60, top, 60 + 300 - (row % 3) * 50, top + 10), fill=(200, 200, 200))
    draw.ellipse((420, 220, 540, 340), outline=(200, 30, 30), width=5)
    draw.regular_polygon((480, 280, 22), n_sides=5, fill=(200, 30, 30))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
