"""Scheduled jobs: behind-target alerts late in a campaign (once per unit),
the weekly digest and the final report e-mailed on its day (once)."""

from datetime import date

import pytest

from core.models import Notice
from dashboards.models import BehindAlert, DashboardSettings
from dashboards.tasks import alert_behind, send_due_reports, weekly_digest
from dashboards.tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(campaign, tree, people):
    people(campaign, tree["LA-CD-LTR"], at(1))
    for _ in range(4):
        people(campaign, tree["LA-CD-THPT"], at(2))


def test_units_behind_late_in_the_campaign_tell_their_staff_once(
    campaign, tree, owner, member, figures, mailoutbox, django_capture_on_commit_callbacks
):
    Notice.objects.all().delete()
    mailoutbox.clear()
    assert alert_behind(now=at(1, month=4)) == 0  # three weeks before the end: too early
    with django_capture_on_commit_callbacks(execute=True):
        told = alert_behind(now=at(15, month=4))
    # The district 5/65, Long Trạch 1/2 and the school 4/10 are all below 80 %.
    assert told == 3
    assert set(BehindAlert.objects.values_list("unit__code", flat=True)) == {
        "LA-CD",
        "LA-CD-LTR",
        "LA-CD-THPT",
    }
    notices = {n.user.email: n.title for n in Notice.objects.filter(code="unit_behind_target")}
    assert set(notices) == {"owner@example.org", "member@example.org"}
    # In the recipient's language (Vietnamese by default), with the figures.
    assert notices["owner@example.org"].startswith("Huyện hội Cần Đước")
    assert " 5 " in notices["owner@example.org"] and "65" in notices["owner@example.org"]
    assert notices["member@example.org"].startswith("Hội CTĐ CS xã Long Trạch")
    assert sorted(m.to[0] for m in mailoutbox) == ["member@example.org", "owner@example.org"]
    mail = next(m for m in mailoutbox if m.to == ["member@example.org"])
    assert "Hội CTĐ CS xã Long Trạch" in mail.subject
    assert (
        "1" in mail.body
        and "/manage/dashboard/trieu-buoc-chan-nhan-ai-2024/LA-CD-LTR/" in mail.body
    )
    assert alert_behind(now=at(16, month=4)) == 0


def test_threshold_and_window_are_the_campaigns_settings(campaign, tree, figures, owner):
    DashboardSettings.objects.create(
        campaign=campaign, alert_days_before_end=30, alert_threshold_percent=40
    )
    # Thirty days before the end, below 40 %: the district (8 %) only; Long
    # Trạch has 50 % and the school exactly 40 %.
    assert alert_behind(now=at(1, month=4)) == 1
    assert list(BehindAlert.objects.values_list("unit__code", flat=True)) == ["LA-CD"]


def test_weekly_digest_gives_each_person_their_own_unit(
    campaign, tree, owner, member, figures, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert weekly_digest(now=at(15, month=4)) == 2
    by_person = {m.to[0]: m for m in mailoutbox}
    owner_mail = by_person["owner@example.org"]
    assert "Huyện hội Cần Đước" in owner_mail.subject
    assert "5 / 65" in owner_mail.body
    assert "Hội CTĐ CS Trường THPT Cần Đước: 4 / 10" in owner_mail.body
    member_mail = by_person["member@example.org"]
    assert "Hội CTĐ CS xã Long Trạch" in member_mail.subject
    assert "Cần Đước" not in member_mail.body.replace("Huyện hội Cần Đước", "")  # no sibling


def test_final_report_goes_out_on_its_day_once(campaign, owner, member, figures, mailoutbox):
    DashboardSettings.objects.create(campaign=campaign, report_on=date(2024, 4, 20))
    mailoutbox.clear()
    assert send_due_reports(now=at(19, month=4)) == 0
    assert send_due_reports(now=at(20, month=4)) == 1
    assert send_due_reports(now=at(21, month=4)) == 0
    assert [m.to for m in mailoutbox] == [["owner@example.org"]]  # the organiser unit's staff
    names = [name for name, _content, _type in mailoutbox[0].attachments]
    assert names[0].endswith(".pdf") and names[1].endswith(".xlsx")
    assert mailoutbox[0].attachments[0][1].startswith(b"%PDF")
    assert DashboardSettings.objects.get(campaign=campaign).report_sent_at is not None
