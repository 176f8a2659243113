"""Helpers shared by the tests of every app: the permission matrix, form bodies, real files, query counts.

The permission matrix (STYLE.md, convention 12) is one helper, :func:`assert_matrix`, that every app's view
tests call with a table ``{role: expected}`` per URL. A cell is an HTTP status, or a :class:`Redirect` when the
answer must be a redirect to one exact address: ``LOGIN`` (Django's login page, for an anonymous visitor) or
``ADMIN_LOGIN`` (the admin's login, for a signed-in user without staff status)::

    MATRIX = {"card": {"anonymous": LOGIN, "owner": 200, "other_manager": 404, ...}, ...}

    @pytest.mark.parametrize(("page", "expected"), matrix_params(MATRIX))
    def test_permission_matrix(client, people, urls, page, expected):
        assert_matrix(client, people, urls[page], expected)

Every wrong cell of a row is reported at once, with the status and redirect that came instead.
"""

from __future__ import annotations

import datetime
import decimal
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url

ANONYMOUS = "anonymous"
# The signed-in people of the ``people`` fixture, in the order the matrix reports them.
SIGNED_IN = [
    "director",
    "archivist",
    "owner",
    "co_owner",
    "other_manager",
    "granted_manager",
    "group_clerk",
    "clerk",
    "admin",
]


# ---- The permission matrix ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Redirect:
    """A matrix cell that expects a redirect to exactly ``to`` (path and query string).

    ``{next}`` in ``to`` stands for the requested URL, quoted as Django's ``redirect_to_login`` quotes it.
    """

    to: str
    status: int = 302

    def resolve(self, url: str) -> Redirect:
        login = resolve_url(settings.LOGIN_URL)
        return Redirect(self.to.replace("{login}", login).replace("{next}", quote(url, safe="/")), self.status)

    def __str__(self):
        return f"{self.status} → {self.to}"


# The two redirects of the matrix: an anonymous visitor goes to Django's login page; a signed-in user without
# staff status who opens an admin page goes to the admin's own login page. Both come back to the URL asked for.
LOGIN = Redirect("{login}?next={next}")
ADMIN_LOGIN = Redirect("/admin/login/?next={next}")


def sign_in(client, people: Mapping, role: str) -> None:
    """Make ``client`` act as ``role`` (``"anonymous"`` signs out)."""
    client.logout()
    if role != ANONYMOUS:
        client.force_login(people[role])


def _cell_failure(role: str, want, response, url: str) -> str | None:
    got = response.status_code
    if isinstance(want, Redirect):
        want = want.resolve(url)
        location = response.headers.get("Location")
        if got != want.status or location != want.to:
            return f"{role}: expected {want}, got {got} → {location}"
        return None
    if got != want:
        where = f" → {response.headers.get('Location')}" if response.headers.get("Location") else ""
        return f"{role}: expected {want}, got {got}{where}"
    return None


def assert_matrix(
    client,
    people: Mapping,
    url: str,
    expected: Mapping[str, int | Redirect],
    *,
    method: str = "get",
    data=None,
    complete: bool = True,
    **extra,
) -> None:
    """Request ``url`` as every role of ``expected`` and check each answer; report every wrong cell at once.

    ``people`` maps role names to users (the ``people`` fixture); the role ``"anonymous"`` is a signed-out
    visitor. With ``complete`` (the default) the table must name every role in ``people`` and the anonymous
    visitor, so that a role added later cannot slip through a matrix nobody updated.
    """
    if complete:
        missing = (set(people) | {ANONYMOUS}) - set(expected)
        assert not missing, f"the matrix for {url} has no cell for {sorted(missing)}"
    failures = []
    for role, want in expected.items():
        sign_in(client, people, role)
        request = getattr(client, method.lower())
        response = request(url, data, **extra) if data is not None else request(url, **extra)
        failure = _cell_failure(role, want, response, url)
        if failure:
            failures.append(failure)
        if response.streaming:
            # Drain a download as a WSGI server would: the test client then closes the file itself. Calling
            # response.close() here instead would fire request_finished and close the database connection
            # in the middle of the test's transaction (PostgreSQL).
            b"".join(response.streaming_content)
    client.logout()
    assert not failures, f"{method.upper()} {url}:\n  " + "\n  ".join(failures)


