"""After a handover, the permission matrix again: the old manager sees none of the customer, the new one all of it.

Customer A (``world``) with a filed contract, a filed order and the receivable it opened, and an open complaint,
is handed from ``owner`` to a new account manager. Every page of A and its records then answers 404 to the old
manager and 200 to the new one, every list shows the rows to the new one only, and a manager who never kept A
still gets 404. The co-manager, who stays, still reads everything.
"""

import datetime

import pytest

from access.services.handovers import handover_execute, handover_reason
from archive import roles

from ..complaints.conftest import make_complaint
from ..contracts.conftest import filed_a, make_contract, products  # noqa: F401 - fixtures shared
from ..credit.conftest import filed_order
from ..factories import make_user
from ..helpers import assert_matrix, file_through_approval

pytestmark = pytest.mark.django_db

OLD, NEW, UNRELATED, STAYS = "owner", "receiver", "other_manager", "co_owner"


@pytest.fixture
def records(world, products, filed_a):  # noqa: F811
    owner, director = world["owner"], world["director"]
    contract = file_through_approval(
        make_contract(owner, filed_a, "HT-2026-0700", "年度供货合同", datetime.date(2026, 1, 8), "200000.00"),
        author=owner,
        decider=director,
    )
    receivable = filed_order(world, products, filed_a, amount="3000.00")
    complaint = make_complaint(world, filed_a, handler=owner)
    return {
        "customer": filed_a,
        "contract": contract,
        "order": receivable.order,
        "receivable": receivable,
        "complaint": complaint,
    }


@pytest.fixture
def people_and_receiver(people):
    return {**people, NEW: make_user(NEW, roles.ACCOUNT_MANAGER, first_name="李四")}


def _pages(records) -> dict[str, str]:
    a = records["customer"].pk
    return {
        "card": f"/customers/{a}/",
        "history": f"/customers/{a}/history/",
        "contract": f"/contracts/{records['contract'].pk}/",
        "order": f"/orders/{records['order'].pk}/",
        "receivable": f"/credit/receivables/{records['receivable'].pk}/",
        "complaint": f"/complaints/{records['complaint'].pk}/",
    }


# Each list and the link its row of A carries.
LISTS = {
    "customers": ("/customers/", "card"),
    "contracts": ("/contracts/", "contract"),
    "orders": ("/orders/", "order"),
    "receivables": ("/credit/receivables/", "receivable"),
    "complaints": ("/complaints/", "complaint"),
}


def _rows_seen(client, user, pages) -> dict[str, bool]:
    client.force_login(user)
    seen = {}
    for name, (url, page) in LISTS.items():
        response = client.get(url)
        assert response.status_code == 200, url
        seen[name] = f'href="{pages[page]}"' in response.content.decode()
    client.logout()
    return seen


def test_after_a_handover_the_old_manager_sees_nothing_and_the_new_one_everything(
    client, world, records, people_and_receiver
):
    people = people_and_receiver
    pages = _pages(records)
    everywhere = dict.fromkeys(LISTS, True)
    nowhere = dict.fromkeys(LISTS, False)
    # Before: the matrix as it was, so the answers after cannot be an accident of the data.
    for url in pages.values():
        assert_matrix(client, people, url, {OLD: 200, NEW: 404, UNRELATED: 404, STAYS: 200}, complete=False)
    assert _rows_seen(client, people[OLD], pages) == everywhere
    assert _rows_seen(client, people[NEW], pages) == nowhere

    handover = handover_execute(
        actor=world["director"], from_user=people[OLD], assignments={records["customer"].pk: people[NEW]}
    )

    for url in pages.values():
        assert_matrix(client, people, url, {OLD: 404, NEW: 200, UNRELATED: 404, STAYS: 200}, complete=False)
    assert _rows_seen(client, people[OLD], pages) == nowhere
    assert _rows_seen(client, people[NEW], pages) == everywhere
    assert _rows_seen(client, people[UNRELATED], pages) == nowhere
    assert _rows_seen(client, people[STAYS], pages) == everywhere

    # The new manager reads the handover in the card's timeline.
    client.force_login(people[NEW])
    history = client.get(pages["history"]).content.decode()
    assert handover_reason(handover, "李四") in history


def test_the_new_manager_may_change_what_the_old_one_could(client, world, records, people_and_receiver):
    """Keeping a customer is reading and changing it: the edit pages follow the handover too."""
    people = people_and_receiver
    a = records["customer"].pk
    handover_execute(actor=world["director"], from_user=people[OLD], assignments={a: people[NEW]})
    for url in (f"/customers/{a}/edit/", f"/complaints/{records['complaint'].pk}/close/"):
        assert_matrix(client, people, url, {OLD: 404, NEW: 200, UNRELATED: 404}, complete=False)
