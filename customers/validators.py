"""Validators for Chinese identifiers on the archive card."""

import re
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: the code's alphabet (no I, O, S, V, Z) and the weights of its first seventeen characters.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_CODE_SHAPE = re.compile(rf"^[{CREDIT_CODE_ALPHABET}]{{18}}$")


def credit_code_check_character(first17: str) -> str:
    """The check character (18th) of a unified social credit code, given its first seventeen characters."""
    total = sum(CREDIT_CODE_ALPHABET.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


@deconstructible
class CreditCodeValidator:
    """Unified social credit code (统一社会信用代码): 18 characters with the GB 32100-2015 check digit."""

    def __call__(self, value: str) -> None:
        code = (value or "").strip().upper()
        if not _CREDIT_CODE_SHAPE.match(code):
            raise ValidationError(
                _("A unified social credit code has 18 characters: digits and capital letters except I, O, S, V, Z."),
                code="credit_code_format",
            )
        if credit_code_check_character(code[:17]) != code[17]:
            raise ValidationError(
                _("The check digit of this unified social credit code is wrong; please check the code."),
                code="credit_code_check_digit",
            )

    def __eq__(self, other):
        return isinstance(other, CreditCodeValidator)


validate_credit_code = CreditCodeValidator()

postcode_validator = RegexValidator(r"^\d{6}$", _("A postcode has six digits."), code="postcode")


# Documents the archive accepts: the extension a user may give, and the content it must really have.
IMAGE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".gif": "GIF", ".webp": "WEBP"}
IMAGE_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
MAX_IMAGE_PIXELS = 60_000_000


def validate_attachment(upload) -> str:
    """Check an uploaded document by its content and size; return the content type to serve it with.

    Images must open and verify in Pillow as the format their extension claims; PDFs must start with the PDF
    header and end with its trailer. Anything else, or anything larger than the configured limit, is refused.
    """
    from django.conf import settings
    from PIL import Image, UnidentifiedImageError

    limit = settings.ARCHIVE_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size).1f MB); the limit is %(limit).0f MB."),
            code="file_too_large",
            params={"size": upload.size / 1024 / 1024, "limit": limit / 1024 / 1024},
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="file_empty")
    suffix = PurePosixPath(upload.name.lower()).suffix
    upload.seek(0)
    if suffix == ".pdf":
        head = upload.read(1024)
        upload.seek(max(upload.size - 2048, 0))
        tail = upload.read()
        upload.seek(0)
        if not head.startswith(b"%PDF-") or b"%%EOF" not in tail:
            raise ValidationError(_("This file is not a valid PDF document."), code="not_pdf")
        return "application/pdf"
    if suffix in IMAGE_FORMATS:
        try:
            with Image.open(upload) as image:
                fmt = image.format
                width, height = image.size
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            raise ValidationError(
                _("This file is not a valid image; only real JPEG, PNG, GIF or WebP pictures are accepted."),
                code="not_image",
            ) from None
        finally:
            upload.seek(0)
        if fmt == "MPO":  # phone cameras store JPEGs with several pictures; they are JPEGs to every viewer
            fmt = "JPEG"
        if fmt != IMAGE_FORMATS[suffix] or width * height > MAX_IMAGE_PIXELS:
            raise ValidationError(
                _("The picture's content does not match its file name (%(suffix)s) or it is too large."),
                code="image_mismatch",
                params={"suffix": suffix},
            )
        return IMAGE_CONTENT_TYPES[fmt]
    raise ValidationError(
        _("Only PDF documents and JPEG, PNG, GIF or WebP pictures can be attached."), code="file_type"
    )
