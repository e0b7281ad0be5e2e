"""The campaign form: create and edit, owner / member / outsider, and the form's rules."""

from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.urls import reverse

from campaigns.models import Campaign, DistanceCategory, Registration
from campaigns.tests.conftest import campaign_post
from campaigns.tests.factories import CampaignFactory, CategoryFactory
from core.models import AuditEntry
from kindsteps.testing.clock import NOW

CREATE = "/manage/campaigns/new/"


def _edit(campaign) -> str:
    return reverse("campaigns:manage_edit", args=[campaign.slug])


@pytest.fixture
def commune_campaign(tree):
    return CampaignFactory(organiser_unit=tree["LA-CD-LTR"], title_en="Commune walk")


class TestCreate:
    def test_owner_gets_the_form_with_their_units(self, english, owner, tree):
        english.force_login(owner)
        response = english.get(CREATE)
        body = response.content.decode()
        assert response.status_code == 200
        assert tree["LA-CD"].name in body and tree["LA-CD-THPT"].name in body
        assert tree["LA-CG"].name not in body
        assert "<details" in body and "Activity rules" in body

    def test_owner_creates_the_plan_campaign(self, client, owner, tree):
        client.force_login(owner)
        response = client.post(CREATE, campaign_post(tree["LA-CD"]))
        campaign = Campaign.objects.get()
        assert response.status_code == 302
        assert response["Location"] == _edit(campaign)
        assert campaign.slug == "trieu-buoc-chan-nhan-ai-2024"
        assert campaign.starts_at == datetime(2024, 2, 25, 1, 0, tzinfo=UTC)
        assert campaign.ends_at == datetime(2024, 4, 21, 17, 0, tzinfo=UTC)
        assert campaign.registration_closes_at == campaign.ends_at
        assert campaign.sports == ["walk", "run"]
        assert campaign.money_target == 20_000_000
        assert campaign.created_by == owner
        assert campaign.rules == {}
        categories = list(campaign.categories.values_list("name_en", "distance_m"))
        assert categories == [("5 km", 5000), ("Free accumulation", None)]
        entry = AuditEntry.objects.get(action="campaigns.campaign.created")
        assert entry.actor == owner and entry.campaign == campaign

    def test_owner_cannot_organise_from_a_unit_outside_their_subtree(self, client, owner, tree):
        client.force_login(owner)
        response = client.post(CREATE, campaign_post(tree["LA-CG"]))
        assert response.status_code == 400
        assert not Campaign.objects.exists()

    def test_member_without_an_admin_role_is_refused(self, client, member, tree):
        client.force_login(member)
        assert client.get(CREATE).status_code == 403
        assert client.post(CREATE, campaign_post(tree["LA-CD-LTR"])).status_code == 403
        assert not Campaign.objects.exists()

    def test_outsider_creates_only_in_their_own_district(self, client, outsider, tree):
        client.force_login(outsider)
        assert client.post(CREATE, campaign_post(tree["LA-CD"])).status_code == 400
        assert client.post(CREATE, campaign_post(tree["LA-CG"])).status_code == 302
        assert Campaign.objects.get().organiser_unit == tree["LA-CG"]

    def test_anonymous_visitor_is_sent_to_log_in(self, client, tree):
        assert client.get(CREATE)["Location"].startswith(reverse("account_login"))
        assert client.post(CREATE, campaign_post(tree["LA-CD"])).status_code == 302
        assert not Campaign.objects.exists()


