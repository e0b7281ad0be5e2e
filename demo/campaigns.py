"""The demo's campaigns: the 2024 plan's campaign with its targets, teams and
synthetic registrations spread over the units (some below target), and an
open campaign so that a visitor can register today."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Max
from django.utils import timezone

from accounts.models import Gender, PublicName, User
from campaigns.models import Campaign, DistanceCategory, Registration, Sport, TargetRule
from orgs.models import Unit, UnitKind
from teams.models import Team

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PLAN_SLUG = "trieu-buoc-chan-nhan-ai-2024"
OPEN_SLUG = "tet-nhan-ai-di-bo-vi-nguoi-ngheo"

PLAN_DESCRIPTION_VI = """Chiến dịch “Triệu bước chân nhân ái” nằm trong chuỗi hoạt động “Tháng Nhân đạo” năm 2024 với chủ đề “Hành trình nhân đạo - Trao nhận yêu thương”.

Mỗi ki-lô-mét đi bộ, chạy bộ hợp lệ được quy đổi thành tiền ủng hộ Quỹ hoạt động Chữ thập đỏ. Hãy đăng ký, chọn đội và đi bộ/chạy bộ mỗi ngày cho đến khi chiến dịch kết thúc."""
PLAN_DESCRIPTION_EN = """The “A Million Steps of Compassion” campaign is part of the 2024 Humanitarian Month, themed “A humanitarian journey – giving and receiving love”.

