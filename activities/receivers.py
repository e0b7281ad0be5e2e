"""What activities does when a campaign changes (campaigns/signals.py)."""

from django.db import transaction

from activities.tasks import rejudge_campaign_task


def rules_changed(sender, *, campaign, **kwargs) -> None:
    """Verdicts follow the rules: once the change is committed, the campaign's
    activities are judged again (a background job, one registration at a time)."""
    campaign_id = campaign.pk
    transaction.on_commit(lambda: rejudge_campaign_task(campaign_id))
