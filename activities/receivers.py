"""What activities does when a campaign changes (campaigns/signals.py) or a person
deletes their account (accounts/signals.py)."""

from django.db import transaction

from activities.tasks import judge_backlog_task, rejudge_campaign_task
from campaigns.signals import RegistrationChange


def rules_changed(sender, *, campaign, **kwargs) -> None:
    """Verdicts follow the rules: once the change is committed, the campaign's
    activities are judged again (a background job, one registration at a time)."""
    campaign_id = campaign.pk
    transaction.on_commit(lambda: rejudge_campaign_task(campaign_id))


def person_deleting(sender, *, user, **kwargs) -> None:
    """A deleted account keeps its activities as figures only: the distance, times
    and steps that its verdicts credited stay; the original files, the routes, the
    charts, the heart rate, the device and the notes go (docs/decisions/0019-data-rights.md).
    Without a file, judging again reads the stored figures (judging.facts_for)."""
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat

    from activities.models import Activity, Complaint, RoutePreference, StoredFile, Upload

    Activity.objects.filter(user=user).update(
        upload=None,
        external_id=Concat(Value("deleted:"), Cast("pk", output_field=CharField())),
        track=[],
        public_track=[],
        series={},
        avg_hr=None,
        max_hr=None,
        avg_cadence=None,
        device="",
        note="",
        route_visibility="private",
    )
    Complaint.objects.filter(user=user).update(text="")
    RoutePreference.objects.filter(user=user).delete()
    uploads = Upload.objects.filter(user=user)
    file_ids = set(uploads.values_list("stored_file_id", flat=True))
    uploads.delete()
    # The same bytes sent by someone else are their file too: those stay.
    orphans = StoredFile.objects.filter(pk__in=file_ids, uploads__isnull=True)
    names = list(orphans.values_list("content", flat=True))
    orphans.delete()

    def remove_files() -> None:
        storage = StoredFile._meta.get_field("content").storage
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove_files)


def registration_changed(sender, *, registration, change, **kwargs) -> None:
    """A person who registers (or comes back) gets a verdict, once the registration is
    committed, for what they recorded near the campaign's dates before it."""
    if change != RegistrationChange.REGISTERED:
        return
    registration_id = registration.pk
    transaction.on_commit(lambda: judge_backlog_task(registration_id))
