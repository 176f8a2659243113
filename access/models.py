"""Access requests (调阅申请) and staff handovers (员工调离交接).

The rights themselves live in ``customers`` (guardian's rows, with their expiry); these models keep the
paperwork around them: who asked to read which customer and what the director answered, and which customers a
departing manager handed to whom. The readings themselves are in ``customers.AccessRecord`` (查阅登记).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from archive.models import TrailRecord
from customers.models import Customer


def _user(verbose_name, **kwargs):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        **kwargs,
    )


class AccessRequest(models.Model):
    """调阅申请: a manager or clerk asks to read a customer they do not keep; the director lends it or refuses.

    Granting writes a lent ``view_customer`` right that expires at ``expires_at``; the request keeps the answer.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the director")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REVOKED = "revoked", _("Revoked")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="access_requests"
    )
    requester = _user(_("requested by"))
    requester_name = models.CharField(_("requested by"), max_length=150)
    # What the requester typed (the credit code or the full name): all they may be shown until they may read it.
    key = models.CharField(_("looked up by"), max_length=200, blank=True)
    reason = models.TextField(_("reason"))
    days = models.PositiveSmallIntegerField(_("days asked for"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = _user(_("decided by"))
    decided_by_name = models.CharField(_("decided by"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("director's comment"), blank=True)
    expires_at = models.DateTimeField(_("access until"), null=True, blank=True)

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["-requested_at", "-id"]
        permissions = [("decide_accessrequest", _("Can grant or refuse access requests"))]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "requester"],
                condition=Q(state="pending"),
                name="accessrequest_one_pending",
                violation_error_message=_("You already asked to read this customer; the director has not answered."),
            ),
            models.CheckConstraint(condition=Q(days__gte=1), name="accessrequest_days_positive"),
        ]
        indexes = [
            models.Index(fields=["state", "requested_at"], name="accessrequest_state_idx"),
            models.Index(fields=["requester", "-requested_at"], name="accessrequest_requester_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.requester_name} → {self.customer_id}"

    @classmethod
    def trail_label(cls, record) -> str:
        return record.requester_name


class Handover(models.Model):
    """员工调离交接: a departing manager's customers handed to others by the director, in one step.

    The items say which customer went to whom and in which role; the names are copied so the record reads the
    same after an account is deleted.
    """

    from_user = _user(_("handed over by"))
    from_name = models.CharField(_("handed over by"), max_length=150)
    performed_by = _user(_("performed by"))
    performed_by_name = models.CharField(_("performed by"), max_length=150)
    performed_at = models.DateTimeField(_("performed at"), auto_now_add=True)
    note = models.TextField(_("reason"), blank=True)
    deactivated = models.BooleanField(_("account deactivated"), default=False)

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-performed_at", "-id"]

    def __str__(self):
        return f"#{self.pk} {self.from_name}"


class HandoverItem(models.Model):
    """One customer of a handover: the role the departing manager held and who holds it now."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Account manager")
        CO_OWNER = "co_owner", _("Co-manager")

    handover = models.ForeignKey(Handover, verbose_name=_("handover"), on_delete=models.CASCADE, related_name="items")
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    customer_name = models.CharField(_("customer name"), max_length=200)
    archive_no = models.CharField(_("archive number"), max_length=20, blank=True)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    to_user = _user(_("handed to"))
    to_name = models.CharField(_("handed to"), max_length=150)
    # What moved with the customer beside the card, by kind: {"requests": 2, "drafts": 1, "complaints": 1}.
    moved = models.JSONField(_("moved with it"), default=dict, blank=True)

    class Meta:
        verbose_name = _("handed-over customer")
        verbose_name_plural = _("handed-over customers")
        ordering = ["handover", "customer_name", "id"]

    def __str__(self):
        return f"{self.customer_name} → {self.to_name}"
