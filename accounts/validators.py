"""Validators for identifiers and uploads, each failing with a translated message and a code."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 18 characters from this alphabet (no I, O, S, V, Z); the last one is a
# check character computed from the first 17 with these weights, modulo 31.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    code = (value or "").strip().upper()
    if len(code) != 18 or any(ch not in CREDIT_CODE_ALPHABET for ch in code):
        raise ValidationError(
            _("统一社会信用代码应为 18 位数字或大写字母（不含 I、O、S、V、Z）。"), code="credit_code_format"
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对。"), code="credit_code_checksum")


def validate_phone(value: str) -> None:
    """A mainland China mobile number, as people type it (spaces, dashes, +86 are fine).
    phonenumbers knows which 1xx prefixes are allotted, which a pattern would have to track."""
    try:
        number = phonenumbers.parse((value or "").strip(), "CN")
    except phonenumbers.NumberParseException:
        number = None
    if (number is None or number.country_code != 86 or not phonenumbers.is_valid_number(number)
            or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE):
        raise ValidationError(_("请输入 11 位中国大陆手机号码。"), code="phone_format")


def validate_cv(file) -> None:
    """A CV must be a real PDF (magic bytes, not just the name) and not too large."""
    limit = settings.BOJU_CV_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            _("简历文件不能超过 %(mb)d MB。"), code="cv_too_large", params={"mb": limit // (1024 * 1024)}
        )
    if not file.name.lower().endswith(".pdf"):
        raise ValidationError(_("简历必须是 PDF 文件。"), code="cv_not_pdf")
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(5)
    file.seek(position)
    if head != b"%PDF-":
        raise ValidationError(_("该文件不是有效的 PDF 文件。"), code="cv_not_pdf")
