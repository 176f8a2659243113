"""Pages of the staff handover: who may open them, the two-step form, the record, and the handover list in Excel."""

import io

import pytest
from django.contrib.messages import SUCCESS
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from access.columns import HANDOVER_COLUMNS
from access.models import Handover, HandoverItem
from access.services.handovers import handover_execute
from access.views.handovers import HandoverListView
from archive import roles
from complaints import services as complaint_services
from customers.models import AccessRecord, Customer

from ..complaints.conftest import complaint_data
from ..factories import make_customer, make_user
from ..helpers import LOGIN, SIGNED_IN, assert_matrix, matrix_params, queries_text, shown_messages

pytestmark = pytest.mark.django_db

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def receiver(db):
    return make_user("receiver", roles.ACCOUNT_MANAGER, first_name="李四")


@pytest.fixture
def handover(world, receiver):
    return handover_execute(
        actor=world["director"], from_user=world["owner"], assignments={world["a"].pk: receiver}, note="调往华南区"
    )


def _directors_only(status=200):
    cells = {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, 403)}
    cells.update(director=status, admin=status)  # the superuser holds every permission
    return cells


MATRIX = {
    "handovers": _directors_only(),
    "handover-new": _directors_only(),
    "handover-new-step2": _directors_only(),
    "handover": _directors_only(),
    "handover-export": _directors_only(),
}


@pytest.fixture
def urls(world, handover):
    return {
        "handovers": "/access/handovers/",
        "handover-new": "/access/handovers/new/",
        "handover-new-step2": f"/access/handovers/new/?from={world['co_owner'].pk}",
        "handover": f"/access/handovers/{handover.pk}/",
        "handover-export": f"/access/handovers/{handover.pk}/list.xlsx",
    }


@pytest.mark.parametrize(("page", "expected"), matrix_params(MATRIX))
def test_permission_matrix(client, people, urls, page, expected):
    assert_matrix(client, people, urls[page], expected)


def test_the_addresses_are_the_stable_ones(handover):
    assert reverse("access:handovers") == "/access/handovers/"
    assert reverse("access:handover-new") == "/access/handovers/new/"
    assert reverse("access:handover", args=[handover.pk]) == f"/access/handovers/{handover.pk}/"
    assert reverse("access:handover-export", args=[handover.pk]) == f"/access/handovers/{handover.pk}/list.xlsx"


def test_a_post_without_the_right_is_refused_and_changes_nothing(client, people, world, receiver):
    body = {"from": world["owner"].pk, "customers": [world["a"].pk], "default_to": receiver.pk}
    expected = {role: 403 for role in SIGNED_IN if role not in ("director", "admin")}
    expected["anonymous"] = LOGIN
    assert_matrix(client, people, "/access/handovers/new/", expected, method="post", data=body, complete=False)
    assert Customer.objects.get(pk=world["a"].pk).owner == world["owner"]
    assert not Handover.objects.exists()


def test_unknown_departing_manager_is_a_404(client, world):
    client.force_login(world["director"])
    assert client.get("/access/handovers/new/?from=999999").status_code == 404
    assert client.get("/access/handovers/new/?from=abc").status_code == 404
    # A clerk keeps nobody and is no manager: not someone who can leave with customers.
    assert client.get(f"/access/handovers/new/?from={world['clerk'].pk}").status_code == 404


# ---- The form ---------------------------------------------------------------------------------------------------


def test_step_one_lists_the_managers_and_step_two_their_customers(client, world, receiver):
    owner = world["owner"]
    c = make_customer(owner, name="华东机电有限公司")
    client.force_login(world["director"])

    both = make_user("both", roles.ACCOUNT_MANAGER, roles.SALES_DIRECTOR)
    make_customer(both)

    first = client.get("/access/handovers/new/")
    assert first.status_code == 200
    html = first.content.decode()
    assert f'value="{owner.pk}"' in html and 'id="handover-form"' not in html
    choices = [value for value, _label in first.context["departing_form"].fields["from"].choices]
    assert choices.count(both.pk) == 1  # two roles, one person
    assert world["clerk"].pk not in choices and world["director"].pk not in choices

    second = client.get(f"/access/handovers/new/?from={owner.pk}")
    html = second.content.decode()
    assert 'id="handover-form"' in html
    for customer in (world["a"], c):
        assert f'name="customers" value="{customer.pk}" id="customer-{customer.pk}" checked' in html
        assert f'name="to_{customer.pk}"' in html
    assert "华东机电有限公司" in html
    # Receivers: active account managers but the departing one (not the director, not a clerk).
    form = second.context["form"]
    assert {u.username for u in form.receiver_list} == {
        "co_owner",
        "other_manager",
        "granted_manager",
        "receiver",
        "both",
    }


