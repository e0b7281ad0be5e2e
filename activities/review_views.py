"""Organiser screens for reviewing activities: the queue of flagged activities
and complained rejections, one item with its facts and the decision forms, and
the history of decisions. Staff of units inside the organiser's subtree may
look at their units' items; only the organisers (``is_organiser``) decide.
Outside both, the campaign is a 404."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from activities import reasons, review, visibility
from activities.models import Activity, Complaint, ComplaintStatus, Verdict, VerdictStatus
from activities.rules import campaign_day
from campaigns.access import CampaignStaff
from campaigns.models import Campaign
from core.errors import DomainError
from core.formatting import local_clock, local_date, local_datetime
from core.models import AuditEntry
from orgs.access import staff_roots
from orgs.models import Unit
from orgs.permissions import may_see_contacts
from orgs.tree import ancestor_paths

PAGE_SIZE = 50

HISTORY_ACTIONS = (
    "activities.verdict.decided",
    "activities.complaint.answered",
    "activities.complaint.created",
)


class Reviewer(CampaignStaff):
    """What this person may do with this campaign's review screens: staff of the units
    look at their units' items; only the organisers decide."""

    @property
    def can_decide(self) -> bool:
        return self.is_organiser

    def verdicts(self) -> QuerySet[Verdict]:
        verdicts = Verdict.objects.filter(campaign=self.campaign)
        return (
            verdicts if self.units is None else verdicts.filter(registration__unit__in=self.units)
        )

    def queue(self) -> QuerySet[Verdict]:
        queue = review.review_queue(self.campaign)
        return queue if self.units is None else queue.filter(registration__unit__in=self.units)


def _filters(request: HttpRequest) -> dict[str, str]:
    return {
        key: request.GET.get(key, request.POST.get(key, "")).strip() for key in ("unit", "reason")
    }


def _query(filters: dict[str, str], **extra) -> str:
    params = {key: value for key, value in {**filters, **extra}.items() if value}
    return f"?{urlencode(params)}" if params else ""


def _filtered_queue(reviewer: Reviewer, filters: dict[str, str]):
    """The queue narrowed by unit subtree and reason code, and the codes to offer."""
    queue = reviewer.queue()
    if filters["unit"]:
        unit = Unit.objects.filter(code=filters["unit"]).first()
        queue = (
            queue.filter(registration__unit__path__startswith=unit.path) if unit else queue.none()
        )
    # Reasons are a JSON list; matching in Python works on every database.
    rows = list(queue.values_list("pk", "reasons"))
    codes = sorted({reason["code"] for _pk, given in rows for reason in given})
    if filters["reason"]:
        wanted = filters["reason"]
        keep = [pk for pk, given in rows if any(r["code"] == wanted for r in given)]
        queue = queue.filter(pk__in=keep)
    return queue, codes


def _unit_choices(reviewer: Reviewer) -> list[tuple[str, str]]:
    units = (
        reviewer.units
        if reviewer.units is not None
        else Unit.objects.filter(reviewer.campaign.organiser_unit.subtree_q())
    )
    units = list(units.order_by("path").only("code", "name", "depth"))
    top = min((unit.depth for unit in units), default=0)
    return [(unit.code, "\u2003" * (unit.depth - top) + unit.name) for unit in units]


