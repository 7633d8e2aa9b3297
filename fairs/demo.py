"""Demo floor plans: every offline recruitment fair of the demo gets a hall of booths, bookings
by the verified demo companies (through the real services where booking is still open) and
positions. Called by events' load_demo; idempotent (a fair that has halls is left alone)."""

from __future__ import annotations

from accounts.models import Company, CompanyMembership, User
from events.models import Event

from .models import Booth, BoothBooking, Fair, Hall, Position
from .services import booking_decide, booth_book
from .services.effects import map_version_bump
from .services.positions import fairs_with_booth

# Booth rows of the demo hall: (zone, y). Eight 2×2 booths per row, an aisle between rows.
ROWS = [("人工智能与电子信息", 1), ("海洋与新能源", 5), ("生物医药与高端装备", 9)]
POSITIONS = {
    "ai": [("多模态大模型算法博士后", "0812"), ("智能感知与机器人研发工程师", "0811")],
    "green_energy": [("海上风电并网控制博士后", "0808"), ("氢能储运材料研究员", "0805")],
    "biomed": [("海洋创新药物研发博士后", "1007"), ("生物制剂工艺工程师", "0836")],
    "equipment": [("深海装备结构力学博士后", "0801"), ("智能制造工艺研发工程师", "0802")],
    "electronics": [("集成电路设计博士后", "0809"), ("射频通信算法工程师", "0810")],
    "marine": [("物理海洋与海洋观测博士后", "0707"), ("海洋遥感数据科学家", "0816")],
    "automotive": [("动力电池热管理博士后", "0807"), ("自动驾驶感知算法工程师", "0812")],
    "chemicals": [("绿色催化工艺博士后", "0817"), ("高分子材料研发工程师", "0805")],
    "services": [("数据要素与数字经济博士后", "0202"), ("工业软件架构师", "0835")],
}
# Fairs whose bookings an organizer approves (the others confirm at once).
APPROVAL_FAIRS = {"“蓝洽会”博士后人才招聘专区", "“百所高校千名博士青岛行”博士后人才招聘专区"}


def _hall(fair: Fair) -> Hall:
    hall = Hall.objects.create(fair=fair, name="A 馆", columns=24, rows=13)
    letters = "ABC"
    Booth.objects.bulk_create(
        [
            Booth(
                hall=hall,
                code=f"{letters[r]}-{i + 1:02d}",
                x=1 + i * 3,
                y=y,
                width=2,
                height=2,
                size=9,
                zone=zone,
                is_closed=(r == 2 and i == 7),
            )
            for r, (zone, y) in enumerate(ROWS)
            for i in range(8)
        ]
    )
    return hall


def _admin(company: Company) -> User:
    return (
        User.objects.filter(
            company_memberships__company=company, company_memberships__role=CompanyMembership.Role.ADMIN
        )
        .order_by("pk")
        .first()
    )


def load(*, head: User) -> int:
    """Floor plans, bookings and positions for the demo's fairs. Returns how many fairs it laid out."""
    companies = [c for c in Company.objects.filter(status=Company.Status.VERIFIED).order_by("pk") if _admin(c)]
    laid_out = 0
    fairs = (
        Event.objects.filter(kind=Event.Kind.FAIR, status=Event.Status.PUBLISHED)
        .exclude(mode=Event.Mode.ONLINE)
        .order_by("starts_at", "pk")
    )
    for number, event in enumerate(fairs):
        fair, _created = Fair.objects.get_or_create(
            event=event, defaults={"approval_required": event.title in APPROVAL_FAIRS, "booths_per_company": 2}
        )
        if fair.halls.exists():
            continue
        laid_out += 1
        _hall(fair)
        free = list(Booth.objects.filter(hall__fair=fair, is_closed=False).order_by("code"))
        # A different arrangement per fair; a few booths stay free for the visitor to try booking.
        chosen = companies[number % len(companies) :] + companies[: number % len(companies)]
        for index, company in enumerate(chosen[:8]):
            booth = free[(index * 3 + number) % len(free)]
            if BoothBooking.objects.filter(booth=booth).exists():
                continue
            if fair.booking_is_open():
                booking = booth_book(booth=booth, company=company, actor=_admin(company))
                if booking.status == BoothBooking.Status.REQUESTED and index < 6:
                    booking_decide(booking=booking, actor=head, approve=True)
            else:  # the fair is past or closed for booking: history as it would have been
                BoothBooking.objects.create(
                    fair=fair,
                    booth=booth,
                    company=company,
                    status=BoothBooking.Status.APPROVED,
                    requested_by=_admin(company),
                )
        map_version_bump(fair.pk)  # written past the services: retire any cached map of this fair
    for company in companies:
        for title, discipline in POSITIONS.get(company.industry, []):
            position, _created = Position.objects.get_or_create(
                company=company,
                title=title,
                defaults={
                    "discipline": discipline,
                    "headcount": 2,
                    "salary_min": 30,
                    "salary_max": 60,
                    "location": "青岛",
                    "requirements": "博士学位，相关方向有代表性成果；博士后进站享受青岛市生活补贴与科研资助。",
                },
            )
            # After a --reset the fairs are new: show the positions at them again.
            position.fairs.add(*fairs_with_booth(company))
    return laid_out
