"""Builders for test data: users in their roles and customers kept by them, made through the services."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from archive import roles
from customers import permissions, services
from customers.models import Customer, Region
from customers.validators import CREDIT_CODE_ALPHABET, credit_code_check_character

User = get_user_model()
PASSWORD = "test-pass-2026"
_seq = itertools.count(1)


def make_user(username: str, *role_names: str, **extra) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, **extra)
    for name in role_names:
        user.groups.add(Group.objects.get(name=name))
    return user


def credit_code(n: int | None = None) -> str:
    """A valid unified social credit code, different for every ``n``."""
    n = next(_seq) if n is None else n
    body = "91310000"
    serial = ""
    for _ in range(9):
        n, r = divmod(n, len(CREDIT_CODE_ALPHABET))
        serial = CREDIT_CODE_ALPHABET[r] + serial
    first17 = body + serial
    return first17 + credit_code_check_character(first17)


def make_region(name="华东区", code="east") -> Region:
    region, _ = Region.objects.get_or_create(code=code, defaults={"name": name})
    return region


def make_customer(owner, *, actor=None, co_owners=(), **fields) -> Customer:
    """A customer opened by ``actor`` (default the owner) through the service, with view/change rights set."""
    n = next(_seq)
    data = {"name": f"测试客户{n:04d}有限公司", "credit_code": credit_code(n), **fields}
    return services.customer_create(actor=actor or owner, data=data, owner=owner, co_owners=co_owners)


def grant_group(customer: Customer, group: Group) -> None:
    permissions.grant(customer, group)


ROLE_USERS = {
    "director": (roles.SALES_DIRECTOR,),
    "archivist": (roles.ARCHIVIST,),
    "owner": (roles.ACCOUNT_MANAGER,),
    "co_owner": (roles.ACCOUNT_MANAGER,),
    "other_manager": (roles.ACCOUNT_MANAGER,),
    "granted_manager": (roles.ACCOUNT_MANAGER,),
    "group_clerk": (roles.CLERK,),
    "clerk": (roles.CLERK,),
}
