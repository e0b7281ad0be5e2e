"""Outreach screens. Organisers: the campaign's tasks, a new task, the
compliance view of a task and the review of a submission. Unit staff: what is
asked of their chapters and the upload page. Thin: the work is in services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns.access import get_campaign_for_admin, get_campaign_for_staff
from core.formatting import local_datetime
from orgs.access import staff_roots, units_for_staff
from orgs.tree import ancestor_paths
from outreach import services
from outreach.access import (
    get_file_for_staff,
    get_task_and_unit,
    get_task_for_organiser,
    is_task_organiser,
)
from outreach.forms import TaskForm
from outreach.models import FileKind, OutreachTask, Submission, SubmissionStatus
from outreach.summary import MISSING, STATES, counts, state_of, unit_states


def _deadline(task: OutreachTask) -> str:
    return local_datetime(task.deadline, task.campaign.tz, is_end=True)


def _organiser_units(user, campaign):
    """Units the person may send tasks from: those with units below them,
    inside the campaign's organiser subtree and the person's admin subtrees."""
    return (
        units_for_staff(user, admin=True)
        .filter(campaign.organiser_unit.subtree_q(), numchild__gt=0)
        .order_by("path")
    )


@login_required
def campaign_tasks(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_staff(request.user, slug)
    admin_units = units_for_staff(request.user, admin=True)
    tasks = (
        campaign.outreach_tasks.filter(from_unit__in=admin_units)
        .select_related("from_unit", "campaign")
        .order_by("deadline", "pk")
    )
    rows = [
        {"task": task, "deadline": _deadline(task), **counts(unit_states(task))} for task in tasks
    ]
    return render(
        request,
        "outreach/campaign_tasks.html",
        {
            "campaign": campaign,
            "tab": "outreach",
            "rows": rows,
            "can_create": _organiser_units(request.user, campaign).exists(),
        },
    )


@login_required
def task_create(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_admin(request.user, slug)
    units = _organiser_units(request.user, campaign)
    data = request.POST if request.method == "POST" else None
    form = TaskForm(
        data, campaign=campaign, units=units, initial={"from_unit": campaign.organiser_unit_id}
    )
    if data is not None and form.is_valid():
        try:
            task = services.create_task(
                campaign,
                from_unit=form.cleaned_data["from_unit"],
                title=form.cleaned_data["title"],
                instructions=form.cleaned_data["instructions"],
                deadline=form.deadline(),
                unit_kinds=form.cleaned_data["unit_kinds"],
                wants_images=form.cleaned_data["wants_images"],
                wants_files=form.cleaned_data["wants_files"],
                reminder_days_before=form.cleaned_data["reminder_days_before"],
                actor=request.user,
            )
        except services.OutreachError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Task created; the units below were told."))
            return redirect("outreach:task", task.pk)
    return render(
        request,
        "outreach/task_form.html",
        {"campaign": campaign, "tab": "outreach", "form": form},
        status=400 if data is not None else 200,
    )


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Compliance: every unit the task expects, with its state."""
    task = get_task_for_organiser(request.user, pk)
    states = unit_states(task)
    totals = counts(states)
    wanted = request.GET.get("state", "")
    if wanted == "late":
        shown = [item for item in states if item.late]
    elif wanted in STATES:
        shown = [item for item in states if item.state == wanted]
    else:
        wanted, shown = "", states
    filters = [
        ("", _("All"), totals["expected"]),
        (MISSING, _("Missing"), totals["missing"]),
        (SubmissionStatus.SUBMITTED, _("To review"), totals["waiting"]),
        (SubmissionStatus.RETURNED, _("Returned"), totals["returned"]),
        (SubmissionStatus.APPROVED, _("Approved"), totals["approved"]),
        ("late", _("Sent late"), totals["late"]),
    ]
    return render(
        request,
        "outreach/task_detail.html",
        {
            "task": task,
            "campaign": task.campaign,
            "tab": "outreach",
            "deadline": _deadline(task),
            "overdue": task.is_overdue(),
            "totals": totals,
            "states": shown,
            "wanted": wanted,
            "filters": filters,
        },
    )


