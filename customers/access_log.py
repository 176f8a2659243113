"""查阅登记: every reading of the archive (an opened card, a served document, an export) leaves one row.

A view calls :func:`register` while it answers; the rows are written by :class:`AccessLogMiddleware` once the
view has returned its response, outside the view's own transaction and in one insert, and only for a
response that was actually given (below 400): a refused (403), unseen (404) or failed (500) reading leaves
nothing, nor does a ``HEAD`` request, which is answered without the card or the file. Lists register nothing,
so a page of fifty customers costs nothing here.

What counts as a reading:

- **Opening the card** (``VIEW``): the card page, and the card's change trail (``/customers/<pk>/history/``),
  which shows every value the card and its records ever held and so reads the card by another way in. The
  catalogue (目录) lists titles and numbers only, like a list, and registers nothing; nor do the category
  pages of one entry (a contract, a complaint), which are not the archive card.
- **Serving a document** (``DOWNLOAD``): every file of a customer's archive (attachments, contract scans,
  credit evidence), shown in the browser or saved, with its title in ``what``.
- **Exporting** (``EXPORT``): every workbook of customer data, with ``query`` and ``row_count``. ``query`` is
  the filter of the customer list as a query string (``grade=A&region=3``, the same parameters as
  ``/customers/``); an export of another list stores that list's address with its filter
  (``/credit/aging/?as_of=2026-07-15``), so the audit page can link to exactly the list that was exported.
"""

from __future__ import annotations

import ipaddress

from archive.history import user_display

from .models import AccessRecord, Customer

Action = AccessRecord.Action


def register(
    request,
    action: str,
    *,
    customer: Customer | int | None = None,
    what: str = "",
    query: str = "",
    row_count: int | None = None,
) -> AccessRecord:
    """Note that ``request.user`` read something; the row is written after the response (no query here).

    ``customer`` is the customer or its id (a view that holds only ``entry.customer_id`` need not load it).
    """
    user = request.user if request.user.is_authenticated else None
    record = AccessRecord(
        user=user,
        user_name=user_display(user),
        action=action,
        what=str(what)[:200],
        query=query,
        row_count=row_count,
        address=client_address(request),
    )
    if isinstance(customer, Customer):
        record.customer = customer
    elif customer is not None:
        record.customer_id = customer
    request.__dict__.setdefault("_access_records", []).append(record)
    return record


def client_address(request) -> str | None:
    """The reader's address as the server saw it (``REMOTE_ADDR``); anything that is not an IP address is dropped,
    as a server on a Unix socket may pass an empty or symbolic one that the address column would refuse."""
    value = (request.META.get("REMOTE_ADDR") or "").strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def list_filter(request, list_url: str) -> str:
    """``query`` of an export of the list at ``list_url`` (not the customer list): its address with the filter."""
    params = request.GET.urlencode()
    return f"{list_url}?{params}" if params else list_url


class AccessLogMiddleware:
    """Write the readings a view registered, after it answered (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        records = request.__dict__.pop("_access_records", None)
        if records and response.status_code < 400 and request.method != "HEAD":
            AccessRecord.objects.bulk_create(records)
        return response
