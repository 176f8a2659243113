"""The load test: account managers and the director logging in and browsing lists, cards and history.

Run by ``bench/load.sh`` (``make bench-load``) against gunicorn on loopback. Each simulated user logs in once
through the real login form, then browses as people do: the list (plain, filtered, searched, paged), a card of
their own, its history. The customers each user may open are read from the list page itself. Between two
pages a user pauses 2–5 s, as someone reading a list or a card does, so 50 users ask about 14 pages a second.

The measured window opens when the last user has logged in, not when the last one was started: a login hashes
the password on purpose (PBKDF2, about half a second of one core), and 50 of them queue behind each other for
several seconds. Locust's own ``--reset-stats`` resets when the users are started, so those queued logins and the
pages that waited behind them used to fall into the window. The logins are kept apart and reported on their own
line (``BENCH_LOGINS``); the window then lasts ``BENCH_SECONDS`` and the run stops itself.
"""

import json
import os
import random
import re

import gevent
from locust import HttpUser, between, events, task

PASSWORD = "demo-pass-2026"
CARD_LINK = re.compile(r'href="/customers/(\d+)/"')
MANAGERS = 200
USERS = int(os.environ.get("BENCH_USERS", "50"))
MEASURED_SECONDS = int(os.environ.get("BENCH_SECONDS", "60"))
LOGINS_FILE = os.environ.get("BENCH_LOGINS", "")

_ready: list[str] = []
_login_ms: list[float] = []


@events.request.add_listener
def _keep_logins(request_type, name, response_time, exception, **kwargs):
    if name == "login":
        _login_ms.append(response_time)


@events.quitting.add_listener
def _write_logins(environment, **kwargs):
    if LOGINS_FILE:
        with open(LOGINS_FILE, "w") as fh:
            json.dump(_login_ms, fh)


def _open_window(environment):
    """All users are in: forget what the logins cost the pages, measure for the window, then stop."""
    environment.runner.stats.reset_all()
    gevent.spawn_later(MEASURED_SECONDS, environment.runner.quit)


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
        _ready.append(self.username)
        if len(_ready) == USERS:
            _open_window(self.environment)

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
