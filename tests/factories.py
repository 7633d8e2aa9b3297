"""Test data. Factories, not fixture files (DESIGN §7)."""

import itertools
from datetime import timedelta

import factory
from django.db.models import F
from django.utils import timezone

from accounts.models import CandidateProfile, Company, CompanyMembership, Degree, PostdocStatus, User
from accounts.validators import credit_code_check_char
from events.models import Event, EventTeamMember, Registration, Series, Session

PASSWORD = "Boju-test-2025!"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    name = factory.Sequence(lambda n: f"用户{n}")
    role = User.Role.CANDIDATE
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CandidateProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CandidateProfile

    user = factory.SubFactory(UserFactory)
    full_name = factory.Sequence(lambda n: f"候选人{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    degree = Degree.PHD
    postdoc_status = PostdocStatus.NONE
    institution = "中国海洋大学"
    discipline = "0707"
    research_field = "物理海洋学"
    graduation_year = 2024


def candidate(**profile_fields) -> User:
    """A candidate user with a complete profile."""
    return CandidateProfileFactory(**profile_fields).user


def organizer(*, manages_all: bool = False, **fields) -> User:
    user = UserFactory(role=User.Role.ORGANIZER, **fields)
    if manages_all:
        from django.contrib.auth.models import Permission

        user.user_permissions.add(Permission.objects.get(codename="manage_all_events"))
        user = User.objects.get(pk=user.pk)  # drop the permission cache
    return user


_credit_serial = itertools.count(1)


def credit_code() -> str:
    """A fresh, valid unified social credit code (GB 32100)."""
    first17 = f"91370200{next(_credit_serial):09d}"
    return first17 + credit_code_check_char(first17)


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"青岛示例科技有限公司{n}")
    credit_code = factory.LazyFunction(credit_code)
    industry = "ai"
    platform_kind = "workstation"
    status = Company.Status.VERIFIED


def company_member(company=None, *, role=CompanyMembership.Role.ADMIN) -> User:
    company = company or CompanyFactory()
    user = UserFactory(role=User.Role.COMPANY)
    CompanyMembership.objects.create(company=company, user=user, role=role)
    return user


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series
        django_get_or_create = ["slug"]

    title = "2025 博士后人才集聚十大行动"
    slug = "ten-actions-2025"
    year = 2025


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    series = factory.SubFactory(SeriesFactory)
    kind = Event.Kind.FAIR
    title = factory.Sequence(lambda n: f"博士后专场招聘会 {n}")
    mode = Event.Mode.OFFLINE
    city = "青岛"
    venue = "青岛国际会展中心"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=4))
    registration_opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    registration_closes_at = None
    capacity = 10
    waitlist_enabled = True
    status = Event.Status.PUBLISHED


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"主题报告 {n}")
    speakers = "张教授"
    room = "A101"
    starts_at = factory.LazyAttribute(lambda o: o.event.starts_at)
    ends_at = factory.LazyAttribute(lambda o: o.event.starts_at + timedelta(hours=1))


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    user = factory.LazyFunction(candidate)
    status = Registration.Status.CONFIRMED

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        registration = super()._create(model_class, *args, **kwargs)
        # A row made directly, not by registration_create, moves the event's seat counters as
        # the services would, so a scene set by hand shows the seats it holds.
        Event.objects.filter(pk=registration.event_id).update(
            seats_confirmed=F("seats_confirmed") + int(registration.status == Registration.Status.CONFIRMED),
            seats_waitlisted=F("seats_waitlisted") + int(registration.status == Registration.Status.WAITLISTED),
        )
        return registration


def team_member(event, user, *, can_edit=True, can_scan=True) -> EventTeamMember:
    return EventTeamMember.objects.create(event=event, user=user, can_edit=can_edit, can_scan=can_scan)
