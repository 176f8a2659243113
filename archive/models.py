"""The archive core's models: the building blocks every archive model shares, and the filing records.

The core names the customer (the root every archive hangs off) only through ``settings.ARCHIVE_ROOT_MODEL``,
as ``django.contrib.admin`` names the user model, so it imports no app that builds on it.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import Category, FilingStatus


class TrailRecord(models.Model):
    """Base of every historical (change trail) table.

    The acting user's name is copied onto the row so the trail still says who acted after the account is
    deleted (``history_user`` is set to NULL then).
    """

    history_user_name = models.CharField(_("acted by"), max_length=150, blank=True)

    class Meta:
        abstract = True


class TimeStamped(models.Model):
    """When a record was created and last saved (bookkeeping, left out of the trail's diffs)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class LiveManager(models.Manager):
    """The entries that are not in the recycle bin: what every page, list, export and count reads."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class FiledEntry(models.Model):
    """An archive entry that enters the archive only through a director's approval (审批入档).

    ``status`` walks draft → pending → filed, or pending → returned → pending again. ``entry_no`` is the
    entry's place in its customer's catalogue within its category (``1-003``), given when it is first filed.
    An approved deletion sets ``deleted_at``: the entry is in the recycle bin, hidden by ``objects`` and
    restorable from ``all_objects``. ``version`` counts saves so a stale edit or change request is refused.
    """

    status = models.CharField(
        _("filing status"), max_length=10, choices=FilingStatus.choices, default=FilingStatus.DRAFT
    )
    entry_no = models.PositiveIntegerField(_("entry number"), null=True, blank=True, editable=False)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True, editable=False)
    deleted_at = models.DateTimeField(_("in the recycle bin since"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    # The archive category the entry is numbered in; each concrete model names its own.
    filing_category: Category = Category.BASIC

    objects = LiveManager()
    all_objects = models.Manager()  # noqa: DJ012 - ruff takes models.Manager() for a field; it is the bin's manager

    class Meta:
        abstract = True

    @property
    def entry_code(self) -> str:
        """The entry's number inside its customer's archive: category, then entry (``1-003``)."""
        return f"{int(self.filing_category)}-{self.entry_no:03d}" if self.entry_no else ""

    @property
    def is_filed(self) -> bool:
        return self.status == FilingStatus.FILED

    @property
    def is_editable_draft(self) -> bool:
        """Authors edit only drafts and returned entries; a filed entry changes through a change request."""
        return self.status in (FilingStatus.DRAFT, FilingStatus.RETURNED) and self.deleted_at is None


class Counter(models.Model):
    """A gap-free number sequence: archive numbers per year, entry numbers per customer and category.

    The next number is taken under a row lock inside the transaction that uses it, so concurrent approvals
    queue on the row and a rolled-back approval gives its number back.
    """

    key = models.CharField(_("key"), max_length=60, unique=True)
    value = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self):
        return f"{self.key}: {self.value}"


class FilingRequest(models.Model):
    """A request waiting for a director: file a new entry, change a filed one, or delete one (审批单).

    ``proposed`` holds a change request's new values by field name, serialised; ``base_version`` is the
    entry's version the request was made against, so a request overtaken by another change is refused.
    """

    class Kind(models.TextChoices):
        FILING = "filing", _("Filing")
        CHANGE = "change", _("Change")
        DELETION = "deletion", _("Deletion")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    kind = models.CharField(_("request type"), max_length=10, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    content_type = models.ForeignKey(ContentType, verbose_name=_("entry type"), on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField(_("entry id"))
    entry = GenericForeignKey("content_type", "object_id")
    customer = models.ForeignKey(
        settings.ARCHIVE_ROOT_MODEL,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="filing_requests",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="filing_requests",
    )
    author_name = models.CharField(_("submitted by"), max_length=150)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    note = models.TextField(_("reason"), blank=True)
    proposed = models.JSONField(_("proposed values"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    base_version = models.PositiveIntegerField(_("version of the entry"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by_name = models.CharField(_("decided by"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("director's comment"), blank=True)

    class Meta:
        verbose_name = _("filing request")
        verbose_name_plural = _("filing requests")
        ordering = ["submitted_at", "id"]
        permissions = [
            ("decide_filingrequest", _("Can approve or return filing requests")),
            ("restore_entry", _("Can restore entries from the recycle bin")),
        ]
        constraints = [
            # An entry waits for at most one filing and one deletion at a time; change requests may queue.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind"],
                condition=Q(state="pending") & ~Q(kind="change"),
                name="filingrequest_one_pending_per_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "submitted_at"], name="filingrequest_state_idx"),
            models.Index(fields=["content_type", "object_id"], name="filingrequest_entry_idx"),
            models.Index(fields=["author", "state"], name="filingrequest_author_idx"),
            # The approvals badge on every page a director opens counts the pending requests of cards outside the
            # recycle bin: from this index and the card's deleted_at index alone, not the requests' rows.
            models.Index(
                fields=["customer", "author"], condition=Q(state="pending"), name="filingrequest_pending_idx"
            ),
        ]

    def __str__(self):
        return f"#{self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING


class Notification(models.Model):
    """An in-app message to an author: their request was approved or returned."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    request = models.ForeignKey(
        FilingRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self):
        return f"{self.recipient_id}: {self.request_id}"