Every valid kilometre walked or run is converted into a donation to the Red Cross fund. Register, pick a team and walk or run every day until the campaign ends."""

# Participants per unit code in the 2024 campaign: schools ≥ 10, communes and
# health ≥ 2 — a few fall short so the target dashboard has something to show.
PLAN_REGISTRATIONS = {
    "LA-CD-THPT-CD": 14,
    "LA-CD-THPT-RK": 11,
    "LA-CD-THPT-CVA": 7,
    "LA-CD-YT": 4,
    "LA-CD-TT": 5,
    "LA-CD-LTR": 3,
    "LA-CD-LKH": 2,
    "LA-CD-LDI": 2,
    "LA-CD-PVA": 1,
    "LA-CD-LCA": 2,
    "LA-CD-LSO": 3,
    "LA-CD-LHO": 2,
    "LA-CD-TTR": 0,
    "LA-CD-MLE": 2,
    "LA-CD-TLA": 2,
    "LA-CD-PTU": 1,
    "LA-CD-PDO": 2,
    "LA-CD-TAN": 2,
    "LA-CD-TCH": 0,
    "LA-CD-LHD": 2,
    "LA-CD-LHT": 3,
}
TEAMS = [
    ("CLB Chạy bộ Cần Đước", "LA-CD"),
    ("Đội Thanh niên Chữ thập đỏ THPT Cần Đước", "LA-CD-THPT-CD"),
    ("Rạch Kiến Xanh", "LA-CD-THPT-RK"),
    ("Y Bác sĩ Cần Đước", "LA-CD-YT"),
]

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Đặng", "Bùi"]
MIDDLE_F = ["Thị", "Ngọc", "Thanh", "Thu", "Kim"]
MIDDLE_M = ["Văn", "Minh", "Hoàng", "Quốc", "Đức"]
GIVEN_F = ["Lan", "Hương", "Mai", "Trang", "Thảo", "Vy", "Ngân", "Yến", "Tuyết", "Như"]
GIVEN_M = ["Hùng", "Tuấn", "Khoa", "Phúc", "Long", "Bảo", "Tài", "Nam", "Hiếu", "Trí"]


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


def ensure_plan_campaign(organiser: User) -> Campaign:
    district = Unit.objects.get(code="LA-CD")
    campaign, created = Campaign.objects.get_or_create(
        slug=PLAN_SLUG,
        defaults={
            "title_vi": "Triệu bước chân nhân ái 2024",
            "title_en": "A Million Steps of Compassion 2024",
            "description_vi": PLAN_DESCRIPTION_VI,
            "description_en": PLAN_DESCRIPTION_EN,
            "organiser_unit": district,
            # 08:00 25/02/2024 to 24:00 21/04/2024, Vietnam time.
            "starts_at": local(2024, 2, 25, 8),
            "ends_at": local(2024, 4, 22, 0),
            "registration_opens_at": local(2024, 2, 20, 0),
            "registration_closes_at": local(2024, 4, 22, 0),
            "sports": [Sport.WALK, Sport.RUN],
            "participant_target": 65,
            "money_target": 20_000_000,
            "vnd_per_km": 1000,
            "created_by": organiser,
        },
    )
    if created:
        DistanceCategory.objects.bulk_create(
            [
                DistanceCategory(
                    campaign=campaign,
                    name_vi="Tích lũy tự do",
                    name_en="Free accumulation",
                    position=0,
                ),
                DistanceCategory(
                    campaign=campaign, name_vi="5 km", name_en="5 km", distance_m=5000, position=1
                ),
                DistanceCategory(
                    campaign=campaign,
                    name_vi="21 km",
                    name_en="21 km",
                    distance_m=21000,
                    position=2,
                ),
            ]
        )
    for kind, participants in ((UnitKind.COMMUNE, 2), (UnitKind.HEALTH, 2), (UnitKind.SCHOOL, 10)):
        TargetRule.objects.get_or_create(
            campaign=campaign, unit_kind=kind, unit=None, defaults={"participants": participants}
        )
    TargetRule.objects.get_or_create(
        campaign=campaign,
        unit=district,
        unit_kind="",
        defaults={"participants": 65, "stretch": 70},
    )
    return campaign


def ensure_open_campaign(organiser: User) -> Campaign:
    now = timezone.now().astimezone(VN_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    campaign, created = Campaign.objects.get_or_create(
        slug=OPEN_SLUG,
        defaults={
            "title_vi": "Tết nhân ái — Đi bộ vì người nghèo",
            "title_en": "Compassionate Tết — Walk for families in need",
            "description_vi": (
                "Cùng Hội Chữ thập đỏ huyện Cần Đước đi bộ, chạy bộ để mang Tết đến với "
                "các gia đình khó khăn. Mỗi ki-lô-mét hợp lệ được nhà tài trợ quy đổi "
                "thành 2.000 đồng."
            ),
            "description_en": (
                "Walk and run with the Cần Đước district Red Cross to bring Tết to families "
                "in need. Sponsors turn every valid kilometre into 2,000 đồng."
            ),
            "organiser_unit": Unit.objects.get(code="LA-CD"),
            "starts_at": now - timedelta(days=7) + timedelta(hours=8),
            "ends_at": now + timedelta(days=49),
            "registration_opens_at": now - timedelta(days=14),
            "registration_closes_at": now + timedelta(days=49),
            "sports": [Sport.WALK, Sport.RUN],
            "participant_target": 100,
            "money_target": 50_000_000,
            "vnd_per_km": 2000,
            "created_by": organiser,
        },
    )
    if created:
        DistanceCategory.objects.create(
            campaign=campaign, name_vi="Tích lũy tự do", name_en="Free accumulation"
        )
        for kind, participants in (
            (UnitKind.COMMUNE, 3),
            (UnitKind.HEALTH, 3),
            (UnitKind.SCHOOL, 15),
        ):
            TargetRule.objects.create(campaign=campaign, unit_kind=kind, participants=participants)
        _seed_open_teams(campaign)
    return campaign


def _seed_open_teams(campaign: Campaign) -> None:
    """A dozen early registrations of the 2024 participants, in two teams."""
    people = list(User.objects.filter(email__startswith="vdv").order_by("email")[:12])

    def joined(bib: int) -> datetime:
        # In the campaign's first days, so that they have walked since.
        return campaign.starts_at + timedelta(hours=3 * bib)

    teams = [
        Team.objects.create(
            campaign=campaign,
            name=name,
            unit=Unit.objects.get(code=code),
            captain=people[index * 6] if len(people) > index * 6 else None,
        )
        for index, (name, code) in enumerate(TEAMS[:2])
    ]
    Registration.objects.bulk_create(
        Registration(
            campaign=campaign,
            user=person,
            bib=bib,
            unit=person.home_unit,
            category=campaign.categories.first(),
            team=teams[(bib - 1) // 6],
            team_joined_at=joined(bib),
            rules_accepted_at=joined(bib),
            registered_at=joined(bib),
        )
        for bib, person in enumerate(people, start=1)
    )
    Campaign.objects.filter(pk=campaign.pk).update(last_bib=len(people))


def _person(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.55:
        return Gender.FEMALE, f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"
    return Gender.MALE, f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"


def ensure_plan_registrations(campaign: Campaign, captain: User) -> int:
    """Synthetic participants of the 2024 campaign (only made once)."""
    if campaign.registrations.exists():
        return campaign.registrations.count()
    rng = random.Random(2024)
    units = {u.code: u for u in Unit.objects.filter(code__in=PLAN_REGISTRATIONS)}
    categories = list(campaign.categories.all())
    teams = {
        code: Team.objects.get_or_create(
            campaign=campaign,
            name=name,
            defaults={"unit": Unit.objects.get(code=code), "captain": captain},
        )[0]
        for name, code in TEAMS
    }
    bib = campaign.registrations.aggregate(m=Max("bib"))["m"] or 0
    registrations = []
    number = 0
    for code, count in PLAN_REGISTRATIONS.items():
        for _ in range(count):
            number += 1
            gender, name = _person(rng)
            birth_year = rng.randint(1970, 2008)
            school = units[code].kind == UnitKind.SCHOOL
            if school:
                # High-school students, minors when the campaign starts: short names.
                birth_year = 2008 + number % 3
            user = User(
                email=f"vdv{number:03d}@kindsteps.demo",
                full_name=name,
                gender=gender,
                birth_year=birth_year,
                # A few adults chose not to be named on public pages.
                public_name_choice=(
                    PublicName.ANONYMOUS if number % 9 == 0 and not school else PublicName.AUTO
                ),
                province="Long An",
                district="Cần Đước",
                home_unit=units[code],
            )
            user.set_unusable_password()
            user.save()
            bib += 1
            registered = local(2024, 2, 25, 8) + timedelta(minutes=rng.randint(0, 50 * 24 * 60))
            team = (
                teams.get(code)
                if code in teams
                else (teams["LA-CD"] if rng.random() < 0.4 else None)
            )
            registrations.append(
                Registration(
                    campaign=campaign,
                    user=user,
                    bib=bib,
                    unit=units[code],
                    category=rng.choice(categories),
                    team=team,
                    team_joined_at=registered if team else None,
                    rules_accepted_at=registered,
                    registered_at=registered,
                )
            )
    Registration.objects.bulk_create(registrations)
    Campaign.objects.filter(pk=campaign.pk).update(last_bib=bib)
    return len(registrations)


def ensure_participant_in_plan(campaign: Campaign, user: User) -> Registration:
    """The demo participant took part in 2024 too, for their own activity history."""
    registration = Registration.objects.filter(campaign=campaign, user=user).first()
    if registration is not None:
        return registration
    bib = (campaign.registrations.aggregate(m=Max("bib"))["m"] or 0) + 1
    registered = local(2024, 2, 26, 7)
    registration = Registration.objects.create(
        campaign=campaign,
        user=user,
        bib=bib,
        unit=user.home_unit,
        category=campaign.categories.first(),
        rules_accepted_at=registered,
        registered_at=registered,
    )
    Campaign.objects.filter(pk=campaign.pk).update(last_bib=bib)
    return registration
