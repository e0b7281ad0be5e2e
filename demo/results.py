"""The 2024 campaign, long finished: its results frozen by the district's organiser,
a few awards, and every certificate made (so the results page, the participant's
downloads and the verification page can be seen at once)."""

from __future__ import annotations

from accounts.models import Gender, User
from campaigns.models import Campaign
from orgs.models import UnitKind
from results import issuing, services
from results.models import Award, AwardKind


def _awards(campaign: Campaign) -> list[Award]:
    free = campaign.categories.filter(distance_m=None).first()
    return [
        Award(
            kind=AwardKind.TOP_PEOPLE,
            name="Nữ tích lũy xuất sắc",
            count=3,
            category=free,
            gender=Gender.FEMALE,
        ),
        Award(
            kind=AwardKind.TOP_PEOPLE,
            name="Nam tích lũy xuất sắc",
            count=3,
            category=free,
            gender=Gender.MALE,
        ),
        Award(kind=AwardKind.TOP_TEAMS, name="Đội nhóm dẫn đầu", count=3),
        Award(
            kind=AwardKind.TOP_UNITS, name="Trường học tích cực", count=3, unit_kind=UnitKind.SCHOOL
        ),
        Award(kind=AwardKind.OVER_TARGET, name="Vượt chỉ tiêu vận động", count=0),
        Award(kind=AwardKind.ACTIVE_DAYS, name="Bền bỉ nhất", count=3),
    ]


def seed_results(campaign: Campaign, organiser: User) -> int:
    """Freeze once, add the awards once, make any certificate not made yet; how many
    certificates were made now."""
    if services.frozen(campaign) is None:
        services.freeze(campaign, actor=organiser)
    if not campaign.awards.exists():
        for award in _awards(campaign):
            services.add_award(campaign, award, actor=organiser)
    results = services.frozen(campaign)
    assert results is not None
    if results.certificates_requested_at is None:
        from django.utils import timezone

        results.certificates_requested_at = timezone.now()
        results.save(update_fields=["certificates_requested_at"])
    # Made here rather than queued: the demo shows them as soon as it is served.
    return issuing.make(issuing.plan(results))
