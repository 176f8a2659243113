import pytest

pytestmark = pytest.mark.django_db


def test_roles_exist_as_groups():
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {
        "account_manager",
        "sales_director",
        "archivist",
        "clerk",
    }


def test_world_builds(world):
    from customers.permissions import visible_customers

    assert list(visible_customers(world["owner"])) == [world["a"]]
    assert set(visible_customers(world["director"])) == {world["a"], world["b"]}
    assert list(visible_customers(world["group_clerk"])) == [world["a"]]
    assert list(visible_customers(world["clerk"])) == []
