"""The complaint pages: the permission matrix, the list's filters and overdue highlight, the forms and the timeline.

Every write URL answers 404 to a user who cannot see the customer and 403 to one who reads it without keeping it;
a refused form comes back with the error next to its field and leaves the database as it was.
"""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import constants
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.choices import FilingStatus
from archive.models import FilingRequest
from complaints import services
from complaints.models import Complaint, ComplaintStep

from ..helpers import (
    LOGIN,
    SIGNED_IN,
    assert_matrix,
    file_through_approval,
    form_data,
    queries_text,
    shown_messages,
)
from .conftest import closed, make_complaint, return_data, return_lines

pytestmark = pytest.mark.django_db

SEES_A = {"director", "archivist", "owner", "co_owner", "granted_manager", "group_clerk", "admin"}
CHANGES_A = {"director", "owner", "co_owner", "admin"}
KEEPS_SOMEONE = {"director", "owner", "co_owner", "other_manager", "admin"}
SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime.datetime(2026, 4, 1, 9, 0, tzinfo=SHANGHAI)


def _row(allowed: set, refused: int) -> dict:
    return {"anonymous": LOGIN, **{role: 200 if role in allowed else refused for role in SIGNED_IN}}


def _read_a() -> dict:
    return {"anonymous": LOGIN, **{role: 200 if role in SEES_A else 404 for role in SIGNED_IN}}


def _write_a(done=200) -> dict:
    """A write on a complaint of A: keepers get ``done``; readers who may not change get 403; the rest 404."""
    return {
        "anonymous": LOGIN,
        **{role: done if role in CHANGES_A else 403 if role in SEES_A else 404 for role in SIGNED_IN},
    }


def _pks(response, row_class="complaint-row") -> list[int]:
    page = response.content.decode()
    return [int(pk) for pk in re.findall(rf'<tr class="{row_class}[^"]*" data-pk="(\d+)"', page)]


def _overdue_pks(response) -> list[int]:
    page = response.content.decode()
    return [int(pk) for pk in re.findall(r'<tr class="complaint-row[^"]*complaint-overdue[^"]*" data-pk="(\d+)"', page)]


def _body(customer, **changes) -> dict:
    received = timezone.localtime(timezone.now() - datetime.timedelta(hours=3))
    body = {
        "customer": str(customer.pk),
        "received_at": received.strftime("%Y-%m-%dT%H:%M"),
        "channel": "phone",
        "category": "quality",
        "severity": "major",
        "subject": "泵体渗漏",
        "content": "新到的两台离心泵泵体渗漏。",
        "order": "",
        "contact": "",
        "their_people": "设备科 王工",
        "handler": "",
        "our_people": "",
    }
    body.update(changes)
    return body


def _closing(**changes) -> dict:
    body = {
        "result": "更换泵体，上门安装调试。",
        "responsibility": "production",
        "responsibility_note": "铸件气孔。",
        "satisfaction": "4",
        "closed_on": timezone.localdate().isoformat(),
    }
    body.update(changes)
    return body


# ---- The permission matrix ------------------------------------------------------------------------------------


def test_the_list_is_open_to_every_signed_in_user(client, people, world, complaint_a, complaint_b):
    assert_matrix(client, people, "/complaints/", _row(set(SIGNED_IN), 200))


def test_the_complaint_page_is_read_through_its_customer(client, people, world, complaint_a):
    assert_matrix(client, people, f"/complaints/{complaint_a.pk}/", _read_a())


def test_every_write_url_is_for_the_keepers_only(client, people, world, complaint_a):
    pk = complaint_a.pk
    assert_matrix(client, people, f"/complaints/{pk}/edit/", _write_a())
    assert_matrix(client, people, f"/complaints/{pk}/close/", _write_a())
    for url in (f"/complaints/{pk}/edit/", f"/complaints/{pk}/close/", f"/complaints/{pk}/steps/"):
        assert_matrix(client, people, url, _write_a(), method="post", data={})
    assert_matrix(client, people, f"/complaints/{pk}/reopen/", _write_a(), method="post", data={})
    assert not ComplaintStep.objects.exists()
    complaint_a.refresh_from_db()
    assert (complaint_a.state, complaint_a.version) == ("open", 1)


def test_a_new_complaint_is_for_those_who_keep_a_customer(client, people, world):
    assert_matrix(client, people, "/complaints/new/", _row(KEEPS_SOMEONE, 403))
    assert_matrix(client, people, "/complaints/new/", _row(KEEPS_SOMEONE, 403), method="post", data={})
    preselected = _write_a()
    assert_matrix(client, people, f"/complaints/new/?customer={world['a'].pk}", preselected)
    assert not Complaint.objects.exists()


