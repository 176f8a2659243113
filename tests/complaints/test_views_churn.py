"""The churn pages: the list, the record with its win-back plan, the forms, and the lifecycle moves they lead to.

Filing a churn record through the director's approval makes the customer a past customer, with a history row that
names the record's catalogue number; a plan won back makes it a current customer again.
"""

import datetime
import re

import pytest
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.choices import FilingStatus
from archive.models import FilingRequest
from complaints import services
from complaints.models import ChurnRecord, WinBackPlan
from customers.choices import Lifecycle

from ..helpers import LOGIN, SIGNED_IN, assert_matrix, file_through_approval, shown_messages
from .conftest import churn_data

pytestmark = pytest.mark.django_db

SEES_A = {"director", "archivist", "owner", "co_owner", "granted_manager", "group_clerk", "admin"}
CHANGES_A = {"director", "owner", "co_owner", "admin"}
KEEPS_SOMEONE = {"director", "owner", "co_owner", "other_manager", "admin"}


def _row(allowed: set, refused: int) -> dict:
    return {"anonymous": LOGIN, **{role: 200 if role in allowed else refused for role in SIGNED_IN}}


def _read_a() -> dict:
    return {"anonymous": LOGIN, **{role: 200 if role in SEES_A else 404 for role in SIGNED_IN}}


def _write_a() -> dict:
    return {
        "anonymous": LOGIN,
        **{role: 200 if role in CHANGES_A else 403 if role in SEES_A else 404 for role in SIGNED_IN},
    }


def _pks(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr class="churn-row[^"]*" data-pk="(\d+)"', response.content.decode())]


def _plan(world, churn, **changes):
    data = {
        "next_steps": "总经理拜访对方采购经理，提供一年保价。",
        "target_on": timezone.localdate() + datetime.timedelta(days=14),
        "responsible": world["owner"],
        **changes,
    }
    return services.plan_save(actor=world["owner"], churn_id=churn.pk, data=data)


def _filed(world, churn):
    return file_through_approval(churn, author=world["owner"], decider=world["director"])


def _churn_body(customer, **changes) -> dict:
    body = {
        "customer": str(customer.pk),
        "churned_on": (timezone.localdate() - datetime.timedelta(days=10)).isoformat(),
        "reason_category": "price",
        "narrative": "连续两次报价高于对手，客户改从别家进货。",
        "competitor": "华北阀门",
    }
    body.update(changes)
    return body


# ---- The permission matrix ------------------------------------------------------------------------------------


def test_the_list_is_open_to_every_signed_in_user(client, people, world, churn_a):
    assert_matrix(client, people, "/complaints/churn/", _row(set(SIGNED_IN), 200))


def test_the_churn_record_is_read_through_its_customer(client, people, world, churn_a):
    assert_matrix(client, people, f"/complaints/churn/{churn_a.pk}/", _read_a())


def test_every_write_url_is_for_the_keepers_only(client, people, world, churn_a):
    pk = churn_a.pk
    for url in (f"/complaints/churn/{pk}/edit/", f"/complaints/churn/{pk}/plan/"):
        assert_matrix(client, people, url, _write_a())
        assert_matrix(client, people, url, _write_a(), method="post", data={})
    assert not WinBackPlan.objects.exists()
    _plan(world, churn_a)
    url = f"/complaints/churn/{pk}/plan/conclude/"
    assert_matrix(client, people, url, _write_a())
    assert_matrix(client, people, url, _write_a(), method="post", data={})
    churn_a.refresh_from_db()
    assert churn_a.version == 1
    assert WinBackPlan.objects.get().state == "active"


def test_a_new_churn_record_is_for_those_who_keep_a_customer(client, people, world):
    assert_matrix(client, people, "/complaints/churn/new/", _row(KEEPS_SOMEONE, 403))
    assert_matrix(client, people, f"/complaints/churn/new/?customer={world['a'].pk}", _write_a())
    assert_matrix(client, people, "/complaints/churn/new/", _row(KEEPS_SOMEONE, 403), method="post", data={})
    assert not ChurnRecord.objects.exists()


