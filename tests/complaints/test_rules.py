"""The complaint rules at their boundaries, with the clock moved by time_machine (never slept).

Overdue: an open complaint received at T is due at T + the hours its severity allows (ARCHIVE_COMPLAINT_DUE_HOURS);
at that very second it is not yet overdue, one second later it is, and the model, the list's database annotation,
the "overdue only" filter and the card's counters must all agree. A closed complaint is never overdue.
Satisfaction: 1 to 5 only, in the model's validation and in the database's own check; 2 or less
(ARCHIVE_COMPLAINT_DISSATISFIED) is a dissatisfied customer.
"""

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from complaints import selectors, services
from complaints.filtersets import ComplaintFilterSet
from complaints.models import Complaint

from ..helpers import error_codes
from .conftest import NOW, closed, make_complaint

pytestmark = pytest.mark.django_db

SECOND = datetime.timedelta(seconds=1)


def received_at(world, customer, when=NOW, **changes):
    """A complaint received exactly at ``when`` (recorded at that moment, so it is not in the future)."""
    with time_machine.travel(when, tick=False):
        return make_complaint(world, customer, received_at=when, **changes)


def overdue_everywhere(world, complaint) -> dict[str, bool]:
    """Whether the complaint reads as overdue in each place a user meets it, at the current (travelled) time."""
    owner = world["owner"]
    listed = selectors.complaint_list(user=owner).get(pk=complaint.pk)
    filtered = ComplaintFilterSet({"overdue": "on"}, queryset=selectors.complaint_list(user=owner)).qs
    card = selectors.card(complaint.customer)
    shown = next(c for c in card.complaints if c.pk == complaint.pk)
    return {
        "model": Complaint.objects.get(pk=complaint.pk).is_overdue(),
        "list annotation": listed.overdue,
        "overdue filter": filtered.filter(pk=complaint.pk).exists(),
        "card row": shown.overdue,
        "card count": card.overdue_count == 1,
    }


@pytest.mark.parametrize(("severity", "hours"), [("critical", 24), ("major", 72), ("minor", 168)])
def test_a_complaint_is_overdue_one_second_after_its_severity_allows(world, filed_a, severity, hours):
    complaint = received_at(world, filed_a, severity=severity)
    due = NOW + datetime.timedelta(hours=hours)
    assert Complaint.objects.get(pk=complaint.pk).due_at == due

    with time_machine.travel(due - SECOND, tick=False):
        assert not any(overdue_everywhere(world, complaint).values())
    with time_machine.travel(due, tick=False):
        assert overdue_everywhere(world, complaint) == dict.fromkeys(overdue_everywhere(world, complaint), False)
    with time_machine.travel(due + SECOND, tick=False):
        assert overdue_everywhere(world, complaint) == dict.fromkeys(overdue_everywhere(world, complaint), True)


def test_the_hours_come_from_the_settings(world, filed_a, settings):
    settings.ARCHIVE_COMPLAINT_DUE_HOURS = {"critical": 2, "major": 4, "minor": 8}
    complaint = received_at(world, filed_a, severity="critical")
    with time_machine.travel(NOW + datetime.timedelta(hours=2), tick=False):
        assert not any(overdue_everywhere(world, complaint).values())
    with time_machine.travel(NOW + datetime.timedelta(hours=2) + SECOND, tick=False):
        assert all(overdue_everywhere(world, complaint).values())


def test_a_complaint_being_handled_is_still_overdue(world, filed_a):
    complaint = received_at(world, filed_a, severity="critical")
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        services.step_add(actor=world["owner"], complaint_id=complaint.pk, action="电话回访")
    with time_machine.travel(NOW + datetime.timedelta(hours=24) + SECOND, tick=False):
        assert Complaint.objects.get(pk=complaint.pk).state == "handling"
        assert all(overdue_everywhere(world, complaint).values())


def test_a_closed_complaint_is_never_overdue(world, filed_a):
    complaint = received_at(world, filed_a, severity="critical")
    late = NOW + datetime.timedelta(days=3)
    with time_machine.travel(late, tick=False):
        assert all(overdue_everywhere(world, complaint).values())
        closed(world, complaint, closed_on=late.date())
        card = selectors.card(filed_a)
        assert (card.overdue_count, card.open_count) == (0, 0)
    with time_machine.travel(late + datetime.timedelta(days=365), tick=False):
        state = overdue_everywhere(world, complaint)
        assert state == dict.fromkeys(state, False)


