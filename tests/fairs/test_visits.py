"""Lead retrieval: visits with and without consent, notes, withdrawal, the Excel export."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from accounts.models import AuditEntry
from fairs.errors import FairError
from fairs.models import BoothVisit
from fairs.services import visit_consent_withdraw, visit_note_set, visit_record

from ..factories import RegistrationFactory, candidate, company_member
from .factories import approved_booking, booths, fair_with_booths, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def booth_fair():
    fair = fair_with_booths(2)
    company, staff = member(name="青岛蓝湾海洋科技研究院有限公司")
    approved_booking(fair, booths(fair)[0], company)
    return fair, company, staff


def test_visit_with_consent_is_shared_without_consent_anonymous(booth_fair):
    fair, company, staff = booth_fair
    sharing = candidate(consent_share=True, full_name="林晓")
    private = candidate(consent_share=False, full_name="王浩然")
    visit, first = visit_record(fair=fair, company=company, actor=staff, visitor=sharing, ticket_id=11)
    assert first is True and visit.shared is True and visit.booth == booths(fair)[0]
    hidden, _ = visit_record(fair=fair, company=company, actor=staff, visitor=private)
    assert hidden.shared is False
    again, first_again = visit_record(fair=fair, company=company, actor=staff, visitor=sharing)
    assert (again.pk, first_again, again.scans) == (visit.pk, False, 2)
    assert BoothVisit.objects.filter(fair=fair).count() == 2
    assert AuditEntry.objects.filter(action="visit.scan").count() == 3


def test_visit_needs_a_member_with_a_booth_at_the_fair(booth_fair):
    fair, company, staff = booth_fair
    person = candidate(consent_share=True)
    _other, outsider = member()
    with pytest.raises(FairError) as error:
        visit_record(fair=fair, company=company, actor=outsider, visitor=person)
    assert error.value.code == "not_member"
    boothless, its_staff = member()
    with pytest.raises(FairError) as error:
        visit_record(fair=fair, company=boothless, actor=its_staff, visitor=person)
    assert error.value.code == "no_booth"


def test_visitors_page_lists_consenting_visitors_and_counts_the_rest(client, booth_fair):
    fair, company, staff = booth_fair
    visit_record(fair=fair, company=company, actor=staff, visitor=candidate(consent_share=True, full_name="林晓"))
    visit_record(fair=fair, company=company, actor=staff, visitor=candidate(consent_share=False, full_name="王浩然"))
    colleague = company_member(company)
    client.force_login(colleague)
    response = client.get(f"/company/fairs/{fair.pk}/visitors/")
    page = response.content.decode()
    assert [v.visitor.candidate_profile.full_name for v in response.context["visits"]] == ["林晓"]
    assert response.context["anonymous"] == 1
    assert "林晓" in page and "王浩然" not in page
    assert "同意展示资料 1 人 · 未授权（仅计数）1 人" in page


def test_note_and_rating_then_withdrawal_erases_them(client, booth_fair):
    fair, company, staff = booth_fair
    person = candidate(consent_share=True, full_name="陈思远")
    visit, _ = visit_record(fair=fair, company=company, actor=staff, visitor=person)
    client.force_login(staff)
    response = client.post(
        f"/company/visits/{visit.pk}/", {f"v{visit.pk}-note": "擅长海洋观测，约二面", f"v{visit.pk}-rating": "5"}
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.note, visit.rating) == ("擅长海洋观测，约二面", 5)
    with pytest.raises(FairError) as error:
        visit_note_set(visit=visit, actor=staff, note="x", rating=9)
    assert error.value.code == "invalid"
    client.force_login(person)
    mine = client.get("/fairs/visits/")
    assert [v.pk for v in mine.context["visits"]] == [visit.pk]
    assert "青岛蓝湾海洋科技研究院有限公司" in mine.content.decode()
    assert client.post(f"/fairs/visits/{visit.pk}/withdraw/").status_code == 302
    visit.refresh_from_db()
    assert (visit.shared, visit.note, visit.rating) == (False, "", None)
    client.force_login(staff)
    response = client.get(f"/company/fairs/{fair.pk}/visitors/")
    assert list(response.context["visits"]) == [] and response.context["anonymous"] == 1
    with pytest.raises(FairError) as error:
        visit_note_set(visit=visit, actor=staff, note="还想记", rating=None)
    assert error.value.code == "not_shared"
    with pytest.raises(FairError) as error:
        visit_consent_withdraw(visit=visit, user=staff)
    assert error.value.code == "forbidden"


def test_profile_consent_withdrawn_globally_hides_earlier_visits(client, booth_fair):
    fair, company, staff = booth_fair
    person = candidate(consent_share=True)
    visit_record(fair=fair, company=company, actor=staff, visitor=person)
    profile = person.candidate_profile
    profile.consent_share = False
    profile.save()
    client.force_login(staff)
    response = client.get(f"/company/fairs/{fair.pk}/visitors/")
    assert list(response.context["visits"]) == [] and response.context["anonymous"] == 1


def test_cv_only_while_shared(client, booth_fair, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path  # CVs: outside MEDIA_ROOT in production
    fair, company, staff = booth_fair
    person = candidate(consent_share=True)
    profile = person.candidate_profile
    profile.cv = SimpleUploadedFile("cv.pdf", b"%PDF-1.4 cv of the visitor", content_type="application/pdf")
    profile.save()
    visit, _ = visit_record(fair=fair, company=company, actor=staff, visitor=person)
    client.force_login(staff)
    response = client.get(f"/company/visits/{visit.pk}/cv/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 cv of the visitor"
    visit_consent_withdraw(visit=visit, user=person)
    assert client.get(f"/company/visits/{visit.pk}/cv/").status_code == 404


def test_excel_export_lists_shared_visitors_and_guards_formulas(client, booth_fair):
    fair, company, staff = booth_fair
    person = candidate(consent_share=True, full_name='=HYPERLINK("http://evil")', research_field="+1+1")
    visit, _ = visit_record(fair=fair, company=company, actor=staff, visitor=person)
    visit_note_set(visit=visit, actor=staff, note="@SUM(A1)", rating=4)
    visit_record(fair=fair, company=company, actor=staff, visitor=candidate(consent_share=False, full_name="匿名者"))
    client.force_login(staff)
    response = client.get(f"/company/fairs/{fair.pk}/visitors.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名", "邮箱", "手机号码")
    assert rows[1][0] == '=HYPERLINK("http://evil")' and sheet["A2"].data_type == "s"
    assert sheet["F2"].data_type == "s" and sheet["J2"].data_type == "s"
    assert (rows[1][8], rows[1][9]) == (4, "@SUM(A1)")
    assert rows[-1] == ("未授权展示资料的到访", 1) + (None,) * 8
    assert "匿名者" not in str(rows)


def test_scan_api_refuses_bad_input_with_a_message(client, booth_fair):
    fair, company, staff = booth_fair
    client.force_login(staff)
    for body in [
        b"",
        b"{not json",
        b'{"code": 5}',
        b'{"code": ""}',
        b'["x"]',
        ('{"code": "%s"}' % ("x" * 500)).encode(),
    ]:
        response = client.post(f"/company/fairs/{fair.pk}/scan.json", data=body, content_type="application/json")
        assert response.status_code == 400, body
        assert response.json()["ok"] is False
    response = client.post(
        f"/company/fairs/{fair.pk}/scan.json", data=b'{"code": "BJ1.not-a-ticket"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] in {"bad_ticket", "scan_unavailable"}
    assert not BoothVisit.objects.exists()


def _ticket_code(fair, person):
    """A real signed ticket code (checkin) for the person's confirmed registration at the fair."""
    from checkin.tickets import ticket_code, ticket_for_registration

    registration = RegistrationFactory(event=fair.event, user=person, status="confirmed")
    return ticket_code(ticket_for_registration(registration)), registration


