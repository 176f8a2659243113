"""Pages of the archive card: the permission matrix, refused and forged writes, filters, bad input, the trail."""

import datetime
import re

import pytest
from django.core.files.storage import storages
from django.test import Client
from django.utils.translation import gettext, override

from customers import services
from customers.choices import AttachmentKind
from customers.forms import CustomerForm
from customers.models import Attachment, Customer

from ..factories import credit_code, make_customer, make_region
from ..helpers import (
    ADMIN_LOGIN,
    LOGIN,
    SIGNED_IN,
    assert_matrix,
    form_data,
    image_bytes,
    matrix_params,
    noisy_png_bytes,
    pdf_bytes,
    pks,
    sign_in,
    upload,
)

# Who may do what with customer A of the ``world`` fixture (see tests/conftest.py).
SEES_A = {"director", "archivist", "owner", "co_owner", "granted_manager", "group_clerk", "admin"}
CHANGES_A = {"director", "owner", "co_owner", "admin"}


def _read_row():
    return {"anonymous": LOGIN, **{role: 200 if role in SEES_A else 404 for role in SIGNED_IN}}


def _edit_row():
    def cell(role):
        if role in CHANGES_A:
            return 200
        return 403 if role in SEES_A else 404  # seen but not changeable: 403; unseen: 404, existence not leaked

    return {"anonymous": LOGIN, **{role: cell(role) for role in SIGNED_IN}}


MATRIX = {
    "list": {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, 200)},
    "card": _read_row(),
    "edit": _edit_row(),
    "history": _read_row(),
    "download": _read_row(),
    "contact-create": _edit_row(),
    "contact-edit": _edit_row(),
    "interaction-create": _edit_row(),
    "interaction-edit": _edit_row(),
    "attachment-create": _edit_row(),
    # Naming the account managers is the director's: readers of A get 403, the rest 404.
    "keepers": {
        "anonymous": LOGIN,
        **{role: 200 if role in {"director", "admin"} else 403 if role in SEES_A else 404 for role in SIGNED_IN},
    },
    # Only staff enter the admin: signed-in users without staff status are sent to the admin's login.
    "admin": {"anonymous": LOGIN, **{role: 200 if role == "admin" else ADMIN_LOGIN for role in SIGNED_IN}},
}


@pytest.fixture
def records(world):
    """A contact and an interaction on each of A and B."""
    made = {}
    for name, keeper in (("a", "owner"), ("b", "other_manager")):
        customer, actor = world[name], world[keeper]
        made[f"contact_{name}"] = services.contact_create(
            actor=actor, customer_id=customer.pk, data={"name": f"{name}的联系人"}
        )
        made[f"interaction_{name}"] = services.interaction_create(
            actor=actor,
            customer_id=customer.pk,
            data={"kind": "visit", "occurred_on": datetime.date(2026, 3, 2), "subject": f"拜访{name}"},
        )
    return made


@pytest.fixture
def urls(world, attachment, records):
    a = world["a"].pk
    return {
        "contact-edit": f"/customers/{a}/contacts/{records['contact_a'].pk}/edit/",
        "interaction-create": f"/customers/{a}/interactions/new/",
        "interaction-edit": f"/customers/{a}/interactions/{records['interaction_a'].pk}/edit/",
        "keepers": f"/customers/{a}/keepers/",
        "list": "/customers/",
        "card": f"/customers/{a}/",
        "edit": f"/customers/{a}/edit/",
        "history": f"/customers/{a}/history/",
        "download": f"/customers/{a}/attachments/{attachment.pk}/",
        "contact-create": f"/customers/{a}/contacts/new/",
        "attachment-create": f"/customers/{a}/attachments/new/",
        "admin": f"/admin/customers/customer/{a}/change/",
    }


@pytest.mark.parametrize(("page", "expected"), matrix_params(MATRIX))
def test_permission_matrix(client, world, people, urls, page, expected):
    assert_matrix(client, people, urls[page], expected)


def test_unseen_customer_b_answers_404_like_a_missing_one(client, world, people, attachment):
    b = world["b"].pk
    for url in (
        f"/customers/{b}/",
        f"/customers/{b}/edit/",
        f"/customers/{b}/history/",
        "/customers/999999/",
        "/customers/999999/edit/",
        f"/customers/{b}/attachments/{attachment.pk}/",
    ):
        assert_matrix(client, people, url, {"owner": 404, "granted_manager": 404, "group_clerk": 404}, complete=False)