def test_concluding_without_a_plan_is_a_404(client, world, churn_a):
    client.force_login(world["owner"])
    assert client.get(f"/complaints/churn/{churn_a.pk}/plan/conclude/").status_code == 404


# ---- The list -------------------------------------------------------------------------------------------------


@pytest.fixture
def records(world, churn_a):
    late = services.churn_create(
        actor=world["other_manager"], customer_id=world["b"].pk, data=churn_data(reason_category="price")
    )
    services.plan_save(
        actor=world["other_manager"],
        churn_id=late.pk,
        data={
            "next_steps": "回访",
            "target_on": timezone.localdate() - datetime.timedelta(days=1),
            "responsible": None,
        },
    )
    _plan(world, churn_a)
    return {"a": churn_a, "b_late": late}


def test_the_list_shows_the_plans_and_highlights_late_ones(client, world, records):
    client.force_login(world["director"])
    response = client.get("/complaints/churn/")
    assert set(_pks(response)) == {records["a"].pk, records["b_late"].pk}
    page = response.content.decode()
    late_row = re.search(rf'<tr class="([^"]*)" data-pk="{records["b_late"].pk}">(.*?)</tr>', page, re.S)
    assert "win-back-late" in late_row.group(1) and "late-badge" in late_row.group(2)
    on_time = re.search(rf'<tr class="([^"]*)" data-pk="{records["a"].pk}">(.*?)</tr>', page, re.S)
    assert "win-back-late" not in on_time.group(1)
    assert "南方泵业" in on_time.group(2)


def test_the_list_filters(client, world, records):
    client.force_login(world["director"])
    assert _pks(client.get(f"/complaints/churn/?customer={world['b'].pk}")) == [records["b_late"].pk]
    assert _pks(client.get(f"/complaints/churn/?owner={world['owner'].pk}")) == [records["a"].pk]
    assert _pks(client.get("/complaints/churn/?reason_category=price")) == [records["b_late"].pk]
    client.force_login(world["owner"])
    assert _pks(client.get("/complaints/churn/")) == [records["a"].pk]
    page = client.get("/complaints/churn/?reason_category=relocated").content.decode()
    assert 'id="no-churn"' in page


# ---- Recording ------------------------------------------------------------------------------------------------


def test_a_churn_record_is_entered_through_the_form(client, world):
    client.force_login(world["owner"])
    form = client.get(f"/complaints/churn/new/?customer={world['a'].pk}").context["form"]
    assert form.initial["customer"] == world["a"].pk
    response = client.post("/complaints/churn/new/", _churn_body(world["a"]))
    churn = ChurnRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/complaints/churn/{churn.pk}/"
    assert (churn.status, churn.competitor) == (FilingStatus.DRAFT, "华北阀门")
    world["a"].refresh_from_db()
    assert world["a"].lifecycle != Lifecycle.PAST


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"churned_on": "2099-01-01"}, "churned_on"),
        ({"churned_on": ""}, "churned_on"),
        ({"narrative": ""}, "narrative"),
        ({"reason_category": "bored"}, "reason_category"),
    ],
)
def test_a_bad_churn_record_is_refused_next_to_its_field(client, world, changes, field):
    client.force_login(world["owner"])
    response = client.post("/complaints/churn/new/", _churn_body(world["a"], **changes))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not ChurnRecord.objects.exists()


def test_a_stale_churn_edit_is_refused(client, world, churn_a):
    client.force_login(world["owner"])
    form = client.get(f"/complaints/churn/{churn_a.pk}/edit/").context["form"]
    assert "customer" not in form.fields
    services.churn_update(actor=world["co_owner"], churn_id=churn_a.pk, data={"competitor": "同事写的对手"})
    response = client.post(f"/complaints/churn/{churn_a.pk}/edit/", _churn_body(world["a"], version="1"))
    assert response.status_code == 200 and response.context["conflict"]
    churn_a.refresh_from_db()
    assert churn_a.competitor == "同事写的对手"
    response = client.post(f"/complaints/churn/{churn_a.pk}/edit/", _churn_body(world["a"], version="2"))
    assert response.status_code == 302
    churn_a.refresh_from_db()
    assert churn_a.competitor == "华北阀门"


