"""From bytes received to judged activities.

`receive` keeps the original (content-addressed) and records the upload before
anything reads it, then queues `process_upload`, which is safe to run twice:
activities are found by their external id before they are created, verdicts are
updated in place, and an upload already finished is left alone. A worker that
dies halfway leaves the upload `processing`; the retry, or the periodic sweep
in `activities.tasks`, picks it up again.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from datetime import UTC, datetime, timedelta

import numpy as np
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities import parsers
from activities.facts import Judged, facts_of, guess_sport, judged_track
from activities.judging import judge_activities, judge_activity
from activities.models import (
    Activity,
    Source,
    StoredFile,
    Upload,
    UploadStatus,
    default_route_visibility,
)
from activities.parsers import ParseError, parse_upload
from activities.track import (
    Track,
    cumulative_distance,
    privacy_trim,
    simplify,
    summarise,
)
from campaigns.models import Registration, RegistrationStatus
from campaigns.rules import merged_rules
from core.errors import DomainError

log = logging.getLogger(__name__)

# Bigger than any archive we would open: refused at the door, not stored.
MAX_UPLOAD_BYTES = parsers.MAX_ARCHIVE_TOTAL_BYTES
FILE_SOURCES = (Source.WEB, Source.API)
SERIES_POINTS = 300
# An upload still unfinished after this long is taken up again by the sweep.
STALE_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 5

ERROR_MESSAGES = {
    "already_uploaded_by_other": _(
        "This activity was already uploaded by another participant; each effort counts once, "
        "for the person who did it."
    ),
    "empty_file": _("The file is empty."),
}


class UploadError(DomainError):
    code = "upload_error"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_original(data: bytes) -> StoredFile:
    """The stored copy of these bytes, written once whoever sends them again."""
    digest = sha256_of(data)
    existing = StoredFile.objects.filter(sha256=digest).first()
    if existing is not None:
        if not default_storage.exists(existing.content.name):
            # Lost from storage (disk restored from an older backup): write it back.
            default_storage.save(existing.content.name, ContentFile(data))
        return existing
    name = f"originals/{digest[:2]}/{digest[2:4]}/{digest}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(data))
    try:
        with transaction.atomic():
            return StoredFile.objects.create(sha256=digest, size=len(data), content=name)
    except IntegrityError:
        return StoredFile.objects.get(sha256=digest)


def receive(
    user,
    data: bytes,
    filename: str = "",
    *,
    source: str = Source.WEB,
    sport: str = "",
    received_at: datetime | None = None,
    process: bool = True,
) -> Upload:
    """Keep the file and record the upload; processing is queued after commit.

    `source` is where it came from (`Source`): a tracker passes its own ("strava",
    "garmin"), which decides which copy of a walk counts (activities/sources.py)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(parsers.ParseError("too_large").message, code="too_large", status=413)
    if not data:
        raise UploadError(ERROR_MESSAGES["empty_file"], code="empty_file")
    stored = store_original(data)
    upload = Upload.objects.create(
        user=user,
        stored_file=stored,
        filename=(filename or "")[-255:],
        source=source,
        sport=sport if sport in ("walk", "run") else "",
        received_at=received_at or timezone.now(),
    )
    if process:
        from activities.tasks import process_upload_task

        transaction.on_commit(lambda: process_upload_task(upload.pk))
    return upload


def _external_id(digest: str, member: str | None, index: int) -> str:
    if member is None:
        return f"{digest}#{index}"
    if len(member) > 200:
        member = hashlib.sha256(member.encode()).hexdigest()
    return f"{digest}/{member}#{index}"


def _nanmean(values: np.ndarray | None) -> int | None:
    if values is None or not np.isfinite(values).any():
        return None
    return int(round(float(np.nanmean(values))))


def _nanmax(values: np.ndarray | None) -> int | None:
    if values is None or not np.isfinite(values).any():
        return None
    return int(round(float(np.nanmax(values))))


def _latlon(track: Track) -> list[list[float]]:
    ok = np.isfinite(track.lat) & np.isfinite(track.lon)
    return [
        [round(float(a), 6), round(float(b), 6)]
        for a, b in zip(track.lat[ok], track.lon[ok], strict=True)
    ]


def chart_series(track: Track) -> dict[str, list]:
    """Speed, elevation and heart rate at up to SERIES_POINTS points along the distance."""
    n = len(track)
    if n < 2:
        return {}
    if track.has_gps:
        cum = cumulative_distance(track)
    elif track.dist is not None:
        cum = np.nan_to_num(track.dist)
    else:
        return {}
    idx = np.unique(np.linspace(0, n - 1, min(n, SERIES_POINTS + 1)).round().astype(int))
    d = cum[idx]
    t = track.t[idx]
    with np.errstate(divide="ignore", invalid="ignore"):
        kmh = np.where(np.diff(t) > 0, np.diff(d) / np.diff(t) * 3.6, 0.0)
    series: dict[str, list] = {
        "km": [round(float(x) / 1000, 3) for x in d[1:]],
        "kmh": [round(float(x), 1) for x in kmh],
    }
    if np.isfinite(track.ele).any():
        series["ele"] = [
            None if not np.isfinite(x) else round(float(x), 1) for x in track.ele[idx][1:]
        ]
    if track.hr is not None and np.isfinite(track.hr).any():
        series["hr"] = [None if not np.isfinite(x) else int(x) for x in track.hr[idx][1:]]
    return series