def _reviewable_campaigns(user) -> QuerySet[Campaign]:
    """The campaigns whose review screens this person may open: those organised in
    their subtrees and those organised above a unit they are staff of."""
    if user.is_superuser:
        return Campaign.objects.select_related("organiser_unit")
    paths = {path for root in staff_roots(user) for path in ancestor_paths(root.path)}
    if not paths:
        return Campaign.objects.none()
    inside = Q()
    for root in staff_roots(user):
        inside |= Q(organiser_unit__path__startswith=root.path)
    return Campaign.objects.select_related("organiser_unit").filter(
        inside | Q(organiser_unit__path__in=paths)
    )


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The organiser's menu leads here: every campaign they review, with how many of
    its activities wait (straight to the queue when there is only one campaign)."""
    campaigns = list(_reviewable_campaigns(request.user).order_by("-starts_at"))
    if not campaigns and not (request.user.is_superuser or request.user.unit_roles.exists()):
        raise Http404
    if len(campaigns) == 1:
        return redirect("review:queue", campaigns[0].slug)
    rows = []
    for campaign in campaigns:
        reviewer = Reviewer.of(request.user, campaign.slug)
        rows.append({"campaign": campaign, "waiting": reviewer.queue().count()})
    rows.sort(key=lambda row: -row["waiting"])  # stable: newest first among equals
    return render(request, "activities/review/overview.html", {"rows": rows})


@login_required
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    reviewer = Reviewer.of(request.user, slug)
    campaign = reviewer.campaign
    filters = _filters(request)
    verdicts, codes = _filtered_queue(reviewer, filters)
    page = Paginator(verdicts, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "verdict": verdict,
            "started": local_datetime(verdict.activity.started_at, campaign.tz),
            "messages": verdict.messages(),
            "complaint": _open_complaint(verdict),
        }
        for verdict in page.object_list
    ]
    return render(
        request,
        "activities/review/queue.html",
        {
            "campaign": campaign,
            "reviewer": reviewer,
            "tab": "review",
            "page": page,
            "rows": rows,
            "filters": filters,
            "filter_query": _query(filters),
            "units": _unit_choices(reviewer),
            "reasons": reasons.choices(codes),
        },
    )


def _open_complaint(verdict: Verdict):
    complaint = getattr(verdict, "complaint", None)
    return complaint if complaint and complaint.status == ComplaintStatus.OPEN else None


def _verdict_for(reviewer: Reviewer, verdict_id: int) -> Verdict:
    try:
        return (
            reviewer.verdicts()
            .select_related("activity__user", "registration__unit", "campaign", "decided_by")
            .get(pk=verdict_id)
        )
    except Verdict.DoesNotExist:
        raise Http404 from None


def _same_day(verdict: Verdict) -> list[dict]:
    """The person's other activities of that campaign day, with how this campaign judged them."""
    campaign = verdict.campaign
    day = campaign_day(verdict.activity.started_at, campaign.time_zone)
    start = datetime.combine(day, time(0, 0), tzinfo=campaign.tz)
    activities = (
        Activity.objects.filter(
            user_id=verdict.activity.user_id,
            started_at__gte=start,
            started_at__lt=start + timedelta(days=1),
        )
        .exclude(pk=verdict.activity_id)
        .order_by("started_at")
    )
    judged = {
        v.activity_id: v for v in Verdict.objects.filter(campaign=campaign, activity__in=activities)
    }
    return [
        {
            "activity": activity,
            "started": local_clock(activity.started_at, campaign.tz),
            "ended": local_clock(activity.ended_at, campaign.tz),
            "overlaps": activity.started_at < verdict.activity.ended_at
            and activity.ended_at > verdict.activity.started_at,
            "verdict": judged.get(activity.pk),
        }
        for activity in activities
    ]


def _detail(
    request: HttpRequest, reviewer: Reviewer, verdict: Verdict, *, error=None, form=None, status=200
) -> HttpResponse:
    campaign = reviewer.campaign
    activity = verdict.activity
    filters = _filters(request)
    complaint = getattr(verdict, "complaint", None)
    return render(
        request,
        "activities/review/detail.html",
        {
            "campaign": campaign,
            "reviewer": reviewer,
            "tab": "review",
            "verdict": verdict,
            "activity": activity,
            # The whole route, which judging needs (docs/decisions/0018-route-privacy.md).
            "track": visibility.review_route(verdict),
            "registration": verdict.registration,
            "person": activity.user,
            "show_contacts": may_see_contacts(
                request.user, verdict.registration.unit, person=activity.user
            ),
            "complaint": complaint,
            "complaint_open": complaint is not None and complaint.status == ComplaintStatus.OPEN,
            "reasons": verdict.shown_reasons(),
            "facts": {
                "started": local_datetime(activity.started_at, campaign.tz),
                "ended": local_datetime(activity.ended_at, campaign.tz),
                "received": local_datetime(activity.received_at, campaign.tz),
            },
            "decided_at": local_datetime(verdict.decided_at, campaign.tz),
            "answered_at": local_datetime(complaint.answered_at, campaign.tz) if complaint else "",
            "complained_at": local_datetime(complaint.created_at, campaign.tz) if complaint else "",
            "same_day": _same_day(verdict),
            "filters": filters,
            "filter_query": _query(filters),
            "error": error,
            "form": form or {},
        },
        status=status,
    )


@login_required
def detail(request: HttpRequest, slug: str, verdict_id: int) -> HttpResponse:
    reviewer = Reviewer.of(request.user, slug)
    return _detail(request, reviewer, _verdict_for(reviewer, verdict_id))


def _decided(request: HttpRequest, reviewer: Reviewer, done: Verdict, text: str) -> HttpResponse:
    messages.success(request, text)
    filters = _filters(request)
    queue, _codes = _filtered_queue(reviewer, filters)
    queue = queue.exclude(pk=done.pk)
    after = queue.filter(
        Q(judged_at__gt=done.judged_at) | Q(judged_at=done.judged_at, pk__gt=done.pk)
    ).first()
    following = after or queue.first()
    if following is None:
        messages.info(request, _("Nothing else is waiting for review."))
        return redirect(reverse("review:queue", args=[reviewer.campaign.slug]) + _query(filters))
    return redirect(
        reverse("review:detail", args=[reviewer.campaign.slug, following.pk]) + _query(filters)
    )


def _for_decision(request: HttpRequest, slug: str, verdict_id: int) -> tuple[Reviewer, Verdict]:
    reviewer = Reviewer.of(request.user, slug)
    verdict = _verdict_for(reviewer, verdict_id)
    if not reviewer.can_decide:
        raise PermissionDenied
    return reviewer, verdict


