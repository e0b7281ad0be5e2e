"""Totals follow every change of a credit, in the same transaction, and always
equal a recomputation from scratch."""

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities.models import VerdictStatus
from activities.review import decide
from activities.tests.factories import ActivityFactory, VerdictFactory
from campaigns.models import RegistrationStatus
from campaigns.services import withdraw
from campaigns.tests.factories import CampaignFactory, RegistrationFactory
from kindsteps.testing.clock import NOW, local_at
from standings import queries, services
from standings.models import PersonDay, Standing
from standings.rebuild import rebuild_campaign
from teams.services import move_member
from teams.tests.factories import TeamFactory


@pytest.fixture
def campaign(tree):
    return CampaignFactory(
        organiser_unit=tree["LA-CD"],
        starts_at=NOW - timedelta(days=10),
        vnd_per_km=2000,
    )


def credit(
    campaign,
    registration,
    metres,
    *,
    hours_ago: float = 3,
    started_at: datetime | None = None,
    status=VerdictStatus.ACCEPTED,
    count=True,
    **kw,
):
    """A new activity of `metres` with its verdict, started at `started_at` (by default
    `hours_ago` hours before the suite's fixed now, NOW), counted (unless told not to)
    as the pipeline counts a new verdict: an accepted one is added to the line, any
    other changes nothing."""
    activity = ActivityFactory(
        user=registration.user,
        distance_m=metres,
        started_at=started_at or NOW - timedelta(hours=hours_ago),
        **kw,
    )
    verdict = VerdictFactory(
        campaign=campaign,
        activity=activity,
        registration=registration,
        status=status,
        credited_m=metres,
        reasons=[],
    )
    if count and status == VerdictStatus.ACCEPTED:
        services.add_credits([services.Credit.of(verdict)])
    return verdict


def test_an_accepted_activity_counts_everywhere_at_once(campaign, tree):
    team = TeamFactory(campaign=campaign)
    registration = RegistrationFactory(campaign=campaign, unit=tree["LA-CD-LTR"], team=team)

    credit(campaign, registration, 5230)

    figures = queries.campaign_figures(campaign)
    assert (figures.distance_m, figures.activities, figures.participants) == (5230, 1, 1)
    assert queries.money(campaign, figures.distance_m) == 10460
    assert queries.team_figures(campaign, team.pk).distance_m == 5230
    for code in ("LA-CD-LTR", "LA-CD", "LA", "VN"):  # the unit and every unit above it
        assert queries.unit_figures(campaign, tree[code].pk).distance_m == 5230
    assert queries.unit_figures(campaign, tree["LA-CG"].pk).distance_m == 0
    [day] = queries.daily_series(campaign)
    assert (day["distance_m"], day["participants"]) == (5230, 1)
    standing = Standing.objects.get()
    assert (standing.distance_m, standing.active_days) == (5230, 1)


def test_flagged_and_rejected_activities_do_not_count_until_accepted(campaign, owner):
    registration = RegistrationFactory(campaign=campaign)
    flagged = credit(campaign, registration, 4000, status=VerdictStatus.FLAGGED)
    assert queries.campaign_figures(campaign).distance_m == 0

    decide(flagged, VerdictStatus.ACCEPTED, "", actor=owner)

    assert queries.campaign_figures(campaign).distance_m == 4000
    decide(flagged, VerdictStatus.REJECTED, "Đi xe máy", actor=owner)
    assert queries.campaign_figures(campaign).distance_m == 0
    assert rebuild_campaign(campaign, fix=False).total == 0


def test_steps_come_from_the_device_or_are_estimated_from_distance(campaign):
    registration = RegistrationFactory(campaign=campaign)
    credit(campaign, registration, 7000, steps=9100)  # counted by the watch
    credit(campaign, registration, 3500, started_at=local_at(-1, 6), sport="walk")  # 0.70 m a step

    standing = Standing.objects.get()
    assert standing.steps == 9100 + 5000
    assert standing.steps_estimated == 5000
    assert queries.campaign_figures(campaign).steps == 14100


def _day_steps(registration) -> dict:
    """day → (steps, of which estimated), as kept for the person."""
    return {
        day.day: (day.steps, day.steps_estimated)
        for day in PersonDay.objects.filter(registration=registration)
    }


