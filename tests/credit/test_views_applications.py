"""The credit application pages: the permission matrix, forged posts, the 5C form, the evidence and the list."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import constants
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from django.utils.translation import gettext

from archive import filing
from archive.choices import FilingStatus
from archive.filing import EditConflict
from credit import services
from credit.choices import FACTOR_HELP, Factor
from credit.models import CreditApplication, CreditEvidence

from ..factories import make_customer
from ..helpers import (
    LOGIN,
    SIGNED_IN,
    assert_matrix,
    image_bytes,
    pdf_bytes,
    queries_text,
    shown_messages,
    upload,
)
from .conftest import grant_credit, scores

pytestmark = pytest.mark.django_db

SEES_A = {"director", "archivist", "owner", "co_owner", "granted_manager", "group_clerk", "admin"}
CHANGES_A = {"director", "owner", "co_owner", "admin"}
KEEPS_SOMEONE = {"director", "owner", "co_owner", "other_manager", "admin"}


def _read_a(seen=200):
    """Pages of an application of A: those who see A read it; the rest get a 404 that confirms nothing."""
    return {"anonymous": LOGIN, **{role: seen if role in SEES_A else 404 for role in SIGNED_IN}}


def _change_a(allowed=200):
    """Writes on an application of A: keepers may; readers who may not change get 403; the rest 404."""
    cells = {"anonymous": LOGIN}
    for role in SIGNED_IN:
        cells[role] = allowed if role in CHANGES_A else 403 if role in SEES_A else 404
    return cells


def _data(**changes) -> dict:
    return {
        "requested_limit": Decimal("10000.00"),
        "terms_days": 30,
        "payment_method": "transfer",
        "guarantee": "",
        **scores(),
        **changes,
    }


def _body(customer=None, version=None, **changes) -> dict:
    """The POST body of the application form (the scores as the radio buttons send them)."""
    body = {
        "requested_limit": "10000.00",
        "terms_days": "30",
        "payment_method": "transfer",
        "guarantee": "法人代表个人连带担保",
        **{f"score_{factor}": "4" for factor in Factor.values},
        **{f"note_{factor}": f"{factor} 依据" for factor in Factor.values},
    }
    if customer is not None:
        body["customer"] = str(customer.pk)
    if version is not None:
        body["version"] = str(version)
    body.update({name: str(value) for name, value in changes.items()})
    return body


@pytest.fixture
def application_a(world):
    """A draft application of customer A, scored all 4: weighted 4.00, grade AA, ¥8,000.00 of the ¥10,000.00."""
    return services.application_create(actor=world["owner"], customer_id=world["a"].pk, data=_data())


@pytest.fixture
def evidence_a(world, application_a):
    return services.evidence_add(
        actor=world["owner"],
        application_id=application_a.pk,
        factor=Factor.CAPITAL,
        upload=upload("2025年审计报告.pdf", pdf_bytes("audited accounts"), "application/pdf"),
        description="2025 年度审计报告",
    )


def _evidence_files(settings) -> list:
    root = settings.STORAGES["attachments"]["OPTIONS"]["location"]
    import pathlib

    return [p for p in pathlib.Path(root).rglob("*") if p.is_file()]


# ---- The permission matrix ---------------------------------------------------------------------------------------


def test_the_list_is_open_to_every_signed_in_user_and_new_to_keepers(client, people, world):
    assert_matrix(client, people, "/credit/applications/", {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, 200)})
    cells = {"anonymous": LOGIN, **{role: 200 if role in KEEPS_SOMEONE else 403 for role in SIGNED_IN}}
    assert_matrix(client, people, "/credit/applications/new/", cells)
    assert_matrix(client, people, f"/credit/applications/new/?customer={world['a'].pk}", cells)


def test_the_permission_matrix_of_one_application_and_its_evidence(client, people, application_a, evidence_a):
    assert_matrix(client, people, f"/credit/applications/{application_a.pk}/", _read_a())
    assert_matrix(client, people, f"/credit/evidence/{evidence_a.pk}/", _read_a())
    assert_matrix(client, people, f"/credit/applications/{application_a.pk}/edit/", _change_a())
    # An upload without a file is refused with a message (302 back) for keepers: nothing is written by the matrix.
    assert_matrix(client, people, f"/credit/applications/{application_a.pk}/evidence/", _change_a(302), method="post")
    refusals = {role: cell for role, cell in _change_a().items() if cell != 200}
    assert_matrix(client, people, f"/credit/evidence/{evidence_a.pk}/remove/", refusals, method="post", complete=False)
    assert CreditEvidence.objects.filter(pk=evidence_a.pk).exists()
    assert CreditEvidence.objects.count() == 1


def test_every_write_refuses_get(client, world, application_a, evidence_a):
    client.force_login(world["owner"])
    assert client.get(f"/credit/applications/{application_a.pk}/evidence/").status_code == 405
    assert client.get(f"/credit/evidence/{evidence_a.pk}/remove/").status_code == 405


def test_an_application_in_the_recycle_bin_and_its_evidence_are_a_404(client, world, application_a, evidence_a):
    CreditApplication.all_objects.filter(pk=application_a.pk).update(
        deleted_at=datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC)
    )
    client.force_login(world["director"])
    assert client.get(f"/credit/applications/{application_a.pk}/").status_code == 404
    assert client.get(f"/credit/evidence/{evidence_a.pk}/").status_code == 404
    assert client.get("/credit/applications/").context["object_list"].count() == 0


# ---- Forged posts ------------------------------------------------------------------------------------------------


def test_a_manager_cannot_apply_for_another_managers_customer(client, world):
    client.force_login(world["other_manager"])
    response = client.post("/credit/applications/new/", _body(customer=world["a"]))
    assert response.status_code == 200
    assert "customer" in response.context["form"].errors
    assert str(world["a"].pk) not in [str(value) for value, _ in response.context["form"].fields["customer"].choices]
    assert not CreditApplication.all_objects.exists()


def test_forged_posts_against_another_managers_application_change_nothing(client, world, application_a, evidence_a):
    before = (CreditApplication.history.count(), CreditEvidence.history.count())
    client.force_login(world["other_manager"])
    edit = client.post(f"/credit/applications/{application_a.pk}/edit/", _body(version=1, score_character=1))
    assert edit.status_code == 404
    pdf = upload("forged.pdf", pdf_bytes(), "application/pdf")
    add = client.post(f"/credit/applications/{application_a.pk}/evidence/", {"factor": "capital", "file": pdf})
    assert add.status_code == 404
    assert client.post(f"/credit/evidence/{evidence_a.pk}/remove/").status_code == 404
    assert client.post(f"/entries/credit.creditapplication/{application_a.pk}/submit/").status_code == 404
    application_a.refresh_from_db()
    assert application_a.score_character == 4 and application_a.status == FilingStatus.DRAFT
    assert list(CreditEvidence.objects.values_list("pk", flat=True)) == [evidence_a.pk]
    assert (CreditApplication.history.count(), CreditEvidence.history.count()) == before


def test_a_reader_who_may_not_change_gets_403_and_nothing_changes(client, world, application_a, evidence_a):
    before = (CreditApplication.history.count(), CreditEvidence.history.count())
    client.force_login(world["granted_manager"])
    edit = client.post(f"/credit/applications/{application_a.pk}/edit/", _body(version=1, score_character=1))
    assert edit.status_code == 403
    pdf = upload("forged.pdf", pdf_bytes(), "application/pdf")
    add = client.post(f"/credit/applications/{application_a.pk}/evidence/", {"factor": "capital", "file": pdf})
    assert add.status_code == 403
    assert client.post(f"/credit/evidence/{evidence_a.pk}/remove/").status_code == 403
    application_a.refresh_from_db()
    assert application_a.score_character == 4
    assert CreditEvidence.objects.count() == 1
    assert (CreditApplication.history.count(), CreditEvidence.history.count()) == before


# ---- Entering and editing -----------------------------------------------------------------------------------------


def test_the_form_shows_each_factor_with_its_weight_and_question(client, world):
    client.force_login(world["owner"])
    response = client.get(f"/credit/applications/new/?customer={world['a'].pk}")
    assert response.status_code == 200
    form = response.context["form"]
    assert form["customer"].value() == world["a"].pk
    content = response.content.decode()
    rows = {row.factor: row for row in form.factor_rows()}
    assert [rows[f].weight for f in Factor.values] == ["25", "25", "20", "15", "15"]
    for factor in Factor.values:
        assert escape(str(FACTOR_HELP[factor])) in content
        assert f'name="score_{factor}"' in content and f'id="factor-{factor}"' in content
    assert gettext("weight %(weight)s%%") % {"weight": "25"} in content


def test_a_keeper_enters_an_application_and_sees_what_it_earns(client, world):
    client.force_login(world["owner"])
    body = _body(customer=world["a"], score_character=5, score_capacity=5, score_capital=4)
    response = client.post("/credit/applications/new/", body)
    application = CreditApplication.objects.get()
    assert response.status_code == 302 and response["Location"] == application.get_absolute_url()
    # 5×.25 + 5×.25 + 4×.20 + 4×.15 + 4×.15 = 4.50: AAA, the whole limit asked for.
    assert application.total_score == Decimal("4.50")
    assert application.proposed_grade == "AAA"
    assert application.proposed_limit == Decimal("10000.00")
    assert application.created_by == world["owner"]
    assert application.note_capital == "capital 依据" and application.guarantee == "法人代表个人连带担保"
    assert shown_messages(response)[0][0] == constants.SUCCESS

    page = client.get(application.get_absolute_url())
    content = page.content.decode()
    assert 'id="total-score">4.50 / 5<' in content
    assert "¥10,000.00" in content
    scale = page.context["grade_scale"]
    assert [step["grade"] for step in scale if step["current"]] == ["AAA"]
    assert [step["limit"] for step in scale] == [
        Decimal(v) for v in ("10000.00", "8000.00", "6000.00", "3000.00", "0.00")
    ]
    assert f'action="/entries/credit.creditapplication/{application.pk}/submit/"' in content


def test_a_form_error_keeps_everything_typed_and_saves_nothing(client, world):
    client.force_login(world["owner"])
    body = _body(customer=world["a"], score_capital="", score_conditions="6", requested_limit="-5")
    response = client.post("/credit/applications/new/", body)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"score_capital", "score_conditions", "requested_limit"} <= set(errors)
    assert response.context["form"]["note_character"].value() == "character 依据"
    assert not CreditApplication.all_objects.exists()


def test_a_service_refusal_comes_back_on_the_form_with_what_was_typed(client, world, monkeypatch):
    from django.core.exceptions import ValidationError

    def refuse(**kwargs):
        raise ValidationError({"requested_limit": "Too much for this customer.", "__all__": "Not today."})

    monkeypatch.setattr(services, "application_create", refuse)
    client.force_login(world["owner"])
    response = client.post("/credit/applications/new/", _body(customer=world["a"], requested_limit="99999.00"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["requested_limit"] == ["Too much for this customer."]
    assert form.non_field_errors() == ["Not today."]
    assert form["requested_limit"].value() == "99999.00"
    assert "Not today." in response.content.decode()


def test_a_keeper_edits_a_draft(client, world, application_a):
    client.force_login(world["co_owner"])
    page = client.get(f"/credit/applications/{application_a.pk}/edit/")
    assert page.context["form"]["score_character"].value() == 4
    assert "customer" not in page.context["form"].fields
    response = client.post(
        f"/credit/applications/{application_a.pk}/edit/", _body(version=1, score_character=1, score_capacity=2)
    )
    assert response.status_code == 302
    application_a.refresh_from_db()
    # 1×.25 + 2×.25 + 4×.50 = 2.75: B, 30 % of the limit asked for.
    assert (application_a.total_score, application_a.proposed_grade) == (Decimal("2.75"), "B")
    assert application_a.proposed_limit == Decimal("3000.00")
    assert application_a.version == 2
    assert shown_messages(response) == [(constants.SUCCESS, gettext("Credit application saved."))]


def test_an_edit_made_on_an_old_version_is_refused_with_the_other_change(client, world, application_a):
    services.application_update(
        actor=world["co_owner"], application_id=application_a.pk, data={"terms_days": 45}, expected_version=1
    )
    client.force_login(world["owner"])
    response = client.post(f"/credit/applications/{application_a.pk}/edit/", _body(version=1, terms_days=60))
    assert response.status_code == 200
    assert isinstance(response.context["conflict"], EditConflict)
    assert response.context["form"]["terms_days"].value() == "60"
    assert 'id="edit-conflict"' in response.content.decode()
    application_a.refresh_from_db()
    assert (application_a.terms_days, application_a.version) == (45, 2)


def test_a_pending_application_waits_and_a_filed_one_cannot_be_edited(client, world, filed_a, application_a):
    filing.entry_submit(actor=world["owner"], entry=application_a)
    client.force_login(world["owner"])
    url = f"/credit/applications/{application_a.pk}/edit/"
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == application_a.get_absolute_url()
    assert shown_messages(response)[0][0] == constants.WARNING
    assert client.post(url, _body(version=2, score_character=1)).status_code == 302

    filed = grant_credit(world, world["a"])
    response = client.post(f"/credit/applications/{filed.pk}/edit/", _body(version=filed.version, score_character=1))
    assert response.status_code == 302 and response["Location"] == filed.get_absolute_url()
    assert shown_messages(response)[0][0] == constants.WARNING
    filed.refresh_from_db()
    assert filed.score_character == 4
    # A reader who may not change still gets 403, whatever the state.
    client.force_login(world["granted_manager"])
    assert client.get(f"/credit/applications/{filed.pk}/edit/").status_code == 403


# ---- The page of one application ----------------------------------------------------------------------------------


def test_the_page_shows_the_5c_table_and_the_evidence_behind_each_score(client, world, application_a, evidence_a):
    client.force_login(world["owner"])
    response = client.get(application_a.get_absolute_url())
    factors = {row["factor"]: row for row in response.context["factors"]}
    assert [factors[f]["weight"] for f in Factor.values] == ["25", "25", "20", "15", "15"]
    assert factors["capital"]["evidence"] == [evidence_a] and factors["character"]["evidence"] == []
    assert factors["character"]["dots"] == [True, True, True, True, False]
    content = response.content.decode()
    assert f'href="/credit/evidence/{evidence_a.pk}/"' in content
    assert f'action="/credit/evidence/{evidence_a.pk}/remove/"' in content
    assert f'action="/credit/applications/{application_a.pk}/evidence/"' in content
    assert 'id="edit-entry"' in content and 'id="submit-entry"' in content
    assert gettext("Propose a change") not in content

    client.force_login(world["group_clerk"])
    content = client.get(application_a.get_absolute_url()).content.decode()
    assert f'href="/credit/evidence/{evidence_a.pk}/"' in content
    assert "/remove/" not in content and '/evidence/"' not in content
    assert 'id="edit-entry"' not in content and 'id="submit-entry"' not in content


def test_a_filed_application_says_it_granted_the_current_credit_and_offers_no_change(client, world, filed_a):
    first = grant_credit(world, world["a"])
    client.force_login(world["owner"])
    response = client.get(first.get_absolute_url())
    assert response.context["grants_current"] is True
    content = response.content.decode()
    assert gettext("This application granted the customer's current credit.") in content
    for absent in ('id="edit-entry"', 'id="submit-entry"', 'id="evidence-upload"', gettext("Propose a change")):
        assert absent not in content
    assert 'id="catalogue-number"' in content

    grant_credit(world, world["a"], limit="20000.00")
    response = client.get(first.get_absolute_url())
    assert response.context["grants_current"] is False
    assert gettext("This application granted the customer's current credit.") not in response.content.decode()


def test_a_returned_application_shows_the_directors_comment(client, world, application_a):
    request = filing.entry_submit(actor=world["owner"], entry=application_a)
    filing.request_return(actor=world["director"], request_id=request.pk, comment="请补充审计报告")
    client.force_login(world["owner"])
    content = client.get(application_a.get_absolute_url()).content.decode()
    assert 'id="returned-comment"' in content and "请补充审计报告" in content
    assert 'id="edit-entry"' in content


# ---- Evidence -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("pdf", pdf_bytes(), "application/pdf"),
        ("photo.png", image_bytes("PNG"), "image/png"),
    ],
    ids=["pdf-without-suffix", "png"],
)
def test_a_keeper_attaches_evidence(client, world, application_a, name, content, content_type):
    client.force_login(world["owner"])
    name = "营业执照.pdf" if name == "pdf" else name
    response = client.post(
        f"/credit/applications/{application_a.pk}/evidence/",
        {"factor": "character", "file": upload(name, content, content_type), "description": "执照"},
    )
    assert response.status_code == 302 and response["Location"] == application_a.get_absolute_url()
    evidence = CreditEvidence.objects.get()
    assert (evidence.application, evidence.factor, evidence.original_name) == (application_a, "character", name)
    assert evidence.content_type == content_type and evidence.uploaded_by == world["owner"]
    assert shown_messages(response)[0][0] == constants.SUCCESS


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("财务报表.pdf", b"%PDF-1.4 this is not a PDF document at all"),
        ("setup.png", b"MZ\x90\x00" + b"\x00" * 200),
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 200),
        ("photo.jpg", image_bytes("PNG")),
    ],
    ids=["fake-pdf", "exe-renamed-png", "exe", "png-named-jpg"],
)
def test_evidence_that_is_not_what_it_claims_is_refused_and_nothing_is_kept(
    client, world, settings, application_a, name, content
):
    client.force_login(world["owner"])
    before = CreditEvidence.history.count()
    response = client.post(
        f"/credit/applications/{application_a.pk}/evidence/",
        {"factor": "capital", "file": upload(name, content)},
    )
    assert response.status_code == 302 and response["Location"] == application_a.get_absolute_url()
    levels = [level for level, _text in shown_messages(response)]
    assert levels == [constants.ERROR]
    assert not CreditEvidence.objects.exists() and CreditEvidence.history.count() == before
    assert _evidence_files(settings) == []


def test_an_upload_without_a_file_says_so(client, world, application_a):
    client.force_login(world["owner"])
    response = client.post(f"/credit/applications/{application_a.pk}/evidence/", {"factor": "capital"})
    assert response.status_code == 302
    [(level, text)] = shown_messages(response)
    assert level == constants.ERROR and gettext("This field is required.") in text


def test_evidence_cannot_be_added_or_removed_once_submitted(client, world, application_a, evidence_a):
    filing.entry_submit(actor=world["owner"], entry=application_a)
    client.force_login(world["owner"])
    pdf = upload("late.pdf", pdf_bytes(), "application/pdf")
    response = client.post(f"/credit/applications/{application_a.pk}/evidence/", {"factor": "capital", "file": pdf})
    assert [level for level, _ in shown_messages(response)] == [constants.ERROR]
    client.get(application_a.get_absolute_url())  # the page shows the message, and it is gone
    response = client.post(f"/credit/evidence/{evidence_a.pk}/remove/")
    assert [level for level, _ in shown_messages(response)] == [constants.ERROR]
    assert list(CreditEvidence.objects.all()) == [evidence_a]


def test_a_keeper_removes_evidence(client, world, application_a, evidence_a):
    client.force_login(world["co_owner"])
    response = client.post(f"/credit/evidence/{evidence_a.pk}/remove/")
    assert response.status_code == 302 and response["Location"] == application_a.get_absolute_url()
    assert not CreditEvidence.objects.exists()
    assert shown_messages(response)[0][0] == constants.SUCCESS


def test_evidence_is_served_with_its_type_in_a_sandbox(client, world, evidence_a):
    client.force_login(world["group_clerk"])
    response = client.get(f"/credit/evidence/{evidence_a.pk}/?download=1")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == pdf_bytes("audited accounts")
    inline = client.get(f"/credit/evidence/{evidence_a.pk}/")
    assert "attachment" not in inline.get("Content-Disposition", "")
    b"".join(inline.streaming_content)
    for role in ("other_manager", "clerk"):
        client.force_login(world[role])
        assert client.get(f"/credit/evidence/{evidence_a.pk}/").status_code == 404


# ---- The list -----------------------------------------------------------------------------------------------------


def test_the_list_shows_only_what_the_reader_may_see_and_filters(client, world, application_a):
    application_b = services.application_create(
        actor=world["other_manager"], customer_id=world["b"].pk, data=_data(score_capital=2)
    )
    filing.entry_submit(actor=world["other_manager"], entry=application_b)
    client.force_login(world["owner"])
    assert list(client.get("/credit/applications/").context["object_list"]) == [application_a]
    client.force_login(world["other_manager"])
    assert list(client.get("/credit/applications/").context["object_list"]) == [application_b]

    client.force_login(world["director"])
    both = client.get("/credit/applications/")
    assert set(both.context["object_list"]) == {application_a, application_b}
    content = both.content.decode()
    assert "¥8,000.00" in content and application_b.customer.name in content
    assert list(client.get("/credit/applications/", {"status": "pending"}).context["object_list"]) == [application_b]
    by_owner = client.get("/credit/applications/", {"owner": world["owner"].pk})
    assert list(by_owner.context["object_list"]) == [application_a]
    by_customer = client.get("/credit/applications/", {"customer": world["b"].pk})
    assert list(by_customer.context["object_list"]) == [application_b]
    assert by_customer.context["filter_customer"] == world["b"]
    assert f'href="/credit/applications/new/?customer={world["b"].pk}"' in by_customer.content.decode()


def _list_queries(client, user) -> tuple[int, object]:
    client.force_login(user)
    assert client.get("/credit/applications/").status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/credit/applications/").status_code == 200
    return len(ctx), ctx


@pytest.mark.parametrize("role", ["owner", "director"])
def test_the_list_costs_the_same_for_2_and_30_applications(client, world, role, django_assert_max_num_queries):
    for _ in range(2):
        services.application_create(actor=world["owner"], customer_id=world["a"].pk, data=_data())
    few, _ctx = _list_queries(client, world[role])
    for n in range(28):
        customer = make_customer(world["owner"]) if n % 2 else world["a"]
        services.application_create(actor=world["owner"], customer_id=customer.pk, data=_data(score_capital=n % 5 + 1))
    many, ctx = _list_queries(client, world[role])
    assert many == few, queries_text(ctx)
    with django_assert_max_num_queries(few):
        client.get("/credit/applications/")
