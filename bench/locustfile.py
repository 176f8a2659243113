"""The load test: account managers and the director logging in and browsing lists, cards and history.

Run by ``bench/load.sh`` (``make bench-load``) against gunicorn on loopback. Each simulated user logs in once
through the real login form, then browses as people do: the list (plain, filtered, searched, paged), a card of
their own, its history. The customers each user may open are read from the list page itself. Between two
pages a user pauses 2–5 s, as someone reading a list or a card does, so 50 users ask about 14 pages a second.
"""

import random
import re

from locust import HttpUser, between, task

PASSWORD = "demo-pass-2026"
CARD_LINK = re.compile(r'href="/customers/(\d+)/"')
MANAGERS = 200


class ArchiveUser(HttpUser):
    wait_time = between(2, 5)

    def on_start(self):
        number = random.randint(0, MANAGERS)
        self.username = "director" if number == 0 else f"manager{number:03d}"
        page = self.client.get("/accounts/login/", name="login form")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="login",
        )
        self.cards = [int(pk) for pk in CARD_LINK.findall(self.client.get("/customers/", name="list").text)]

    @task(4)
    def list_plain(self):
        self.client.get(f"/customers/?page={random.randint(1, 3)}", name="list")

    @task(2)
    def list_filtered(self):
        self.client.get(f"/customers/?grade={random.choice('ABCD')}&lifecycle=current", name="list filtered")

    @task(1)
    def list_searched(self):
        self.client.get(f"/customers/?q={random.choice(('机电', '环保科技', '有限公司', '上海'))}", name="list search")

    @task(4)
    def card(self):
        if self.cards:
            self.client.get(f"/customers/{random.choice(self.cards)}/", name="card")

    @task(2)
    def history(self):
        if self.cards:
            self.client.get(f"/customers/{random.choice(self.cards)}/history/", name="history")