def test_the_step_and_reopen_urls_answer_only_to_post(client, world, complaint_a):
    client.force_login(world["owner"])
    assert client.get(f"/complaints/{complaint_a.pk}/steps/").status_code == 405
    assert client.get(f"/complaints/{complaint_a.pk}/reopen/").status_code == 405


def test_a_reader_sees_no_write_buttons(client, world, complaint_a):
    client.force_login(world["granted_manager"])
    page = client.get(f"/complaints/{complaint_a.pk}/").content.decode()
    for marker in ('id="step-form"', 'id="close-complaint"', 'id="edit-entry"', 'id="submit-entry"'):
        assert marker not in page
    page = client.get("/complaints/").content.decode()
    assert 'id="new-complaint"' not in page


# ---- The list -------------------------------------------------------------------------------------------------


@pytest.fixture
def spread(world, time_machine):
    """Complaints received on different days, of A and of B, in different categories and states."""
    time_machine.move_to(T0, tick=False)
    a, b = world["a"], world["b"]
    days = lambda n: T0 - datetime.timedelta(days=n)  # noqa: E731
    made = {
        "a_quality_old": make_complaint(world, a, received_at=days(20), category="quality", severity="minor"),
        "a_delivery": make_complaint(world, a, received_at=days(5), category="delivery", severity="minor"),
        "a_recent": make_complaint(world, a, received_at=days(1), category="price", subject="发票抬头错误"),
        "b_quality": make_complaint(world, b, received_at=days(2), category="quality", severity="critical"),
    }
    made["a_delivery"] = closed(world, made["a_delivery"], satisfaction=2)
    services.step_add(actor=world["owner"], complaint_id=made["a_recent"].pk, action="电话联系财务")
    return made


def test_the_list_shows_what_the_user_may_read(client, world, spread):
    client.force_login(world["owner"])
    response = client.get("/complaints/")
    assert set(_pks(response)) == {spread[k].pk for k in ("a_quality_old", "a_delivery", "a_recent")}
    client.force_login(world["director"])
    response = client.get("/complaints/")
    assert _pks(response) == [spread[k].pk for k in ("a_recent", "b_quality", "a_delivery", "a_quality_old")]
    totals = response.content.decode().split('id="totals-row"')[1]
    assert "4" in totals and 'id="totals-overdue"' in totals


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=closed", {"a_delivery"}),
        ("state=handling", {"a_recent"}),
        ("state=open", {"a_quality_old", "b_quality"}),
        ("category=quality", {"a_quality_old", "b_quality"}),
        ("severity=critical", {"b_quality"}),
        ("q=发票", {"a_recent"}),
        ("received_from=2026-03-27&received_to=2026-03-31", {"a_delivery", "a_recent", "b_quality"}),
        ("received_to=2026-03-12", {"a_quality_old"}),
        ("overdue=on", {"a_quality_old", "b_quality"}),
        ("status=draft&category=price", {"a_recent"}),
    ],
)
def test_the_list_filters(client, world, spread, query, expected):
    client.force_login(world["director"])
    response = client.get(f"/complaints/?{query}")
    assert response.status_code == 200
    assert set(_pks(response)) == {spread[key].pk for key in expected}


def test_the_customer_and_owner_filters(client, world, spread):
    client.force_login(world["director"])
    response = client.get(f"/complaints/?customer={world['b'].pk}")
    assert _pks(response) == [spread["b_quality"].pk]
    assert world["b"].name in response.content.decode().split('role="search"')[1]
    assert f'href="/complaints/new/?customer={world["b"].pk}"' in response.content.decode()
    response = client.get(f"/complaints/?owner={world['owner'].pk}")
    assert set(_pks(response)) == {spread[k].pk for k in ("a_quality_old", "a_delivery", "a_recent")}


def test_the_list_sorts_by_due_time_and_satisfaction(client, world, spread):
    client.force_login(world["director"])
    due = _pks(client.get("/complaints/?sort=due"))
    assert due[0] == spread["a_quality_old"].pk
    rows = _pks(client.get("/complaints/?sort=-satisfaction&state=closed"))
    assert rows == [spread["a_delivery"].pk]