def _asked_of_me(user) -> list[dict]:
    """Tasks addressed to units in the person's subtrees that someone else set:
    one row per (task, unit)."""
    roots = staff_roots(user)
    if not roots:
        return []
    q = Q()
    for root in roots:
        ancestors = ancestor_paths(root.path, include_self=False)
        q |= Q(from_unit__path__in=ancestors) | Q(from_unit__path__startswith=root.path)
    tasks = (
        OutreachTask.objects.filter(q)
        .select_related("campaign", "from_unit")
        .order_by("deadline", "pk")
    )
    mine = units_for_staff(user)
    now = timezone.now()
    rows = []
    for task in tasks:
        if is_task_organiser(user, task):
            continue
        units = list(task.expected_units().filter(pk__in=mine.values("pk")))
        submissions = {s.unit_id: s for s in Submission.objects.filter(task=task, unit__in=units)}
        for unit in units:
            submission = submissions.get(unit.pk)
            state, late = state_of(task, submission, now)
            rows.append(
                {
                    "task": task,
                    "unit": unit,
                    "submission": submission,
                    "state": state,
                    "late": late,
                    "deadline": _deadline(task),
                }
            )
    return rows


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    """What is asked of my chapters, and the tasks my units set."""
    set_by_me = [
        {"task": task, "deadline": _deadline(task), **counts(unit_states(task))}
        for task in OutreachTask.objects.filter(
            from_unit__in=units_for_staff(request.user, admin=True)
        )
        .select_related("campaign", "from_unit")
        .order_by("deadline", "pk")
    ]
    rows = _asked_of_me(request.user)
    return render(
        request,
        "outreach/mine.html",
        {
            "open_rows": [r for r in rows if r["state"] in (MISSING, SubmissionStatus.RETURNED)],
            "done_rows": [
                r for r in rows if r["state"] not in (MISSING, SubmissionStatus.RETURNED)
            ],
            "set_by_me": set_by_me,
        },
    )


@login_required
def submission(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """A unit's page for one task: the request, its state, the upload form."""
    task, unit = get_task_and_unit(request.user, pk, code)
    current = Submission.objects.filter(task=task, unit=unit).prefetch_related("files").first()
    refused = None
    if request.method == "POST":
        try:
            services.submit(
                task,
                unit,
                images=request.FILES.getlist("images"),
                files=request.FILES.getlist("files"),
                note=request.POST.get("note", ""),
                actor=request.user,
            )
        except services.SubmissionRefused as exc:
            refused = exc
        except services.OutreachError as exc:
            messages.error(request, exc.message)
            return redirect("outreach:submission", task.pk, unit.code)
        else:
            messages.success(request, _("Sent. The organiser will review it."))
            return redirect("outreach:submission", task.pk, unit.code)
    state, late = state_of(task, current, timezone.now())
    organiser = is_task_organiser(request.user, task)
    files = list(current.files.all()) if current else []
    return render(
        request,
        "outreach/submission.html",
        {
            "task": task,
            "unit": unit,
            "submission": current,
            "state": state,
            "late": late,
            "deadline": _deadline(task),
            "images": [f for f in files if f.kind == FileKind.IMAGE],
            "documents": [f for f in files if f.kind == FileKind.FILE],
            "sent_at": local_datetime(current.submitted_at, task.campaign.tz) if current else "",
            # Organisers may send for a unit that has nothing yet, not over its own files.
            "can_upload": state == MISSING
            or (state != SubmissionStatus.APPROVED and not organiser),
            "can_review": state == SubmissionStatus.SUBMITTED and organiser,
            "is_organiser": organiser,
            "refused": refused,
            "note": request.POST.get("note", "") if refused else "",
        },
        status=400 if refused else 200,
    )


@require_POST
@login_required
def review(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    task = get_task_for_organiser(request.user, pk)
    current = Submission.objects.filter(task=task, unit__code=code).first()
    if current is None:
        raise Http404
    decision = request.POST.get("decision")
    if decision not in ("approve", "return"):
        messages.error(request, _("Choose approve or return."))
        return redirect("outreach:submission", task.pk, code)
    try:
        services.review(
            current,
            approve=decision == "approve",
            comment=request.POST.get("comment", ""),
            actor=request.user,
        )
    except services.OutreachError as exc:
        messages.error(request, exc.message)
        return redirect("outreach:submission", task.pk, code)
    if decision == "approve":
        messages.success(request, _("Approved; the unit was told."))
    else:
        messages.success(request, _("Returned with your comment; the unit was told."))
    return redirect("outreach:task", task.pk)


def _serve(field_file, content_type: str, filename: str, attachment: bool) -> FileResponse:
    response = FileResponse(
        field_file.open("rb"),
        content_type=content_type,
        as_attachment=attachment,
        filename=filename,
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def file_view(request: HttpRequest, pk: int) -> FileResponse:
    stored = get_file_for_staff(request.user, pk)
    return _serve(
        stored.file, stored.content_type, stored.original_name, stored.kind == FileKind.FILE
    )


@login_required
def thumbnail_view(request: HttpRequest, pk: int) -> FileResponse:
    stored = get_file_for_staff(request.user, pk)
    if not stored.thumbnail:
        raise Http404
    return _serve(stored.thumbnail, "image/jpeg", "thumbnail.jpg", False)
