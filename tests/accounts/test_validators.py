"""Identifier and upload validators: GB 32100 credit codes, mobile numbers, CV files."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.validators import (
    credit_code_check_char,
    phone_normalize,
    validate_credit_code,
    validate_cv,
    validate_phone,
)

from .files import PDF, PNG


def _refusal(validator, value) -> tuple[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        validator(value)
    return caught.value.code, caught.value.messages


FORMAT = ("credit_code_format", ["统一社会信用代码应为 18 位数字或大写字母（不含 I、O、S、V、Z）。"])
CHECKSUM = ("credit_code_checksum", ["统一社会信用代码校验位不正确，请核对。"])


@pytest.mark.parametrize(
    "code",
    [
        # Published on business licences; check characters verified by hand with GB 32100's weights
        # (1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28) and C = 31 - (sum mod 31):
        # Huawei Technologies, Shenzhen: 9+3+36+108+0+78+0+0+20+261+50+26+0+72+80+60+28 = 831,
        # 831 mod 31 = 25, 31 - 25 = 6 -> "6".
        "914403001922038216",
        # Haier Group, Qingdao: 9+3+27+189+0+52+0+0+20+174+75+65+48+48+60+240+28 = 1038,
        # 1038 mod 31 = 15, 31 - 15 = 16 -> alphabet[16] = "G".
        "91370200163562681G",
    ],
)
def test_credit_code_published_codes_pass(code):
    assert credit_code_check_char(code[:17]) == code[17]
    validate_credit_code(code)


@pytest.mark.parametrize("first17", ["91370200MA0000001", "12370200004609012", "52370200MA3C12345"])
def test_credit_code_computed_codes_pass(first17):
    validate_credit_code(first17 + credit_code_check_char(first17))


def test_credit_code_check_char_by_hand():
    # 9*1 + 1*3 + 3*9 + 7*27 + 0*19 + 2*26 + 0... = 9+3+27+189+0+52 = 280; 280 mod 31 = 1;
    # 31 - 1 = 30 -> the alphabet's last character, "Y".
    assert credit_code_check_char("91370200000000000") == "Y"
    validate_credit_code("91370200000000000Y")


def test_credit_code_lowercase_is_normalised():
    code = "91370200MA0000001" + credit_code_check_char("91370200MA0000001")
    validate_credit_code(code.lower())
    validate_credit_code(f"  {code}  ")


def test_credit_code_wrong_check_char_refused():
    first17 = "91370200MA0000001"
    right = credit_code_check_char(first17)
    wrong = "0" if right != "0" else "1"
    assert _refusal(validate_credit_code, first17 + wrong) == CHECKSUM
    assert _refusal(validate_credit_code, "914403001922038217") == CHECKSUM  # Huawei's, last digit changed


@pytest.mark.parametrize("code", ["9137020", "91370200MA00000011X", "", "91370200-MA000001X"])
def test_credit_code_wrong_length_or_characters_refused(code):
    assert _refusal(validate_credit_code, code) == FORMAT


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_credit_code_forbidden_letters_refused(letter):
    # Even with the check character recomputed over the alphabet's positions, I O S V Z never pass.
    code = f"91370200MA{letter}000001" + "0"
    assert _refusal(validate_credit_code, code) == FORMAT


@pytest.mark.parametrize(
    "number", ["13805320001", "138-0532-0001", "138 0532 0001", "19912345678", "+86 138 0532 0001", "+8613805320001"]
)
def test_phone_mainland_mobile_accepted(number):
    validate_phone(number)
    assert phone_normalize(number) == number.replace("+86", "").replace(" ", "").replace("-", "")


@pytest.mark.parametrize(
    ("number", "stored"),
    [
        ("+1 415 555 0100", "+14155550100"),  # United States
        ("+44 20 7946 0958", "+442079460958"),  # a London landline
        ("+49 151 23456789", "+4915123456789"),  # a German mobile
        ("+852 9123 4567", "+85291234567"),  # Hong Kong
        ("+81 90-1234-5678", "+819012345678"),  # Japan
    ],
)
def test_phone_overseas_accepted_with_its_country_code(number, stored):
    """Postdocs coming back from abroad often have only a foreign number (issue 17)."""
    validate_phone(number)
    assert phone_normalize(number) == stored


@pytest.mark.parametrize(
    "number",
    [
        "12805320001",
        "1380532000",
        "138053200012",
        "phone",
        "",
        "053288888888",
        "+1 415 555 010",
        "+999 1234 5678",
        "4155550100",
    ],
)
def test_phone_other_refused(number):
    assert _refusal(validate_phone, number) == (
        "phone_format",
        ["请输入 11 位中国大陆手机号码；境外号码请以 + 和国家/地区代码开头，如 +1 415 555 0100。"],
    )


def test_cv_real_pdf_accepted():
    validate_cv(SimpleUploadedFile("简历.pdf", PDF, content_type="application/pdf"))
    validate_cv(SimpleUploadedFile("CV.PDF", PDF))


def test_cv_png_renamed_pdf_refused():
    upload = SimpleUploadedFile("cv.pdf", PNG, content_type="application/pdf")
    assert _refusal(validate_cv, upload) == ("cv_not_pdf", ["该文件不是有效的 PDF 文件。"])


def test_cv_other_extension_refused():
    assert _refusal(validate_cv, SimpleUploadedFile("cv.docx", PDF)) == ("cv_not_pdf", ["简历必须是 PDF 文件。"])


def test_cv_oversize_refused(settings):
    settings.BOJU_CV_MAX_BYTES = 1024 * 1024
    validate_cv(SimpleUploadedFile("cv.pdf", PDF + b"0" * (1024 * 1024 - len(PDF))))  # exactly the limit
    upload = SimpleUploadedFile("cv.pdf", PDF + b"0" * (1024 * 1024))
    assert _refusal(validate_cv, upload) == ("cv_too_large", ["简历文件不能超过 1 MB。"])
