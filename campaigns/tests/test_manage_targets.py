"""Unit targets: by kind, per unit with a stretch target, and the effective
target each child unit ends up with."""

import pytest
from django.urls import reverse

from campaigns.models import Registration, TargetRule
from campaigns.tests.factories import CampaignFactory
from core.models import AuditEntry
from kindsteps.testing.clock import NOW


def _url(campaign) -> str:
    return reverse("campaigns:manage_targets", args=[campaign.slug])


def _post(tree, **overrides) -> dict:
    data = {
        "kind_commune": "2",
        "kind_school": "10",
        f"unit_{tree['LA-CD'].pk}": "65",
        f"stretch_{tree['LA-CD'].pk}": "70",
        f"unit_{tree['LA-CD-LTR'].pk}": "",
        f"stretch_{tree['LA-CD-LTR'].pk}": "",
        f"unit_{tree['LA-CD-THPT'].pk}": "",
        f"stretch_{tree['LA-CD-THPT'].pk}": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def commune_campaign(tree):
    return CampaignFactory(organiser_unit=tree["LA-CD-LTR"])


def test_owner_sets_the_plans_targets(client, owner, plan_campaign, tree):
    client.force_login(owner)
    response = client.post(_url(plan_campaign), _post(tree))
    assert response.status_code == 302
    rules = {
        (rule.unit_id, rule.unit_kind): (rule.participants, rule.stretch)
        for rule in TargetRule.objects.filter(campaign=plan_campaign)
    }
    assert rules == {
        (None, "commune"): (2, None),
        (None, "school"): (10, None),
        (tree["LA-CD"].pk, ""): (65, 70),
    }
    entry = AuditEntry.objects.get(action="campaigns.targets.updated")
    assert entry.actor == owner
    assert entry.data["units"] == {"LA-CD": [65, 70]}


def test_page_shows_the_effective_target_of_every_child_unit(
    english, owner, plan_campaign, tree, participant
):
    TargetRule.objects.create(campaign=plan_campaign, unit_kind="school", participants=10)
    TargetRule.objects.create(campaign=plan_campaign, unit_kind="commune", participants=2)
    TargetRule.objects.create(campaign=plan_campaign, unit=tree["LA-CD-LTR"], participants=5)
    Registration.objects.create(
        campaign=plan_campaign,
        user=participant,
        bib=1,
        unit=tree["LA-CD-THPT"],
        rules_accepted_at=NOW,
    )
    english.force_login(owner)
    response = english.get(_url(plan_campaign))
    rows = {row["row"].unit.code: row["row"] for row in response.context["unit_rows"]}
    assert set(rows) == {"LA-CD", "LA-CD-LTR", "LA-CD-THPT"}
    assert (rows["LA-CD-THPT"].participants, rows["LA-CD-THPT"].own) == (10, False)
    assert (rows["LA-CD-LTR"].participants, rows["LA-CD-LTR"].own) == (5, True)
    assert rows["LA-CD"].participants is None
    assert rows["LA-CD-THPT"].registered == 1 and rows["LA-CD"].registered == 1
    body = response.content.decode()
    assert "own target" in body and "from its kind" in body
    assert 'name="kind_school" value="10"' in body


def test_emptying_a_number_removes_that_target(client, owner, plan_campaign, tree):
    TargetRule.objects.create(campaign=plan_campaign, unit_kind="school", participants=10)
    client.force_login(owner)
    client.post(_url(plan_campaign), _post(tree, kind_school=""))
    assert not TargetRule.objects.filter(campaign=plan_campaign, unit_kind="school").exists()


def test_stretch_target_cannot_be_below_the_target(client, owner, plan_campaign, tree):
    client.force_login(owner)
    response = client.post(
        _url(plan_campaign), _post(tree, **{f"stretch_{tree['LA-CD'].pk}": "60"})
    )
    assert response.status_code == 400
    assert not TargetRule.objects.exists()


def test_stretch_target_needs_a_target(client, owner, plan_campaign, tree):
    client.force_login(owner)
    data = _post(tree, **{f"stretch_{tree['LA-CD-LTR'].pk}": "4"})
    assert client.post(_url(plan_campaign), data).status_code == 400


def test_saving_unchanged_targets_logs_nothing(client, owner, plan_campaign, tree):
    client.force_login(owner)
    client.post(_url(plan_campaign), _post(tree))
    client.post(_url(plan_campaign), _post(tree))
    assert AuditEntry.objects.filter(action="campaigns.targets.updated").count() == 1


def test_member_may_look_at_the_campaign_but_not_set_targets(
    client, member, commune_campaign, tree
):
    client.force_login(member)
    assert client.get(_url(commune_campaign)).status_code == 403
    data = {"kind_commune": "3", f"unit_{tree['LA-CD-LTR'].pk}": "9"}
    assert client.post(_url(commune_campaign), data).status_code == 403
    assert not TargetRule.objects.exists()


def test_outsider_gets_not_found(client, outsider, plan_campaign, tree):
    client.force_login(outsider)
    assert client.get(_url(plan_campaign)).status_code == 404
    assert client.post(_url(plan_campaign), _post(tree)).status_code == 404
    assert not TargetRule.objects.exists()


def test_anonymous_visitor_is_sent_to_log_in(client, plan_campaign):
    assert client.get(_url(plan_campaign))["Location"].startswith(reverse("account_login"))