def test_a_dissatisfied_customer_is_shown_red_and_the_steps_are_counted(client, world, spread):
    client.force_login(world["owner"])
    page = client.get("/complaints/").content.decode()
    row = re.search(rf'data-pk="{spread["a_delivery"].pk}">(.*?)</tr>', page, re.S).group(1)
    assert "dissatisfied" in row and "text-danger" in row
    row = re.search(rf'data-pk="{spread["a_recent"].pk}">(.*?)</tr>', page, re.S).group(1)
    assert re.search(r'<td class="text-end">1</td>', row)


def test_an_empty_list_says_so(client, world):
    client.force_login(world["owner"])
    page = client.get("/complaints/?category=packaging").content.decode()
    assert 'id="no-complaints"' in page
    assert str(_("No complaint matches these filters.")) in page


# ---- Overdue, at its boundary ---------------------------------------------------------------------------------


def test_an_open_complaint_is_highlighted_exactly_once_past_due(client, world, time_machine):
    time_machine.move_to(T0, tick=False)
    complaint = make_complaint(world, world["a"], severity="critical", received_at=T0 - datetime.timedelta(hours=1))
    other = make_complaint(world, world["a"], severity="critical", received_at=T0 - datetime.timedelta(hours=1))
    other = closed(world, other)
    assert complaint.due_at == T0 + datetime.timedelta(hours=23)
    client.force_login(world["owner"])

    time_machine.move_to(complaint.due_at, tick=False)
    response = client.get("/complaints/")
    assert set(_pks(response)) == {complaint.pk, other.pk}
    assert _overdue_pks(response) == []
    assert 'id="complaint-overdue"' not in client.get(f"/complaints/{complaint.pk}/").content.decode()

    time_machine.move_to(complaint.due_at + datetime.timedelta(minutes=1), tick=False)
    response = client.get("/complaints/")
    assert _overdue_pks(response) == [complaint.pk]
    page = response.content.decode()
    assert "table-danger" in re.search(rf'<tr class="([^"]*)" data-pk="{complaint.pk}"', page).group(1)
    assert 'class="badge text-bg-danger overdue-badge"' in page
    assert set(_pks(client.get("/complaints/?overdue=on"))) == {complaint.pk}
    detail = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert 'id="complaint-overdue"' in detail

    time_machine.move_to(complaint.due_at + datetime.timedelta(days=3), tick=False)
    page = client.get("/complaints/").content.decode()
    assert _overdue_pks(client.get("/complaints/")) == [complaint.pk]
    assert re.search(r"overdue-badge[^>]*><i[^>]*></i>[^<]*3", page)


# ---- Recording and editing ------------------------------------------------------------------------------------


def test_a_complaint_is_recorded_through_the_form(client, world, order_a):
    client.force_login(world["owner"])
    unchosen = client.get("/complaints/new/").context["form"]
    assert unchosen.fields["order"].disabled and not unchosen.fields["order"].queryset.exists()
    form = client.get(f"/complaints/new/?customer={world['a'].pk}").context["form"]
    assert form.initial["customer"] == world["a"].pk
    assert not form.fields["order"].disabled
    assert list(form.fields["order"].queryset) == [order_a]
    response = client.post("/complaints/new/", _body(world["a"], order=str(order_a.pk)))
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/complaints/{complaint.pk}/"
    assert (complaint.customer, complaint.order, complaint.status) == (world["a"], order_a, FilingStatus.DRAFT)
    assert complaint.due_at == complaint.received_at + datetime.timedelta(hours=72)
    page = client.get(response["Location"]).content.decode()
    assert "泵体渗漏" in page and f'href="/orders/{order_a.pk}/"' in page


def test_the_new_form_defaults_to_now_and_the_user_as_handler(client, world, time_machine):
    time_machine.move_to(T0, tick=False)
    client.force_login(world["owner"])
    page = client.get("/complaints/new/").content.decode()
    now = timezone.localtime().strftime("%Y-%m-%dT%H:")
    assert re.search(rf'type="datetime-local" name="received_at" value="{now}\d\d"', page)
    assert re.search(rf'<option value="{world["owner"].pk}" selected>', page)


def test_another_customers_order_is_refused_next_to_the_field(client, world, order_a, order_b):
    client.force_login(world["director"])
    response = client.post("/complaints/new/", _body(world["a"], order=str(order_b.pk)))
    assert response.status_code == 200
    assert response.context["form"].errors["order"]
    assert 'value="泵体渗漏"' in response.content.decode()
    assert not Complaint.objects.exists()


