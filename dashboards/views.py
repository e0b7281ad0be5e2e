"""The target dashboard and its reports, for unit staff over their subtree
(dashboards.access answers 404 for anything else)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from campaigns.models import Campaign
from dashboards import data, reports
from dashboards.access import (
    dashboard_campaigns,
    get_campaign_for_dashboard,
    get_dashboard_unit,
)
from orgs.permissions import may_see_contacts


def _day(request: HttpRequest, campaign: Campaign) -> date:
    """The ``as_of`` day asked for, kept inside the campaign; today by default."""
    text = request.GET.get("as_of", "")
    default = data.default_day(campaign)
    try:
        day = date.fromisoformat(text) if text else default
    except ValueError:
        return default
    return max(data.first_day(campaign), min(day, default))


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    rows = dashboard_campaigns(request.user)
    if not rows:
        raise Http404
    return render(request, "dashboards/campaign_list.html", {"rows": rows})


@login_required
def campaign_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    campaign, tops = get_campaign_for_dashboard(request.user, slug)
    if len(tops) == 1:
        return redirect("dashboards:unit", slug, tops[0].code)
    return render(request, "dashboards/campaign_list.html", {"rows": [(campaign, tops)]})


@login_required
def unit_dashboard(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    campaign, unit, trail = get_dashboard_unit(request.user, slug, code)
    day = _day(request, campaign)
    snap = data.snapshot(campaign, unit, day)
    sort = request.GET.get("sort", "status")
    if sort not in data.SORTS:
        sort = "status"
    below = request.GET.get("below") == "1"
    rows = data.sort_rows(snap.children, sort)
    if below:
        rows = [row for row in rows if row.below_target]
    series = data.participants_series(campaign, unit, day)
    query = {"as_of": day.isoformat()} if request.GET.get("as_of") else {}
    context = {
        "campaign": campaign,
        "unit": unit,
        "trail": trail,
        "snap": snap,
        "rows": rows,
        "sort": sort,
        "below": below,
        "day": day,
        "first_day": data.first_day(campaign),
        "last_day": data.default_day(campaign),
        "is_today": day == data.today(campaign),
        "query": query,
        "chart": {
            "labels": [point["day"].strftime("%d/%m") for point in series],
            "values": [point["participants"] for point in series],
            "target": snap.total.target,
            "stretch": snap.total.stretch,
        },
        "xlsx_url": reverse("dashboards:xlsx", args=[slug, unit.code]) + f"?as_of={day}",
        "pdf_url": reverse("dashboards:pdf", args=[slug, unit.code]) + f"?as_of={day}",
    }
    template = "dashboards/_table.html" if request.htmx else "dashboards/unit.html"
    return render(request, template, context)


@login_required
def unit_xlsx(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    campaign, unit, _trail = get_dashboard_unit(request.user, slug, code)
    day = _day(request, campaign)
    body = reports.workbook_bytes(
        campaign, unit, day, contacts=may_see_contacts(request.user, unit)
    )
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = reports.filename(campaign, unit, day, "xlsx")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def unit_pdf(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    campaign, unit, _trail = get_dashboard_unit(request.user, slug, code)
    day = _day(request, campaign)
    response = HttpResponse(reports.build_pdf(campaign, unit, day), content_type="application/pdf")
    name = reports.filename(campaign, unit, day, "pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