class TestEdit:
    def test_owner_sees_local_times_with_24_00(self, client, owner, plan_campaign):
        client.force_login(owner)
        form = client.get(_edit(plan_campaign)).context["form"]
        assert form.initial["start_time"] == "08:00"
        assert str(form.initial["end_date"]) == "2024-04-21"
        assert form.initial["end_time"] == "24:00"

    def test_owner_edits_and_the_change_is_logged(self, client, owner, plan_campaign, tree):
        client.force_login(owner)
        data = campaign_post(
            tree["LA-CD"],
            slug=plan_campaign.slug,
            participant_target="70",
            **{"rules-allow_manual": "on", "rules-walk_max_pace_s": "18:00"},
        )
        response = client.post(_edit(plan_campaign), data)
        assert response.status_code == 302
        plan_campaign.refresh_from_db()
        assert plan_campaign.participant_target == 70
        assert plan_campaign.rules == {
            "allow_manual": True,
            "sports": {"walk": {"max_pace_s": 1080}},
        }
        entry = AuditEntry.objects.get(action="campaigns.campaign.updated")
        assert "participant_target" in entry.data["changed"] and "rules" in entry.data["changed"]
        assert entry.actor == owner

    def test_owner_removes_an_unused_category(self, client, owner, plan_campaign, tree):
        category = CategoryFactory(campaign=plan_campaign)
        client.force_login(owner)
        data = campaign_post(
            tree["LA-CD"],
            slug=plan_campaign.slug,
            **{
                "categories-TOTAL_FORMS": "1",
                "categories-INITIAL_FORMS": "1",
                "categories-0-id": str(category.pk),
                "categories-0-DELETE": "on",
                "categories-1-name_vi": None,
                "categories-1-name_en": None,
                "categories-1-km": None,
            },
        )
        assert client.post(_edit(plan_campaign), data).status_code == 302
        assert not DistanceCategory.objects.filter(pk=category.pk).exists()

    def test_member_may_not_edit_a_campaign_they_can_see(self, client, member, commune_campaign):
        client.force_login(member)
        assert client.get(_edit(commune_campaign)).status_code == 403
        data = campaign_post(commune_campaign.organiser_unit, title_en="Changed")
        assert client.post(_edit(commune_campaign), data).status_code == 403
        commune_campaign.refresh_from_db()
        assert commune_campaign.title_en == "Commune walk"

    def test_member_gets_not_found_above_their_unit(self, client, member, plan_campaign):
        client.force_login(member)
        assert client.get(_edit(plan_campaign)).status_code == 404

    def test_outsider_gets_not_found(self, client, outsider, plan_campaign, tree):
        client.force_login(outsider)
        assert client.get(_edit(plan_campaign)).status_code == 404
        data = campaign_post(tree["LA-CG"], slug=plan_campaign.slug, title_en="Taken over")
        assert client.post(_edit(plan_campaign), data).status_code == 404
        plan_campaign.refresh_from_db()
        assert plan_campaign.organiser_unit == tree["LA-CD"]

    def test_anonymous_visitor_is_sent_to_log_in(self, client, plan_campaign):
        response = client.get(_edit(plan_campaign))
        assert response["Location"].startswith(reverse("account_login"))


