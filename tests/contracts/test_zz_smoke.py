import pytest
from tests.contracts.conftest import *  # noqa
pytestmark = pytest.mark.django_db

def test_pages(client, world, order_a, contract_a, order_b):
    client.force_login(world["owner"])
    for url in ["/contracts/", "/orders/", "/products/", f"/orders/{order_a.pk}/", f"/contracts/{contract_a.pk}/",
                f"/orders/{order_a.pk}/edit/", f"/contracts/{contract_a.pk}/edit/", "/orders/new/", "/contracts/new/",
                f"/customers/{world['a'].pk}/", f"/customers/{world['a'].pk}/history/", f"/customers/{world['a'].pk}/export.xlsx"]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
    assert order_a.total == __import__("decimal").Decimal("3372.99")
    r = client.get("/orders/")
    assert "¥3,372.99" in r.content.decode()
