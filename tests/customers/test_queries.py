"""The list and the card cost a fixed number of queries, however many customers and records the archive holds."""

import datetime
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers import services
from customers.choices import AttachmentKind, InteractionKind

from ..factories import make_customer
from ..helpers import image_bytes, queries_text, upload

# Every page pays two for the navigation's counts: unread decisions for everyone, waiting approvals for directors.
LIST_CEILING = 14
# The card measured 16–19 queries before credit (the director's the most: global rights, the approvals count);
# credit's section adds 4 (profile, open receivables, orders not yet filed, repayment plans), the complaints
# section 4 (complaints with their counters, returns, discounts, churn records with their plans). Every category
# app that registers a card section adds a fixed number, and should raise this ceiling knowingly, never because
# a section grew with the records it shows.
CARD_CEILING = 28
# The trail page: the request's own (session, user, rights, the card, the navigation's counts, the access record),
# one query asking every tracked model whether the card has history in it, one per model that has, and one per
# related model the page's diffs name besides the card itself (it was 44 when every tracked model was read).
HISTORY_CEILING = 22
READERS = ("owner", "director")


def _add_customers(people, count: int) -> list:
    """``count`` customers through the services, alternately kept by ``owner`` and ``other_manager``, each with
    two contacts and two interactions (the same path the pages write through, rights and trail included)."""
    made = []
    for i in range(count):
        keeper = people["owner"] if i % 2 == 0 else people["other_manager"]
        customer = make_customer(keeper, co_owners=[people["co_owner"]] if i % 5 == 0 else ())
        _add_records(keeper, customer, contacts=2, interactions=2)
        made.append(customer)
    return made


def _add_records(keeper, customer, *, contacts=0, interactions=0, attachments=0):
    for n in range(contacts):
        services.contact_create(
            actor=keeper, customer_id=customer.pk, data={"name": f"联系人{n}", "is_key_person": n == 0}
        )
    for n in range(interactions):
        services.interaction_create(
            actor=keeper,
            customer_id=customer.pk,
            data={"kind": InteractionKind.VISIT, "occurred_on": datetime.date(2026, 1, 1 + n), "subject": f"拜访{n}"},
        )
    for n in range(attachments):
        services.attachment_create(
            actor=keeper,
            customer_id=customer.pk,
            upload=upload(f"scan{n}.png", image_bytes("PNG"), "image/png"),
            kind=AttachmentKind.OTHER,
        )


def _count(client, user, url):
    """The queries of one page view, once the process-wide caches (content types…) are warm."""
    client.force_login(user)
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx), ctx, response


def _measure(client, people, card) -> dict:
    counts = {}
    for role in READERS:
        counts[("list", role)] = _count(client, people[role], "/customers/")[:2]
        counts[("card", role)] = _count(client, people[role], f"/customers/{card.pk}/")[:2]
    return counts


def test_list_and_card_cost_the_same_for_10_and_200_customers(client, people, record_property):
    started = time.perf_counter()
    first = _add_customers(people, 10)
    small = _measure(client, people, first[0])

    _add_customers(people, 190)
    seconds = time.perf_counter() - started
    large = _measure(client, people, first[0])

    # The pages really show the larger archive: a full first page for both readers.
    client.force_login(people["owner"])
    page = client.get("/customers/").context["page_obj"]
    assert page.paginator.count == 100 and len(page.object_list) == 50
    client.force_login(people["director"])
    assert client.get("/customers/").context["page_obj"].paginator.count == 200

    report = {f"{page}/{role}": (small[page, role][0], large[page, role][0]) for page, role in small}
    record_property("query_counts_10_vs_200", report)
    record_property("seconds_to_build_200_customers", round(seconds, 1))
    print(f"\nqueries (10 customers, 200 customers): {report}; built 200 customers in {seconds:.1f}s")

    for key in small:
        (n_small, ctx_small), (n_large, ctx_large) = small[key], large[key]
        assert n_small == n_large, (
            f"{key}: {n_small} queries for 10 customers, {n_large} for 200.\n"
            f"With 10:\n{queries_text(ctx_small)}\nWith 200:\n{queries_text(ctx_large)}"
        )
        ceiling = LIST_CEILING if key[0] == "list" else CARD_CEILING
        assert n_large <= ceiling, f"{key}: {n_large} queries > {ceiling}:\n" + queries_text(ctx_large)


@pytest.mark.parametrize("role", READERS)
def test_the_card_costs_the_same_for_few_and_many_records(client, people, role):
    customer = make_customer(people["owner"], co_owners=[people["co_owner"]])
    _add_records(people["owner"], customer, contacts=1, interactions=1, attachments=1)
    few, _ctx, _response = _count(client, people[role], f"/customers/{customer.pk}/")

    _add_records(people["owner"], customer, contacts=9, interactions=25, attachments=4)
    many, ctx, response = _count(client, people[role], f"/customers/{customer.pk}/")
    assert "联系人8" in response.content.decode()
    assert few == many, f"{few} queries with one record of each kind, {many} with many:\n" + queries_text(ctx)
    assert many <= CARD_CEILING, queries_text(ctx)


@pytest.mark.parametrize("role", READERS)
def test_the_history_page_costs_the_same_for_few_and_many_versions(client, people, role):
    customer = make_customer(people["owner"])
    url = f"/customers/{customer.pk}/history/"
    services.customer_update(actor=people["owner"], customer_id=customer.pk, data={"phone": "0"})
    # One record of each kind: the trail looks up related objects (the contact's customer, the interaction's
    # staff) with one query per related model, so those queries belong to the short trail too.
    _add_records(people["owner"], customer, contacts=1, interactions=1)
    few, _ctx, _response = _count(client, people[role], url)

    for n in range(1, 30):
        services.customer_update(actor=people["owner"], customer_id=customer.pk, data={"phone": str(n)})
    _add_records(people["owner"], customer, contacts=5, interactions=5)
    many, ctx, _response = _count(client, people[role], url)
    assert few == many, f"{few} queries for a short trail, {many} for a long one:\n" + queries_text(ctx)


def test_the_history_page_reads_only_the_tracked_models_the_card_has_history_in(
    client, people, django_assert_max_num_queries
):
    customer = make_customer(people["owner"], co_owners=[people["co_owner"]])
    _add_records(people["owner"], customer, contacts=3, interactions=3, attachments=1)
    for n in range(60):
        services.customer_update(actor=people["owner"], customer_id=customer.pk, data={"phone": str(n)})
    client.force_login(people["director"])
    url = f"/customers/{customer.pk}/history/"
    assert client.get(url).status_code == 200

    for page in ("", "?page=2"):
        with django_assert_max_num_queries(HISTORY_CEILING):
            response = client.get(url + page)
        assert response.context["page_obj"].paginator.num_pages == 2
        assert 0 < len(response.context["entries"]) <= 50
