"""The customer archive card (客户档案卡) and the records kept on it.

The customer is the root of every archive: contracts, orders, receivables and complaints hang off it and are
visible exactly when it is. Read rights live only here, in guardian's direct-foreign-key tables below.
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from archive.choices import GRADE_COLOURS, Grade
from archive.models import FiledEntry, TimeStamped, TrailRecord
from archive.storage import NamedStorage

from . import choices
from .validators import postcode_validator, validate_credit_code

MONEY = {"max_digits": 16, "decimal_places": 2}


class Region(models.Model):
    """A sales region (销售区域); customers are visited region by region, route by route."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class Customer(TimeStamped, FiledEntry):
    """A customer's archive card: identity, classification, characteristics, business and trading status.

    ``owner`` is the account manager in charge (客户经理); ``co_owners`` are the further managers who keep
    contact with an important customer (协同经理). Both hold view and change rights on the card, given and
    taken through ``customers.services``. The card is the first entry of its archive: filed through approval,
    it gets the archive number (``archive_no``, ``KH-2026-00017``) and its catalogue entry ``1-001``.
    """

    # Identity (基础资料)
    name = models.CharField(_("customer name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    registered_capital = models.DecimalField(_("registered capital (CNY)"), **MONEY, null=True, blank=True)
    founded_on = models.DateField(_("founding date"), null=True, blank=True)
    organisation_form = models.CharField(
        _("organisation form"), max_length=20, choices=choices.OrganisationForm.choices, blank=True
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    business_scope = models.TextField(_("business scope"), blank=True)
    total_assets = models.DecimalField(_("total assets (CNY)"), **MONEY, null=True, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    annual_sales = models.DecimalField(_("annual sales (CNY)"), **MONEY, null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True, validators=[postcode_validator])
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    fax = models.CharField(_("fax"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    first_deal_on = models.DateField(_("first deal"), null=True, blank=True)
    data_source = models.CharField(
        _("source of the data"), max_length=20, choices=choices.DataSource.choices, default=choices.DataSource.VISIT
    )

    # Classification (客户分类)
    nature = models.CharField(
        _("nature"), max_length=20, choices=choices.Nature.choices, default=choices.Nature.ORDINARY
    )
    ownership = models.CharField(_("ownership"), max_length=20, choices=choices.Ownership.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=choices.Channel.choices, blank=True)
    location_type = models.CharField(
        _("location type"), max_length=20, choices=choices.LocationType.choices, blank=True
    )
    lifecycle = models.CharField(
        _("lifecycle"), max_length=20, choices=choices.Lifecycle.choices, default=choices.Lifecycle.POTENTIAL
    )
    tier = models.CharField(_("tier"), max_length=20, choices=choices.Tier.choices, default=choices.Tier.GENERAL)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, default=Grade.D)
    grade_override = models.CharField(
        _("grade set by hand"),
        max_length=1,
        choices=Grade.choices,
        blank=True,
        help_text=_("Leave empty to let the sales analysis decide the grade."),
    )
    # What the ABC analysis of trailing sales last said; ``grade`` is the override when there is one.
    sales_grade = models.CharField(_("grade by sales"), max_length=1, choices=Grade.choices, blank=True)
    chain_position = models.CharField(
        _("position in the chain"), max_length=20, choices=choices.ChainPosition.choices, blank=True
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="customers", null=True, blank=True
    )
    route = models.CharField(_("route"), max_length=50, blank=True)
    visit_order = models.PositiveSmallIntegerField(_("visiting order"), null=True, blank=True)
    best_visit_time = models.CharField(_("best time to visit"), max_length=50, blank=True)

    # Characteristics (客户特征)
    service_area = models.TextField(_("service area"), blank=True)
    sales_capability = models.TextField(_("sales capability"), blank=True)
    development_potential = models.TextField(_("development potential"), blank=True)
    business_philosophy = models.TextField(_("business philosophy and policies"), blank=True)
    business_scale = models.TextField(_("scale"), blank=True)
    management_style = models.TextField(_("management style"), blank=True)

    # Business status (业务状况)
    sales_performance = models.TextField(_("sales performance"), blank=True)
    staff_quality = models.TextField(_("staff quality"), blank=True)
    competitor_relations = models.TextField(_("relations with competitors"), blank=True)
    cooperation_attitude = models.TextField(_("cooperation attitude"), blank=True)
    competing_products = models.TextField(_("competing products installed"), blank=True)

    # Trading status (交易现状)
    trading_problems = models.TextField(_("problems"), blank=True)
    trading_strengths = models.TextField(_("strengths"), blank=True)
    future_plans = models.TextField(_("future plans"), blank=True)
    reputation = models.TextField(_("reputation and image"), blank=True)
    credit_standing = models.TextField(_("credit standing"), blank=True)
    trading_terms = models.TextField(_("trading terms"), blank=True)
    past_credit_issues = models.TextField(_("past credit issues"), blank=True)

    # People on our side and the card's place in the archive
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        on_delete=models.PROTECT,
        related_name="owned_customers",
    )
    co_owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("co-managers"),
        through="CoOwner",
        related_name="co_owned_customers",
        blank=True,
    )
    archive_no = models.CharField(_("archive number"), max_length=20, blank=True)
    reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name", "id"]
        permissions = [
            ("view_all_customers", _("Can view every customer's archive")),
            ("change_all_customers", _("Can change every customer's archive")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="customer_credit_code_unique",
                violation_error_message=_("Another card in the archive already has this credit code."),
            ),
            models.UniqueConstraint(
                fields=["archive_no"], condition=~Q(archive_no=""), name="customer_archive_no_unique"
            ),
            models.CheckConstraint(condition=Q(grade__in=Grade.values), name="customer_grade_valid"),
            models.CheckConstraint(
                condition=Q(grade_override="") | Q(grade_override__in=Grade.values),
                name="customer_grade_override_valid",
            ),
            models.CheckConstraint(
                condition=Q(sales_grade="") | Q(sales_grade__in=Grade.values), name="customer_sales_grade_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["name", "id"], name="customer_name_id_idx"),
            models.Index(fields=["owner", "name"], name="customer_owner_name_idx"),
            models.Index(fields=["grade", "name"], name="customer_grade_name_idx"),
            models.Index(fields=["region", "name"], name="customer_region_name_idx"),
            models.Index(fields=["status"], name="customer_status_idx"),
            models.Index(fields=["lifecycle"], name="customer_lifecycle_idx"),
            models.Index(fields=["credit_code"], name="customer_credit_code_idx"),
            # Every page that counts cards counts those outside the recycle bin: with this index a director's list
            # counts 100,000 cards from a narrow index instead of reading every wide card row (SQLite: 3 ms
            # instead of 40), and records joined to their card (the approvals badge) check that the card is not
            # in the bin from the index alone. SQLite's planner takes a partial index on ``id`` only before
            # ANALYZE, so it is a plain one, which also finds the recycle bin's cards.
            models.Index(fields=["deleted_at", "id"], name="customer_deleted_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("customers:detail", args=[self.pk])

    def clean(self):
        super().clean()
        self.normalise()
        # The unique constraint's own check reads the default manager, which does not see the recycle bin;
        # a binned card still holds its code, so name it here rather than fail on the database constraint.
        if self.credit_code and (
            Customer.all_objects.filter(credit_code=self.credit_code, deleted_at__isnull=False)
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError(
                {"credit_code": _("A card in the recycle bin has this credit code: ask the archivist to restore it.")},
                code="credit_code_in_bin",
            )

    def normalise(self) -> None:
        """The card's derived values: the credit code as filed, the grade in force."""
        self.credit_code = (self.credit_code or "").strip().upper()
        self.grade = self.grade_override or self.sales_grade or self.grade

    @property
    def grade_colour(self) -> str:
        return GRADE_COLOURS[self.grade]

    @property
    def is_key(self) -> bool:
        """Key customers (主力客户, or grade A) are the ones the archive must hold most completely."""
        return self.tier == choices.Tier.KEY or self.grade == Grade.A

    @classmethod
    def trail_label(cls, record) -> str:
        return record.name


class CoOwner(models.Model):
    """A further account manager who shares the care of an important customer (协同经理)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="co_ownerships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("co-manager"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("co-manager")
        verbose_name_plural = _("co-managers")
        constraints = [models.UniqueConstraint(fields=["customer", "user"], name="coowner_customer_user_unique")]

    def __str__(self):
        return f"{self.customer_id} / {self.user_id}"

    @classmethod
    def trail_label(cls, record) -> str:
        return ""


class Contact(TimeStamped):
    """A person on the customer's side, with a personal profile for the key people (Mackay 66 in spirit)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=choices.Gender.choices, blank=True)
    title = models.CharField(_("position"), max_length=50, blank=True)
    department = models.CharField(_("department"), max_length=50, blank=True)
    department_role = models.CharField(
        _("department role"),
        max_length=20,
        choices=choices.DepartmentRole.choices,
        default=choices.DepartmentRole.OTHER,
    )
    level = models.CharField(
        _("level"), max_length=20, choices=choices.ContactLevel.choices, default=choices.ContactLevel.USER
    )
    is_key_person = models.BooleanField(_("key person"), default=False)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    mobile = models.CharField(_("mobile"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    # Personal profile (个人档案)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    education = models.CharField(_("education"), max_length=50, blank=True)
    personality = models.TextField(_("personality"), blank=True)
    hobbies = models.TextField(_("hobbies"), blank=True)
    family = models.TextField(_("family"), blank=True)
    background = models.TextField(_("background and career"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_key_person", "name", "id"]
        indexes = [models.Index(fields=["customer", "name"], name="contact_customer_name_idx")]

    def __str__(self):
        return self.name

    @classmethod
    def trail_label(cls, record) -> str:
        return record.name

    @property
    def age(self) -> int | None:
        if self.birthday is None:
            return None
        from django.utils import timezone

        today = timezone.localdate()
        return today.year - self.birthday.year - ((today.month, today.day) < (self.birthday.month, self.birthday.day))


class Interaction(TimeStamped):
    """A contact with the customer (交往记录): visit, call, letter, fax, e-mail or meeting, with the next step."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="interactions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=choices.InteractionKind.choices)
    occurred_on = models.DateField(_("date"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("our staff"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    their_people = models.CharField(_("their people"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    content = models.TextField(_("content"), blank=True)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_on = models.DateField(_("next step due"), null=True, blank=True)

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["customer", "-occurred_on"], name="interaction_customer_date_idx")]

    def __str__(self):
        return f"{self.occurred_on:%Y-%m-%d} {self.subject}"

    @classmethod
    def trail_label(cls, record) -> str:
        return record.subject


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name is random: the user's file name is kept in ``original_name`` and never touches the disk.
    suffix = PurePosixPath(filename).suffix.lower()
    return f"customers/{instance.customer_id}/{uuid.uuid4().hex}{suffix}"


attachment_storage = NamedStorage("attachments")


class Attachment(FiledEntry):
    """A scanned document of the archive (business licence, ID copy, signed form), served only after a rights check.

    A document is an entry of the basic-information category: filed through approval, numbered ``1-00n``.
    """

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=choices.AttachmentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=attachment_path, storage=attachment_storage, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("customers:attachment-download", args=[self.customer_id, self.pk])

    @classmethod
    def trail_label(cls, record) -> str:
        return record.title


class AccessRecord(models.Model):
    """查阅登记: who opened, downloaded or exported which archive, when and from where.

    Append-only, and not part of the change trail: it records reading, not changing. The user's name is copied
    so the register survives a deleted account.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Opened the card")
        DOWNLOAD = "download", _("Downloaded an attachment")
        EXPORT = "export", _("Exported")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    user_name = models.CharField(_("user"), max_length=150)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    what = models.CharField(_("what"), max_length=200, blank=True)
    query = models.TextField(_("filter"), blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("access record")
        verbose_name_plural = _("access register")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"], name="access_user_at_idx")]

    def __str__(self):
        return f"{self.user_name} {self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


def import_path(instance: "ImportRecord", filename: str) -> str:
    # As with attachments, the stored name is random; the user's file name is kept in ``file_name``.
    suffix = PurePosixPath(filename).suffix.lower()
    return f"{uuid.uuid4().hex}{suffix}"


import_storage = NamedStorage("imports")


class ImportRecord(models.Model):
    """导入记录: one customer list uploaded for import, kept with the file itself.

    The file is stored when it is first previewed, so the confirmed import reads exactly the rows the importer
    checked; the counts say what the preview found and what the import created. Like the access register it
    is a log, not an archive entry: it has no change trail of its own (the cards it creates do).
    """

    class State(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        IMPORTED = "imported", _("Imported")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    user_name = models.CharField(_("user"), max_length=150)
    file = models.FileField(_("file"), upload_to=import_path, storage=import_storage, max_length=200)
    file_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PREVIEWED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    problem_count = models.PositiveIntegerField(_("problems"), default=0)
    imported_count = models.PositiveIntegerField(_("customers imported"), default=0)
    # The problems as the import found them: once the valid rows are cards, checking the file again would call
    # them duplicates, so the rows left to fix are known from here.
    problems = models.JSONField(_("problems"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="import_user_created_idx")]

    def __str__(self):
        return f"#{self.pk} {self.file_name}"

    def get_absolute_url(self):
        return reverse("customers:import-preview", args=[self.pk])


class CustomerRight(models.Model):
    """What a user's and a group's right on one customer carry beside guardian's user/group, permission and object.

    ``expires_at`` ends a lent right (调阅): the permission gateway counts a right only while it is unexpired, so
    an expired right stops at its minute even if ``manage.py purge_expired_grants`` has not removed the row yet.
    Keepers' rights and the director's standing grants never expire. Every grant and revocation is kept in the
    change trail and appears in the customer's timeline.
    """

    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted at"), null=True, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def live(cls, now=None) -> Q:
        """The rights in force at ``now``: standing ones, and lent ones until (not including) their expiry."""
        return Q(expires_at__isnull=True) | Q(expires_at__gt=now or timezone.now())

    def is_live(self, now=None) -> bool:
        return self.expires_at is None or self.expires_at > (now or timezone.now())


class CustomerUserObjectPermission(CustomerRight, UserObjectPermissionBase):
    """Guardian's per-user rights on one customer, with a real foreign key (fast joins, cascade on delete)."""

    content_object = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="user_permissions"
    )

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("user right on a customer")
        verbose_name_plural = _("user rights on customers")
        indexes = [
            models.Index(fields=["content_object", "permission"], name="customer_userperm_obj_idx"),
            # The gateway's question of every page a manager opens, "which customers may this user read now?",
            # answered from the index alone: a manager holds about a thousand rights rows, which were each
            # read from the table to test their permission and expiry, three times on a searched list.
            models.Index(
                fields=["user", "permission", "content_object", "expires_at"], name="customer_userperm_reader_idx"
            ),
        ]

    # The holder the trail names, read for all the rows of a timeline at once (archive.history.build_trail).
    trail_related = ("user",)

    def __str__(self):
        return f"{self.user} / {self.permission.codename} / {self.content_object_id}"

    @classmethod
    def trail_label(cls, record) -> str:
        # An account deleted since keeps its number in the trail.
        return str(record.user) if record.user is not None else f"#{record.user_id}"


class CustomerGroupObjectPermission(CustomerRight, GroupObjectPermissionBase):
    """Guardian's per-group rights on one customer (a region's clerks, for example)."""

    content_object = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="group_permissions"
    )

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("group right on a customer")
        verbose_name_plural = _("group rights on customers")
        indexes = [
            models.Index(fields=["content_object", "permission"], name="customer_groupperm_obj_idx"),
            # As for users' rights: a region's group holds tens of thousands of rights.
            models.Index(
                fields=["group", "permission", "content_object", "expires_at"], name="customer_groupperm_reader_idx"
            ),
        ]

    trail_related = ("group",)

    def __str__(self):
        return f"{self.group} / {self.permission.codename} / {self.content_object_id}"

    @classmethod
    def trail_label(cls, record) -> str:
        return str(record.group) if record.group is not None else f"#{record.group_id}"
