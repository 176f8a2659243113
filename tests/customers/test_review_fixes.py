"""Rules found in review: who can be named as our staff, edits must say which version they start from,
the language switch works before login, and the admin never deletes archive records."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from customers import services
from customers.models import Customer, Interaction

from ..helpers import form_data

pytestmark = pytest.mark.django_db


def interaction(**extra):
    return {"kind": "call", "occurred_on": "2026-11-01", "subject": "回访", **extra}


def test_staff_defaults_to_the_author(world):
    made = services.interaction_create(actor=world["owner"], customer_id=world["a"].pk, data=interaction(staff=None))
    assert made.staff == world["owner"]


def test_a_manager_cannot_name_someone_outside_the_card_as_our_staff(world):
    with pytest.raises(ValidationError):
        services.interaction_create(
            actor=world["owner"], customer_id=world["a"].pk, data=interaction(staff=world["other_manager"])
        )
    assert not Interaction.objects.exists()
    ok = services.interaction_create(
        actor=world["owner"], customer_id=world["a"].pk, data=interaction(staff=world["co_owner"])
    )
    assert ok.staff == world["co_owner"]


def test_the_form_offers_only_the_cards_keepers_as_staff(client, world):
    client.force_login(world["owner"])
    form = client.get(f"/customers/{world['a'].pk}/interactions/new/").context["form"]
    assert set(form.fields["staff"].queryset) == {world["owner"], world["co_owner"]}
    forged = client.post(
        f"/customers/{world['a'].pk}/interactions/new/",
        interaction(staff=world["other_manager"].pk),
    )
    assert forged.status_code == 200 and "staff" in forged.context["form"].errors
    assert not Interaction.objects.exists()


def test_an_edit_without_the_version_it_started_from_is_refused(client, world):
    a = world["a"]
    client.force_login(world["owner"])
    form = client.get(f"/customers/{a.pk}/edit/").context["form"]
    data = form_data(form, phone="021-1")
    data.pop("version")
    response = client.post(f"/customers/{a.pk}/edit/", data)
    assert response.status_code == 200 and "version" in response.context["form"].errors
    a.refresh_from_db()
    assert a.phone != "021-1"


def test_the_language_switch_works_on_the_login_page(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Log in" in client.get("/accounts/login/").content.decode()


def test_the_language_switch_refuses_to_redirect_off_site(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_admin_never_deletes_a_card(client, world):
    client.force_login(world["admin"])
    url = f"/admin/customers/customer/{world['a'].pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Customer.objects.filter(pk=world["a"].pk).exists()
