"""Freezing a campaign's results after its appeal window, and correcting them."""

from datetime import timedelta

import pytest

from activities.models import Verdict, VerdictStatus
from activities.review import decide
from core.models import AuditEntry
from kindsteps.testing.clock import NOW
from results import services
from results.models import LineKind
from results.services import Phase, ResultsError
from standings import services as standings


def test_the_appeal_window_follows_the_end_and_its_length_is_the_campaigns(finished):
    finished.appeal_window_hours = 96  # four days: it closes a day after the fixed now
    finished.save()

    assert services.phase(finished, now=finished.ends_at - timedelta(minutes=1)) == Phase.RUNNING
    assert services.phase(finished) == Phase.APPEAL
    assert services.phase(finished, now=finished.ends_at + timedelta(hours=96)) == Phase.READY


def test_refuses_to_freeze_while_the_appeal_window_is_open(finished, owner, people):
    finished.appeal_window_hours = 96
    finished.save()

    with pytest.raises(ResultsError) as error:
        services.freeze(finished, actor=owner)

    assert error.value.code == "appeal_window_open"
    assert services.frozen(finished) is None


def test_freezes_people_teams_and_units_with_competition_ranks(finished, owner, people):
    results = services.freeze(finished, actor=owner)

    persons = list(results.lines.filter(kind=LineKind.PERSON).order_by("rank", "position"))
    assert [(line.rank, line.name, line.distance_m) for line in persons] == [
        (1, "Nguyễn Văn An", 42_195),
        (2, "Phạm Thị Chi", 21_100),  # reached 21,1 km eight days before Bình
        (2, "Trần Thị Bình", 21_100),
        (4, "Lê Minh Anh", 12_345),
        (5, "Võ Quốc Dũng", 5_000),
    ]
    assert persons[0].converted == 42_195 and persons[0].team_name == "Đội Long Trạch"
    team = results.lines.get(kind=LineKind.TEAM)
    assert (team.rank, team.distance_m, team.participants) == (1, 63_295, 2)
    units = {line.name: line for line in results.lines.filter(kind=LineKind.UNIT)}
    school = units["Hội CTĐ CS Trường THPT Cần Đước"]
    assert (school.rank, school.participants, school.target, school.met_target) == (
        1,
        3,
        3,
        True,
    )
    assert units["Hội CTĐ CS xã Long Trạch"].met_target is False
    # The district is ranked among districts, not against its own chapters.
    assert units["Huyện hội Cần Đước"].rank == 1
    assert units["Huyện hội Cần Đước"].distance_m == 101_740
    assert results.totals["participants"] == 5 and results.totals["converted"] == 101_740
    assert AuditEntry.objects.filter(action="results.frozen", campaign=finished).exists()


def test_a_second_freeze_is_refused(finished, owner, people):
    services.freeze(finished, actor=owner)

    with pytest.raises(ResultsError) as error:
        services.freeze(finished, actor=owner)

    assert error.value.code == "already_frozen"


def test_only_the_organisers_may_freeze(finished, member, outsider, people):
    for person in (member, outsider):
        with pytest.raises(services.NotAllowed):
            services.freeze(finished, actor=person)


def test_frozen_results_do_not_follow_later_changes_until_corrected(finished, owner, people):
    results = services.freeze(finished, actor=owner)
    dung = people["dung"]
    verdict = Verdict.objects.get(registration=dung)
    decide(verdict, VerdictStatus.REJECTED, "Đi xe máy", actor=owner)
    standings.refresh(dung.pk)

    assert results.lines.filter(kind=LineKind.PERSON).count() == 5

    correction = services.correct(
        finished, "Hoạt động của Võ Quốc Dũng bị từ chối sau khiếu nại", actor=owner
    )

    assert results.lines.filter(kind=LineKind.PERSON).count() == 4
    assert correction.changed_lines >= 2  # Dũng's line, and his school's
    assert {
        "kind": "person",
        "key": dung.pk,
        "name": "Võ Quốc Dũng",
        "field": "line",
        "old": 5,
        "new": None,
    } in correction.changes
    entry = AuditEntry.objects.get(action="results.corrected")
    assert entry.data["reason"].startswith("Hoạt động của Võ Quốc Dũng")
    assert entry.actor == owner


def test_a_correction_needs_a_reason_and_a_change(finished, owner, people):
    services.freeze(finished, actor=owner)

    with pytest.raises(ResultsError) as short:
        services.correct(finished, "sai", actor=owner)
    with pytest.raises(ResultsError) as same:
        services.correct(finished, "Kiểm tra lại số liệu cuối cùng", actor=owner)

    assert short.value.code == "reason_required"
    assert same.value.code == "no_change"


def test_a_campaign_that_ended_at_the_fixed_now_is_still_in_its_appeal_window(tree, owner):
    from campaigns.tests.factories import CampaignFactory

    campaign = CampaignFactory(
        organiser_unit=tree["LA-CD"], starts_at=NOW - timedelta(days=5), ends_at=NOW
    )

    assert services.phase(campaign) == Phase.APPEAL