def test_scan_api_with_a_real_ticket_records_the_visit(client, booth_fair):
    fair, company, staff = booth_fair
    person = candidate(consent_share=True, full_name="林晓", institution="中国海洋大学")
    code, _registration = _ticket_code(fair, person)
    client.force_login(staff)
    url = f"/company/fairs/{fair.pk}/scan.json"
    first = client.post(url, data={"code": code}, content_type="application/json")
    assert first.status_code == 200
    assert first.json() == {"ok": True, "first": True, "shared": True, "message": "已记录：林晓（中国海洋大学）"}
    again = client.post(url, data={"code": code}, content_type="application/json")
    assert again.json()["message"] == "再次到访：林晓（中国海洋大学）"
    visit = BoothVisit.objects.get(fair=fair, company=company, visitor=person)
    assert (visit.scans, visit.shared, visit.scanned_by) == (2, True, staff)


def test_scan_api_refuses_forged_other_fair_and_cancelled_tickets(client, booth_fair):
    fair, company, staff = booth_fair
    other = fair_with_booths(1)
    person = candidate(consent_share=False)
    elsewhere, _ = _ticket_code(other, person)
    code, registration = _ticket_code(fair, candidate())
    client.force_login(staff)
    url = f"/company/fairs/{fair.pk}/scan.json"

    def scan(text):
        return client.post(url, data={"code": text}, content_type="application/json")

    assert scan(elsewhere).json()["code"] == "wrong_fair"
    forged = code[:-3] + ("AAA" if not code.endswith("AAA") else "BBB")
    assert scan(forged).json()["code"] == "bad_ticket"
    registration.status = "cancelled"
    registration.save()
    refused = scan(code)
    assert refused.status_code == 400 and refused.json()["code"] == "bad_ticket"
    assert refused.json()["message"] == "无法识别该入场码，请让候选人打开报名成功后的电子票。"
    assert not BoothVisit.objects.exists()


def test_anonymous_visit_message_names_nobody(client, booth_fair):
    fair, company, staff = booth_fair
    code, _ = _ticket_code(fair, candidate(consent_share=False, full_name="王浩然"))
    client.force_login(staff)
    answer = client.post(
        f"/company/fairs/{fair.pk}/scan.json", data={"code": code}, content_type="application/json"
    ).json()
    assert answer == {"ok": True, "first": True, "shared": False, "message": "已记录：一位未授权展示资料的到访者"}
