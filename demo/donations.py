"""The demo's money: both campaigns take all four methods in sandbox mode, with
a bank account for VietQR; the 2024 campaign has about forty paid donations
(some anonymous, some in cash), a few still pending and one refunded, a
campaign-wide sponsor at 1,000 đồng per km and a team sponsor with a cap; the
open campaign has a dozen. Everything goes through donations.services, so the
audit log and the provider events look like the real thing."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from accounts.models import User
from campaigns.models import Campaign
from donations import services
from donations.models import Donation, DonationStatus, Method, Sponsor
from donations.providers.cash import record_cash
from orgs.models import Unit
from teams.models import Team

BANK = {
    "bank_bin": "970405",
    "bank_name": "Agribank — Chi nhánh Cần Đước, Long An",
    "bank_account": "6300205123456",
    "bank_account_name": "HOI CHU THAP DO HUYEN CAN DUOC",
}
DONORS = [
    "Nguyễn Thị Lan",
    "Trần Văn Hùng",
    "Lê Ngọc Mai",
    "Phạm Quốc Tuấn",
    "Huỳnh Thị Thu",
    "Võ Minh Khoa",
    "Cửa hàng Vật tư Nông nghiệp Phước Lộc",
    "Phan Thanh Trang",
    "Đặng Văn Phúc",
    "Bùi Kim Yến",
    "Công ty TNHH Lương thực Long An",
    "Trương Đức Long",
    "Gia đình bác Tư Rạch Kiến",
    "Tập thể lớp 12A1 THPT Cần Đước",
]
MESSAGES = [
    "Chúc chương trình thành công!",
    "Một chút tấm lòng cho bà con khó khăn.",
    "Cố lên các bạn!",
    "",
    "",
]
PLAN_AMOUNTS = [50_000, 100_000, 100_000, 200_000, 200_000, 300_000, 500_000, 1_000_000]


def _settings(campaign: Campaign) -> None:
    settings = services.settings_for(campaign)
    settings.methods = [Method.VIETQR, Method.VNPAY, Method.MOMO, Method.CASH]
    settings.sandbox = True
    for key, value in BANK.items():
        setattr(settings, key, value)
    settings.save()


def _backdate(donation: Donation, moment: datetime) -> None:
    """Demo history: move a donation made just now to a day of the campaign."""
    Donation.objects.filter(pk=donation.pk).update(
        created_at=moment - timedelta(minutes=7),
        paid_at=moment if donation.status != DonationStatus.PENDING else None,
    )


def _seed(
    campaign: Campaign,
    organiser: User,
    *,
    paid: int,
    pending: int,
    refunded: int,
    amounts: list[int],
    seed: int,
) -> int:
    rng = random.Random(seed)
    units = list(
        Unit.objects.filter(campaign.organiser_unit.subtree_q()).exclude(
            pk=campaign.organiser_unit_id
        )
    )
    teams = list(Team.objects.filter(campaign=campaign))
    start = campaign.starts_at
    span = max(min(campaign.ends_at, start + timedelta(days=50)) - start, timedelta(days=1))
    now = datetime.now(tz=start.tzinfo)
    made = []
    for number in range(paid + pending + refunded):
        method = rng.choice([Method.VIETQR, Method.VIETQR, Method.VNPAY, Method.MOMO, Method.CASH])
        amount = rng.choice(amounts)
        anonymous = rng.random() < 0.25
        name = rng.choice(DONORS)
        moment = min(start + span * rng.random(), now - timedelta(minutes=30))
        is_pending = number >= paid + refunded
        if method == Method.CASH and not is_pending:
            donation = record_cash(
                campaign,
                rng.choice(units),
                amount=amount,
                receipt_number=f"BL-{seed:02d}{number + 1:04d}",
                donor_name=name,
                is_anonymous=anonymous,
                message=rng.choice(MESSAGES),
                actor=organiser,
            )
        else:
            if method == Method.CASH:
                method = Method.VIETQR
            team = rng.choice(teams) if teams and rng.random() < 0.2 else None
            donation = services.create_donation(
                campaign,
                amount=amount,
                method=method,
                donor_name=name,
                is_anonymous=anonymous,
                message=rng.choice(MESSAGES),
                team=team,
            )
            if not is_pending:
                services.confirm_paid(
                    donation.reference,
                    method=method,
                    amount=amount,
                    provider_ref=f"DEMO{seed:02d}{number + 1:05d}",
                    kind="statement" if method == Method.VIETQR else "sandbox",
                    payload={"demo": True},
                )
            donation.refresh_from_db()
        _backdate(donation, moment)
        made.append(donation)
    for donation in made[paid : paid + refunded]:
        services.mark_refunded(donation, actor=organiser, note="Chuyển nhầm — đã hoàn lại.")
    return len(made)


def _sponsors(campaign: Campaign) -> None:
    Sponsor.objects.get_or_create(
        campaign=campaign,
        name="Công ty CP Thực phẩm Cần Đước",
        defaults={"vnd_per_km": 1000, "website": "https://example.org/"},
    )
    team = Team.objects.filter(campaign=campaign, name="CLB Chạy bộ Cần Đước").first()
    if team is not None:
        Sponsor.objects.get_or_create(
            campaign=campaign,
            name="Nhà thuốc Tâm Đức",
            defaults={"vnd_per_km": 2000, "cap": 2_000_000, "team": team},
        )


def seed_donations(plan: Campaign, open_campaign: Campaign, organiser: User) -> int:
    """Idempotent: a campaign that already has donations is left as it is."""
    made = 0
    for campaign in (plan, open_campaign):
        _settings(campaign)
    if not plan.donations.exists():
        made += _seed(
            plan, organiser, paid=40, pending=3, refunded=1, amounts=PLAN_AMOUNTS, seed=24
        )
    if not open_campaign.donations.exists():
        made += _seed(
            open_campaign,
            organiser,
            paid=12,
            pending=2,
            refunded=0,
            amounts=[50_000, 100_000, 200_000, 500_000],
            seed=25,
        )
    _sponsors(plan)
    return made
