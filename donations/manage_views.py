"""Organiser screens for a campaign's money, under manage/campaigns/<slug>/donations/:
donations by method and status with refunds, the XLSX export, bank statement
reconciliation, cash recorded by units, and sponsors.

The organisers (``is_organiser``) see and act on everything. Staff of units
inside the organiser's subtree see their units' donations only and record cash
for their units; reconciliation, refunds and sponsors' changes are the
organisers'. Outside both, the campaign is a 404.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from campaigns.access import CampaignStaff
from campaigns.models import Campaign
from core.amounts import VndField
from core.errors import DomainError
from core.formatting import local_datetime, vnd
from donations import reconcile, services, statements
from donations.exports import XLSX_TYPE, export_xlsx
from donations.models import Donation, DonationStatus, Method, Sponsor
from donations.providers import PROVIDERS
from donations.providers.cash import cash_units, record_cash
from donations.providers.vietqr import VietQRProvider
from donations.sponsors import sponsor_rows, sponsors_total
from orgs.models import Unit
from orgs.permissions import contact_unit_ids

PAGE_SIZE = 50


class Desk(CampaignStaff):
    """What this person may do with this campaign's money screens."""

    def donations(self) -> QuerySet[Donation]:
        """Tests too (marked TEST); every figure below leaves them out."""
        donations = Donation.all_objects.filter(campaign=self.campaign)
        return donations if self.units is None else donations.filter(unit__in=self.units)


def _organiser_desk(user, slug: str) -> Desk:
    desk = Desk.of(user, slug)
    if not desk.is_organiser:
        raise PermissionDenied
    return desk


def _context(desk: Desk, page_kind: str) -> dict:
    return {"campaign": desk.campaign, "desk": desk, "tab": "donations", "page_kind": page_kind}


STATUS_ORDER = (
    DonationStatus.PAID,
    DonationStatus.PENDING,
    DonationStatus.FAILED,
    DonationStatus.REFUNDED,
)


def _summary(donations: QuerySet[Donation]) -> dict:
    """Count and sum by method and status, as rows for a table."""
    cells = {
        (row["method"], row["status"]): row
        for row in donations.order_by()
        .values("method", "status")
        .annotate(count=Count("pk"), total=Sum("amount"))
    }
    rows = []
    for method, label in Method.choices:
        statuses = []
        for status in STATUS_ORDER:
            cell = cells.get((method, status), {"count": 0, "total": 0})
            statuses.append({"count": cell["count"], "total": vnd(cell["total"] or 0)})
        if any(cell["count"] for cell in statuses):
            rows.append({"method": label, "statuses": statuses})
    return {"rows": rows, "statuses": [DonationStatus(s).label for s in STATUS_ORDER]}


def setup_problems(campaign: Campaign) -> list[str]:
    """What keeps a method the organiser turned on from being offered to
    donors (VNPay or MoMo without keys where there is no stand-in)."""
    payment_settings = services.settings_for(campaign)
    problems = []
    for method in payment_settings.methods:
        if method in PROVIDERS and method != Method.CASH:
            problem = PROVIDERS[method](payment_settings).setup_problem()
            if problem:
                problems.append(str(problem))
    return problems


def _filters(request: HttpRequest) -> dict[str, str]:
    return {key: request.GET.get(key, "").strip() for key in ("method", "status", "q")}


