"""The business plan is checked as the CV is (accounts.validators.validate_cv): a real PDF, size-limited."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_business_plan(file) -> None:
    limit = settings.BOJU_CV_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            _("商业计划书不能超过 %(mb)d MB。"), code="plan_too_large", params={"mb": limit // (1024 * 1024)}
        )
    if not file.name.lower().endswith(".pdf"):
        raise ValidationError(_("商业计划书必须是 PDF 文件。"), code="plan_not_pdf")
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(5)
    file.seek(position)
    if head != b"%PDF-":
        raise ValidationError(_("该文件不是有效的 PDF 文件。"), code="plan_not_pdf")
