import pytest
from django.utils.translation import gettext_lazy as _

from core.notices import notify

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