# ---- Filing and the lifecycle ---------------------------------------------------------------------------------


def test_filing_through_approval_makes_the_customer_a_past_customer(client, world, churn_a):
    client.force_login(world["owner"])
    url = f"/complaints/churn/{churn_a.pk}/"
    assert 'id="lifecycle-note"' in client.get(url).content.decode()
    response = client.post(f"/entries/complaints.churnrecord/{churn_a.pk}/submit/", {"next": url})
    assert response.status_code == 302
    request = FilingRequest.objects.get(state="pending")
    client.force_login(world["director"])
    response = client.post(f"/approvals/{request.pk}/approve/", {"next": url})
    assert response.status_code == 302
    churn_a.refresh_from_db()
    assert churn_a.status == FilingStatus.FILED
    customer = world["a"]
    customer.refresh_from_db()
    assert customer.lifecycle == Lifecycle.PAST
    number = f"{customer.archive_no} / {churn_a.entry_code}"
    latest = customer.history.order_by("-history_id").first()
    assert latest.lifecycle == Lifecycle.PAST and number in latest.history_change_reason
    page = client.get(url).content.decode()
    assert number in page
    assert re.search(rf'id="customer-lifecycle">{Lifecycle.PAST.label}<', page)


def test_a_filed_churn_record_takes_a_change_request(client, world, churn_a):
    churn = _filed(world, churn_a)
    client.force_login(world["owner"])
    form = client.get(f"/complaints/churn/{churn.pk}/edit/").context["form"]
    assert set(form.fields) - {"version"} == {"reason_category", "narrative", "competitor", "reason"}
    body = {"reason_category": "competitor", "narrative": churn.narrative, "competitor": "东方泵业", "reason": ""}
    response = client.post(f"/complaints/churn/{churn.pk}/edit/", body)
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    response = client.post(f"/complaints/churn/{churn.pk}/edit/", {**body, "reason": "对手名称写错"})
    assert response.status_code == 302
    assert FilingRequest.objects.get(kind="change").proposed == {"competitor": "东方泵业"}
    churn.refresh_from_db()
    assert churn.competitor == "南方泵业"


# ---- The win-back plan ----------------------------------------------------------------------------------------


def test_a_plan_is_made_and_changed_through_the_form(client, world, churn_a):
    client.force_login(world["owner"])
    page = client.get(f"/complaints/churn/{churn_a.pk}/").content.decode()
    assert 'id="no-plan"' in page and 'id="edit-plan"' in page and 'id="won-back"' not in page
    target = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    body = {"next_steps": "上门拜访", "target_on": target, "responsible": str(world["co_owner"].pk)}
    response = client.post(f"/complaints/churn/{churn_a.pk}/plan/", body)
    assert response.status_code == 302 and response["Location"] == f"/complaints/churn/{churn_a.pk}/#win-back"
    plan = WinBackPlan.objects.get()
    assert (plan.next_steps, plan.responsible, plan.state) == ("上门拜访", world["co_owner"], "active")
    page = client.get(f"/complaints/churn/{churn_a.pk}/").content.decode()
    assert 'id="plan-fields"' in page and 'id="won-back"' in page and 'id="give-up"' in page

    form = client.get(f"/complaints/churn/{churn_a.pk}/plan/").context["form"]
    assert form["next_steps"].value() == "上门拜访"
    response = client.post(f"/complaints/churn/{churn_a.pk}/plan/", {**body, "next_steps": "改为电话"})
    assert response.status_code == 302
    assert WinBackPlan.objects.get().next_steps == "改为电话"


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"next_steps": ""}, "next_steps"), ({"target_on": ""}, "target_on"), ({"responsible": ""}, "responsible")],
)
def test_a_bad_plan_is_refused_next_to_its_field(client, world, churn_a, changes, field):
    client.force_login(world["owner"])
    body = {"next_steps": "上门拜访", "target_on": "2026-12-01", "responsible": str(world["owner"].pk), **changes}
    response = client.post(f"/complaints/churn/{churn_a.pk}/plan/", body)
    assert response.status_code == 200 and response.context["form"].errors[field]
    assert not WinBackPlan.objects.exists()


