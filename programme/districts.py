"""Qingdao's districts, read from a company's unified social credit code.

Characters 3–8 of the code (GB 32100) are the administrative division code of the registering
authority, so the district needs no field of its own.
"""

from django.utils.translation import gettext_lazy as _

DISTRICTS = {
    "370202": _("市南区"),
    "370203": _("市北区"),
    "370211": _("黄岛区"),
    "370212": _("崂山区"),
    "370213": _("李沧区"),
    "370214": _("城阳区"),
    "370215": _("即墨区"),
    "370281": _("胶州市"),
    "370283": _("平度市"),
    "370285": _("莱西市"),
}
OTHER = ""  # outside Qingdao, or no company


def district_of(credit_code: str | None) -> str:
    """The Qingdao district code of a credit code, or "" if it is not one of Qingdao's."""
    code = (credit_code or "")[2:8]
    return code if code in DISTRICTS else OTHER


def district_label(code: str) -> str:
    return str(DISTRICTS.get(code, _("青岛市外/未注明")))