def _anomalies(facts) -> tuple[list, list]:
    return (
        [jump._asdict() for jump in facts.gps_jumps],
        [segment._asdict() for segment in facts.vehicle_segments],
    )


def activity_fields(track: Track, chosen_sport: str = "") -> dict:
    """The Activity columns read from one track."""
    summary = summarise(track)
    sport = chosen_sport or guess_sport(summary)
    # Distance, splits, pace and the map come from the track without its GPS jumps.
    track, summary, removed = judged_track(track, sport, summary=summary)
    facts = facts_of(Judged(track, summary, removed), sport)
    jumps, segments = _anomalies(facts)
    return {
        "sport": sport,
        "sport_from_file": summary.sport or "",
        "started_at": summary.start,
        "ended_at": summary.end,
        "elapsed_s": int(round(summary.elapsed_s)),
        "moving_s": int(round(summary.moving_s)),
        "distance_m": summary.distance_m,
        "elevation_gain_m": summary.elevation_gain_m,
        "points": summary.points,
        "avg_pace_s_per_km": summary.avg_pace_s_per_km,
        "max_speed_mps": summary.max_speed_mps,
        "splits_s": summary.splits_s,
        "avg_hr": _nanmean(track.hr),
        "max_hr": _nanmax(track.hr),
        "avg_cadence": _nanmean(track.cad),
        "steps": track.steps,
        "device": (track.device or "")[:120],
        "has_gps": track.has_gps,
        "device_distance_m": summary.device_distance_m,
        "gps_distance_m": summary.gps_distance_m,
        "parse_notes": track.notes,
        "session": track.session,
        "gps_jumps": jumps,
        "vehicle_segments": segments,
        "track": _latlon(simplify(track)) if track.has_gps else [],
        "public_track": _latlon(simplify(privacy_trim(track))) if track.has_gps else [],
        "series": chart_series(track),
    }


def _result(name: str, *, error: ParseError | None = None, activities=()) -> dict:
    result = {
        "name": name,
        "ok": error is None,
        "error": error.code if error else None,
        "activities": [activity.pk for activity in activities],
    }
    if error is not None and error.params:
        result["params"] = error.params  # the counts behind the error, for its message
    return result


def browser_external_id(recording_id: str) -> str:
    """A browser recording's external id: the client's own id, whatever bytes carry it,
    so a retried upload (perhaps with more points) is the same activity. The "#0" is the
    track's index, as in a file's id, for `judging.load_track` to read it again."""
    return f"browser:{recording_id}#0"


def _activity_for(upload: Upload, track: Track, external_id: str) -> Activity:
    """The activity of this track, created once however often the upload is processed."""
    sources = FILE_SOURCES if upload.source in FILE_SOURCES else (upload.source,)
    existing = (
        Activity.objects.filter(source__in=sources, external_id=external_id)
        .select_related("user")
        .first()
    )
    if existing is not None:
        if existing.user_id != upload.user_id:
            raise _OtherOwner
        return existing
    fields = activity_fields(track, upload.sport)
    try:
        with transaction.atomic():
            return Activity.objects.create(
                user=upload.user,
                upload=upload,
                source=upload.source,
                external_id=external_id,
                received_at=upload.received_at,
                route_visibility=default_route_visibility(upload.user),
                file_format=track.source_format[:16],
                **fields,
            )
    except IntegrityError:
        return Activity.objects.get(source=upload.source, external_id=external_id)


class _OtherOwner(Exception):
    pass


