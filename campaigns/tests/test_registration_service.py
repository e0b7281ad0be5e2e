from datetime import timedelta

import pytest
from django.core import mail

from campaigns.models import Registration, RegistrationStatus
from campaigns.services import RegistrationError, register, withdraw
from campaigns.signals import registration_changed
from campaigns.tests.factories import CampaignFactory, CategoryFactory
from core.models import AuditEntry, Notice
from kindsteps.testing.clock import NOW


@pytest.fixture
def campaign(tree):
    return CampaignFactory(organiser_unit=tree["LA-CD"])


def test_registration_gives_a_bib_a_notice_and_an_email(
    campaign, participant, django_capture_on_commit_callbacks
):
    category = CategoryFactory(campaign=campaign)
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(campaign, participant, category=category, accept_rules=True)
    assert registration.bib == 1
    assert registration.unit == participant.home_unit
    assert Notice.objects.filter(user=participant, code="registration_confirmed").exists()
    assert len(mail.outbox) == 1 and "1" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="campaigns.registration.created").count() == 1


def test_bibs_are_unique_and_never_reused_after_withdrawal(campaign, participant, user_factory):
    other = user_factory("second@example.org")
    first = register(campaign, participant, accept_rules=True)
    second = register(campaign, other, accept_rules=True)
    assert (first.bib, second.bib) == (1, 2)
    withdraw(first, actor=participant)
    again = register(campaign, participant, accept_rules=True)
    assert again.pk == first.pk and again.bib == 1
    assert Registration.objects.filter(campaign=campaign).count() == 2


def test_registering_twice_is_refused(campaign, participant):
    register(campaign, participant, accept_rules=True)
    with pytest.raises(RegistrationError) as exc:
        register(campaign, participant, accept_rules=True)
    assert exc.value.code == "already_registered"


def test_registration_is_refused_outside_the_window(tree, participant):
    campaign = CampaignFactory(
        organiser_unit=tree["LA-CD"],
        registration_opens_at=NOW + timedelta(days=1),
        starts_at=NOW + timedelta(days=2),
    )
    with pytest.raises(RegistrationError) as exc:
        register(campaign, participant, accept_rules=True)
    assert exc.value.code == "registration_not_open"


def test_registration_is_refused_for_an_unverified_account(campaign, user_factory):
    unverified = user_factory("new@example.org", verified=False)
    with pytest.raises(RegistrationError) as exc:
        register(campaign, unverified, accept_rules=True)
    assert exc.value.code == "email_unverified"


def test_what_reacts_to_a_withdrawal_is_part_of_it(campaign, participant):
    """The apps above hear of a withdrawal inside its transaction: if one of them
    fails, the withdrawal does not happen."""
    registration = register(campaign, participant, accept_rules=True)

    def fail(sender, **kwargs):
        raise RuntimeError("a receiver failed")

    registration_changed.connect(fail)
    try:
        with pytest.raises(RuntimeError):
            withdraw(registration, actor=participant)
    finally:
        registration_changed.disconnect(fail)

    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.ACTIVE
    assert not AuditEntry.objects.filter(action="campaigns.registration.withdrawn").exists()
