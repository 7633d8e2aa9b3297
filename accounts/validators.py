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


PHONE_MESSAGE = _("请输入 11 位中国大陆手机号码；境外号码请以 + 和国家/地区代码开头，如 +1 415 555 0100。")


def phone_parse(value: str):
    """A phone number as people type it (spaces, dashes, +86 are fine), or None if it is none:
    a mainland China mobile, or a valid number anywhere else written with its + country code
    (many postdocs come back from abroad with a foreign number). phonenumbers knows which
    prefixes are allotted in each country, which a pattern would have to track."""
    try:
        number = phonenumbers.parse((value or "").strip(), "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if number.country_code == 86 and phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        return None  # a mainland landline: the notices are text messages
    return number


def phone_normalize(value: str) -> str:
    """How a valid number is stored: a mainland mobile as its 11 digits (as before), any other in
    E.164 (+14155550100). An invalid value is returned as typed, for validate_phone to refuse."""
    number = phone_parse(value)
    if number is None:
        return (value or "").strip()
    if number.country_code == 86:
        return str(number.national_number)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(value: str) -> None:
    if phone_parse(value) is None:
        raise ValidationError(PHONE_MESSAGE, code="phone_format")


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
