"""Fairs test data: a fair with a hall of booths, companies with members."""

from accounts.models import Company
from fairs.models import Booth, BoothBooking, Fair, Hall, Position

from ..factories import CompanyFactory, EventFactory, company_member, organizer, team_member


def fair_with_booths(
    n: int = 3, *, approval_required: bool = False, quota: int = 1, columns: int = 40, side: int = 1, **event_fields
):
    """A published fair event with one hall of `n` booths A-1..A-n (`side`×`side` cells, `columns`
    per row, an aisle between big ones), and its editing organizer as `fair.boss`."""
    event = EventFactory(**event_fields)
    fair = Fair.objects.create(event=event, approval_required=approval_required, booths_per_company=quota)
    step = side + 1 if side > 1 else 1
    rows = max(4, (n + columns - 1) // columns * step)
    hall = Hall.objects.create(fair=fair, name="A 馆", columns=columns * step, rows=rows)
    Booth.objects.bulk_create(
        [
            Booth(
                hall=hall,
                code=f"A-{i + 1}",
                x=i % columns * step,
                y=i // columns * step,
                width=side,
                height=side,
                zone="人工智能",
            )
            for i in range(n)
        ]
    )
    boss = organizer()
    team_member(event, boss)
    fair.boss = boss
    return fair


def booths(fair: Fair) -> list[Booth]:
    return list(Booth.objects.filter(hall__fair=fair).select_related("hall").order_by("id"))


def member(*, verified: bool = True, **company_fields):
    """(company, its admin user)."""
    company = CompanyFactory(status=Company.Status.VERIFIED if verified else Company.Status.PENDING, **company_fields)
    return company, company_member(company)


def approved_booking(fair: Fair, booth: Booth, company: Company) -> BoothBooking:
    return BoothBooking.objects.create(fair=fair, booth=booth, company=company, status=BoothBooking.Status.APPROVED)


def position(company, fair=None, **fields) -> Position:
    defaults = {"title": "海洋人工智能博士后", "discipline": "0707", "headcount": 2, "location": "青岛"}
    defaults.update(fields)
    p = Position.objects.create(company=company, **defaults)
    if fair is not None:
        p.fairs.add(fair)
    return p
