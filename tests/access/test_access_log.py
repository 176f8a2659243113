"""查阅登记: opening a card, serving a document and exporting each leave exactly one row; lists leave none.

The rows are noted by the view and written by ``customers.access_log.AccessLogMiddleware`` once the view has
answered, and only for an answer below 400.
"""

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import HttpResponse, HttpResponseForbidden, HttpResponseNotFound
from django.test import RequestFactory
from openpyxl import load_workbook

from credit import services as credit_services
from credit.choices import Factor
from customers import access_log, selectors
from customers import services as customer_services
from customers.models import AccessRecord

from ..contracts.conftest import filed_a, filed_b, make_contract, products  # noqa: F401 - fixtures shared
from ..credit.conftest import receivable_a, receivable_b, scores  # noqa: F401 - fixtures shared
from ..factories import make_customer
from ..helpers import image_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
Action = AccessRecord.Action


def drain(response):
    """Read a streamed answer to its end, as a browser would."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def only_record(**expected) -> AccessRecord:
    record = AccessRecord.objects.get()
    for name, value in expected.items():
        assert getattr(record, name) == value, (name, getattr(record, name), value)
    return record


@pytest.fixture
def attachment_a(world):
    return customer_services.attachment_create(
        actor=world["owner"],
        customer_id=world["a"].pk,
        upload=upload("licence.png", image_bytes(), "image/png"),
        kind="licence",
        title="营业执照",
    )


@pytest.fixture
def contract_with_file(world):
    return make_contract(
        world["owner"],
        world["a"],
        "HT-2026-0100",
        "带扫描件的合同",
        datetime.date(2026, 1, 8),
        "1000.00",
        upload=upload("合同.pdf", pdf_bytes("signed contract"), "application/pdf"),
    )


@pytest.fixture
def evidence_a(world):
    application = credit_services.application_create(
        actor=world["owner"],
        customer_id=world["a"].pk,
        data={
            "requested_limit": Decimal("10000.00"),
            "terms_days": 30,
            "payment_method": "transfer",
            "guarantee": "",
            **scores(),
        },
    )
    return credit_services.evidence_add(
        actor=world["owner"],
        application_id=application.pk,
        factor=Factor.CAPITAL,
        upload=upload("审计报告.pdf", pdf_bytes("audited accounts"), "application/pdf"),
        description="年度审计报告",
    )


# ---- One row per reading ---------------------------------------------------------------------------------------


def test_opening_the_card_leaves_one_row_with_user_customer_address_and_time(client, world):
    client.force_login(world["granted_manager"])
    moment = datetime.datetime(2026, 7, 15, 9, 30, 5, tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        response = client.get(f"/customers/{world['a'].pk}/", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    record = only_record(
        user=world["granted_manager"],
        user_name="granted_manager",
        customer=world["a"],
        action=Action.VIEW,
        address="10.1.2.3",
        row_count=None,
    )
    assert record.at == moment


def test_every_opening_counts_and_the_card_page_costs_one_insert_for_it(client, world):
    client.force_login(world["owner"])
    for _ in range(3):
        client.get(f"/customers/{world['a'].pk}/")
    assert AccessRecord.objects.filter(customer=world["a"], action=Action.VIEW).count() == 3


def test_the_change_trail_counts_as_opening_the_card_and_the_catalogue_does_not(client, world):
    client.force_login(world["owner"])
    assert client.get(f"/customers/{world['a'].pk}/catalogue/").status_code == 200
    assert AccessRecord.objects.count() == 0
    assert client.get(f"/customers/{world['a'].pk}/history/").status_code == 200
    record = only_record(customer=world["a"], action=Action.VIEW, user=world["owner"])
    assert record.what  # says it was the change trail


def test_an_attachment_served_inline_or_saved_leaves_one_row_each(client, world, attachment_a):
    client.force_login(world["co_owner"])
    response = client.get(f"/customers/{world['a'].pk}/attachments/{attachment_a.pk}/", REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 200
    drain(response)
    record = only_record(user=world["co_owner"], customer=world["a"], action=Action.DOWNLOAD, address="10.0.0.7")
    assert "营业执照" in record.what and "licence.png" in record.what

    drain(client.get(f"/customers/{world['a'].pk}/attachments/{attachment_a.pk}/", {"download": "1"}))
    assert AccessRecord.objects.filter(action=Action.DOWNLOAD).count() == 2


def test_a_contract_file_leaves_one_row_with_the_contract(client, world, contract_with_file):
    client.force_login(world["director"])
    response = client.get(f"/contracts/{contract_with_file.pk}/file/", {"download": "1"})
    assert response.status_code == 200
    drain(response)
    record = only_record(user=world["director"], customer=world["a"], action=Action.DOWNLOAD)
    assert "HT-2026-0100" in record.what and "合同.pdf" in record.what


def test_a_credit_evidence_file_leaves_one_row_with_the_customer(client, world, evidence_a):
    client.force_login(world["owner"])
    response = client.get(f"/credit/evidence/{evidence_a.pk}/")
    assert response.status_code == 200
    drain(response)
    record = only_record(user=world["owner"], customer=world["a"], action=Action.DOWNLOAD)
    assert "审计报告.pdf" in record.what


def test_the_list_export_leaves_one_row_with_its_filter_and_row_count(client, world):
    make_customer(world["owner"], grade_override="A")
    make_customer(world["owner"], grade_override="A")
    client.force_login(world["owner"])
    response = client.get("/customers/export.xlsx", {"grade": "A", "q": "测试"})
    body = drain(response)
    record = only_record(user=world["owner"], action=Action.EXPORT, customer=None, row_count=2)
    assert record.query == "grade=A&q=%E6%B5%8B%E8%AF%95"
    assert len(list(load_workbook(io.BytesIO(body)).worksheets[0].iter_rows())) == 3  # the header and the two


def test_the_full_archive_workbook_leaves_one_row_with_its_customer(client, world):
    client.force_login(world["owner"])
    drain(client.get(f"/customers/{world['a'].pk}/export.xlsx"))
    record = only_record(user=world["owner"], action=Action.EXPORT, customer=world["a"])
    assert record.what and record.query == ""


def test_the_aging_export_leaves_one_row_with_its_address_and_question(client, world, receivable_a, receivable_b):  # noqa: F811
    client.force_login(world["director"])
    drain(client.get("/credit/aging/export.xlsx", {"as_of": "2026-07-15", "basis": "due"}))
    record = only_record(user=world["director"], action=Action.EXPORT, customer=None, row_count=2)
    assert record.query == "/credit/aging/?as_of=2026-07-15&basis=due"


# ---- Nothing for lists, refusals and failures ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/customers/",
        "/customers/?grade=A",
        "/contracts/",
        "/orders/",
        "/complaints/",
        "/credit/receivables/",
        "/credit/applications/",
        "/credit/aging/",
    ],
)
def test_lists_register_nothing(client, world, url):
    for role in ("owner", "director", "clerk"):
        client.force_login(world[role])
        assert client.get(url).status_code == 200
    assert AccessRecord.objects.count() == 0


def test_a_card_the_user_may_not_read_is_not_found_and_registers_nothing(client, world, attachment_a):
    client.force_login(world["other_manager"])
    assert client.get(f"/customers/{world['a'].pk}/").status_code == 404
    assert client.get(f"/customers/{world['a'].pk}/history/").status_code == 404
    assert client.get(f"/customers/{world['a'].pk}/attachments/{attachment_a.pk}/").status_code == 404
    assert client.get(f"/customers/{world['a'].pk}/export.xlsx").status_code == 404
    client.force_login(world["clerk"])
    assert client.get(f"/customers/{world['a'].pk}/").status_code == 404
    assert AccessRecord.objects.count() == 0


def test_unseen_documents_register_nothing(client, world, contract_with_file, evidence_a):
    client.force_login(world["other_manager"])
    assert client.get(f"/contracts/{contract_with_file.pk}/file/").status_code == 404
    assert client.get(f"/credit/evidence/{evidence_a.pk}/").status_code == 404
    assert AccessRecord.objects.count() == 0


def test_an_invalid_export_filter_registers_nothing(client, world):
    client.force_login(world["owner"])
    assert client.get("/customers/export.xlsx", {"region": "x"}).status_code == 400
    assert client.get("/credit/aging/export.xlsx", {"as_of": "yesterday"}).status_code == 400
    assert AccessRecord.objects.count() == 0


def test_a_refusal_registers_nothing(client, world):
    client.force_login(world["owner"])
    assert client.get(f"/customers/{world['a'].pk}/keepers/").status_code == 403
    assert client.get("/access/log/export.xlsx").status_code == 403
    assert AccessRecord.objects.count() == 0


def test_a_card_that_fails_while_it_is_built_registers_nothing(client, world, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the card could not be built")

    monkeypatch.setattr(selectors, "card_values", broken)
    client.raise_request_exception = False
    client.force_login(world["owner"])
    assert client.get(f"/customers/{world['a'].pk}/").status_code == 500
    assert AccessRecord.objects.count() == 0


# ---- The middleware: after the view, below 400 only ------------------------------------------------------------


def _request(user, address="192.0.2.10"):
    request = RequestFactory().get("/anything/", REMOTE_ADDR=address)
    request.user = user
    return request


def test_the_row_is_written_after_the_view_has_answered(world):
    seen_during_the_view = []

    def view(request):
        access_log.register(request, Action.VIEW, customer=world["a"])
        seen_during_the_view.append(AccessRecord.objects.count())
        return HttpResponse("card")

    response = access_log.AccessLogMiddleware(view)(_request(world["owner"]))
    assert response.status_code == 200
    assert seen_during_the_view == [0]
    only_record(user=world["owner"], customer=world["a"], action=Action.VIEW, address="192.0.2.10")


@pytest.mark.parametrize("answer", [HttpResponseForbidden, HttpResponseNotFound, lambda: HttpResponse(status=500)])
def test_an_answer_of_400_or_more_writes_nothing(world, answer):
    def view(request):
        access_log.register(request, Action.DOWNLOAD, customer=world["a"].pk, what="营业执照")
        return answer()

    access_log.AccessLogMiddleware(view)(_request(world["owner"]))
    assert AccessRecord.objects.count() == 0


def test_several_readings_of_one_request_are_written_in_one_insert(world, django_assert_num_queries):
    def view(request):
        access_log.register(request, Action.VIEW, customer=world["a"])
        access_log.register(request, Action.VIEW, customer=world["b"].pk)
        return HttpResponse("two cards")

    middleware = access_log.AccessLogMiddleware(view)
    with django_assert_num_queries(1):
        middleware(_request(world["director"]))
    assert set(AccessRecord.objects.values_list("customer_id", flat=True)) == {world["a"].pk, world["b"].pk}


def test_an_address_that_is_not_an_ip_is_left_out(world):
    def view(request):
        access_log.register(request, Action.VIEW, customer=world["a"])
        return HttpResponse()

    access_log.AccessLogMiddleware(view)(_request(world["owner"], address="unix:/run/gunicorn.sock"))
    only_record(address=None, user=world["owner"])
