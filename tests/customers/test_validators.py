"""The unified social credit code (GB 32100-2015) and the documents an archive card accepts."""

import io

import pytest
from django.core.exceptions import ValidationError

from customers import services
from customers.models import Customer
from customers.validators import validate_attachment, validate_credit_code

from ..helpers import error_codes, image_bytes, noisy_png_bytes, pdf_bytes, upload

# Real codes of real companies, published on their business licences.
VALID_CODES = ["91110000802100433B", "91350100M000100Y43", "91310000MA1FL1MMXL"]


# ---- Unified social credit code --------------------------------------------------------------------------------


@pytest.mark.parametrize("code", VALID_CODES)
def test_known_credit_codes_are_accepted(code):
    validate_credit_code(code)  # raises if refused


@pytest.mark.parametrize("code", VALID_CODES)
def test_every_other_check_character_is_refused(code):
    from customers.validators import CREDIT_CODE_ALPHABET

    for wrong in CREDIT_CODE_ALPHABET.replace(code[-1], ""):
        with pytest.raises(ValidationError) as refused:
            validate_credit_code(code[:17] + wrong)
        assert error_codes(refused.value) == {"credit_code_check_digit"}, code[:17] + wrong


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("91110000802100433", id="17 characters"),
        pytest.param("91110000802100433BB", id="19 characters"),
        pytest.param("", id="empty"),
        pytest.param("9111000080210043-B", id="punctuation"),
        pytest.param("91110000 802100433", id="inner space"),
        pytest.param("９１１１００００８０２１００４３３Ｂ", id="full-width digits"),
        *[pytest.param(f"91110000{letter}02100433B", id=f"letter {letter}") for letter in "IOSVZ"],
    ],
)
def test_malformed_credit_codes_are_refused_as_format(code):
    with pytest.raises(ValidationError) as refused:
        validate_credit_code(code)
    assert error_codes(refused.value) == {"credit_code_format"}


def test_lowercase_credit_code_is_normalised_by_customer_clean(people):
    customer = Customer(name="福建测试有限公司", owner=people["owner"], credit_code="91350100m000100y43")
    customer.full_clean()
    assert customer.credit_code == "91350100M000100Y43"


def test_lowercase_credit_code_is_stored_in_capitals_by_the_service(people):
    customer = services.customer_create(
        actor=people["owner"], data={"name": "上海测试有限公司", "credit_code": "91310000ma1fl1mmxl"}
    )
    customer.refresh_from_db()
    assert customer.credit_code == "91310000MA1FL1MMXL"


def test_a_wrong_check_digit_stops_the_card_from_being_saved(people):
    with pytest.raises(ValidationError) as refused:
        services.customer_create(
            actor=people["owner"], data={"name": "北京测试有限公司", "credit_code": "91110000802100433A"}
        )
    assert "credit_code" in refused.value.error_dict
    assert error_codes(refused.value) == {"credit_code_check_digit"}
    assert not Customer.objects.exists()
    assert not Customer.history.exists()


# ---- Attachments -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        pytest.param("营业执照.png", image_bytes("PNG"), "image/png", id="png"),
        pytest.param("身份证.jpg", image_bytes("JPEG"), "image/jpeg", id="jpg"),
        pytest.param("SCAN.JPEG", image_bytes("JPEG"), "image/jpeg", id="JPEG upper-case"),
        pytest.param("签字表.pdf", pdf_bytes(), "application/pdf", id="pdf"),
    ],
)
def test_real_documents_are_accepted_with_their_content_type(name, content, content_type):
    # The browser's claim is deliberately wrong: the content decides.
    document = upload(name, content, "application/octet-stream")
    assert validate_attachment(document) == content_type
    assert document.tell() == 0, "the upload must be rewound for storing"
    assert document.read() == content


def test_a_phone_photo_with_several_pictures_is_a_jpeg():
    # Many phone cameras write multi-picture JPEGs (CIPA MPO: the photo plus a depth map or a preview). They
    # are ordinary .jpg files that every viewer opens, but Pillow names their format "MPO", not "JPEG".
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(
        buffer, format="MPO", save_all=True, append_images=[Image.new("RGB", (8, 8), "grey")]
    )
    photo = buffer.getvalue()
    assert photo.startswith(b"\xff\xd8\xff")  # a JPEG stream, as the file name says
    assert validate_attachment(upload("营业执照照片.jpg", photo, "image/jpeg")) == "image/jpeg"


def test_the_hand_written_pdf_is_a_real_pdf():
    content = pdf_bytes()
    assert content.startswith(b"%PDF-1.4")
    assert content.rstrip().endswith(b"%%EOF")
    # The cross-reference table points at the objects it names.
    xref_at = int(content.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    assert content[xref_at:].startswith(b"xref")
    first_object_at = int(content[xref_at:].split(b"\n")[3].split()[0])
    assert content[first_object_at:].startswith(b"1 0 obj")


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        pytest.param("营业执照.jpg", "这不是图片，只是文字。".encode(), "not_image", id="text renamed .jpg"),
        pytest.param("scan.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "not_image", id="broken png"),
        pytest.param("营业执照.jpg", image_bytes("PNG"), "image_mismatch", id="png renamed .jpg"),
        pytest.param("photo.png", image_bytes("JPEG"), "image_mismatch", id="jpeg renamed .png"),
        pytest.param("合同.pdf", b"just some text, not a PDF", "not_pdf", id="text renamed .pdf"),
        pytest.param("合同.pdf", image_bytes("PNG"), "not_pdf", id="png renamed .pdf"),
        pytest.param("合同.pdf", b"%PDF-1.4\n1 0 obj << >> endobj\n", "not_pdf", id="pdf without trailer"),
        pytest.param("setup.exe", b"MZ\x90\x00" + b"\0" * 60, "file_type", id="exe"),
        pytest.param("notes.txt", "客户说明".encode(), "file_type", id="txt"),
        pytest.param("licence", image_bytes("PNG"), "file_type", id="no extension"),
        pytest.param("empty.pdf", b"", "file_empty", id="empty"),
    ],
)
def test_bad_documents_are_refused(name, content, code):
    with pytest.raises(ValidationError) as refused:
        validate_attachment(upload(name, content))
    assert error_codes(refused.value) == {code}


def test_a_file_over_the_configured_limit_is_refused(settings):
    settings.ARCHIVE_ATTACHMENT_MAX_BYTES = 2048
    big = noisy_png_bytes(4096)
    with pytest.raises(ValidationError) as refused:
        validate_attachment(upload("big.png", big))
    assert error_codes(refused.value) == {"file_too_large"}


def test_a_file_at_the_limit_is_accepted(settings):
    content = image_bytes("PNG")
    settings.ARCHIVE_ATTACHMENT_MAX_BYTES = len(content)
    assert validate_attachment(upload("exact.png", content)) == "image/png"
