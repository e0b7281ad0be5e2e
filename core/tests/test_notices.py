import pytest
from django.core import mail
from django.utils.translation import gettext_lazy as _

from core.notices import notify, send_templated_mail

pytestmark = pytest.mark.django_db


class Titled:
    """Something with a title in the active language, like a campaign."""

    @property
    def title(self) -> str:
        from django.utils import translation

        return "Chiến dịch" if translation.get_language() == "vi" else "Campaign"


def test_notice_is_written_in_the_recipients_language(user_factory):
    english = user_factory("en@example.org", preferred_language="en")
    vietnamese = user_factory("vi@example.org", preferred_language="vi")
    thing = Titled()
    for user in (english, vietnamese):
        notify(
            user, "test", title=_("Hello %(campaign)s"), params={"campaign": lambda: thing.title}
        )
    assert english.notices.get().title == "Hello Campaign"
    assert vietnamese.notices.get().title == "Hello Chiến dịch"


def test_templated_mail_goes_out_after_commit_through_the_job_queue(
    user_factory, django_capture_on_commit_callbacks, tree
):
    from campaigns.models import Registration
    from campaigns.tests.factories import CampaignFactory

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