def test_a_clerk_cannot_be_made_responsible(client, world, churn_a):
    client.force_login(world["owner"])
    body = {"next_steps": "上门拜访", "target_on": "2026-12-01", "responsible": str(world["clerk"].pk)}
    response = client.post(f"/complaints/churn/{churn_a.pk}/plan/", body)
    assert response.context["form"].errors["responsible"]
    assert not WinBackPlan.objects.exists()


def test_a_late_plan_is_highlighted_on_the_record(client, world, churn_a, time_machine):
    _plan(world, churn_a, target_on=timezone.localdate() + datetime.timedelta(days=3))
    client.force_login(world["owner"])
    assert "late-badge" not in client.get(f"/complaints/churn/{churn_a.pk}/").content.decode()
    time_machine.move_to(timezone.now() + datetime.timedelta(days=5), tick=False)
    assert "late-badge" in client.get(f"/complaints/churn/{churn_a.pk}/").content.decode()


def test_won_back_needs_the_record_filed(client, world, churn_a):
    _plan(world, churn_a)
    client.force_login(world["owner"])
    body = {"state": "won_back", "outcome_on": timezone.localdate().isoformat(), "outcome_note": "签回年度合同"}
    response = client.post(f"/complaints/churn/{churn_a.pk}/plan/conclude/", body)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert WinBackPlan.objects.get().state == "active"


def test_won_back_returns_the_customer_to_the_current_customers(client, world, churn_a):
    churn = _filed(world, churn_a)
    _plan(world, churn)
    customer = world["a"]
    customer.refresh_from_db()
    assert customer.lifecycle == Lifecycle.PAST
    client.force_login(world["owner"])
    url = f"/complaints/churn/{churn.pk}/plan/conclude/"
    response = client.get(f"{url}?state=won_back")
    assert response.context["form"].initial["state"] == "won_back"
    assert f'value="{timezone.localdate().isoformat()}"' in response.content.decode()

    early = (churn.churned_on - datetime.timedelta(days=1)).isoformat()
    body = {"state": "won_back", "outcome_on": early, "outcome_note": "签回年度合同"}
    response = client.post(url, body)
    assert response.context["form"].errors["outcome_on"]
    response = client.post(url, {**body, "outcome_note": ""})
    assert response.context["form"].errors["outcome_note"]
    assert WinBackPlan.objects.get().state == "active"

    response = client.post(url, {**body, "outcome_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    assert str(_("Won back: the customer is a current customer again.")) in [
        text for _l, text in shown_messages(response)
    ]
    customer.refresh_from_db()
    assert customer.lifecycle == Lifecycle.CURRENT
    assert "签回年度合同" in customer.history.order_by("-history_id").first().history_change_reason
    page = client.get(f"/complaints/churn/{churn.pk}/").content.decode()
    assert 'id="plan-outcome"' in page and 'id="edit-plan"' not in page and 'id="won-back"' not in page

    response = client.get(f"/complaints/churn/{churn.pk}/plan/")
    assert response.status_code == 302 and response["Location"].endswith("#win-back")


def test_giving_up_leaves_the_customer_in_the_past(client, world, churn_a):
    churn = _filed(world, churn_a)
    _plan(world, churn)
    client.force_login(world["owner"])
    body = {"state": "abandoned", "outcome_on": timezone.localdate().isoformat(), "outcome_note": "对方已签三年合同"}
    response = client.post(f"/complaints/churn/{churn.pk}/plan/conclude/", body)
    assert response.status_code == 302
    assert WinBackPlan.objects.get().state == "abandoned"
    world["a"].refresh_from_db()
    assert world["a"].lifecycle == Lifecycle.PAST