def test_a_manager_who_keeps_nothing_is_told_so(client, world, receiver):
    client.force_login(world["director"])
    response = client.get(f"/access/handovers/new/?from={receiver.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="nothing-kept"' in html and 'id="handover-form"' not in html


def test_step_two_costs_the_same_for_3_and_30_customers(client, world, django_assert_max_num_queries):
    manager = make_user("busy", roles.ACCOUNT_MANAGER)
    for _ in range(3):
        make_customer(manager)
    client.force_login(world["director"])
    url = f"/access/handovers/new/?from={manager.pk}"
    client.get(url)  # warm the session and the content types
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for _ in range(27):
        make_customer(manager, co_owners=[world["owner"]])
    with django_assert_max_num_queries(len(small.captured_queries), info=queries_text(small)):
        response = client.get(url)
    assert len(response.context["form"].customer_list) == 30


def test_posting_hands_over_and_shows_the_record(client, world, receiver):
    owner = world["owner"]
    c = make_customer(owner)
    d = make_customer(owner)
    client.force_login(world["director"])

    response = client.post(
        f"/access/handovers/new/?from={owner.pk}",
        {
            "from": owner.pk,
            "customers": [world["a"].pk, c.pk],
            "default_to": receiver.pk,
            f"to_{c.pk}": world["other_manager"].pk,
            f"to_{d.pk}": "",
            "note": "调往华南区",
        },
    )

    handover = Handover.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/access/handovers/{handover.pk}/"
    assert Customer.objects.get(pk=world["a"].pk).owner == receiver
    assert Customer.objects.get(pk=c.pk).owner == world["other_manager"]
    assert Customer.objects.get(pk=d.pk).owner == owner  # not ticked: stays
    assert handover.note == "调往华南区" and not handover.deactivated
    assert [level for level, _text in shown_messages(response)] == [SUCCESS]
    owner.refresh_from_db()
    assert owner.is_active


def test_a_refusal_keeps_every_choice_and_says_why(client, world, receiver):
    owner = world["owner"]
    c = make_customer(owner)
    client.force_login(world["director"])
    body = {
        "from": owner.pk,
        "customers": [world["a"].pk],  # c is left unticked: deactivating would leave it without a keeper
        f"to_{world['a'].pk}": receiver.pk,
        "note": "调离",
        "deactivate": "on",
    }

    response = client.post(f"/access/handovers/new/?from={owner.pk}", body)

    assert response.status_code == 200
    html = response.content.decode()
    form = response.context["form"]
    assert any("1" in error for error in form.non_field_errors())
    assert f'value="{world["a"].pk}" id="customer-{world["a"].pk}" checked' in html
    assert f'value="{c.pk}" id="customer-{c.pk}">' in html  # still unticked
    assert f'<option value="{receiver.pk}" selected>' in html
    assert 'name="deactivate"' in html and "checked" in html.split('name="deactivate"')[1].split(">")[0]
    assert "调离" in html
    assert Customer.objects.get(pk=world["a"].pk).owner == owner
    assert not Handover.objects.exists()


def test_a_customer_without_receiver_or_not_kept_is_refused(client, world, receiver):
    owner = world["owner"]
    client.force_login(world["director"])
    url = f"/access/handovers/new/?from={owner.pk}"

    no_receiver = client.post(url, {"from": owner.pk, "customers": [world["a"].pk]})
    assert no_receiver.status_code == 200 and no_receiver.context["form"].errors["default_to"]

    not_kept = client.post(url, {"from": owner.pk, "customers": [world["b"].pk], "default_to": receiver.pk})
    assert not_kept.status_code == 200 and not_kept.context["form"].errors["customers"]

    nobody = client.post(url, {"from": owner.pk, "default_to": receiver.pk})
    assert nobody.status_code == 200 and nobody.context["form"].errors["customers"]

    leaving = client.post(url, {"from": owner.pk, "customers": [world["a"].pk], "default_to": owner.pk})
    assert leaving.status_code == 200 and leaving.context["form"].errors["default_to"]

    assert Customer.objects.get(pk=world["b"].pk).owner == world["other_manager"]
    assert Customer.objects.get(pk=world["a"].pk).owner == owner
    assert not Handover.objects.exists()


# ---- The record and its list ------------------------------------------------------------------------------------


def test_the_list_shows_every_handover_with_its_count_and_pages(client, world, receiver, monkeypatch):
    monkeypatch.setattr(HandoverListView, "paginate_by", 2)
    owner = world["owner"]
    for customer in [make_customer(owner) for _ in range(3)]:
        handover_execute(actor=world["director"], from_user=owner, assignments={customer.pk: receiver})
    last = handover_execute(
        actor=world["director"], from_user=owner, assignments={world["a"].pk: receiver}, deactivate=True
    )
    client.force_login(world["director"])

    first = client.get("/access/handovers/")
    second = client.get("/access/handovers/?page=2")

    assert [h.pk for h in first.context["handovers"]] == [last.pk, last.pk - 1]
    assert len(second.context["handovers"]) == 2
    html = first.content.decode()
    assert f'href="/access/handovers/{last.pk}/"' in html and 'id="new-handover"' in html
    assert first.context["handovers"][0].customer_count == 1 and first.context["handovers"][0].deactivated


def test_the_list_costs_the_same_for_2_and_20_handovers(client, world, receiver, django_assert_max_num_queries):
    owner = world["owner"]
    customers = [make_customer(owner) for _ in range(20)]
    for customer in customers[:2]:
        handover_execute(actor=world["director"], from_user=owner, assignments={customer.pk: receiver})
    client.force_login(world["director"])
    client.get("/access/handovers/")
    with CaptureQueriesContext(connection) as small:
        client.get("/access/handovers/")
    for customer in customers[2:]:
        handover_execute(actor=world["director"], from_user=owner, assignments={customer.pk: receiver})
    with django_assert_max_num_queries(len(small.captured_queries), info=queries_text(small)):
        assert client.get("/access/handovers/").status_code == 200


def test_the_detail_shows_who_when_and_each_customer(client, world, receiver, handover):
    client.force_login(world["director"])
    response = client.get(f"/access/handovers/{handover.pk}/")
    html = response.content.decode()
    assert "调往华南区" in html and "李四" in html
    assert f'href="/customers/{world["a"].pk}/"' in html
    assert f'href="/access/handovers/{handover.pk}/list.xlsx"' in html
    assert client.get("/access/handovers/999999/").status_code == 404


# ---- The handover list in Excel -----------------------------------------------------------------------------------


def _sheet(response):
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=False)
    sheet = workbook.worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return sheet, rows


