import pytest
from django.contrib.auth.models import Group

from customers import permissions

from .factories import ROLE_USERS, make_customer, make_region, make_user


@pytest.fixture(autouse=True)
def _private_attachment_storage(settings, tmp_path):
    """Uploaded files go to a temporary folder, never into the project's data folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "attachments"), "base_url": None},
        },
        "imports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "imports"), "base_url": None},
        },
    }


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Tests create many users; the production hasher's deliberate slowness buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(db):
    """One user per role of the permission matrix (see ``factories.ROLE_USERS``)."""
    users = {name: make_user(name, *groups) for name, groups in ROLE_USERS.items()}
    users["admin"] = make_user("admin", is_staff=True, is_superuser=True)
    return users


@pytest.fixture
def world(people):
    """Two customers: A kept by ``owner`` with ``co_owner``; B kept by ``other_manager``.

    ``granted_manager`` holds an object grant on A only; ``group_clerk`` reads A through a region group;
    ``clerk`` was granted nothing.
    """
    region = make_region()
    a = make_customer(people["owner"], co_owners=[people["co_owner"]], region=region)
    b = make_customer(people["other_manager"], region=region)
    permissions.grant(a, people["granted_manager"])
    clerks = Group.objects.create(name="华东区内勤")
    people["group_clerk"].groups.add(clerks)
    permissions.grant(a, clerks)
    return {"a": a, "b": b, "region": region, "clerk_group": clerks, **people}