def test_a_days_steps_are_its_credited_activities_steps(campaign, owner):
    registration = RegistrationFactory(campaign=campaign)
    yesterday, today = local_at(-1).date(), local_at(0).date()
    credit(campaign, registration, 3500, started_at=local_at(-1, 6))  # 5,000 estimated
    run = credit(campaign, registration, 4000, started_at=local_at(-1, 17), steps=4100)
    credit(campaign, registration, 1400, started_at=local_at(0, 6))  # 2,000 estimated

    assert _day_steps(registration) == {yesterday: (5000 + 4100, 5000), today: (2000, 2000)}
    assert Standing.objects.get().steps == 5000 + 4100 + 2000
    assert rebuild_campaign(campaign, fix=False).total == 0

    decide(run, VerdictStatus.REJECTED, "Đi xe máy", actor=owner)  # recounted

    assert _day_steps(registration) == {yesterday: (5000, 5000), today: (2000, 2000)}
    assert rebuild_campaign(campaign, fix=False).total == 0


def test_a_rebuild_puts_back_the_days_steps(campaign):
    registration = RegistrationFactory(campaign=campaign)
    credit(campaign, registration, 3500, started_at=local_at(-1, 6))
    credit(campaign, registration, 4000, started_at=local_at(-1, 17), steps=4100)
    credit(campaign, registration, 1400, started_at=local_at(0, 6))
    kept = _day_steps(registration)
    PersonDay.objects.update(steps=0, steps_estimated=0)  # as after adding the columns

    assert rebuild_campaign(campaign, fix=False).days == 2
    assert rebuild_campaign(campaign).days == 2

    assert _day_steps(registration) == kept
    assert rebuild_campaign(campaign, fix=False).total == 0


def test_a_withdrawal_takes_the_km_out_of_every_total(campaign, tree):
    team = TeamFactory(campaign=campaign)
    registration = RegistrationFactory(campaign=campaign, unit=tree["LA-CD-LTR"], team=team)
    credit(campaign, registration, 6000)

    withdraw(registration, actor=registration.user)

    assert queries.campaign_figures(campaign).distance_m == 0
    assert queries.team_figures(campaign, team.pk).distance_m == 0
    assert queries.unit_figures(campaign, tree["LA"].pk).distance_m == 0
    assert queries.daily_series(campaign)[0]["distance_m"] == 0
    assert rebuild_campaign(campaign, fix=False).total == 0


def test_a_participant_changing_team_moves_their_km(campaign, owner):
    first, second = TeamFactory(campaign=campaign), TeamFactory(campaign=campaign)
    registration = RegistrationFactory(campaign=campaign, team=first)
    credit(campaign, registration, 8000)

    move_member(registration, to=second, actor=owner)

    assert queries.team_figures(campaign, first.pk).distance_m == 0
    assert queries.team_figures(campaign, second.pk).distance_m == 8000
    assert queries.campaign_figures(campaign).distance_m == 8000


def test_campaign_days_follow_the_campaign_zone(campaign):
    registration = RegistrationFactory(campaign=campaign)
    # 23:30 and 00:30 Vietnam time, one hour apart across a local midnight (both
    # 16:30 and 17:30 of one UTC day).
    for started_at in (local_at(-2, 23, 30), local_at(-1, 0, 30)):
        activity = ActivityFactory(
            user=registration.user,
            distance_m=2000,
            started_at=started_at,
            elapsed_s=600,
        )
        VerdictFactory(
            campaign=campaign,
            activity=activity,
            registration=registration,
            status=VerdictStatus.ACCEPTED,
            credited_m=2000,
            reasons=[],
        )
    services.refresh(registration.pk)

    days = PersonDay.objects.order_by("day")
    assert [d.day for d in days] == [local_at(-2).date(), local_at(-1).date()]
    assert Standing.objects.get().active_days == 2


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["credit", "batch", "reject", "accept", "withdraw", "move", "shrink"]),
        st.integers(min_value=0, max_value=3),  # which participant
        st.integers(min_value=1, max_value=25_000),  # metres
    ),
    max_size=14,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
