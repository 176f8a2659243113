"""Abstract building blocks every archive model shares."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
