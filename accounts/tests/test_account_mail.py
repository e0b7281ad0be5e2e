"""The verification e-mail says who sends it: the platform and the organisation,
in the reader's language, never the host the request came in on."""

from django.conf import settings
from django.urls import reverse

from conftest import PASSWORD


def _sign_up(client, email="new.walker@example.org"):
    client.post(
        reverse("account_signup"),
        {"email": email, "password1": PASSWORD, "password2": PASSWORD, "consent": "on"},
    )


def test_the_vietnamese_mail_names_the_platform_and_the_red_cross(db, client, mailoutbox):
    _sign_up(client)

    message = mailoutbox[0]
    assert message.subject == "[KindSteps] Xác nhận địa chỉ e-mail"
    assert message.body.startswith(
        "Xin chào từ KindSteps, chương trình đi bộ, chạy bộ nhân ái của Hội Chữ thập đỏ Việt Nam!"
    )
    assert "Cảm ơn bạn đã cùng bước với Hội Chữ thập đỏ Việt Nam." in message.body
    assert "KindSteps · 127.0.0.1:8000" in message.body  # the public address, SITE_URL


def test_the_english_mail_speaks_english(db, client, mailoutbox):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _sign_up(client)

    message = mailoutbox[0]
    assert message.subject == "[KindSteps] Confirm your e-mail address"
    assert message.body.startswith(
        "Hello from KindSteps, the charity walks and runs of the Vietnam Red Cross Society!"
    )


def test_an_installation_names_its_own_organisation(db, client, mailoutbox, settings):
    settings.ORGANISATION_NAME = "Hội Chữ thập đỏ tỉnh Long An"
    _sign_up(client)

    assert "Hội Chữ thập đỏ tỉnh Long An" in mailoutbox[0].body