def test_a_record_is_reached_only_through_its_own_customer(client, world, people, records):
    # The director may change A and B, but B's contact and interaction do not exist under A's address.
    a = world["a"].pk
    for url in (
        f"/customers/{a}/contacts/{records['contact_b'].pk}/edit/",
        f"/customers/{a}/interactions/{records['interaction_b'].pk}/edit/",
    ):
        assert_matrix(client, people, url, {"director": 404, "owner": 404}, complete=False)
        assert_matrix(
            client,
            people,
            url,
            {"director": 404},
            method="post",
            data={"name": "篡改", "subject": "篡改"},
            complete=False,
        )
    records["contact_b"].refresh_from_db()
    assert records["contact_b"].name == "b的联系人"


def test_a_huge_customer_number_is_not_found(client, world):
    client.force_login(world["director"])
    assert client.get("/customers/99999999999999999999/").status_code == 404


# ---- The list shows exactly the permitted customers ------------------------------------------------------------

LIST_SEES = {
    "director": {"a", "b"},
    "archivist": {"a", "b"},
    "admin": {"a", "b"},
    "owner": {"a"},
    "co_owner": {"a"},
    "granted_manager": {"a"},
    "group_clerk": {"a"},
    "other_manager": {"b"},
    "clerk": set(),
}


@pytest.mark.parametrize("role", LIST_SEES)
def test_the_list_shows_exactly_the_permitted_customers(client, world, role):
    client.force_login(world[role])
    response = client.get("/customers/")
    assert response.status_code == 200
    expected = {world[name].pk for name in LIST_SEES[role]}
    assert pks(response.context["object_list"]) == expected
    assert response.context["page_obj"].paginator.count == len(expected)
    content = response.content.decode()
    for name in ("a", "b"):
        assert (world[name].name in content) == (name in LIST_SEES[role]), name


# ---- Refused and forged writes ---------------------------------------------------------------------------------


def _edit_body(customer, **changes):
    customer.refresh_from_db()
    return form_data(CustomerForm(instance=customer), **changes)


def _trail_size(customer) -> int:
    return Customer.history.filter(id=customer.pk).count()


@pytest.mark.parametrize(
    ("role", "status"),
    [("other_manager", 404), ("clerk", 404), ("granted_manager", 403), ("group_clerk", 403), ("archivist", 403)],
)
def test_a_forged_edit_changes_nothing(client, world, role, status):
    a = world["a"]
    body = _edit_body(a, name="被篡改的名称", phone="000")
    before = _trail_size(a)
    client.force_login(world[role])
    response = client.post(f"/customers/{a.pk}/edit/", body)
    assert response.status_code == status
    a.refresh_from_db()
    assert (a.name, a.phone, a.version) != ("被篡改的名称", "000", 2)
    assert a.version == 1
    assert _trail_size(a) == before


def test_the_keeper_can_post_the_same_edit(client, world):
    # The counterpart of the forged edits above: the very same body, posted by the owner, is saved.
    a = world["a"]
    client.force_login(world["owner"])
    response = client.post(f"/customers/{a.pk}/edit/", _edit_body(a, phone="021-5555"))
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{a.pk}/"
    a.refresh_from_db()
    assert (a.phone, a.version) == ("021-5555", 2)


@pytest.mark.parametrize(
    ("role", "status"), [("other_manager", 404), ("clerk", 404), ("granted_manager", 403), ("group_clerk", 403)]
)
def test_forged_record_posts_write_nothing(client, world, role, status):
    from customers.models import Contact, Interaction

    a = world["a"]
    client.force_login(world[role])
    posts = {
        f"/customers/{a.pk}/contacts/new/": {"name": "假联系人", "department_role": "other", "level": "user"},
        f"/customers/{a.pk}/interactions/new/": {"kind": "visit", "occurred_on": "2026-03-02", "subject": "假拜访"},
        f"/customers/{a.pk}/attachments/new/": {
            "kind": AttachmentKind.OTHER,
            "file": upload("x.png", image_bytes("PNG"), "image/png"),
        },
    }
    for url, body in posts.items():
        assert client.post(url, body).status_code == status, url
    for model in (Contact, Interaction, Attachment):
        assert not model.objects.exists()
        assert not model.history.exists()


