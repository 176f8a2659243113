"""Archive and entry numbers (档案号, 目录号): consecutive and gap-free, per year and per customer, even under load.

A card's archive number is ``KH-<year>-<five digits>``, counted from 00001 each year (the year of the date in
China when the director approves). Every approval takes its number inside its own transaction, so an approval
that does not complete gives its number back, and approvals that arrive at the same moment queue for the
counter instead of taking the same number or skipping one.
"""

import datetime
import threading
import zoneinfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from archive import filing
from archive.choices import FilingStatus
from archive.models import Counter, FilingRequest
from customers.models import Attachment, Customer

from ..factories import make_customer, make_user
from ..helpers import error_codes

User = get_user_model()
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
THREADS = 20
THREAD_TIMEOUT = 60  # seconds a thread may wait at the barrier or for its approval

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent approvals need row locks from several connections: run with DATABASE_URL=postgres://…",
)


@pytest.fixture(autouse=True)
def _china_time(settings):
    """The archive year is the year in China, whatever the server's own zone."""
    settings.TIME_ZONE = "Asia/Shanghai"


def archive_no(year: int, n: int) -> str:
    return f"KH-{year}-{n:05d}"


def submitted_cards(manager, count: int) -> list[FilingRequest]:
    return [filing.entry_submit(actor=manager, entry=make_customer(manager)) for _ in range(count)]


def approve_all(requests, director) -> list[str]:
    """Approve one after another; the archive numbers the cards received, in approval order."""
    for request in requests:
        filing.request_approve(actor=director, request_id=request.pk)
    return [Customer.objects.get(pk=request.object_id).archive_no for request in requests]


def counter(key: str) -> int | None:
    return Counter.objects.filter(key=key).values_list("value", flat=True).first()


# ---- One after another ---------------------------------------------------------------------------------------


def test_each_year_counts_its_archive_numbers_from_one(people):
    """Three cards filed in 2025 take 00001–00003; the first card of 2026 starts again at 00001."""
    manager, director = people["owner"], people["director"]

    with time_machine.travel(datetime.datetime(2025, 3, 10, 9, 0, tzinfo=SHANGHAI), tick=False):
        assert approve_all(submitted_cards(manager, 3), director) == [archive_no(2025, n) for n in (1, 2, 3)]
    with time_machine.travel(datetime.datetime(2026, 1, 5, 9, 0, tzinfo=SHANGHAI), tick=False):
        assert approve_all(submitted_cards(manager, 2), director) == [archive_no(2026, n) for n in (1, 2)]
    with time_machine.travel(datetime.datetime(2025, 12, 30, 9, 0, tzinfo=SHANGHAI), tick=False):
        # A late approval dated in the old year continues that year's sequence where it stopped.
        assert approve_all(submitted_cards(manager, 1), director) == [archive_no(2025, 4)]

    assert (counter("KH-2025"), counter("KH-2026")) == (4, 2)
    assert all(card.entry_code == "1-001" for card in Customer.objects.all())


@pytest.mark.parametrize(
    ("utc", "year"),
    [
        pytest.param(datetime.datetime(2025, 12, 31, 15, 30, tzinfo=datetime.UTC), 2025, id="23:30-in-China"),
        pytest.param(datetime.datetime(2025, 12, 31, 16, 30, tzinfo=datetime.UTC), 2026, id="00:30-in-China"),
    ],
)
def test_the_archive_year_is_the_year_in_china(people, utc, year):
    """Half past midnight in Shanghai on New Year's Day is already the new year, though UTC is still in the old."""
    (request,) = submitted_cards(people["owner"], 1)
    with time_machine.travel(utc, tick=False):
        assert approve_all([request], people["director"]) == [archive_no(year, 1)]


def test_a_rolled_back_approval_gives_its_number_back(people):
    """An approval whose transaction is rolled back leaves neither a filed card nor a used number behind."""
    manager, director = people["owner"], people["director"]
    first, second = submitted_cards(manager, 2)
    year = timezone.localdate().year

    with pytest.raises(RuntimeError), transaction.atomic():
        filing.request_approve(actor=director, request_id=first.pk)
        assert Customer.objects.get(pk=first.object_id).archive_no == archive_no(year, 1)
        raise RuntimeError("the surrounding work failed after the approval")

    card = Customer.objects.get(pk=first.object_id)
    assert (card.status, card.archive_no, card.entry_no) == (FilingStatus.PENDING, "", None)
    assert FilingRequest.objects.get(pk=first.pk).state == FilingRequest.State.PENDING
    assert approve_all([second, first], director) == [archive_no(year, 1), archive_no(year, 2)]


def test_an_approval_refused_after_numbering_takes_no_number(people, monkeypatch):
    """If an approval fails after its number was drawn, the batch goes on and the next card takes that number."""
    manager, director = people["owner"], people["director"]
    refused, accepted = submitted_cards(manager, 2)
    year = timezone.localdate().year
    decide = filing._decide

    def decide_but_refuse_one(request, **kwargs):
        if request.pk == refused.pk and kwargs.get("state") == FilingRequest.State.APPROVED:
            raise ValidationError("refused at the last step", code="test")
        return decide(request, **kwargs)

    monkeypatch.setattr(filing, "_decide", decide_but_refuse_one)
    outcomes = filing.requests_approve(actor=director, request_ids=[refused.pk, accepted.pk])

    assert [(o.request_id, o.approved) for o in outcomes] == [(refused.pk, False), (accepted.pk, True)]
    assert Customer.objects.get(pk=refused.object_id).archive_no == ""
    assert Customer.objects.get(pk=accepted.object_id).archive_no == archive_no(year, 1)
    assert counter(f"KH-{year}") == 1
    assert counter(f"KH/{refused.object_id}/1") in (None, 0)


