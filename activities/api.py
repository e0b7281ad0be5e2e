"""Activities over the API, for recording apps and scripts.

``POST /api/v1/activities`` takes a GPX, TCX, FIT or KML/KMZ file (also gzip or a ZIP
export) as the request body or as multipart ``file`` fields. A small upload is
read and judged before the answer (201, with each activity and its verdicts); a
big one is queued (202) and ``GET /api/v1/uploads/{id}`` tells when it is done.
The same pipeline as the web page, so the same verdicts and error codes.

``POST /api/v1/activities/recording`` takes one recording made by the browser
recorder (JSON, see docs/recording.md) and answers with the activity and its
verdicts: 201 the first time, 200 when the same recording id comes again.
"""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from activities import pipeline, review, visibility
from activities.models import Activity, Source, Sport, Upload, Verdict
from campaigns.api import ErrorOut, current_user, optional_user
from core import ratelimits
from core.http import read_body
from core.pagination import BoundedPageNumberPagination

router = Router(tags=["activities"])

# Uploads up to this size are processed before the answer; bigger ones are queued.
INLINE_BYTES = 10 * 1024 * 1024
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut}


class EvidenceOut(Schema):
    name: str = Field(..., description="What was measured, in the request's language.")
    value: str = Field(..., description="Its value in words, with local number formats.")


class ReasonOut(Schema):
    code: str = Field(..., description="A stable reason code (docs/rules.md).")
    label: str
    message: str
    evidence: list[EvidenceOut]


class VerdictOut(Schema):
    id: int
    campaign: str = Field(..., description="The campaign's slug.")
    status: str = Field(..., description="accepted, flagged (awaiting review) or rejected")
    credited_m: int
    reasons: list[ReasonOut]
    decision_note: str
    complaint: str | None = Field(None, description="open, upheld or dismissed")

    @staticmethod
    def resolve_campaign(verdict: Verdict) -> str:
        return verdict.campaign.slug

    @staticmethod
    def resolve_reasons(verdict: Verdict) -> list[dict]:
        return [
            {
                "code": reason.code,
                "label": reason.label,
                "message": reason.message,
                "evidence": [{"name": name, "value": value} for name, value in reason.evidence],
            }
            for reason in verdict.shown_reasons()
        ]

    @staticmethod
    def resolve_complaint(verdict: Verdict) -> str | None:
        complaint = getattr(verdict, "complaint", None)
        return complaint.status if complaint else None


class ActivityOut(Schema):
    id: int
    source: str
    sport: str
    start: datetime
    end: datetime
    elapsed_s: int
    moving_s: int
    distance_m: int
    elevation_gain_m: float
    points: int
    avg_pace_s_per_km: float | None
    splits_s: list[float]
    avg_hr: int | None
    steps: int | None
    device: str
    has_gps: bool
    route_visibility: str = Field(
        ..., description="Who sees the map besides you: private, staff or public"
    )
    verdicts: list[VerdictOut]

    @staticmethod
    def resolve_start(activity: Activity) -> datetime:
        return activity.started_at

    @staticmethod
    def resolve_end(activity: Activity) -> datetime:
        return activity.ended_at

    @staticmethod
    def resolve_verdicts(activity: Activity) -> list[Verdict]:
        return list(activity.verdicts.select_related("campaign", "complaint"))


class FileOut(Schema):
    name: str
    ok: bool
    error: str | None
    message: str | None
    activities: list[ActivityOut]


class UploadOut(Schema):
    id: int
    filename: str
    status: str = Field(..., description="pending, processing, done or failed")
    received_at: datetime
    files: list[FileOut]

    @staticmethod
    def resolve_files(upload: Upload) -> list[dict]:
        ids = [pk for result in upload.results for pk in result["activities"]]
        activities = {
            activity.pk: activity
            for activity in Activity.objects.filter(pk__in=ids, user=upload.user_id)
        }
        return [
            {
                "name": result["name"],
                "ok": result["ok"],
                "error": result["error"],
                "message": pipeline.error_message(result["error"], result.get("params")) or None,
                "activities": [activities[pk] for pk in result["activities"] if pk in activities],
            }
            for result in upload.results
        ]


class ManualIn(Schema):
    sport: Sport
    start: datetime = Field(..., description="ISO 8601; without a zone, Vietnam time")
    duration_s: int = Field(..., gt=0)
    distance_m: int = Field(..., gt=0)
    note: str = ""


class ComplaintIn(Schema):
    text: str


class ComplaintOut(Schema):
    id: int
    status: str
    text: str


def _incoming_files(request: HttpRequest, filename: str) -> list[tuple[str, bytes]]:
    # Only a multipart body is parsed as a form: any other (a raw file, even sent as
    # curl's default form-urlencoded) is read as it is, under the upload limit
    # rather than DATA_UPLOAD_MAX_MEMORY_SIZE, which is for form fields.
    if request.content_type != "multipart/form-data":
        return [(filename, read_body(request, pipeline.MAX_UPLOAD_BYTES))]
    if request.FILES:
        files = request.FILES.getlist("file") or [f for f in request.FILES.values()]
        for upload in files:
            if upload.size > pipeline.MAX_UPLOAD_BYTES:
                raise pipeline.UploadError(
                    pipeline.ParseError("too_large").message, code="too_large", status=413
                )
        return [(upload.name, upload.read()) for upload in files]
    return [(filename, b"")]