def _errors(client, owner, tree, **overrides) -> dict:
    """The form's errors, read in English."""
    client.force_login(owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(CREATE, campaign_post(tree["LA-CD"], **overrides))
    assert response.status_code == 400
    assert not Campaign.objects.exists()
    return response.context["form"].errors


class TestFormRules:
    def test_end_must_come_after_the_start(self, client, owner, tree):
        errors = _errors(client, owner, tree, end_date="2024-02-25", end_time="07:00")
        assert "The campaign must end after it starts." in errors["end_date"]

    def test_registration_must_close_after_it_opens(self, client, owner, tree):
        errors = _errors(
            client,
            owner,
            tree,
            registration_closes_date="2024-02-19",
            registration_closes_time="12:00",
        )
        assert "Registration must close after it opens." in errors["registration_closes_date"]

    def test_registration_cannot_close_after_the_campaign_ends(self, client, owner, tree):
        errors = _errors(
            client,
            owner,
            tree,
            registration_closes_date="2024-04-22",
            registration_closes_time="08:00",
        )
        assert (
            "Registration cannot close after the campaign ends."
            in errors["registration_closes_date"]
        )

    def test_registration_opens_now_when_left_empty(self, client, owner, tree):
        client.force_login(owner)
        data = campaign_post(
            tree["LA-CD"],
            start_date="2099-01-01",
            end_date="2099-02-01",
            registration_opens_date="",
            registration_opens_time="",
        )
        assert client.post(CREATE, data).status_code == 302
        campaign = Campaign.objects.get()
        assert campaign.registration_opens_at < campaign.starts_at
        assert campaign.registration_closes_at == campaign.ends_at

    def test_times_must_read_hh_mm(self, client, owner, tree):
        errors = _errors(client, owner, tree, start_time="25:00")
        assert "start_time" in errors

    def test_24_00_ends_at_the_next_days_midnight_in_the_campaign_zone(self, client, owner, tree):
        client.force_login(owner)
        data = campaign_post(tree["LA-CD"], time_zone="Asia/Tokyo")
        assert client.post(CREATE, data).status_code == 302
        campaign = Campaign.objects.get()
        assert campaign.starts_at == datetime(2024, 2, 24, 23, 0, tzinfo=UTC)
        assert campaign.ends_at == datetime(2024, 4, 21, 15, 0, tzinfo=UTC)

    def test_a_taken_slug_is_refused(self, client, owner, tree, plan_campaign):
        client.force_login(owner)
        response = client.post(CREATE, campaign_post(tree["LA-CD"], slug=plan_campaign.slug))
        assert response.status_code == 400
        assert "slug" in response.context["form"].errors
        assert Campaign.objects.count() == 1

    def test_an_empty_slug_is_made_unique_from_the_title(self, client, owner, tree, plan_campaign):
        client.force_login(owner)
        assert client.post(CREATE, campaign_post(tree["LA-CD"])).status_code == 302
        assert Campaign.objects.filter(slug="trieu-buoc-chan-nhan-ai-2024-2").exists()

    def test_the_word_new_is_reserved(self, client, owner, tree):
        assert "slug" in _errors(client, owner, tree, slug="new")

    def test_at_least_one_sport(self, client, owner, tree):
        assert "sports" in _errors(client, owner, tree, sports=[])

    def test_rules_need_sensible_paces(self, client, owner, tree):
        client.force_login(owner)
        data = campaign_post(
            tree["LA-CD"],
            **{"rules-run_max_pace_s": "3:00", "rules-walk_fastest_split_s": "7:00"},
        )
        response = client.post(CREATE, data)
        assert response.status_code == 400
        errors = response.context["rules"].errors
        assert "run_max_pace_s" in errors and "walk_fastest_split_s" in errors
        assert not Campaign.objects.exists()

    def test_rules_need_the_longest_activity_above_the_shortest(self, client, owner, tree):
        client.force_login(owner)
        data = campaign_post(tree["LA-CD"], **{"rules-max_distance_km": "0.5"})
        response = client.post(CREATE, data)
        assert "max_distance_km" in response.context["rules"].errors

    def test_a_category_with_registrations_cannot_be_removed(
        self, client, owner, plan_campaign, tree, participant
    ):
        category = CategoryFactory(campaign=plan_campaign)
        Registration.objects.create(
            campaign=plan_campaign,
            user=participant,
            bib=1,
            category=category,
            rules_accepted_at=NOW,
        )
        client.force_login(owner)
        data = campaign_post(
            tree["LA-CD"],
            slug=plan_campaign.slug,
            **{
                "categories-TOTAL_FORMS": "1",
                "categories-INITIAL_FORMS": "1",
                "categories-0-id": str(category.pk),
                "categories-0-DELETE": "on",
            },
        )
        response = client.post(_edit(plan_campaign), data)
        assert response.status_code == 400
        assert DistanceCategory.objects.filter(pk=category.pk).exists()


class TestMoneyFields:
    """The money target and đồng per km are read as people write đồng (core.amounts)."""

    @pytest.mark.parametrize(
        ("typed", "amount"),
        [("100.000", 100_000), ("500,000", 500_000), ("1.000.000 đ", 1_000_000)],
    )
    def test_the_money_target_is_read_as_the_organiser_means_it(
        self, client, owner, tree, typed, amount
    ):
        client.force_login(owner)
        response = client.post(CREATE, campaign_post(tree["LA-CD"], money_target=typed))
        assert response.status_code == 302
        assert Campaign.objects.get().money_target == amount

    @pytest.mark.parametrize(("typed", "amount"), [("1.000", 1_000), ("2,500 đ", 2_500)])
    def test_the_dong_per_km_is_read_as_the_organiser_means_it(
        self, client, owner, tree, typed, amount
    ):
        client.force_login(owner)
        response = client.post(CREATE, campaign_post(tree["LA-CD"], vnd_per_km=typed))
        assert response.status_code == 302
        assert Campaign.objects.get().vnd_per_km == amount

    def test_a_fractional_dong_is_refused_with_a_clear_message(self, client, owner, tree):
        errors = _errors(client, owner, tree, money_target="1.000.000,50")
        assert errors.as_data()["money_target"][0].code == "amount_fractional"
        assert "no smaller unit" in errors["money_target"][0]

    def test_an_unreadable_rate_is_refused_and_the_typed_text_kept(self, client, owner, tree):
        client.force_login(owner)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = client.post(CREATE, campaign_post(tree["LA-CD"], vnd_per_km="1k"))
        assert response.status_code == 400
        assert "Write the amount in whole đồng" in response.context["form"].errors["vnd_per_km"][0]
        assert 'value="1k"' in response.content.decode()

    def test_an_edited_campaign_shows_its_target_grouped(self, client, owner, plan_campaign):
        client.force_login(owner)
        plan_campaign.money_target = 20_000_000
        plan_campaign.save()
        page = client.get(_edit(plan_campaign)).content.decode()
        assert 'value="20.000.000"' in page
