"""The register export is sent while it is written: bytes leave before the last row is read, and they add up to
the same workbook."""

import io
import uuid

import pytest
from openpyxl import load_workbook

from archive.excel import Column
from customers import streaming

from ..factories import make_customer

pytestmark = pytest.mark.django_db
URL = "/customers/export.xlsx"


def test_bytes_leave_before_the_last_row_is_read_and_add_up_to_the_whole_sheet(monkeypatch):
    monkeypatch.setattr(streaming, "ROWS_PER_CHUNK", 100)
    read = []

    def rows():
        for n in range(3000):
            read.append(n)
            yield uuid.uuid4().hex  # text that does not compress away, so the ZIP stream has bytes to hand on

    columns = [Column("code", "编号", lambda row: row, width=34)]
    body = bytearray()
    read_at_first_bytes = None
    for chunk in streaming.stream_sheet("编号", columns, rows()):
        if chunk and read_at_first_bytes is None:
            read_at_first_bytes = len(read)
        body += chunk

    assert read_at_first_bytes is not None and read_at_first_bytes < 3000
    sheet = load_workbook(io.BytesIO(bytes(body))).worksheets[0]
    assert sheet.max_row == 3001 and sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:A3001"


def test_the_page_sends_the_register_as_a_streamed_attachment(client, world):
    client.force_login(world["owner"])
    response = client.get(URL)
    assert response.streaming and response["Content-Disposition"].startswith("attachment;")
    assert load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0].max_row == 2


def test_text_a_spreadsheet_cannot_hold_is_left_out_rather_than_breaking_the_file(client, world):
    make_customer(world["owner"], name="控制\x07字符\x1b公司", address="第一行\r第二行")
    client.force_login(world["owner"])
    body = b"".join(client.get(URL).streaming_content)
    rows = list(load_workbook(io.BytesIO(body)).worksheets[0].iter_rows(values_only=True))
    names = [row[1] for row in rows[1:]]
    assert "控制字符公司" in names