def test_the_service_refusal_of_a_future_reception_is_shown_by_its_field(client, world):
    client.force_login(world["owner"])
    future = timezone.localtime() + datetime.timedelta(days=1)
    response = client.post("/complaints/new/", _body(world["a"], received_at=future.strftime("%Y-%m-%dT%H:%M")))
    assert response.status_code == 200
    assert str(_("A complaint cannot be received in the future.")) in response.context["form"].errors["received_at"]
    assert not Complaint.objects.exists()


def test_a_manager_cannot_record_a_complaint_for_another_managers_customer(client, world):
    client.force_login(world["other_manager"])
    response = client.post("/complaints/new/", _body(world["a"]))
    assert response.status_code == 200
    assert response.context["form"].errors["customer"]
    assert not Complaint.objects.exists()


def test_an_open_complaint_is_edited_and_a_stale_edit_is_refused(client, world, complaint_a):
    client.force_login(world["owner"])
    form = client.get(f"/complaints/{complaint_a.pk}/edit/").context["form"]
    assert "customer" not in form.fields and form["version"].value() == 1
    response = client.post(f"/complaints/{complaint_a.pk}/edit/", _body(world["a"], subject="改过的主题", version="1"))
    assert response.status_code == 302
    complaint_a.refresh_from_db()
    assert (complaint_a.subject, complaint_a.version) == ("改过的主题", 2)

    services.complaint_update(actor=world["co_owner"], complaint_id=complaint_a.pk, data={"subject": "同事的主题"})
    response = client.post(f"/complaints/{complaint_a.pk}/edit/", _body(world["a"], subject="我的主题", version="2"))
    assert response.status_code == 200
    assert response.context["conflict"]
    assert 'id="edit-conflict"' in response.content.decode()
    complaint_a.refresh_from_db()
    assert complaint_a.subject == "同事的主题"


# ---- The handling timeline ------------------------------------------------------------------------------------


def test_a_step_is_added_and_shown_on_the_timeline(client, world, complaint_a):
    client.force_login(world["co_owner"])
    response = client.post(f"/complaints/{complaint_a.pk}/steps/", {"action": "电话回访，约定周五上门"})
    assert response.status_code == 302
    assert response["Location"] == f"/complaints/{complaint_a.pk}/#timeline"
    step = ComplaintStep.objects.get()
    assert (step.complaint, step.actor) == (complaint_a, world["co_owner"])
    complaint_a.refresh_from_db()
    assert complaint_a.state == "handling"
    page = client.get(f"/complaints/{complaint_a.pk}/").content.decode()
    assert f'id="step-{step.pk}"' in page and "约定周五上门" in page


def test_the_timeline_lists_the_steps_oldest_first(client, world, complaint_a):
    received = complaint_a.received_at
    for minutes, action in ((50, "第二步"), (10, "第一步"), (90, "第三步")):
        services.step_add(
            actor=world["owner"],
            complaint_id=complaint_a.pk,
            action=action,
            taken_at=received + datetime.timedelta(minutes=minutes),
        )
    client.force_login(world["director"])
    page = client.get(f"/complaints/{complaint_a.pk}/").content.decode()
    assert page.index("第一步") < page.index("第二步") < page.index("第三步")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": ""}, "action"),
        ({"action": "   "}, "action"),
        ({"action": "太早的一步", "taken_at": "2020-01-01T08:00"}, "taken_at"),
        ({"action": "未来的一步", "taken_at": "2099-01-01T08:00"}, "taken_at"),
        ({"action": "坏日期", "taken_at": "明天"}, "taken_at"),
    ],
)
def test_a_bad_step_comes_back_on_the_page_and_saves_nothing(client, world, complaint_a, body, field):
    client.force_login(world["owner"])
    response = client.post(f"/complaints/{complaint_a.pk}/steps/", body)
    assert response.status_code == 200
    assert response.context["step_form"].errors[field]
    assert 'id="step-form"' in response.content.decode()
    assert not ComplaintStep.objects.exists()


def test_no_step_is_added_to_a_closed_complaint(client, world, complaint_a):
    closed(world, complaint_a)
    client.force_login(world["owner"])
    page = client.get(f"/complaints/{complaint_a.pk}/").content.decode()
    assert 'id="step-form"' not in page
    response = client.post(f"/complaints/{complaint_a.pk}/steps/", {"action": "补一步"})
    assert response.status_code == 200
    assert str(_("The complaint is closed; reopen it to add a step.")) in response.content.decode()
    assert not ComplaintStep.objects.exists()