def matrix_params(table: Mapping[str, Mapping[str, int | Redirect]]) -> list:
    """``pytest.param`` per row of ``{url_name: {role: expected}}``, with the URL name as the test id."""
    return [pytest.param(name, row, id=name) for name, row in table.items()]


# ---- Form bodies ---------------------------------------------------------------------------------------------


def form_data(form: forms.BaseForm, **changes) -> dict:
    """The POST body a browser sends for ``form`` as it is first shown (its initial values), with ``changes``.

    Lets a test post a complete, valid card form without rendering the page first.
    """
    data = {}
    for name, bound in form.fields.items():
        value = form[name].value()
        widget = bound.widget
        if isinstance(widget, forms.CheckboxInput):
            if value:
                data[name] = "on"
            continue
        if isinstance(bound, forms.FileField):
            continue
        if value is None:
            data[name] = ""
        elif isinstance(widget, forms.SelectMultiple) or isinstance(bound, forms.MultipleChoiceField):
            data[name] = [str(v) for v in value]
        elif isinstance(value, (datetime.date, datetime.datetime)):
            data[name] = value.isoformat()
        elif isinstance(value, decimal.Decimal):
            data[name] = format(value, "f")
        else:
            data[name] = str(value)
    for name, value in changes.items():
        data[name] = value
    return data


def error_codes(exc) -> set[str]:
    """Every ``code`` inside a ``ValidationError`` (flat, per-field or nested)."""
    if hasattr(exc, "error_dict"):
        return {error.code for errors in exc.error_dict.values() for error in errors}
    return {error.code for error in exc.error_list}


# ---- Real files ----------------------------------------------------------------------------------------------


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (8, 8), colour=(200, 30, 30)) -> bytes:
    """A real picture made by Pillow (``fmt`` is Pillow's format name: PNG, JPEG, GIF, WEBP)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=fmt)
    return buffer.getvalue()


def noisy_png_bytes(min_bytes: int) -> bytes:
    """A real PNG of at least ``min_bytes`` (random pixels do not compress)."""
    import os

    from PIL import Image

    side = 16
    while True:
        buffer = io.BytesIO()
        Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, format="PNG")
        if buffer.tell() >= min_bytes:
            return buffer.getvalue()
        side *= 2


def pdf_bytes(text: str = "Business licence") -> bytes:
    """A minimal but valid one-page PDF 1.4, written by hand with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n" % (len(objects) + 1))
    out.write(b"0000000000 65535 f \n")
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


# ---- Query counts --------------------------------------------------------------------------------------------


def queries_text(ctx) -> str:
    """The SQL a ``CaptureQueriesContext`` saw, numbered: the message of a failed query-count assertion."""
    return "\n".join(f"{i}. {q['sql']}" for i, q in enumerate(ctx.captured_queries, start=1))


def pks(objects: Iterable) -> set:
    return {obj.pk for obj in objects}


def file_through_approval(entry, *, author, decider):
    """Submit ``entry`` as ``author`` and have ``decider`` approve it; the entry comes back filed."""
    from archive import filing
    from archive.choices import FilingStatus

    request = filing.entry_submit(actor=author, entry=entry)
    filing.request_approve(actor=decider, request_id=request.pk)
    entry.refresh_from_db()
    assert entry.status == FilingStatus.FILED
    return entry


def shown_messages(response) -> list[tuple[int, str]]:
    """The messages the user is shown next (level, text); a page that displays them clears them."""
    from django.contrib.messages import get_messages

    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def message_levels(response) -> list[int]:
    return [level for level, _text in shown_messages(response)]