@login_required
def donation_list(request: HttpRequest, slug: str) -> HttpResponse:
    desk = Desk.of(request.user, slug)
    campaign = desk.campaign
    scoped = desk.donations()
    filters = _filters(request)
    donations = scoped.select_related("unit", "team", "recorded_by")
    if filters["method"] in Method.values:
        donations = donations.filter(method=filters["method"])
    if filters["status"] in DonationStatus.values:
        donations = donations.filter(status=filters["status"])
    if filters["q"]:
        query = filters["q"]
        donations = donations.filter(
            Q(reference__iexact=query)
            | Q(donor_name__icontains=query)
            | Q(receipt_number__iexact=query)
        )
    page = Paginator(donations.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    paid = (
        scoped.real()
        .filter(status=DonationStatus.PAID)
        .aggregate(total=Sum("amount"), count=Count("pk"))
    )
    tests = scoped.filter(is_test=True).aggregate(total=Sum("amount"), count=Count("pk"))
    rows = [
        {
            "donation": donation,
            "amount": vnd(donation.amount),
            "when": local_datetime(donation.paid_at or donation.created_at, campaign.tz),
        }
        for donation in page.object_list
    ]
    query = {key: value for key, value in filters.items() if value}
    return render(
        request,
        "donations/manage/list.html",
        {
            **_context(desk, "list"),
            "summary": _summary(scoped.real()),
            "paid_total": vnd(paid["total"] or 0),
            "paid_count": paid["count"],
            "test_count": tests["count"],
            "test_total": vnd(tests["total"] or 0),
            "setup_problems": setup_problems(campaign) if desk.is_organiser else [],
            "page": page,
            "rows": rows,
            "filters": filters,
            "filter_query": urlencode(query),
            "methods": Method.choices,
            "statuses": DonationStatus.choices,
        },
    )


@login_required
def export(request: HttpRequest, slug: str) -> HttpResponse:
    desk = Desk.of(request.user, slug)
    campaign, donations = desk.campaign, desk.donations()
    units = {*donations.order_by().values_list("unit_id", flat=True).distinct()}
    book = export_xlsx(
        campaign,
        donations,
        contact_units=contact_unit_ids(request.user, {*units, campaign.organiser_unit_id}),
    )
    response = HttpResponse(book, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="donations-{desk.campaign.slug}.xlsx"'
    return response


@require_POST
@login_required
def refund(request: HttpRequest, slug: str, donation_id: int) -> HttpResponse:
    desk = _organiser_desk(request.user, slug)
    donation = get_object_or_404(desk.donations(), pk=donation_id)
    note = request.POST.get("note", "").strip()[:300]
    provider_class = PROVIDERS.get(donation.method)
    try:
        if donation.status != DonationStatus.PAID:
            raise services.DonationError(
                _("Only a paid donation can be refunded."), code="not_paid"
            )
        if provider_class is None:
            services.mark_refunded(donation, actor=request.user, note=note)
        else:
            # VietQR and cash record a refund made by hand; VNPay and MoMo ask
            # the provider to give the money back, then record it.
            provider = provider_class(services.settings_for(desk.campaign))
            provider.refund(donation, actor=request.user, note=note)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Donation %(ref)s is marked refunded.") % {"ref": donation.reference}
        )
    back = request.POST.get("next", "")
    if not back.startswith(reverse("donations_manage:list", args=[slug])):
        back = reverse("donations_manage:list", args=[slug])
    return redirect(back)


class StatementForm(forms.Form):
    statement = forms.FileField(
        label=gettext_lazy("Bank statement (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


OUTCOME_LABELS = {
    services.PAID: gettext_lazy("paid"),
    services.ALREADY_PAID: gettext_lazy("donation already paid"),
    services.NOT_FOUND: gettext_lazy("unknown reference"),
    services.BAD_AMOUNT: gettext_lazy("amount differs"),
    services.NOT_PAYABLE: gettext_lazy("donation refunded"),
    reconcile.NO_REFERENCE: gettext_lazy("no reference"),
    reconcile.DUPLICATE: gettext_lazy("already imported"),
    reconcile.USED_ELSEWHERE: gettext_lazy("already used by another campaign"),
}


def _reconcile_page(request, desk: Desk, *, form=None, results=None, status=200) -> HttpResponse:
    campaign = desk.campaign
    lines = reconcile.unmatched_lines(campaign)
    references = [line.payload.get("reference") for line in lines]
    expected = {
        donation.reference: donation
        for donation in Donation.objects.filter(
            campaign=campaign, method=Method.VIETQR, reference__in=[r for r in references if r]
        )
    }
    unmatched = [
        {
            "event": event,
            "line": event.payload,
            "amount": vnd(int(event.payload.get("amount", 0))),
            "why": OUTCOME_LABELS.get(event.outcome, event.outcome),
            "expected": expected.get(event.payload.get("reference") or ""),
        }
        for event in lines
    ]
    summary = None
    if results is not None:
        summary = [
            (OUTCOME_LABELS.get(outcome, outcome), reconcile.count(results, outcome))
            for outcome in OUTCOME_LABELS
            if reconcile.count(results, outcome)
        ]
    return render(
        request,
        "donations/manage/reconcile.html",
        {
            **_context(desk, "reconcile"),
            "form": form or StatementForm(),
            "summary": summary,
            "unmatched": unmatched,
            "pending_count": reconcile.pending_transfers(campaign).count(),
        },
        status=status,
    )


@login_required
def reconcile_view(request: HttpRequest, slug: str) -> HttpResponse:
    desk = _organiser_desk(request.user, slug)
    if request.method != "POST":
        return _reconcile_page(request, desk)
    form = StatementForm(request.POST, request.FILES)
    if not form.is_valid():
        return _reconcile_page(request, desk, form=form, status=400)
    upload = form.cleaned_data["statement"]
    try:
        if upload.size > statements.MAX_BYTES:
            raise statements.too_large()
        results = reconcile.import_statement(
            desk.campaign, upload.read(), upload.name, actor=request.user
        )
    except DomainError as error:
        form.add_error("statement", error.message)
        return _reconcile_page(request, desk, form=form, status=400)
    paid = reconcile.count(results, services.PAID)
    messages.success(
        request,
        _("%(lines)s incoming lines read, %(paid)s donations paid.")
        % {"lines": len(results), "paid": paid},
    )
    return _reconcile_page(request, desk, results=results)


@require_POST
@login_required
def reconcile_line(request: HttpRequest, slug: str, event_id: int) -> HttpResponse:
    desk = _organiser_desk(request.user, slug)
    action = request.POST.get("action", "")
    try:
        if action == "match":
            donation = reconcile.match_by_hand(
                desk.campaign, event_id, request.POST.get("reference", ""), actor=request.user
            )
            messages.success(request, _("Donation %(ref)s is paid.") % {"ref": donation.reference})
        elif action == "new":
            donation = reconcile.record_as_donation(
                desk.campaign,
                event_id,
                donor_name=request.POST.get("donor_name", ""),
                actor=request.user,
            )
            messages.success(
                request,
                _("Recorded as donation %(ref)s of %(amount)s.")
                % {"ref": donation.reference, "amount": vnd(donation.amount)},
            )
        elif action == "dismiss":
            reconcile.dismiss(
                desk.campaign, event_id, note=request.POST.get("note", ""), actor=request.user
            )
            messages.success(request, _("The line is set aside."))
        else:
            raise services.DonationError(_("Choose what to do with the line."), code="no_action")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("donations_manage:reconcile", slug)


class CashForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=gettext_lazy("Unit"))
    receipt_number = forms.CharField(label=gettext_lazy("Receipt number"), max_length=50)
    amount = VndField(label=gettext_lazy("Amount (đồng)"), min_value=1)
    donor_name = forms.CharField(label=gettext_lazy("Donor's name"), max_length=120, required=False)
    is_anonymous = forms.BooleanField(label=gettext_lazy("Give anonymously"), required=False)
    message = forms.CharField(label=gettext_lazy("Message"), max_length=300, required=False)

    def __init__(self, *args, units: QuerySet[Unit], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.order_by("path")
        if len(self.fields["unit"].queryset) == 1:
            self.fields["unit"].initial = self.fields["unit"].queryset[0]


@login_required
def cash(request: HttpRequest, slug: str) -> HttpResponse:
    desk = Desk.of(request.user, slug)
    units = cash_units(request.user, desk.campaign)
    data = request.POST if request.method == "POST" else None
    form = CashForm(data, units=units)
    if data is not None and form.is_valid():
        try:
            donation = record_cash(
                desk.campaign,
                form.cleaned_data["unit"],
                amount=form.cleaned_data["amount"],
                receipt_number=form.cleaned_data["receipt_number"],
                donor_name=form.cleaned_data["donor_name"],
                is_anonymous=form.cleaned_data["is_anonymous"],
                message=form.cleaned_data["message"],
                actor=request.user,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Receipt %(number)s recorded: %(amount)s.")
                % {"number": donation.receipt_number, "amount": vnd(donation.amount)},
            )
            return redirect("donations_manage:cash", slug)
    recent = desk.donations().filter(method=Method.CASH).select_related("unit", "recorded_by")
    recent_rows = [
        {"donation": donation, "amount": vnd(donation.amount)}
        for donation in recent.order_by("-created_at", "-pk")[:20]
    ]
    return render(
        request,
        "donations/manage/cash.html",
        {**_context(desk, "cash"), "form": form, "recent": recent_rows},
        status=400 if data is not None else 200,
    )


class SponsorForm(forms.ModelForm):
    website = forms.URLField(label=gettext_lazy("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Sponsor
        fields = ["name", "website", "logo", "vnd_per_km", "cap", "team", "unit"]
        field_classes = {"vnd_per_km": VndField, "cap": VndField}

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = campaign.teams.order_by("name")
        self.fields["team"].label = _("Only for the team")
        self.fields["unit"].queryset = Unit.objects.filter(
            campaign.organiser_unit.subtree_q()
        ).order_by("path")
        self.fields["unit"].label = _("Only for the unit")
        self.fields["vnd_per_km"].initial = campaign.vnd_per_km

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("team") and cleaned.get("unit"):
            raise forms.ValidationError(_("Choose a team or a unit, not both."))
        return cleaned


@login_required
def sponsors(request: HttpRequest, slug: str) -> HttpResponse:
    desk = Desk.of(request.user, slug)
    campaign = desk.campaign
    form = None
    status = 200
    if desk.is_organiser:
        if request.method == "POST":
            form = SponsorForm(request.POST, request.FILES, campaign=campaign)
            if form.is_valid():
                sponsor = form.save(commit=False)
                sponsor.campaign = campaign
                sponsor.save()
                messages.success(request, _("Sponsor %(name)s added.") % {"name": sponsor.name})
                return redirect("donations_manage:sponsors", slug)
            status = 400
        else:
            form = SponsorForm(campaign=campaign)
    elif request.method == "POST":
        raise PermissionDenied
    rows = sponsor_rows(campaign)
    return render(
        request,
        "donations/manage/sponsors.html",
        {
            **_context(desk, "sponsors"),
            "form": form,
            "sponsor_rows": rows,
            "sponsors_total_text": vnd(sponsors_total(rows)),
        },
        status=status,
    )


@require_POST
@login_required
def sponsor_delete(request: HttpRequest, slug: str, sponsor_id: int) -> HttpResponse:
    desk = _organiser_desk(request.user, slug)
    sponsor = get_object_or_404(Sponsor, campaign=desk.campaign, pk=sponsor_id)
    sponsor.delete()
    messages.success(request, _("Sponsor %(name)s removed.") % {"name": sponsor.name})
    return redirect("donations_manage:sponsors", slug)


@login_required
def vietqr_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The transfer page donors see, with a sample donation, to check the bank details."""
    desk = _organiser_desk(request.user, slug)
    settings = services.settings_for(desk.campaign)
    provider = VietQRProvider(settings)
    if not provider.is_configured():
        messages.error(request, _("The campaign's bank account for transfers is not set up yet."))
        return redirect("donations_manage:list", slug)
    sample = Donation(campaign=desk.campaign, amount=100_000, method=Method.VIETQR)
    return render(
        request,
        "donations/vietqr.html",
        {"donation": sample, "instructions": provider.prepare(sample, request).instructions},
    )
