"""The import pages: who may import, the preview of one's own file only, confirming, the workbooks."""

import io

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from customers import imports
from customers.models import Customer, ImportRecord

from ..factories import make_customer
from ..helpers import LOGIN, assert_matrix, matrix_params, upload

pytestmark = pytest.mark.django_db


def xlsx(*rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


LIST = xlsx(["客户名称", "职工人数", "内部编号"], ["甲公司", 5, "X1"], ["乙公司", "many", "X2"], ["丙公司", None, None])
MAY_IMPORT = {"director", "owner", "co_owner", "other_manager", "granted_manager", "admin"}


@pytest.fixture
def record(people):
    record, _result = imports.import_start(actor=people["owner"], upload=upload("客户名单.xlsx", LIST))
    return record


def page_matrix(own: int, others: int = 404) -> dict:
    row = {"anonymous": LOGIN}
    for role in ("director", "archivist", "owner", "co_owner", "other_manager", "granted_manager"):
        row[role] = own if role == "owner" else (others if role in MAY_IMPORT else 403)
    row["group_clerk"] = row["clerk"] = 403
    row["admin"] = others
    return row


FORM_PAGES = {
    "form": {role: (200 if role in MAY_IMPORT else 403) for role in [*MAY_IMPORT, "archivist", "group_clerk", "clerk"]}
    | {"anonymous": LOGIN},
}


@pytest.mark.parametrize(("page", "expected"), matrix_params(FORM_PAGES))
def test_who_may_open_the_import_form_and_the_template(client, people, page, expected):
    assert_matrix(client, people, "/customers/import/", expected)
    assert_matrix(client, people, "/customers/import/template.xlsx", expected)


def test_only_the_importer_sees_the_preview_and_the_rows_to_fix(client, people, record):
    assert_matrix(client, people, f"/customers/import/{record.pk}/", page_matrix(200))
    assert_matrix(client, people, f"/customers/import/{record.pk}/errors.xlsx", page_matrix(200))


def test_nobody_else_confirms_an_import_and_a_refused_post_writes_nothing(client, people, record):
    expected = {role: want for role, want in page_matrix(200).items() if role != "owner"}
    assert_matrix(client, people, f"/customers/import/{record.pk}/", expected, method="post", complete=False)
    assert Customer.objects.count() == 0
    record.refresh_from_db()
    assert record.state == "previewed"


def test_upload_preview_confirm(client, people):
    owner = people["owner"]
    client.force_login(owner)
    response = client.post("/customers/import/", {"file": upload("客户名单.xlsx", LIST)})
    record = ImportRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/customers/import/{record.pk}/"
    assert Customer.objects.count() == 0

    page = client.get(response["Location"]).content.decode()
    assert "内部编号" in page  # reported as ignored
    assert 'id="problems"' in page and "职工人数" in page
    assert 'id="valid-count">2<' in page and 'id="problem-count">1<' in page

    response = client.post(f"/customers/import/{record.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/customers/?") and f"owner={owner.pk}" in response["Location"]
    assert "status=draft" in response["Location"]
    assert set(Customer.objects.values_list("name", flat=True)) == {"甲公司", "丙公司"}
    listing = client.get(response["Location"]).content.decode()
    assert "甲公司" in listing and "丙公司" in listing

    # Once imported, the page says so and the second confirmation is refused.
    page = client.get(f"/customers/import/{record.pk}/").content.decode()
    assert 'id="import-done"' in page and 'id="confirm-form"' not in page
    client.post(f"/customers/import/{record.pk}/")
    assert Customer.objects.count() == 2


def test_the_rows_to_fix_after_the_import_are_the_rows_the_import_left_out(client, people, record):
    from customers.imports import import_confirm

    import_confirm(actor=people["owner"], record_id=record.pk)
    client.force_login(people["owner"])
    response = client.get(f"/customers/import/{record.pk}/errors.xlsx")
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0].values)
    assert rows[0][:3] == ("客户名称", "职工人数", "内部编号") and len(rows[0]) == 4
    assert [row[:3] for row in rows[1:]] == [("乙公司", "many", "X2")]
    assert "职工人数" in rows[1][3]


def test_a_refused_file_is_shown_on_the_form_and_nothing_is_kept(client, people):
    client.force_login(people["owner"])
    response = client.post("/customers/import/", {"file": upload("客户.xlsm", b"PK\x03\x04")})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert ImportRecord.objects.count() == 0 and Customer.objects.count() == 0
    response = client.post("/customers/import/", {"file": upload("客户.xlsx", b"not a workbook")})
    assert response.status_code == 200 and ImportRecord.objects.count() == 0


def test_the_form_needs_a_csrf_token(people):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(people["owner"])
    response = csrf_client.post("/customers/import/", {"file": upload("客户名单.xlsx", LIST)})
    assert response.status_code == 403
    assert ImportRecord.objects.count() == 0


def test_the_confirmation_needs_a_csrf_token(people, record):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(people["owner"])
    assert csrf_client.post(f"/customers/import/{record.pk}/").status_code == 403
    assert Customer.objects.count() == 0


def test_the_template_download_holds_the_headers(client, people):
    client.force_login(people["owner"])
    response = client.get("/customers/import/template.xlsx")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert next(wb.worksheets[0].values)[0] == "客户名称"
    assert len(wb.sheetnames) == 2


def test_the_list_offers_the_import_to_those_who_may_import(client, people):
    make_customer(people["owner"])
    client.force_login(people["owner"])
    assert 'id="import-link"' in client.get("/customers/").content.decode()
    client.force_login(people["archivist"])
    assert 'id="import-link"' not in client.get("/customers/").content.decode()
