"""What activities does when a campaign changes (campaigns/signals.py)."""

from django.db import transaction

from activities.tasks import judge_backlog_task, rejudge_campaign_task
from campaigns.signals import RegistrationChange


def rules_changed(sender, *, campaign, **kwargs) -> None:
    """Verdicts follow the rules: once the change is committed, the campaign's
    activities are judged again (a background job, one registration at a time)."""
    campaign_id = campaign.pk
    transaction.on_commit(lambda: rejudge_campaign_task(campaign_id))


def registration_changed(sender, *, registration, change, **kwargs) -> None:
    """A person who registers (or comes back) gets a verdict, once the registration is
    committed, for what they recorded near the campaign's dates before it."""
    if change != RegistrationChange.REGISTERED:
        return
    registration_id = registration.pk
    transaction.on_commit(lambda: judge_backlog_task(registration_id))