# ---- Closing and reopening ------------------------------------------------------------------------------------


def test_the_close_form_defaults_to_today(client, world, complaint_a):
    client.force_login(world["owner"])
    response = client.get(f"/complaints/{complaint_a.pk}/close/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'name="closed_on" value="{timezone.localdate().isoformat()}"' in page
    assert page.count('name="satisfaction"') == 5


@pytest.mark.parametrize("score", ["1", "2", "3", "5"])
def test_a_complaint_is_closed_through_the_form(client, world, complaint_a, score):
    client.force_login(world["owner"])
    response = client.post(f"/complaints/{complaint_a.pk}/close/", _closing(satisfaction=score, version="1"))
    assert response.status_code == 302
    complaint_a.refresh_from_db()
    assert (complaint_a.state, complaint_a.satisfaction) == ("closed", int(score))
    page = client.get(f"/complaints/{complaint_a.pk}/").content.decode()
    assert 'id="outcome-fields"' in page and 'id="reopen-form"' in page
    assert ('id="dissatisfied-note"' in page) is (int(score) <= 2)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"result": ""}, "result"),
        ({"responsibility": ""}, "responsibility"),
        ({"satisfaction": "0"}, "satisfaction"),
        ({"satisfaction": "6"}, "satisfaction"),
        ({"satisfaction": ""}, "satisfaction"),
        ({"closed_on": ""}, "closed_on"),
        ({"closed_on": "2020-01-01"}, "closed_on"),
        ({"closed_on": "2099-01-01"}, "closed_on"),
    ],
)
def test_a_bad_closing_is_refused_next_to_its_field(client, world, complaint_a, changes, field):
    client.force_login(world["owner"])
    response = client.post(f"/complaints/{complaint_a.pk}/close/", _closing(**changes))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert "更换泵体" in response.content.decode() or changes.get("result") == ""
    complaint_a.refresh_from_db()
    assert (complaint_a.state, complaint_a.satisfaction, complaint_a.version) == ("open", None, 1)


def test_closing_before_the_reception_day_is_refused_at_its_boundary(client, world, time_machine):
    time_machine.move_to(T0, tick=False)
    complaint = make_complaint(world, world["a"], received_at=T0 - datetime.timedelta(days=2))
    client.force_login(world["owner"])
    day_before = (T0 - datetime.timedelta(days=3)).date().isoformat()
    response = client.post(f"/complaints/{complaint.pk}/close/", _closing(closed_on=day_before))
    assert (
        str(_("A complaint cannot be closed before it was received.")) in response.context["form"].errors["closed_on"]
    )
    same_day = (T0 - datetime.timedelta(days=2)).date().isoformat()
    assert client.post(f"/complaints/{complaint.pk}/close/", _closing(closed_on=same_day)).status_code == 302


def test_a_stale_closing_is_refused(client, world, complaint_a):
    client.force_login(world["owner"])
    services.step_add(actor=world["co_owner"], complaint_id=complaint_a.pk, action="同事已处理")
    response = client.post(f"/complaints/{complaint_a.pk}/close/", _closing(version="1"))
    assert response.status_code == 200
    assert response.context["conflict"]
    complaint_a.refresh_from_db()
    assert complaint_a.state == "handling"


def test_a_closed_complaint_has_no_close_form(client, world, complaint_a):
    closed(world, complaint_a)
    client.force_login(world["owner"])
    response = client.get(f"/complaints/{complaint_a.pk}/close/")
    assert response.status_code == 302 and response["Location"] == f"/complaints/{complaint_a.pk}/"


def test_a_closed_complaint_is_reopened_with_a_reason(client, world, complaint_a):
    closed(world, complaint_a)
    client.force_login(world["owner"])
    response = client.post(f"/complaints/{complaint_a.pk}/reopen/", {"reason": ""})
    assert response.status_code == 200
    assert response.context["reopen_form"].errors["reason"]
    assert 'class="collapse show' in response.content.decode()
    complaint_a.refresh_from_db()
    assert complaint_a.state == "closed"

    response = client.post(f"/complaints/{complaint_a.pk}/reopen/", {"reason": "客户又发现两件渗漏", "version": "2"})
    assert response.status_code == 302
    complaint_a.refresh_from_db()
    assert (complaint_a.state, complaint_a.closed_on) == ("handling", None)
    page = client.get(f"/complaints/{complaint_a.pk}/").content.decode()
    assert "客户又发现两件渗漏" in page and 'id="step-form"' in page