@router.post(
    "/activities",
    response={201: list[UploadOut], 202: list[UploadOut], **ERRORS},
    summary="Upload activity files",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                            }
                        },
                    }
                },
            }
        }
    },
)
def upload_activities(request: HttpRequest, filename: str = "", sport: str = ""):
    """Send one file as the body (``filename`` names it) or several as multipart ``file``
    fields; ``sport`` (walk or run) overrides what the files say. Each file gets its own
    result; a bad file never stops the others."""
    ratelimits.check(request, "upload")
    user = current_user(request)
    files = _incoming_files(request, filename)
    small = sum(len(data) for _name, data in files) <= INLINE_BYTES
    uploads = []
    for name, data in files:
        upload = pipeline.receive(
            user, data, name, source=Source.API, sport=sport, process=not small
        )
        uploads.append(upload)
    if small:
        # Each original and its upload are already committed (no request-wide
        # transaction), so a failure while reading loses nothing.
        uploads = [pipeline.process_upload(upload.pk) for upload in uploads]
        return Status(201, uploads)
    return Status(202, uploads)


@router.post(
    "/activities/recording",
    response={200: ActivityOut, 201: ActivityOut, **ERRORS},
    summary="Upload a browser recording",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["format", "version", "id", "sport", "segments"],
                        "properties": {
                            "format": {"type": "string", "enum": ["kindsteps-recording"]},
                            "version": {"type": "integer", "enum": [1]},
                            "id": {"type": "string", "format": "uuid"},
                            "sport": {"type": "string", "enum": ["walk", "run"]},
                            "device": {"type": "string"},
                            "segments": {
                                "type": "array",
                                "description": "One list of points per stretch between "
                                "Start/Resume and Pause/Finish; a point is [time in ms "
                                "since 1970 UTC, latitude, longitude, accuracy in m, "
                                "altitude in m or null].",
                                "items": {"type": "array", "items": {"type": "array"}},
                            },
                        },
                    }
                }
            }
        }
    },
)
def upload_recording(request: HttpRequest):
    """A walk or run recorded in the browser, sent when it is finished (and again, with
    the same ``id``, as often as the connection needs: it is one activity)."""
    ratelimits.check(request, "recording")
    data = read_body(request, pipeline.MAX_UPLOAD_BYTES)
    activity, created = pipeline.receive_recording(current_user(request), data)
    return Status(201 if created else 200, activity)


@router.get("/uploads/{upload_id}", response={200: UploadOut, 404: ErrorOut}, summary="An upload")
def get_upload(request: HttpRequest, upload_id: int):
    """An upload's state and, once done, what each file gave."""
    return get_object_or_404(Upload, pk=upload_id, user=current_user(request))


@router.get("/activities", response=list[ActivityOut], summary="My activities")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_activities(request: HttpRequest):
    """The person's activities, newest first, each with its verdict per campaign."""
    return Activity.objects.filter(user=current_user(request)).prefetch_related(
        "verdicts__campaign"
    )


@router.post("/activities/manual", response={201: ActivityOut, **ERRORS}, summary="Manual entry")
def manual_activity(request: HttpRequest, payload: ManualIn):
    """An activity typed in by hand; only campaigns that allow it will count it."""
    from django.utils import timezone

    start = payload.start
    if timezone.is_naive(start):
        start = timezone.make_aware(start)
    activity = pipeline.record_manual(
        current_user(request),
        sport=payload.sport,
        started_at=start,
        duration_s=payload.duration_s,
        distance_m=payload.distance_m,
        note=payload.note,
    )
    return Status(201, activity)


@router.get(
    "/activities/{activity_id}", response={200: ActivityOut, 404: ErrorOut}, summary="An activity"
)
def get_activity(request: HttpRequest, activity_id: int):
    return get_object_or_404(Activity, pk=activity_id, user=current_user(request))


class RouteGeometry(Schema):
    type: str = "LineString"
    coordinates: list[list[float]] = Field(..., description="[longitude, latitude] pairs")


class RouteProperties(Schema):
    activity: int
    trimmed: bool = Field(..., description="True when the first and last 200 m are left out")


class RouteOut(Schema):
    type: str = "Feature"
    geometry: RouteGeometry
    properties: RouteProperties


@router.get(
    "/activities/{activity_id}/route",
    auth=None,
    response={200: RouteOut, 404: ErrorOut},
    summary="An activity's route (GeoJSON)",
)
def get_route(request: HttpRequest, activity_id: int):
    """The route as a GeoJSON Feature, as far as the owner's choice lets the caller see
    it: the owner gets all of it, anyone else it lets in the route without its first
    and last 200 m; for everyone else the activity is not found."""
    viewer = optional_user(request)
    activity = get_object_or_404(Activity.objects.select_related("user"), pk=activity_id)
    if not visibility.may_see(activity, viewer):
        raise Http404
    points = visibility.route_for(activity, viewer)
    return {
        "type": "Feature",
        "geometry": {
            "type": "LineString",
            "coordinates": [[lon, lat] for lat, lon in points],
        },
        "properties": {"activity": activity.pk, "trimmed": activity.user_id != viewer.pk},
    }


@router.post(
    "/verdicts/{verdict_id}/complaint",
    response={201: ComplaintOut, **ERRORS},
    summary="Complain about a rejection",
)
def complain(request: HttpRequest, verdict_id: int, payload: ComplaintIn):
    """Once per rejected activity and campaign, in a few words; the organisers answer."""
    ratelimits.check(request, "complaint")
    user = current_user(request)
    verdict = get_object_or_404(Verdict, pk=verdict_id, activity__user=user)
    return Status(201, review.complain(verdict, payload.text, user=user))


@router.delete("/activities/{activity_id}", response={204: None, 404: ErrorOut}, summary="Delete")
def delete_activity(request: HttpRequest, activity_id: int):
    """Remove an activity (its original file stays stored); the rest is judged again."""
    user = current_user(request)
    review.delete_activity(get_object_or_404(Activity, pk=activity_id, user=user), user=user)
    return Status(204, None)
