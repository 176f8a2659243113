"""The director's audit of the access log (``/access/log/``) and its Excel export (``/access/log/export.xlsx``)."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from archive.history import user_display
from customers.models import AccessRecord

from ..factories import make_customer, make_user
from ..helpers import LOGIN, assert_matrix, queries_text

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime.datetime(2026, 7, 15, 12, 0, tzinfo=SHANGHAI)
LOG = "/access/log/"
EXPORT = "/access/log/export.xlsx"
Action = AccessRecord.Action
HEADER = ["时间", "用户", "操作", "客户", "档案编号", "内容", "筛选条件", "行数", "地址"]


def record(user, action=Action.VIEW, *, customer=None, at=NOON, **fields) -> AccessRecord:
    """A row of the log as the middleware writes it, at ``at``."""
    with time_machine.travel(at, tick=False):
        return AccessRecord.objects.create(
            user=user, user_name=user_display(user), action=action, customer=customer, **fields
        )


def shown(response) -> list[int]:
    """The pks of the rows on the page, top to bottom."""
    return [r.pk for r in response.context["object_list"]]


def counts(response) -> dict:
    return {tab["value"] or "all": tab["count"] for tab in response.context["action_tabs"]}


def read(response):
    assert response.streaming  # written while it is sent
    body = b"".join(response.streaming_content)
    ws = load_workbook(io.BytesIO(body)).worksheets[0]
    header, *rows = list(ws.iter_rows(values_only=True))
    return ws, list(header), rows


@pytest.fixture
def log(world):
    """Four readings over three days by three people (oldest first)."""
    a, b = world["a"], world["b"]
    return [
        record(world["owner"], customer=a, at=NOON - datetime.timedelta(days=2), address="10.0.0.1"),
        record(
            world["owner"],
            Action.DOWNLOAD,
            customer=a,
            what="营业执照 · licence.png",
            at=NOON - datetime.timedelta(days=1),
        ),
        record(world["clerk"], Action.EXPORT, what="客户名册", query="grade=A&q=%E6%9C%BA%E7%94%B5", row_count=7),
        record(world["director"], customer=b, at=NOON + datetime.timedelta(hours=1), address="10.0.0.9"),
    ]


# ---- Who may audit ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LOG, EXPORT])
def test_only_those_who_audit_the_register_open_the_log(client, people, url):
    expected = {role: 403 for role in people}
    expected.update(anonymous=LOGIN, director=200, admin=200)
    assert_matrix(client, people, url, expected)


def test_the_right_to_audit_is_the_permission_not_the_role(client, people):
    archivist = people["archivist"]
    archivist.user_permissions.add(Permission.objects.get(codename="view_accessrecord"))
    client.force_login(archivist)
    assert client.get(LOG).status_code == 200


def test_a_refused_auditor_sees_no_row_and_the_refusal_is_not_logged(client, world, log):
    client.force_login(world["owner"])
    response = client.get(LOG)
    assert response.status_code == 403
    assert "营业执照" not in response.content.decode()
    assert AccessRecord.objects.count() == len(log)


# ---- The page --------------------------------------------------------------------------------------------------


def test_every_row_newest_first_with_what_the_auditor_checks(client, world, log):
    client.force_login(world["director"])
    response = client.get(LOG)
    assert shown(response) == [r.pk for r in reversed(log)]
    page = response.content.decode()
    # Local time (Asia/Shanghai), the user, the customer's card, what was read, the address.
    assert "2026-07-15 13:00:00" in page and "2026-07-13 12:00:00" in page
    assert f'href="/customers/{world["a"].pk}/"' in page and world["a"].name in page
    assert f'href="?customer={world["a"].pk}"' in page and f'href="?user={world["owner"].pk}"' in page
    assert "营业执照 · licence.png" in page and "10.0.0.9" in page
    # The export's filter links to the list it filtered, and reads as typed.
    assert 'href="/customers/?grade=A&amp;q=%E6%9C%BA%E7%94%B5"' in page and "grade=A&amp;q=机电" in page
    assert ">7</td>" in page
    assert page.count('class="log-row"') == 4
    # Reading the log is not a reading of the archive.
    assert AccessRecord.objects.count() == len(log)


def test_the_filter_of_another_lists_export_links_to_that_list(client, world):
    record(world["director"], Action.EXPORT, what="账龄分析", query="/credit/aging/?as_of=2026-07-15&basis=due")
    record(world["director"], Action.EXPORT, what="查阅登记", query="/access/log/")
    client.force_login(world["director"])
    page = client.get(LOG).content.decode()
    assert 'href="/credit/aging/?as_of=2026-07-15&amp;basis=due"' in page
    assert 'href="/access/log/"' in page


def test_the_page_is_paginated(client, world, settings):
    first = record(world["owner"], customer=world["a"], at=NOON - datetime.timedelta(days=1))
    for minute in range(settings.ARCHIVE_PAGE_SIZE):
        record(world["owner"], customer=world["a"], at=NOON + datetime.timedelta(minutes=minute))
    client.force_login(world["director"])
    response = client.get(LOG)
    assert len(shown(response)) == settings.ARCHIVE_PAGE_SIZE and first.pk not in shown(response)
    assert shown(client.get(LOG, {"page": 2})) == [first.pk]


def test_rows_of_a_deleted_account_keep_the_name(client, world):
    gone = make_user("gone", "account_manager", first_name="离职", last_name="王")
    kept = record(gone, customer=world["a"])
    gone.delete()
    client.force_login(world["director"])
    response = client.get(LOG)
    assert shown(response) == [kept.pk]
    assert user_display(gone) in response.content.decode()


# ---- Filters ---------------------------------------------------------------------------------------------------


def test_filter_by_user_offers_the_people_who_read(client, world, log):
    client.force_login(world["director"])
    response = client.get(LOG, {"user": world["owner"].pk})
    assert shown(response) == [log[1].pk, log[0].pk]
    offered = {user.pk for user in response.context["filter"].form.fields["user"].queryset}
    assert offered == {world["owner"].pk, world["clerk"].pk, world["director"].pk}


def test_filter_by_customer_name_archive_number_or_a_cards_link(client, world, log):
    a = world["a"]
    a.archive_no = "KH-2026-00017"
    a.save(update_fields=["archive_no"])
    client.force_login(world["director"])
    assert shown(client.get(LOG, {"customer": a.name[2:8]})) == [log[1].pk, log[0].pk]
    assert shown(client.get(LOG, {"customer": "kh-2026-00017"})) == [log[1].pk, log[0].pk]
    response = client.get(LOG, {"customer": world["b"].pk})
    assert shown(response) == [log[3].pk]
    assert response.context["filter_customer"] == world["b"]
    assert 'id="log-customer"' in response.content.decode()
    assert shown(client.get(LOG, {"customer": "没有这个客户"})) == []


def test_filter_by_action(client, world, log):
    client.force_login(world["director"])
    assert shown(client.get(LOG, {"action": "view"})) == [log[3].pk, log[0].pk]
    assert shown(client.get(LOG, {"action": "download"})) == [log[1].pk]
    assert shown(client.get(LOG, {"action": "export"})) == [log[2].pk]


def test_the_period_is_whole_days_in_local_time(client, world):
    local = datetime.datetime
    before = record(world["owner"], at=local(2026, 7, 14, 23, 59, 59, tzinfo=SHANGHAI))
    first = record(world["owner"], at=local(2026, 7, 15, 0, 0, 0, tzinfo=SHANGHAI))
    last = record(world["owner"], at=local(2026, 7, 16, 23, 59, 59, tzinfo=SHANGHAI))
    after = record(world["owner"], at=local(2026, 7, 17, 0, 0, 0, tzinfo=SHANGHAI))
    client.force_login(world["director"])
    assert shown(client.get(LOG, {"date_from": "2026-07-15", "date_to": "2026-07-16"})) == [last.pk, first.pk]
    assert shown(client.get(LOG, {"date_to": "2026-07-14"})) == [before.pk]
    assert shown(client.get(LOG, {"date_from": "2026-07-17"})) == [after.pk]
    # 16:00 UTC on the 16th is already the 17th in Shanghai.
    utc = record(world["owner"], at=local(2026, 7, 16, 16, 0, tzinfo=datetime.UTC))
    assert utc.pk in shown(client.get(LOG, {"date_from": "2026-07-17", "date_to": "2026-07-17"}))


def test_an_invalid_filter_shows_its_error_and_no_row(client, world, log):
    client.force_login(world["director"])
    response = client.get(LOG, {"date_from": "2026-02-30"})
    assert response.status_code == 200
    assert shown(response) == [] and response.context["filter"].errors["date_from"]
    assert counts(response)["all"] == 0


def test_counts_per_action_follow_every_filter_but_the_action(client, world, log):
    client.force_login(world["director"])
    assert counts(client.get(LOG)) == {"all": 4, "view": 2, "download": 1, "export": 1}
    assert counts(client.get(LOG, {"user": world["owner"].pk})) == {"all": 2, "view": 1, "download": 1, "export": 0}
    response = client.get(LOG, {"user": world["owner"].pk, "action": "download"})
    assert counts(response) == {"all": 2, "view": 1, "download": 1, "export": 0}
    active = [tab["value"] for tab in response.context["action_tabs"] if tab["active"]]
    assert active == ["download"]
    assert f'href="?user={world["owner"].pk}&amp;action=view"' in response.content.decode()


def test_the_page_costs_the_same_for_3_and_40_rows(client, world, django_assert_max_num_queries):
    client.force_login(world["director"])
    customers = [make_customer(world["owner"]) for _ in range(5)]

    def measure():
        client.get(LOG)  # warm the per-process caches
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(LOG, {"date_from": "2026-01-01"})
        assert response.status_code == 200
        return len(ctx), ctx, response

    for i in range(3):
        record(world["owner"], Action.DOWNLOAD, customer=customers[i % 5], at=NOON + datetime.timedelta(minutes=i))
    few, _ctx, _response = measure()
    for i in range(37):
        user = (world["owner"], world["clerk"], world["director"])[i % 3]
        record(user, Action.VIEW, customer=customers[i % 5], at=NOON + datetime.timedelta(hours=1, minutes=i))
    with django_assert_max_num_queries(few):
        response = client.get(LOG, {"date_from": "2026-01-01"})
    assert len(shown(response)) == 40
    many, ctx, _response = measure()
    assert few == many, queries_text(ctx)


def test_the_old_export_register_opens_the_exports(client, world, log):
    client.force_login(world["director"])
    response = client.get("/customers/exports/", follow=True)
    assert response.redirect_chain == [("/access/log/?action=export", 302)]
    assert shown(response) == [log[2].pk]


# ---- The export ------------------------------------------------------------------------------------------------


def test_the_export_holds_the_filtered_rows_with_chinese_headers_and_local_times(client, world, log):
    client.force_login(world["director"])
    _ws, header, rows = read(client.get(EXPORT))
    assert header == HEADER
    assert len(rows) == 4
    newest = dict(zip(header, rows[0], strict=True))
    assert newest["时间"] == datetime.datetime(2026, 7, 15, 13, 0)  # a real date and time, local
    assert newest["用户"] == "director" and newest["客户"] == world["b"].name and newest["地址"] == "10.0.0.9"
    assert newest["操作"] == "查阅档案卡"
    export = dict(zip(header, rows[1], strict=True))
    assert export["操作"] == "导出" and export["行数"] == 7 and export["筛选条件"] == "grade=A&q=机电"
    assert export["客户"] is None

    _ws, header, rows = read(client.get(EXPORT, {"user": world["owner"].pk, "action": "download"}))
    assert [row[header.index("内容")] for row in rows] == ["营业执照 · licence.png"]


def test_the_export_is_registered_with_its_filter_and_row_count_and_holds_no_row_of_itself(client, world, log):
    client.force_login(world["director"])
    _ws, header, rows = read(client.get(EXPORT, {"action": "view"}, REMOTE_ADDR="10.9.9.9"))
    assert len(rows) == 2
    own = AccessRecord.objects.get(user=world["director"], action=Action.EXPORT)
    assert own.query == "/access/log/?action=view" and own.row_count == 2 and own.address == "10.9.9.9"
    assert own.customer is None and own.what

    _ws, header, rows = read(client.get(EXPORT))
    assert len(rows) == 5  # the four readings and the first export, not this one
    assert AccessRecord.objects.get(query="/access/log/").row_count == 5


def test_no_cell_of_the_export_starts_a_formula(client, world):
    sly = make_user("sly", "clerk", first_name='=HYPERLINK("http://x","y")')
    record(sly, Action.EXPORT, what="+86 21 5555", query="=cmd|' /C calc'!A0", row_count=1)
    client.force_login(world["director"])
    ws, header, rows = read(client.get(EXPORT))
    row = dict(zip(header, rows[0], strict=True))
    assert row["用户"] == '\'=HYPERLINK("http://x","y")'
    assert row["内容"] == "'+86 21 5555"
    assert row["筛选条件"] == "'=cmd|' /C calc'!A0"
    for cells in ws.iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in cells)


def test_an_invalid_export_filter_is_refused_and_not_registered(client, world, log):
    client.force_login(world["director"])
    assert client.get(EXPORT, {"date_to": "tomorrow"}).status_code == 400
    assert AccessRecord.objects.count() == len(log)


def test_the_page_links_the_export_of_the_same_filter(client, world, log):
    client.force_login(world["director"])
    page = client.get(LOG, {"action": "export", "page": "1"}).content.decode()
    assert 'href="/access/log/export.xlsx?action=export"' in page