def test_an_open_complaint_cannot_be_reopened(client, world, complaint_a):
    client.force_login(world["owner"])
    response = client.post(f"/complaints/{complaint_a.pk}/reopen/", {"reason": "再开"})
    assert response.status_code == 200
    assert str(_("The complaint is still open.")) in response.content.decode()


# ---- Filing ---------------------------------------------------------------------------------------------------


def test_submitting_an_open_complaint_is_refused_with_a_clear_message(client, world, complaint_a):
    client.force_login(world["owner"])
    url = f"/complaints/{complaint_a.pk}/"
    page = client.get(url).content.decode()
    assert 'id="close-before-filing"' in page
    response = client.post(f"/entries/complaints.complaint/{complaint_a.pk}/submit/", {"next": url})
    assert response.status_code == 302 and response["Location"] == url
    (message,) = shown_messages(response)
    assert message == (
        constants.ERROR,
        str(_("Close the complaint with its result and the customer's satisfaction before filing it.")),
    )
    complaint_a.refresh_from_db()
    assert complaint_a.status == FilingStatus.DRAFT


def test_a_filed_complaint_shows_its_number_and_takes_change_requests(client, world, complaint_a):
    complaint = file_through_approval(closed(world, complaint_a), author=world["owner"], decider=world["director"])
    client.force_login(world["owner"])
    page = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert f"{world['a'].archive_no} / 5-001" in page
    assert 'id="reopen-form"' not in page and 'id="close-complaint"' not in page

    form = client.get(f"/complaints/{complaint.pk}/edit/").context["form"]
    assert set(form.fields) == {"result", "responsibility", "responsibility_note", "satisfaction", "reason"}
    body = form_data(form, satisfaction="2")
    response = client.post(f"/complaints/{complaint.pk}/edit/", body)
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    response = client.post(f"/complaints/{complaint.pk}/edit/", {**body, "satisfaction": "6", "reason": "回访更正"})
    assert response.context["form"].errors["satisfaction"]
    assert not FilingRequest.objects.filter(kind="change").exists()

    response = client.post(f"/complaints/{complaint.pk}/edit/", {**body, "reason": "回访后客户改口"})
    assert response.status_code == 302
    request = FilingRequest.objects.get(kind="change")
    assert request.proposed == {"satisfaction": 2}
    complaint.refresh_from_db()
    assert complaint.satisfaction == 4


def test_a_pending_complaint_cannot_be_edited(client, world, complaint_a):
    from archive import filing

    filing.entry_submit(actor=world["owner"], entry=closed(world, complaint_a))
    client.force_login(world["owner"])
    response = client.get(f"/complaints/{complaint_a.pk}/edit/")
    assert response.status_code == 302
    assert client.get(f"/complaints/{complaint_a.pk}/close/").status_code == 302


# ---- What followed --------------------------------------------------------------------------------------------


def test_the_returns_and_discounts_following_a_complaint_are_listed(client, world, order_a):
    complaint = make_complaint(world, world["a"], order=order_a)
    entry = services.return_create(
        actor=world["owner"],
        order_id=order_a.pk,
        data=return_data(complaint=complaint),
        lines=return_lines(order_a, "2"),
    )
    discount = services.discount_request(
        actor=world["owner"],
        order_id=order_a.pk,
        data={"mode": "amount", "amount": Decimal("100.00"), "reason": "补偿", "complaint": complaint},
    )
    client.force_login(world["owner"])
    page = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert f'href="/complaints/returns/{entry.pk}/"' in page
    assert f'href="/complaints/discounts/{discount.pk}/"' in page
    assert f'href="/complaints/returns/new/?order={order_a.pk}&amp;complaint={complaint.pk}"' in page


# ---- Query counts ---------------------------------------------------------------------------------------------


def test_the_list_query_count_does_not_grow_with_the_rows(client, world, django_assert_max_num_queries):
    def add(count):
        for n in range(count):
            complaint = make_complaint(world, world["a" if n % 2 else "b"], subject=f"投诉{n}")
            if n % 3 == 0:
                services.step_add(actor=world["director"], complaint_id=complaint.pk, action="跟进")
            if n % 4 == 0:
                closed(world, complaint, satisfaction=1 + n % 5)

    add(3)
    client.force_login(world["director"])
    client.get("/complaints/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/complaints/").status_code == 200
    add(27)
    with django_assert_max_num_queries(len(few.captured_queries), info=queries_text(few)):
        response = client.get("/complaints/")
    assert len(_pks(response)) == 30
