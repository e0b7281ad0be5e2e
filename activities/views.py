"""A participant's own activities: upload files, follow their reading, the list
with each campaign's verdict, one activity's page, manual entries. The rules
live in activities.pipeline and activities.review; these views turn their
errors into words on the page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities import pipeline, review, sources, visibility
from activities.forms import (
    ComplaintForm,
    ManualForm,
    RouteVisibilityForm,
    SportForm,
    UploadForm,
)
from activities.models import Activity, Upload, UploadStatus, Verdict
from campaigns.models import Registration, RegistrationStatus
from campaigns.rules import merged_rules
from core.errors import DomainError
from core.ratelimits import limited

ACTIVITIES_PER_PAGE = 20


def _verdicts() -> Prefetch:
    return Prefetch(
        "verdicts",
        queryset=Verdict.objects.select_related("campaign", "complaint").order_by("campaign_id"),
    )


def _own_activities(user):
    return Activity.objects.filter(user=user).prefetch_related(_verdicts())


def manual_allowed(user) -> bool:
    """Whether one of the person's campaigns takes walks and runs typed in by hand."""
    registrations = Registration.objects.filter(
        user=user, status=RegistrationStatus.ACTIVE
    ).select_related("campaign")
    return any(merged_rules(r.campaign.rules)["allow_manual"] for r in registrations)


def _upload_item(upload: Upload | None = None, *, name: str = "", error: str = "") -> dict:
    """One file of a batch as the page shows it: still being read, or what was found."""
    item = {"upload": upload, "name": name or (upload.filename if upload else ""), "error": error}
    if upload is None or not upload.is_finished:
        item["results"] = []
        return item
    ids = [pk for result in upload.results for pk in result.get("activities", [])]
    found = {a.pk: a for a in _own_activities(upload.user).filter(pk__in=ids)}
    item["results"] = [
        {
            "name": result.get("name") or upload.filename,
            "ok": result.get("ok"),
            "message": pipeline.error_message(result.get("error"), result.get("params")),
            "activities": [found[pk] for pk in result.get("activities", []) if pk in found],
        }
        for result in upload.results
    ]
    return item


def _too_large_message() -> str:
    size = filesizeformat(pipeline.MAX_UPLOAD_BYTES)
    return f"{pipeline.error_message('too_large')} {_('Up to %(size)s each.') % {'size': size}}"


def _receive(request: HttpRequest, file: UploadedFile, sport: str) -> dict:
    """Keep one file of a batch; a refusal is that file's result, not the batch's."""
    name = file.name or ""
    # The size is known from the request before a byte of the file is read.
    if file.size > pipeline.MAX_UPLOAD_BYTES:
        return _upload_item(
            name=name,
            error=_too_large_message(),
        )
    try:
        upload = pipeline.receive(request.user, file.read(), name, sport=sport)
    except DomainError as exc:
        return _upload_item(name=name, error=str(exc.message))
    upload.refresh_from_db()
    return _upload_item(upload)


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(_own_activities(request.user), ACTIVITIES_PER_PAGE)
    pending = Upload.objects.filter(
        user=request.user, status__in=[UploadStatus.PENDING, UploadStatus.PROCESSING]
    )
    return render(
        request,
        "activities/activity_list.html",
        {
            "page": paginator.get_page(request.GET.get("page")),
            "pending": [_upload_item(upload) for upload in pending],
            "manual_allowed": manual_allowed(request.user),
        },
    )


@login_required
@limited("upload")
def upload(request: HttpRequest) -> HttpResponse:
    # The form is only drawn: each file is judged on its own below, never the batch.
    form = UploadForm(initial={"sport": request.POST.get("sport", "")})
    items: list[dict] = []
    missing = False
    if request.method == "POST":
        sport = request.POST.get("sport", "")
        files = request.FILES.getlist("files")
        items = [_receive(request, file, sport) for file in files]
        if request.headers.get("X-KindSteps-Upload"):
            # The page's script sends one file per request and shows this fragment.
            item = items[0] if items else _upload_item(error=_("Choose a file to upload."))
            status = 200 if not item["error"] else 400
            return render(request, "activities/_upload.html", {"item": item}, status=status)
        missing = not files
    return render(
        request,
        "activities/upload.html",
        {
            "form": form,
            "items": items,
            "missing": missing,
            "max_bytes": pipeline.MAX_UPLOAD_BYTES,
            "max_size": filesizeformat(pipeline.MAX_UPLOAD_BYTES),
            "too_large": _too_large_message(),
            "manual_allowed": manual_allowed(request.user),
        },
        status=400 if missing else 200,
    )


