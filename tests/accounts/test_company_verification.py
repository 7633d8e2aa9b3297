"""Organizers verify or reject companies in the console (/console/companies/)."""

import pytest
from django.contrib.messages import get_messages

from accounts.models import AuditEntry, Company

from ..factories import CompanyFactory, candidate, company_member, organizer

pytestmark = pytest.mark.django_db
LIST = "/console/companies/"


def flash(response) -> list[str]:
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    response.client.cookies.pop("messages", None)
    return shown


def decide(pk, decision):
    return f"/console/companies/{pk}/{decision}/"


def test_the_list_shows_pending_companies_oldest_first_with_their_members(client):
    first = CompanyFactory(status="pending", name="青岛海洋装备有限公司")
    second = CompanyFactory(status="pending", name="青岛生物医药研究院")
    CompanyFactory(status="verified")
    CompanyFactory(status="rejected")
    admin = company_member(first)
    client.force_login(organizer(manages_all=True))  # head office verifies (issue 13)
    response = client.get(LIST)
    assert response.status_code == 200
    assert [c.pk for c in response.context["page"]] == [first.pk, second.pk]
    page = response.content.decode()
    assert admin.email in page and first.credit_code in page
    assert [c.status for c in client.get(LIST + "?status=verified").context["page"]] == ["verified"]
    assert [c.status for c in client.get(LIST + "?status=rejected").context["page"]] == ["rejected"]
    assert [c.pk for c in client.get(LIST + "?status=bogus").context["page"]] == [first.pk, second.pk]


def test_organizer_approves_and_rejects_with_an_audit_entry(client):
    pending, other = CompanyFactory(status="pending"), CompanyFactory(status="pending")
    head = organizer(manages_all=True)  # head office verifies (issue 13)
    client.force_login(head)
    response = client.post(decide(pending.pk, "verify"), {"status": "pending"})
    assert response.status_code == 302 and response.url == "/console/companies/?status=pending"
    assert flash(response) == [f"已通过认证：{pending.name}"]
    response = client.post(decide(other.pk, "reject"))
    assert flash(response) == [f"已驳回：{other.name}"]
    pending.refresh_from_db()
    other.refresh_from_db()
    assert (pending.status, pending.verified_by, pending.verified_at is not None) == ("verified", head, True)
    assert (other.status, other.verified_by, other.verified_at) == ("rejected", head, None)
    assert list(
        AuditEntry.objects.filter(action__startswith="company.")
        .order_by("id")
        .values_list("action", "actor", "target_id")
    ) == [("company.verify", head.pk, str(pending.pk)), ("company.reject", head.pk, str(other.pk))]
    assert [c.pk for c in client.get(LIST).context["page"]] == []


def test_only_organizers_may_see_or_decide(client):
    pending = CompanyFactory(status="pending")
    own = company_member(pending)
    for user in (candidate(), own, company_member()):
        client.force_login(user)
        assert client.get(LIST).status_code == 403
        assert client.post(decide(pending.pk, "verify")).status_code == 403
        assert client.post(decide(pending.pk, "reject")).status_code == 403
    client.logout()
    response = client.post(decide(pending.pk, "verify"))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    pending.refresh_from_db()
    assert (pending.status, AuditEntry.objects.filter(action__startswith="company.v").count()) == ("pending", 0)


def test_bad_requests_change_nothing(client):
    pending = CompanyFactory(status="pending")
    client.force_login(organizer(manages_all=True))  # head office verifies (issue 13)
    assert client.get(decide(pending.pk, "verify")).status_code == 405
    assert client.post(decide(pending.pk + 1000, "verify")).status_code == 404
    assert client.post(f"/console/companies/{pending.pk}/approve-all/").status_code == 404
    pending.refresh_from_db()
    assert pending.status == Company.Status.PENDING


@pytest.mark.parametrize("count", [1, 30])
def test_company_list_query_count_is_constant(client, django_assert_num_queries, count):
    for _ in range(count):
        company_member(CompanyFactory(status="pending"))
    client.force_login(organizer(manages_all=True))  # head office verifies (issue 13)
    # session, user, the head-office permission (user's and groups'), count, companies, their
    # memberships, the members' accounts
    with django_assert_num_queries(8):
        response = client.get(LIST)
    assert len(response.context["page"]) == count