def test_the_card_puts_the_overdue_first_and_counts_each_once(world, filed_a):
    received_at(world, filed_a, NOW + datetime.timedelta(hours=1), severity="minor", subject="包装破损")
    received_at(world, filed_a, severity="critical", subject="泵体漏水")
    done = received_at(world, filed_a, NOW + datetime.timedelta(hours=2), severity="critical", subject="发票错误")
    with time_machine.travel(NOW + datetime.timedelta(hours=3), tick=False):
        closed(world, done, closed_on=NOW.date())
    with time_machine.travel(NOW + datetime.timedelta(hours=24) + SECOND, tick=False):
        card = selectors.card(filed_a)
        assert [c.subject for c in card.complaints] == ["泵体漏水", "包装破损", "发票错误"]
        assert [c.overdue for c in card.complaints] == [True, False, False]
        assert (card.open_count, card.overdue_count) == (2, 1)


# ---- Satisfaction -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("satisfaction", [1, 5])
def test_satisfaction_one_and_five_are_accepted(world, complaint_a, satisfaction):
    complaint = closed(world, complaint_a, satisfaction=satisfaction)
    assert Complaint.objects.get(pk=complaint.pk).satisfaction == satisfaction
    complaint.full_clean()


@pytest.mark.parametrize("satisfaction", [0, 6])
def test_satisfaction_zero_and_six_are_refused_by_the_model_and_the_database(world, complaint_a, satisfaction):
    complaint = Complaint.objects.get(pk=complaint_a.pk)
    complaint.satisfaction = satisfaction
    with pytest.raises(ValidationError) as refused:
        complaint.full_clean()
    assert set(refused.value.error_dict) == {"satisfaction"}
    assert error_codes(refused.value) <= {"min_value", "max_value"}
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint_a.pk).update(satisfaction=satisfaction)
    assert Complaint.objects.get(pk=complaint_a.pk).satisfaction is None


@pytest.mark.parametrize("satisfaction", [1, 5])
def test_the_database_accepts_satisfaction_one_and_five(world, complaint_a, satisfaction):
    Complaint.objects.filter(pk=complaint_a.pk).update(satisfaction=satisfaction)
    assert Complaint.objects.get(pk=complaint_a.pk).satisfaction == satisfaction


def test_a_closed_complaint_without_satisfaction_or_date_is_refused_by_the_database(world, complaint_a):
    for values in ({"satisfaction": 3}, {"closed_on": NOW.date()}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Complaint.objects.filter(pk=complaint_a.pk).update(state="closed", **values)
    assert Complaint.objects.get(pk=complaint_a.pk).state == "open"


def test_two_is_dissatisfied_and_three_is_not(world, filed_a):
    unhappy = closed(world, make_complaint(world, filed_a, subject="不满意"), satisfaction=2)
    neutral = closed(world, make_complaint(world, filed_a, subject="一般"), satisfaction=3)
    assert Complaint.objects.get(pk=unhappy.pk).is_dissatisfied
    assert not Complaint.objects.get(pk=neutral.pk).is_dissatisfied
    assert not Complaint.objects.get(pk=make_complaint(world, filed_a).pk).is_dissatisfied  # not yet asked
    assert selectors.card(filed_a).dissatisfied == 1


def test_the_dissatisfied_line_comes_from_the_settings(world, filed_a, settings):
    settings.ARCHIVE_COMPLAINT_DISSATISFIED = 3
    closed(world, make_complaint(world, filed_a, subject="一般"), satisfaction=3)
    closed(world, make_complaint(world, filed_a, subject="满意"), satisfaction=4)
    assert selectors.card(filed_a).dissatisfied == 1
    assert [c.is_dissatisfied for c in Complaint.objects.order_by("satisfaction")] == [True, False]


def _highlighted(client, url) -> list[str]:
    """The ``data-pk``/subjects of the rows the page marks overdue (class ``complaint-overdue``)."""
    response = client.get(url)
    assert response.status_code == 200
    rows = re.findall(r'<tr class="([^"]*)"[^>]*>(.*?)</tr>', response.content.decode(), re.S)
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inner)).strip()
        for classes, inner in rows
        if "complaint-overdue" in classes.split()
    ]


def test_the_list_and_the_card_highlight_at_the_same_second(client, world, filed_a):
    complaint = received_at(world, filed_a, severity="critical", subject="泵体裂纹漏水")
    client.force_login(world["owner"])
    due = NOW + datetime.timedelta(hours=24)
    pages = ("/complaints/", f"/customers/{filed_a.pk}/", "/complaints/?overdue=on")
    with time_machine.travel(due, tick=False):
        assert [_highlighted(client, url) for url in pages] == [[], [], []]
        assert complaint.subject in client.get("/complaints/").content.decode()
    with time_machine.travel(due + SECOND, tick=False):
        for url in pages:
            highlighted = _highlighted(client, url)
            assert len(highlighted) == 1 and complaint.subject in highlighted[0], url