def test_edit_without_csrf_token_is_refused(world):
    a = world["a"]
    body = _edit_body(a, phone="021-6666")
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(world["owner"])
    response = csrf_client.post(f"/customers/{a.pk}/edit/", body)
    assert response.status_code == 403
    a.refresh_from_db()
    assert (a.phone, a.version) == ("", 1)
    assert _trail_size(a) == 1

    # With the token the browser got from the form, the same post goes through.
    csrf_client.get(f"/customers/{a.pk}/edit/")
    token = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(f"/customers/{a.pk}/edit/", {**body, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.phone == "021-6666"


# ---- Attachments are served only after the rights check ---------------------------------------------------------


def test_download_serves_the_stored_bytes_safely(client, world, attachment):
    client.force_login(world["group_clerk"])
    response = client.get(f"/customers/{world['a'].pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == image_bytes("PNG")
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_attachment_is_not_served_through_another_customers_address(client, world, attachment):
    # The director may read both A and B, but A's document does not exist under B's address.
    client.force_login(world["director"])
    response = client.get(f"/customers/{world['b'].pk}/attachments/{attachment.pk}/")
    assert response.status_code == 404


# ---- Filters and sorting ---------------------------------------------------------------------------------------


@pytest.fixture
def catalogue(world):
    """A and B, plus a grade-A customer of the owner and a customer of other_manager in another region."""
    south = make_region("华南区", "south")
    top = make_customer(world["owner"], name="甲级重点客户有限公司", grade_override="A", region=world["region"])
    southern = make_customer(world["other_manager"], name="深圳南方贸易有限公司", region=south)
    services.contact_create(actor=world["other_manager"], customer_id=world["b"].pk, data={"name": "欧阳采购"})
    return {"top": top, "southern": southern, "south": south, **world}


def _listed(client, user, query) -> list:
    client.force_login(user)
    response = client.get("/customers/", query)
    assert response.status_code == 200
    return list(response.context["object_list"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param({"grade": "A"}, {"top"}, id="grade"),
        pytest.param({"grade": ["A", "D"]}, {"top", "a", "b", "southern"}, id="grades"),
        pytest.param({"q": "欧阳"}, {"b"}, id="contact name"),
        pytest.param({"q": "南方贸易"}, {"southern"}, id="customer name"),
        pytest.param({"region": "south"}, {"southern"}, id="region"),
        pytest.param({"region": "east"}, {"a", "b", "top"}, id="region east"),
        pytest.param({"owner": "other_manager"}, {"b", "southern"}, id="owner"),
        pytest.param({"owner": "owner", "grade": "D"}, {"a"}, id="owner and grade"),
    ],
)
def test_list_filters_for_the_director(client, catalogue, query, expected):
    query = dict(query)
    if "region" in query:
        query["region"] = {"south": catalogue["south"], "east": catalogue["region"]}[query["region"]].pk
    if "owner" in query:
        query["owner"] = catalogue[query["owner"]].pk
    got = _listed(client, catalogue["director"], query)
    assert pks(got) == {catalogue[name].pk for name in expected}


@pytest.mark.parametrize("role", ["director", "owner"])
def test_a_search_by_contact_never_finds_a_card_in_the_recycle_bin(client, catalogue, role):
    services.contact_create(actor=catalogue["owner"], customer_id=catalogue["top"].pk, data={"name": "欧阳采购"})
    services.contact_create(actor=catalogue["owner"], customer_id=catalogue["a"].pk, data={"name": "欧阳经理"})
    # Straight to the bin: the search, not the deletion workflow, is what is tested here.
    Customer.all_objects.filter(pk=catalogue["top"].pk).update(
        deleted_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )
    expected = {"director": {"a", "b"}, "owner": {"a"}}[role]
    assert pks(_listed(client, catalogue[role], {"q": "欧阳"})) == {catalogue[name].pk for name in expected}


def _owner_options(client, user) -> set[str]:
    client.force_login(user)
    select = re.search(r'<select name="owner".*?</select>', client.get("/customers/").content.decode(), re.S)
    return set(re.findall(r'<option value="(\d+)"', select.group(0)))


def test_the_owner_filter_offers_a_manager_only_the_owners_of_cards_they_read(client, catalogue):
    # The owner reads A and top (their own); the granted manager reads A only; B's and southern's owner is
    # other_manager, whom neither of them can find by name in the filter.
    assert _owner_options(client, catalogue["owner"]) == {str(catalogue["owner"].pk)}
    assert _owner_options(client, catalogue["granted_manager"]) == {str(catalogue["owner"].pk)}
    assert _owner_options(client, catalogue["group_clerk"]) == {str(catalogue["owner"].pk)}
    assert _owner_options(client, catalogue["clerk"]) == set()


def test_the_owner_filter_offers_the_director_every_active_keeper(client, catalogue):
    keepers = {catalogue[name] for name in ("director", "owner", "co_owner", "other_manager", "granted_manager")}
    catalogue["granted_manager"].is_active = False
    catalogue["granted_manager"].save()
    assert _owner_options(client, catalogue["director"]) == {str(u.pk) for u in keepers if u.is_active}


def test_list_search_by_credit_code(client, catalogue):
    code = catalogue["southern"].credit_code
    assert pks(_listed(client, catalogue["director"], {"q": code.lower()})) == {catalogue["southern"].pk}


@pytest.mark.parametrize(
    "query",
    [{"q": "欧阳"}, {"q": "南方贸易"}, {"region": "south"}, {"owner": "other_manager"}],
    ids=["contact of B", "name of B's sister", "other region", "other manager"],
)
def test_filters_never_reach_past_the_permitted_customers(client, catalogue, query):
    query = dict(query)
    if "region" in query:
        query["region"] = catalogue["south"].pk
    if "owner" in query:
        query["owner"] = catalogue["other_manager"].pk
    assert _listed(client, catalogue["owner"], query) == []


def test_list_sorts_by_name_both_ways(client, catalogue):
    director = catalogue["director"]
    ascending = _listed(client, director, {"sort": "name"})
    descending = _listed(client, director, {"sort": "-name"})
    assert len(descending) == 4
    assert descending == list(reversed(ascending))
    # The database's own collation decides the order of Chinese names.
    assert descending == list(Customer.objects.order_by("-name"))


# ---- Bad input is shown back, in Chinese ----------------------------------------------------------------------


def test_a_wrong_check_digit_is_shown_on_the_credit_code_field(client, world):
    a = world["a"]
    client.force_login(world["owner"])
    response = client.post(f"/customers/{a.pk}/edit/", _edit_body(a, credit_code="91110000802100433A"))
    assert response.status_code == 200
    form = response.context["form"]
    assert [e.code for e in form.errors.as_data()["credit_code"]] == ["credit_code_check_digit"]
    message = form.errors["credit_code"][0]
    assert message in response.content.decode()
    # needs zh_Hans catalogue: the default interface language is Simplified Chinese.
    assert "统一社会信用代码" in message and "校验" in message, message
    a.refresh_from_db()
    assert (a.credit_code, a.version) == (world["a"].credit_code, 1)
    assert _trail_size(a) == 1


def test_a_lowercase_credit_code_is_saved_in_capitals(client, world):
    a = world["a"]
    client.force_login(world["owner"])
    response = client.post(f"/customers/{a.pk}/edit/", _edit_body(a, credit_code="91350100m000100y43"))
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.credit_code == "91350100M000100Y43"


def test_a_credit_code_already_in_the_archive_is_refused(client, world):
    a, b = world["a"], world["b"]
    client.force_login(world["director"])
    response = client.post(f"/customers/{a.pk}/edit/", _edit_body(a, credit_code=b.credit_code.lower()))
    assert response.status_code == 200
    assert "credit_code" in response.context["form"].errors
    a.refresh_from_db()
    assert a.credit_code != b.credit_code


def test_a_stale_form_shows_the_conflict(client, world):
    a = world["a"]
    stale = _edit_body(a, phone="021-7777")  # the owner loaded version 1
    services.customer_update(actor=world["co_owner"], customer_id=a.pk, data={"phone": "021-8888"})
    client.force_login(world["owner"])
    response = client.post(f"/customers/{a.pk}/edit/", stale)
    assert response.status_code == 200
    assert response.context["conflict"].by == "co_owner"
    content = response.content.decode()
    assert "021-8888" in content
    a.refresh_from_db()
    assert (a.phone, a.version) == ("021-8888", 2)


def _stored_files() -> list:
    root = storages["attachments"].location
    import os

    return [os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        pytest.param("营业执照.jpg", "这只是一段文字".encode(), "not_image", id="text renamed .jpg"),
        pytest.param("营业执照.jpg", image_bytes("PNG"), "image_mismatch", id="png renamed .jpg"),
        pytest.param("virus.exe", b"MZ" + b"\0" * 100, "file_type", id="exe"),
        pytest.param("fake.pdf", b"not a pdf at all", "not_pdf", id="fake pdf"),
    ],
)
def test_a_bad_upload_is_shown_back_and_not_stored(client, world, name, content, code):
    a = world["a"]
    client.force_login(world["owner"])
    response = client.post(
        f"/customers/{a.pk}/attachments/new/",
        {"kind": AttachmentKind.BUSINESS_LICENCE, "title": "营业执照", "file": upload(name, content, "image/jpeg")},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert [e.code for e in form.errors.as_data()["file"]] == [code]
    assert form.errors["file"][0] in response.content.decode()
    assert not Attachment.objects.exists()
    assert not Attachment.history.exists()
    assert _stored_files() == []


def test_an_oversized_upload_is_shown_back_and_not_stored(client, world, settings):
    settings.ARCHIVE_ATTACHMENT_MAX_BYTES = 4096
    a = world["a"]
    client.force_login(world["owner"])
    response = client.post(
        f"/customers/{a.pk}/attachments/new/",
        {"kind": AttachmentKind.BUSINESS_LICENCE, "file": upload("big.png", noisy_png_bytes(8192), "image/png")},
    )
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["file"]] == ["file_too_large"]
    assert not Attachment.objects.exists()
    assert _stored_files() == []


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [("营业执照.png", image_bytes("PNG"), "image/png"), ("签字表.pdf", pdf_bytes(), "application/pdf")],
)
def test_a_good_upload_is_stored_and_served(client, world, name, content, content_type):
    a = world["a"]
    client.force_login(world["owner"])
    response = client.post(
        f"/customers/{a.pk}/attachments/new/",
        {"kind": AttachmentKind.SIGNED_FORM, "title": "签字表", "file": upload(name, content, "text/plain")},
    )
    assert response.status_code == 302
    (stored,) = Attachment.objects.all()
    assert (stored.customer, stored.content_type, stored.original_name) == (a, content_type, name)
    assert len(_stored_files()) == 1
    client.force_login(world["granted_manager"])
    download = client.get(stored.get_absolute_url())
    assert b"".join(download.streaming_content) == content


# ---- The change trail -----------------------------------------------------------------------------------------


def test_two_edits_through_the_form_show_on_the_history_page(client, world):
    a = world["a"]
    owner = world["owner"]
    owner.first_name, owner.last_name = "王", "经理"
    owner.save()
    client.force_login(owner)

    first = client.post(f"/customers/{a.pk}/edit/", _edit_body(a, phone="021-1111", industry="纺织"))
    assert first.status_code == 302
    second = client.post(f"/customers/{a.pk}/edit/", _edit_body(a, phone="021-2222", industry="化工"))
    assert second.status_code == 302

    client.force_login(world["group_clerk"])  # a reader of the card sees the same trail
    response = client.get(f"/customers/{a.pk}/history/")
    assert response.status_code == 200
    content = response.content.decode()
    entries = response.context["entries"]
    edits = [e for e in entries if e.model is Customer and e.kind == "~"]
    assert len(edits) == 2
    newest, oldest = edits
    assert {c.field.name: (c.old_display, c.new_display) for c in oldest.changes} == {
        "phone": ("—", "021-1111"),
        "industry": ("—", "纺织"),
    }
    assert {c.field.name: (c.old_display, c.new_display) for c in newest.changes} == {
        "phone": ("021-1111", "021-2222"),
        "industry": ("纺织", "化工"),
    }
    # What the reader sees on the page: each version's old and new value side by side, who, and why,
    # the newest edit first.
    text = " ".join(re.sub(r"<[^>]+>", " ", content).split())
    newest_row, oldest_row = "021-1111 021-2222", "— 021-1111"
    assert newest_row in text and oldest_row in text
    assert text.index(newest_row) < text.index(oldest_row)
    assert "纺织 化工" in text and "— 纺织" in text
    with override("zh-hans"):
        reason = gettext("Card edited")
        phone_label = str(Customer._meta.get_field("phone").verbose_name)
    assert content.count(reason) >= 2
    assert content.count("王 经理") >= 2
    assert phone_label in text


def test_the_history_page_shows_records_of_the_card(client, world, attachment):
    services.contact_create(actor=world["co_owner"], customer_id=world["a"].pk, data={"name": "司马联系人"})
    client.force_login(world["director"])
    content = client.get(f"/customers/{world['a'].pk}/history/").content.decode()
    with override("zh-hans"):
        reasons = [gettext("Contact added"), gettext("Attachment uploaded"), gettext("Card created")]
    for text in ("司马联系人", "营业执照", "co_owner", *reasons):
        assert text in content, text


def test_the_history_of_b_shows_nothing_of_a(client, world):
    services.customer_update(actor=world["owner"], customer_id=world["a"].pk, data={"phone": "021-3333"})
    client.force_login(world["director"])
    content = client.get(f"/customers/{world['b'].pk}/history/").content.decode()
    assert "021-3333" not in content
    assert world["a"].name not in content


# ---- The card shows what a reader needs ------------------------------------------------------------------------


def test_the_card_shows_edit_links_only_to_keepers(client, world, people):
    a = world["a"]
    for role in ("owner", "granted_manager"):
        sign_in(client, people, role)
        response = client.get(f"/customers/{a.pk}/")
        assert response.status_code == 200
        assert response.context["can_edit"] is (role == "owner")
        assert (f'href="/customers/{a.pk}/edit/"' in response.content.decode()) is (role == "owner"), role


def test_new_card_form_creates_a_draft_for_the_manager(client, people):
    client.force_login(people["owner"])
    body = form_data(CustomerForm(), name="新开客户有限公司", credit_code=credit_code())
    response = client.post("/customers/new/", body)
    assert response.status_code == 302
    customer = Customer.objects.get(name="新开客户有限公司")
    assert response["Location"] == f"/customers/{customer.pk}/"
    assert (customer.owner, customer.status) == (people["owner"], "draft")


@pytest.mark.parametrize("role", ["clerk", "archivist"])
def test_roles_without_add_right_cannot_open_the_new_card_form(client, people, role):
    client.force_login(people[role])
    assert client.get("/customers/new/").status_code == 403
    assert client.post("/customers/new/", {"name": "偷开的卡"}).status_code == 403
    assert not Customer.objects.exists()


# ---- The administration site keeps the card's rules -----------------------------------------------------------


def _admin_post(client, admin, customer, **changes):
    url = f"/admin/customers/customer/{customer.pk}/change/"
    client.force_login(admin)
    page = client.get(url)
    assert page.status_code == 200
    body = form_data(page.context["adminform"].form, **changes)
    body["_save"] = "Save"
    response = client.post(url, body)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    return response


def test_an_admin_edit_is_a_new_version_of_the_card(client, world):
    # The owner opens the edit form; meanwhile an administrator changes the card in the admin. The owner's
    # save must be refused as stale, not silently overwrite the administrator's change (a lost update).
    a = world["a"]
    stale = _edit_body(a, phone="021-7777")
    _admin_post(client, world["admin"], a, industry="管理员改的行业")
    a.refresh_from_db()
    assert a.industry == "管理员改的行业"

    client.force_login(world["owner"])
    response = client.post(f"/customers/{a.pk}/edit/", stale)
    a.refresh_from_db()
    assert (a.industry, a.phone) == ("管理员改的行业", ""), "the stale form overwrote the administrator's change"
    assert response.status_code == 200
    assert response.context["conflict"].by == "admin"


def test_the_admin_cannot_move_the_owner_behind_the_rights(client, world):
    """Ownership moves rights, so it changes only through the keepers service, never in the admin form."""
    from customers import permissions
    from customers.permissions import Action

    a = world["a"]
    _admin_post(client, world["admin"], a, owner=str(world["other_manager"].pk))
    a.refresh_from_db()
    assert a.owner == world["owner"]
    assert permissions.can(world["owner"], Action.CHANGE, a)
    assert not permissions.can(world["other_manager"], Action.VIEW, a)
