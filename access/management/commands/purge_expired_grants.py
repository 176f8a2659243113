"""``manage.py purge_expired_grants``: remove the lent rights that have run out.

An expired right already counts for nothing (the permission gateway checks the expiry at every read); this only
tidies the rows away, each with its row in the change trail. Granted access requests keep their state: their
expiry says the loan is over.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from customers import permissions

from ...selectors import requests as selectors


class Command(BaseCommand):
    help = "Remove expired lent read rights (access requests and group grants); each removal is kept in the trail."

    def handle(self, *args, **options):
        now = timezone.now()
        with transaction.atomic():
            removed = permissions.purge_expired(now=now)
        expired = selectors.expired_granted_requests(now=now).count()
        self.stdout.write(f"Removed {removed} expired right(s); {expired} granted access request(s) have expired.")