def test_the_excel_list_has_the_figures_a_receiver_needs(client, world, receiver):
    owner, director = world["owner"], world["director"]
    a = world["a"]
    evil = make_customer(owner, name='=HYPERLINK("http://example.com","点我")')
    complaint_services.complaint_create(actor=owner, customer_id=a.pk, data=complaint_data(handler=owner))
    handover = handover_execute(
        actor=director, from_user=owner, assignments={a.pk: receiver, evil.pk: receiver}, deactivate=True
    )
    client.force_login(director)

    response = client.get(f"/access/handovers/{handover.pk}/list.xlsx")

    assert response.status_code == 200 and response["Content-Type"] == XLSX_TYPE
    assert "attachment" in response["Content-Disposition"]
    sheet, rows = _sheet(response)
    assert sheet.freeze_panes == "A2"
    assert rows[0] == [str(column.label) for column in HANDOVER_COLUMNS]
    assert rows[0][0] == "档案编号" and rows[0][1] == "客户"  # Chinese headers
    by_name = {row[1]: dict(zip([c.name for c in HANDOVER_COLUMNS], row, strict=True)) for row in rows[1:]}
    row = by_name[a.name]
    assert (row["grade"], row["from"], row["to"]) == ("D", "owner", "李四")
    assert (row["contracts"], row["orders"], row["open_complaints"]) == (0, 0, 1)
    assert row["outstanding"] == 0
    assert row["role"] == str(HandoverItem.Role.OWNER.label)
    assert "1" in row["moved"]  # the complaint they handled
    assert '\'=HYPERLINK("http://example.com","点我")' in by_name
    assert len(rows) == 3

    records = AccessRecord.objects.filter(action=AccessRecord.Action.EXPORT)
    assert records.count() == 1
    record = records.get()
    assert (record.user, record.row_count) == (director, 2)
    assert str(handover.pk) in record.what
    assert record.query == f"/access/handovers/{handover.pk}/"


def test_the_excel_list_costs_a_fixed_number_of_queries(client, world, receiver, django_assert_max_num_queries):
    owner = world["owner"]
    few = [make_customer(owner) for _ in range(2)]
    many = [make_customer(owner) for _ in range(15)]
    small = handover_execute(actor=world["director"], from_user=owner, assignments={c.pk: receiver for c in few})
    large = handover_execute(actor=world["director"], from_user=owner, assignments={c.pk: receiver for c in many})
    client.force_login(world["director"])
    b"".join(client.get(f"/access/handovers/{small.pk}/list.xlsx").streaming_content)
    with CaptureQueriesContext(connection) as counted:
        b"".join(client.get(f"/access/handovers/{small.pk}/list.xlsx").streaming_content)
    with django_assert_max_num_queries(len(counted.captured_queries), info=queries_text(counted)):
        response = client.get(f"/access/handovers/{large.pk}/list.xlsx")
        _sheet_rows = _sheet(response)[1]
    assert len(_sheet_rows) == 16