@require_POST
@login_required
def decide(request: HttpRequest, slug: str, verdict_id: int) -> HttpResponse:
    reviewer, verdict = _for_decision(request, slug, verdict_id)
    decision = request.POST.get("decision", "")
    note = request.POST.get("note", "")
    try:
        verdict = review.decide(verdict, decision, note, actor=request.user)
    except DomainError as error:
        return _detail(
            request,
            reviewer,
            verdict,
            error=error.message,
            form={"note": note, "kind": "decide"},
            status=error.status,
        )
    if verdict.status == VerdictStatus.ACCEPTED:
        text = _("Accepted: %(m)s m counted for %(name)s.") % {
            "m": verdict.credited_m,
            "name": verdict.activity.user,
        }
    else:
        text = _("Rejected: the activity of %(name)s does not count.") % {
            "name": verdict.activity.user
        }
    return _decided(request, reviewer, verdict, text)


@require_POST
@login_required
def answer(request: HttpRequest, slug: str, verdict_id: int) -> HttpResponse:
    reviewer, verdict = _for_decision(request, slug, verdict_id)
    complaint = getattr(verdict, "complaint", None)
    if complaint is None:
        raise Http404
    upheld = request.POST.get("upheld")
    text = request.POST.get("answer", "")
    try:
        if upheld not in ("1", "0"):
            raise review.ReviewError(
                _("Choose to uphold or dismiss the complaint."), code="invalid_answer"
            )
        review.answer_complaint(complaint, upheld == "1", text, actor=request.user)
    except DomainError as error:
        return _detail(
            request,
            reviewer,
            verdict,
            error=error.message,
            form={"answer": text, "kind": "answer"},
            status=error.status,
        )
    if upheld == "1":
        done = _("Complaint upheld: the activity counts.")
    else:
        done = _("Complaint dismissed: the rejection stands.")
    return _decided(request, reviewer, verdict, done)


ACTION_LABELS = {
    "activities.verdict.decided": gettext_lazy("Decision"),
    "activities.complaint.answered": gettext_lazy("Complaint answered"),
    "activities.complaint.created": gettext_lazy("Complaint"),
}


@login_required
def history(request: HttpRequest, slug: str) -> HttpResponse:
    reviewer = Reviewer.of(request.user, slug)
    campaign = reviewer.campaign
    entries = AuditEntry.objects.filter(campaign=campaign, action__in=HISTORY_ACTIONS)
    if reviewer.units is not None:
        verdicts = reviewer.verdicts()
        entries = entries.filter(
            Q(object_type="activities.verdict", object_id__in=_ids(verdicts))
            | Q(object_type="activities.complaint", object_id__in=_ids(_complaints(verdicts)))
        )
    page = Paginator(entries.select_related("actor"), PAGE_SIZE).get_page(request.GET.get("page"))
    complaints = {
        pk: (verdict_id, text)
        for pk, verdict_id, text in _complaints(Verdict.objects.filter(campaign=campaign))
        .filter(
            pk__in=[
                e.object_id for e in page.object_list if e.object_type == "activities.complaint"
            ]
        )
        .values_list("pk", "verdict_id", "text")
    }
    statuses = dict(VerdictStatus.choices) | dict(ComplaintStatus.choices)
    rows = []
    for entry in page.object_list:
        data = entry.data
        note = data.get("note") or data.get("answer") or ""
        if entry.object_type == "activities.verdict":
            verdict_id = int(entry.object_id)
        else:
            verdict_id, text = complaints.get(int(entry.object_id), (None, ""))
            if entry.action == "activities.complaint.created":
                note = text
        rows.append(
            {
                "entry": entry,
                "when": local_datetime(entry.created_at, campaign.tz),
                "what": ACTION_LABELS.get(entry.action, entry.action),
                "from": statuses.get(data.get("from"), data.get("from")),
                "to": statuses.get(data.get("to") or data.get("status"), ""),
                "to_code": data.get("to") or data.get("status") or "",
                "credited_m": data.get("credited_m"),
                "note": note,
                "verdict_id": verdict_id,
            }
        )
    subjects = {
        verdict.pk: verdict
        for verdict in Verdict.objects.filter(
            pk__in=[row["verdict_id"] for row in rows if row["verdict_id"]]
        ).select_related("activity__user", "registration")
    }
    for row in rows:
        row["subject"] = subject = subjects.get(row["verdict_id"])
        if subject is not None:
            row["day"] = local_date(subject.activity.started_at, campaign.tz)
    return render(
        request,
        "activities/review/history.html",
        {"campaign": campaign, "reviewer": reviewer, "tab": "history", "page": page, "rows": rows},
    )


def _complaints(verdicts: QuerySet[Verdict]) -> QuerySet[Complaint]:
    return Complaint.objects.filter(verdict__in=verdicts)


def _ids(queryset: QuerySet) -> QuerySet:
    """The primary keys as text, to match the audit log's ``object_id``."""
    return queryset.annotate(text_id=Cast("pk", CharField())).values("text_id")