def process_upload(upload_id: int) -> Upload | None:
    """Read, store and judge every activity of an upload. Safe to run twice."""
    with transaction.atomic():
        upload = (
            Upload.objects.select_for_update(of=("self",))
            .select_related("stored_file")
            .filter(pk=upload_id)
        ).first()
        if upload is None or upload.is_finished:
            return upload
        upload.status = UploadStatus.PROCESSING
        upload.attempts += 1
        upload.save(update_fields=["status", "attempts"])

    with upload.stored_file.content.open("rb") as fh:
        data = fh.read()
    is_archive = parsers.is_zip(data)
    recording_id = None
    if upload.source == Source.BROWSER:
        with contextlib.suppress(ParseError):  # parse_upload reports it
            recording_id = parsers.recording.recording_id(data)
    results, judged = [], []
    for file_result in parse_upload(data, upload.filename):
        member = file_result.name if is_archive else None
        if file_result.error is not None:
            results.append(_result(file_result.name, error=file_result.error))
            continue
        activities = []
        error = None
        for index, track in enumerate(file_result.tracks):
            try:
                external_id = (
                    browser_external_id(recording_id)
                    if recording_id
                    else _external_id(upload.stored_file.sha256, member, index)
                )
                activity = _activity_for(upload, track, external_id)
            except _OtherOwner:
                error = "already_uploaded_by_other"
                continue
            activities.append(activity)
        judged += activities
        result = _result(file_result.name, activities=activities)
        if error and not activities:
            result.update(ok=False, error=error)
        results.append(result)
    # All together, in the order of the files: an export of many walks is judged with
    # the person's other activities read once, and credited in one go.
    judge_activities(list({activity.pk: activity for activity in judged}.values()))

    upload.results = results
    upload.status = UploadStatus.DONE if any(r["ok"] for r in results) else UploadStatus.FAILED
    upload.finished_at = timezone.now()
    upload.save(update_fields=["results", "status", "finished_at"])
    return upload


def receive_recording(user, data: bytes) -> tuple[Activity, bool]:
    """A recording from the browser recorder, kept, read and judged at once.

    Returns the activity and whether it is new: the same recording id again (a retried
    upload, perhaps with more points) returns the activity it already made. A recording
    that cannot be read is kept all the same, and refused with the reason in words.
    """
    try:
        recording = parsers.recording.load(data)
        external_id = browser_external_id(parsers.recording.recording_id(data))
    except ParseError:
        recording = external_id = None
    if external_id is not None:
        existing = Activity.objects.filter(source=Source.BROWSER, external_id=external_id).first()
        if existing is not None:
            if existing.user_id != user.pk:
                raise UploadError(
                    ERROR_MESSAGES["already_uploaded_by_other"],
                    code="already_uploaded_by_other",
                    status=409,
                )
            return existing, False
    upload = receive(
        user,
        data,
        "recording.json",
        source=Source.BROWSER,
        sport=recording["sport"] if recording else "",
        process=False,
    )
    upload = process_upload(upload.pk)
    ids = [pk for result in upload.results for pk in result["activities"]]
    if ids:
        return Activity.objects.get(pk=ids[0]), True
    try:
        parsers.parse(data)  # again, for the parser's own words on what is wrong
    except ParseError as error:
        raise UploadError(error.message, code=error.code) from error
    code = upload.results[0]["error"] if upload.results else "malformed_file"
    params = upload.results[0].get("params") if upload.results else None
    raise UploadError(error_message(code, params), code=code or "malformed_file", status=409)


def error_message(code: str | None, params: dict | None = None) -> str:
    """A result's error code (with its counts, when stored) in plain words, in the active
    language."""
    if not code:
        return ""
    if code in ERROR_MESSAGES:
        return str(ERROR_MESSAGES[code])
    try:
        return str(ParseError(code, params=params).message)
    except ValueError:
        return code


def stale_uploads(now: datetime | None = None):
    """Uploads a crashed worker left behind, for the sweep to take up again."""
    now = now or datetime.now(UTC)
    return Upload.objects.filter(
        status__in=[UploadStatus.PENDING, UploadStatus.PROCESSING],
        received_at__lt=now - STALE_AFTER,
        attempts__lt=MAX_ATTEMPTS,
    )


def record_manual(
    user,
    *,
    sport: str,
    started_at: datetime,
    duration_s: int,
    distance_m: int,
    note: str = "",
) -> Activity:
    """A walk or run typed in by hand, judged like any other (most campaigns refuse it)."""
    import uuid

    registrations = Registration.objects.filter(
        user=user, status=RegistrationStatus.ACTIVE
    ).select_related("campaign")
    if not any(merged_rules(r.campaign.rules)["allow_manual"] for r in registrations):
        raise UploadError(
            _("None of your campaigns accepts activities typed in by hand."),
            code="manual_not_allowed",
            status=403,
        )
    if duration_s <= 0 or distance_m <= 0:
        raise UploadError(_("Enter a distance and a duration above zero."), code="invalid")
    now = timezone.now()
    ended_at = started_at + timedelta(seconds=duration_s)
    if ended_at > now + timedelta(minutes=5):
        raise UploadError(_("An activity cannot end in the future."), code="invalid")
    activity = Activity.objects.create(
        user=user,
        source=Source.MANUAL,
        external_id=uuid.uuid4().hex,
        sport=sport,
        started_at=started_at,
        ended_at=ended_at,
        elapsed_s=duration_s,
        moving_s=duration_s,
        distance_m=distance_m,
        avg_pace_s_per_km=round(duration_s / (distance_m / 1000), 1),
        has_gps=False,
        is_manual=True,
        note=note[:200],
        received_at=now,
    )
    judge_activity(activity)
    return activity