def test_a_refused_document_approval_leaves_no_gap_in_the_catalogue(people, add_document):
    """A document refused because its card is not filed yet does not use up an entry number."""
    manager, director = people["owner"], people["director"]
    customer = make_customer(manager)
    documents = [add_document(customer, manager, title=t) for t in ("营业执照", "身份证")]
    waiting = [filing.entry_submit(actor=manager, entry=document) for document in documents]

    with pytest.raises(ValidationError) as early:
        filing.request_approve(actor=director, request_id=waiting[0].pk)
    assert error_codes(early.value) == {"root_unfiled"}

    approve_all([filing.entry_submit(actor=manager, entry=customer)], director)
    for request in waiting:
        filing.request_approve(actor=director, request_id=request.pk)
    assert [Attachment.objects.get(pk=d.pk).entry_code for d in documents] == ["1-002", "1-003"]


# ---- At the same moment (PostgreSQL) ---------------------------------------------------------------------------


def run_at_once(work: list) -> list[BaseException]:
    """Run each callable in its own thread, all released together; the exceptions they raised, if any.

    Each thread has its own database connection, closed when it ends.
    """
    barrier = threading.Barrier(len(work))
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(job):
        try:
            barrier.wait(timeout=THREAD_TIMEOUT)
            job()
        except BaseException as exc:  # noqa: BLE001 - every failure of a thread is reported by the test
            with lock:
                errors.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,), daemon=True) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=THREAD_TIMEOUT * 2)
    stuck = [thread.name for thread in threads if thread.is_alive()]
    assert not stuck, f"threads still running after {THREAD_TIMEOUT * 2}s (a lock never released?): {stuck}"
    return errors


def approval_by(director_pk: int, request_id: int):
    """An approval as a request thread runs it: the director is read on the thread's own connection."""

    def job():
        filing.request_approve(actor=User.objects.get(pk=director_pk), request_id=request_id)

    return job


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_approvals_at_the_same_moment_take_twenty_consecutive_numbers(people):
    """Twenty cards approved at once, on twenty connections, are numbered 00001–00020: none twice, none skipped."""
    managers = [people["owner"], people["co_owner"], people["other_manager"], people["granted_manager"]]
    requests = [
        filing.entry_submit(actor=managers[i % len(managers)], entry=make_customer(managers[i % len(managers)]))
        for i in range(THREADS)
    ]
    year = timezone.localdate().year
    assert counter(f"KH-{year}") is None  # the first approvals of the year also race to create the counter

    errors = run_at_once([approval_by(people["director"].pk, request.pk) for request in requests])

    assert errors == [], f"{len(errors)} approvals failed, the first: {errors[:3]!r}"
    numbers = sorted(
        Customer.objects.filter(pk__in=[r.object_id for r in requests]).values_list("archive_no", flat=True)
    )
    assert numbers == [archive_no(year, n) for n in range(1, THREADS + 1)]
    assert counter(f"KH-{year}") == THREADS
    assert set(FilingRequest.objects.values_list("state", flat=True)) == {FilingRequest.State.APPROVED}
    assert set(Customer.objects.values_list("entry_no", flat=True)) == {1}


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_documents_of_one_card_approved_at_once_are_numbered_without_gaps(people, add_document):
    """Ten documents of one customer, approved together by two directors, take 1-002 to 1-011."""
    manager, director = people["owner"], people["director"]
    director2 = make_user("director2", "sales_director")
    customer = make_customer(manager)
    filing.request_approve(actor=director, request_id=filing.entry_submit(actor=manager, entry=customer).pk)
    documents = [add_document(customer, manager, title=f"附件{n}") for n in range(10)]
    requests = [filing.entry_submit(actor=manager, entry=document) for document in documents]

    errors = run_at_once(
        [approval_by((director, director2)[i % 2].pk, request.pk) for i, request in enumerate(requests)]
    )

    assert errors == [], f"{len(errors)} approvals failed, the first: {errors[:3]!r}"
    codes = sorted(Attachment.objects.filter(customer=customer).values_list("entry_no", flat=True))
    assert codes == list(range(2, 12))


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_directors_approving_the_same_request_at_once_file_it_once(people):
    """One approval wins; the other is told the request was already decided, and only one number is used."""
    manager = people["owner"]
    director2 = make_user("director2", "sales_director")
    (request,) = submitted_cards(manager, 1)
    year = timezone.localdate().year

    errors = run_at_once([approval_by(people["director"].pk, request.pk), approval_by(director2.pk, request.pk)])

    assert len(errors) == 1, f"expected exactly one refusal, got {errors!r}"
    assert isinstance(errors[0], ValidationError) and error_codes(errors[0]) == {"decided"}
    assert Customer.objects.get(pk=request.object_id).archive_no == archive_no(year, 1)
    assert counter(f"KH-{year}") == 1
    assert Customer.history.filter(id=request.object_id, history_change_reason__contains=f"#{request.pk}").count() == 2
