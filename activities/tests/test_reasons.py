"""The registry of reason codes: every code the rules can give has a label and a
line of help, docs/rules.md names each one, and the screens read their labels
from it."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from activities import reasons, rules
from activities.models import Verdict
from activities.tests.factories import ActivityFactory, VerdictFactory, reason
from campaigns.tests.factories import CampaignFactory

RULES = Path(rules.__file__)


def codes_the_rules_give() -> set[str]:
    """The code of every Reason(...) that activities/rules.py makes."""
    codes = set()
    for node in ast.walk(ast.parse(RULES.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Reason":
            first = node.args[0]
            assert isinstance(first, ast.Name), ast.unparse(node)
            codes.add(getattr(reasons, first.id))
    return codes


def test_every_code_the_rules_give_is_registered_with_a_label_and_help():
    given = codes_the_rules_give()
    assert given == set(reasons.REASON_CODES)
    for code in given:
        for language in ("vi", "en"):
            with translation.override(language):
                assert reasons.label(code) != code
                assert reasons.help_text(code)


def test_labels_and_help_are_translated_into_vietnamese():
    with translation.override("en"):
        english = {code: (reasons.label(code), reasons.help_text(code)) for code in reasons.REASONS}
    with translation.override("vi"):
        for code, (label, help_text) in english.items():
            assert reasons.label(code) != label, code
            assert reasons.help_text(code) != help_text, code


def test_docs_name_every_code():
    doc = (Path(settings.BASE_DIR) / "docs" / "rules.md").read_text()
    # The rules table: "| … | `code` | reject |" (or flag, or accept).
    named = set(re.findall(r"\| `([a-z_]+)` \| (?:reject|flag|accept)", doc))
    assert named == set(reasons.REASON_CODES)


def test_codes_are_stable_strings_once_shipped():
    assert reasons.REASON_CODES == (
        "sport_not_allowed",
        "outside_window",
        "before_registration",
        "late_sync",
        "distance_too_short",
        "distance_too_long",
        "pace_too_fast",
        "pace_too_slow",
        "split_too_fast",
        "gps_jump",
        "vehicle_speed",
        "manual_entry",
        "no_gps",
        "duplicate",
        "daily_cap",
        "malformed_file",
        "device_distance_high",
        "other_copy",
    )
    assert (
        set(reasons.REASON_CODES)
        - {
            "gps_jump",
            "vehicle_speed",
            "daily_cap",
            "device_distance_high",
        }
        == reasons.REJECTING_CODES
    )


def test_an_unknown_code_reads_as_itself():
    assert reasons.label("some_later_code") == "some_later_code"
    assert reasons.choices(["some_later_code", "no_gps"]) == [
        ("no_gps", str(reasons.REASONS["no_gps"].label)),
        ("some_later_code", "some_later_code"),
    ]


@pytest.mark.django_db
def test_the_review_filter_offers_the_registry_labels(client, owner, participant, tree):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], slug="cd-reasons")
    VerdictFactory(
        campaign=campaign,
        activity=ActivityFactory(user=participant),
        reasons=[
            reason("vehicle_speed", "Tốc độ như đi xe.", "Vehicle-fast."),
            reason("gps_jump", "Định vị nhảy.", "GPS jump."),
        ],
    )
    client.force_login(owner)

    response = client.get(reverse("review:queue", args=[campaign.slug]))

    with translation.override("vi"):
        expected = [(code, reasons.label(code)) for code in ("gps_jump", "vehicle_speed")]
    assert response.context["reasons"] == expected
    body = response.content.decode()
    for code, label in expected:
        assert f'<option value="{code}">{label}</option>' in body


def test_a_reason_stored_without_a_message_reads_as_its_label():
    verdict = Verdict(reasons=[{"code": "duplicate", "evidence": {}}])
    with translation.override("en"):
        assert verdict.messages() == ["Duplicate"]
