"""Background jobs of the activities pipeline. Each is safe to run twice."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from activities import judging, pipeline

# A job that fails (a database restart, a full disk) is tried again.
RETRIES = 2
RETRY_DELAY = 30  # seconds


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY)
def process_upload_task(upload_id: int) -> None:
    pipeline.process_upload(upload_id)


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY)
def rejudge_campaign_task(campaign_id: int) -> None:
    """Judge again every activity of a campaign, one registration at a time."""
    for registration_id in list(judging.registrations_to_rejudge(campaign_id)):
        judging.rejudge_registration(registration_id)


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY)
def rejudge_registration_task(registration_id: int) -> None:
    judging.rejudge_registration(registration_id)


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY)
def judge_backlog_task(registration_id: int) -> None:
    """Judge what a person recorded before registering (judging.judge_backlog)."""
    judging.judge_backlog(registration_id)


@db_periodic_task(crontab(minute="*/5"))
def resume_stale_uploads() -> None:
    """Take up again the uploads a crashed worker left unfinished."""
    for upload_id in pipeline.stale_uploads().values_list("pk", flat=True):
        process_upload_task(upload_id)