def test_totals_equal_a_recomputation_after_any_sequence(operations, tree, owner):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], starts_at=NOW - timedelta(days=10))
    teams = [TeamFactory(campaign=campaign), TeamFactory(campaign=campaign)]
    units = [tree["LA-CD-LTR"], tree["LA-CD-THPT"], tree["LA-CG-PL"], tree["LA-CD"]]
    people = [
        RegistrationFactory(campaign=campaign, unit=units[i], team=teams[i % 2]) for i in range(4)
    ]
    verdicts = {i: [] for i in range(4)}
    for step, (operation, who, metres) in enumerate(operations):
        registration = people[who]
        registration.refresh_from_db()
        if registration.status != RegistrationStatus.ACTIVE:
            continue
        if operation == "credit":
            verdicts[who].append(
                credit(campaign, registration, metres, hours_ago=3 + 13 * step % 200)
            )
        elif operation == "batch":
            # Several new verdicts counted together, as a bulk upload counts them: two
            # for this person the same day, one for the next person.
            others = people[(who + 1) % 4]
            others.refresh_from_db()
            batch = [
                credit(campaign, registration, metres, hours_ago=2, count=False),
                credit(campaign, registration, metres // 3 + 1, hours_ago=2, count=False),
                credit(campaign, others, metres, hours_ago=2, count=False),
            ]
            services.add_credits([services.Credit.of(verdict) for verdict in batch])
            verdicts[who].extend(batch[:2])
            verdicts[(who + 1) % 4].append(batch[2])
        elif operation in ("reject", "accept") and verdicts[who]:
            verdict = verdicts[who][metres % len(verdicts[who])]
            status = VerdictStatus.REJECTED if operation == "reject" else VerdictStatus.ACCEPTED
            decide(verdict, status, "kiểm tra", actor=owner)
        elif operation == "shrink" and verdicts[who]:
            # A rule change re-judged it: a daily cap now credits part of it.
            verdict = verdicts[who][0]
            verdict.refresh_from_db()
            verdict.credited_m = verdict.credited_m // 2
            verdict.save(update_fields=["credited_m"])
            services.refresh(registration.pk)
        elif operation == "withdraw":
            withdraw(registration, actor=registration.user)
        elif operation == "move":
            move_member(registration, to=teams[metres % 2], actor=owner)

    drift = rebuild_campaign(campaign, fix=False)
    assert drift.total == 0, drift.as_dict()
    expected = sum(s.distance_m for s in Standing.objects.filter(campaign=campaign, is_active=True))
    assert queries.campaign_figures(campaign).distance_m == expected
    lines = Standing.objects.filter(campaign=campaign, is_active=True)
    days = PersonDay.objects.filter(campaign=campaign)
    assert sum(d.steps for d in days) == sum(s.steps for s in lines)
    assert sum(d.steps_estimated for d in days) == sum(s.steps_estimated for s in lines)


def test_credits_added_one_by_one_equal_a_recomputation(campaign, tree):
    """The line, the person's days, every total and the rank buckets after adding
    credits one at a time: a second walk the same day, a run counted by the watch, a
    walk that moves the line into another 100 m bucket and one that does not."""
    team = TeamFactory(campaign=campaign)
    registration = RegistrationFactory(campaign=campaign, unit=tree["LA-CD-LTR"], team=team)
    other = RegistrationFactory(campaign=campaign, unit=tree["LA-CG-PL"])

    credit(campaign, registration, 3050, started_at=local_at(-1, 6))  # yesterday morning
    credit(campaign, registration, 20, started_at=local_at(-1, 7))
    credit(campaign, registration, 4000, started_at=local_at(0, 7), sport="run", steps=4100)
    credit(campaign, other, 1000, started_at=local_at(0, 7))

    line = Standing.objects.get(registration=registration)
    assert (line.distance_m, line.activities, line.active_days) == (7070, 3, 2)
    # Walks estimated at 0.70 m a step (4,357 + 29), the run's steps counted by the watch.
    assert (line.steps, line.steps_estimated) == (4357 + 29 + 4100, 4357 + 29)
    drift = rebuild_campaign(campaign, fix=False)
    assert drift.total == 0, drift.as_dict()