@login_required
def upload_status(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(Upload, pk=pk, user=request.user)
    return render(request, "activities/_upload.html", {"item": _upload_item(upload)})


@login_required
def manual(request: HttpRequest) -> HttpResponse:
    allowed = manual_allowed(request.user)
    form = ManualForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            activity = pipeline.record_manual(
                request.user,
                sport=form.cleaned_data["sport"],
                started_at=form.started_at,
                duration_s=form.cleaned_data["duration"],
                distance_m=form.distance_m,
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(request, _("Your activity is saved."))
            return redirect("activities:detail", pk=activity.pk)
    if form.errors and status == 200:
        status = 400
    return render(
        request, "activities/manual.html", {"form": form, "allowed": allowed}, status=status
    )


def _own_activity(request: HttpRequest, pk: int) -> Activity:
    """The person's own activity; anyone else's is not found."""
    return get_object_or_404(_own_activities(request.user), pk=pk)


def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner's page of an activity, with its tools; anyone the owner's choice of
    route visibility lets in sees its figures and the trimmed map, nothing more."""
    activity = Activity.objects.select_related("user").filter(pk=pk).first()
    if activity is None or activity.user_id != request.user.pk:
        if activity is None or not visibility.may_see(activity, request.user):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise Http404
        # Heart rate is health data: the owner's alone.
        activity.series = {k: v for k, v in (activity.series or {}).items() if k != "hr"}
        return render(
            request,
            "activities/activity_shared.html",
            {"activity": activity, "track": visibility.route_for(activity, request.user)},
        )
    activity = _own_activity(request, pk)
    return render(
        request,
        "activities/activity_detail.html",
        {
            "activity": activity,
            "copies": _copies(activity),
            "attribution": sources.ATTRIBUTIONS.get(activity.source, ""),
            "track": activity.track,
            "sport_form": SportForm(initial={"sport": activity.sport}),
            "visibility_form": RouteVisibilityForm(
                initial={"route_visibility": activity.route_visibility}
            ),
        },
    )


def _copies(activity: Activity) -> dict:
    """The other copies of the same walk, for its owner's page: the one that counts, if
    not this one, and those that do not, each with why (activities/sources.py)."""
    counted = activity.copy_of
    if counted is not None:
        why = sources.why_not_counted(counted.source_kind, activity.source_kind)
        counted = {
            "activity": counted,
            "why": sources.why_text(why, counted.source_kind, activity.source_kind),
        }
    others = [
        {
            "activity": other,
            "why": sources.why_text(
                sources.why_not_counted(activity.source_kind, other.source_kind),
                activity.source_kind,
                other.source_kind,
            ),
        }
        for other in activity.copies.order_by("received_at", "pk")
    ]
    return {"counted": counted, "others": others}


@require_POST
@login_required
def change_route_visibility(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner chooses who sees the map; htmx swaps the control, a plain form reloads."""
    activity = _own_activity(request, pk)
    form = RouteVisibilityForm(request.POST)
    saved = form.is_valid()
    if saved:
        visibility.change(activity, form.cleaned_data["route_visibility"], user=request.user)
    if request.htmx:
        return render(
            request,
            "activities/_route_visibility.html",
            {"activity": activity, "visibility_form": form, "visibility_saved": saved},
            status=200 if saved else 400,
        )
    if saved:
        messages.success(request, _("Your choice is saved."))
    else:
        messages.error(request, _("Choose who may see the map."))
    return redirect("activities:detail", pk=activity.pk)


@require_POST
@login_required
def change_sport(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _own_activity(request, pk)
    form = SportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose walk, run or other."))
        return redirect("activities:detail", pk=activity.pk)
    try:
        review.change_sport(activity, form.cleaned_data["sport"], user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The sport is changed and the activity judged again."))
    return redirect("activities:detail", pk=activity.pk)


@require_POST
@login_required
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _own_activity(request, pk)
    try:
        review.delete_activity(activity, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("activities:detail", pk=activity.pk)
    messages.success(request, _("The activity is deleted."))
    return redirect("activities:list")


@require_POST
@login_required
@limited("complaint")
def complain(request: HttpRequest, pk: int) -> HttpResponse:
    verdict = get_object_or_404(
        Verdict.objects.select_related("activity", "campaign"),
        pk=pk,
        activity__user=request.user,
    )
    form = ComplaintForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            review.complain(verdict, form.cleaned_data["text"], user=request.user)
        except DomainError as exc:
            error = str(exc.message)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if request.htmx:
        verdict = Verdict.objects.select_related("campaign", "complaint").get(pk=verdict.pk)
        return render(
            request,
            "activities/_verdict.html",
            {
                "verdict": verdict,
                "show_complaint": True,
                "complaint_error": error,
                "complaint_text": request.POST.get("text", "") if error else "",
                "complaint_sent": not error,
            },
        )  # 200 even for a refusal: htmx swaps only successful answers
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Your complaint is sent to the organisers."))
    return redirect("activities:detail", pk=verdict.activity_id)
