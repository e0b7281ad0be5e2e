"""The registration e-mail goes out through core's templated mail: after the
commit, through the job queue."""

import pytest
from django.core import mail

from campaigns.models import Registration
from campaigns.tests.factories import CampaignFactory
from core.notices import send_templated_mail

pytestmark = pytest.mark.django_db


def test_templated_mail_goes_out_after_commit_through_the_job_queue(
    user_factory, django_capture_on_commit_callbacks, tree
):
    user = user_factory("walker2@example.org", full_name="Trần Văn B")
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"])
    registration = Registration(campaign=campaign, user=user, bib=7)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_templated_mail(
            user,
            "campaigns/email/registered",
            {"campaign": campaign, "registration": registration, "url": "/c/x/"},
        )
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert "7" in mail.outbox[0].subject and mail.outbox[0].to == ["walker2@example.org"]
