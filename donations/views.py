"""Public donation pages: the donation box, the providers' returns and IPNs, the
stand-in sandbox gateway, receipts and the open ledger (page and CSV).

Views stay thin: money changes state only in `donations.services`, reached
through each provider's `handle_callback`, which verifies the signature first.
"""

from __future__ import annotations

import csv
import json

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import select_template
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from campaigns.access import get_campaign_for_request
from campaigns.display import format_vnd
from core.tasks import send_email
from donations import receipts, services
from donations.forms import DonateForm
from donations.models import Donation, DonationStatus, Method

# Importing the provider modules registers them.
from donations.providers import PROVIDERS, cash, momo, provider_for, sandbox, vietqr, vnpay  # noqa: F401
from orgs.models import Unit
from teams.models import Team

PER_PAGE = 50
# Offered on the donation box; cash is recorded by a unit's staff instead.
ONLINE_METHODS = (Method.VNPAY, Method.MOMO, Method.VIETQR)


def offered_methods(payment_settings) -> list[tuple[str, str]]:
    offered = []
    for method in ONLINE_METHODS:
        if method not in payment_settings.methods or method not in PROVIDERS:
            continue
        provider = provider_for(method, payment_settings)
        is_configured = getattr(provider, "is_configured", None)
        if is_configured is None or is_configured():
            offered.append((method, str(Method(method).label)))
    return offered


def _credited(request: HttpRequest, campaign) -> tuple[Team | None, Unit | None]:
    """The team (?team=<id>) or unit (?unit=<code>) a donation is given through:
    a team of this campaign, a unit of its organiser's subtree, else a 404 (as
    for a team of another campaign), so the page never says the gift goes
    through a unit whose pages will not show it."""
    team = unit = None
    if team_id := request.GET.get("team", ""):
        if not team_id.isdigit():
            raise Http404
        team = get_object_or_404(Team, pk=team_id, campaign=campaign)
    elif unit_code := request.GET.get("unit", ""):
        units = Unit.objects.filter(campaign.organiser_unit.subtree_q())
        unit = get_object_or_404(units, code=unit_code)
    return team, unit


def _donor_initial(user) -> dict:
    """A logged-in donor's name and e-mail from their profile, to change or clear."""
    if not user.is_authenticated:
        return {}
    return {"donor_name": user.full_name, "email": user.email}


def box_context(campaign) -> dict:
    """Total raised, its progress against the money target and the donate link."""
    totals = services.paid_total(campaign)
    target = campaign.money_target
    percent = round(totals["total"] * 100 / target) if target else None
    return {
        "campaign": campaign,
        "raised": totals["total"],
        "raised_text": format_vnd(totals["total"]),
        "donors": services.donor_count(campaign),
        "target": target,
        "target_text": format_vnd(target) if target else "",
        "percent": None if percent is None else min(percent, 100),
        "percent_text": percent,
    }


@require_http_methods(["GET", "POST"])
def donate(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_request(request, slug)
    team, unit = _credited(request, campaign)
    payment_settings = services.settings_for(campaign)
    methods = offered_methods(payment_settings)
    presets = [int(p) for p in payment_settings.presets if isinstance(p, int) and p > 0]
    form = DonateForm(
        request.POST or None, initial=_donor_initial(request.user), methods=methods, presets=presets
    )
    if request.method == "POST" and methods and form.is_valid():
        data = form.cleaned_data
        try:
            donation = services.create_donation(
                campaign,
                amount=data["amount_value"],
                method=data["method"],
                donor_name=data["donor_name"],
                is_anonymous=data["is_anonymous"] or not data["donor_name"].strip(),
                message=data["message"],
                email=data["email"],
                team=team,
                unit=unit,
                user=request.user,
            )
            receipts.remember(request, donation)
            prepared = provider_for(donation.method, payment_settings).prepare(donation, request)
        except services.DonationError as error:
            form.add_error(None, error.message)
        else:
            if prepared.redirect_url:
                return redirect(prepared.redirect_url)
            template = select_template([f"donations/{donation.method}.html", "donations/pay.html"])
            return HttpResponse(
                template.render(
                    {"donation": donation, "instructions": prepared.instructions}, request
                )
            )
    return render(
        request,
        "donations/donate.html",
        {
            "campaign": campaign,
            "team": team,
            "unit": unit,
            "form": form,
            "methods": methods,
            "presets": [(p, format_vnd(p)) for p in presets],
            "min_text": format_vnd(payment_settings.min_amount),
            "max_text": format_vnd(payment_settings.max_amount),
            "sandbox": payment_settings.sandbox,
            **{key: value for key, value in box_context(campaign).items() if key != "campaign"},
        },
    )


def _send_receipt(donation: Donation | None, outcome: str) -> None:
    """E-mail the donor their receipt when this callback is the one that paid."""
    if donation is None or outcome != services.PAID or not donation.email:
        return
    url = settings.SITE_URL + receipts.receipt_url(donation)
    subject = gettext("Thank you for your donation to %(campaign)s") % {
        "campaign": donation.campaign.title
    }
    body = gettext(
        "We received %(amount)s for %(campaign)s (reference %(reference)s).\n\n"
        "Your receipt: %(url)s\n\nThank you for walking with the Red Cross."
    ) % {
        "amount": format_vnd(donation.amount),
        "campaign": donation.campaign.title,
        "reference": donation.reference,
        "url": url,
    }
    send_email(subject, body, [donation.email])


@csrf_exempt
@require_http_methods(["GET", "POST"])
def vnpay_ipn(request: HttpRequest) -> JsonResponse:
    """VNPay's server-to-server result (GET with the signed query string)."""
    params = request.GET if request.method == "GET" else request.POST
    callback = vnpay.handle_callback(params, kind="ipn")
    _send_receipt(callback.donation, callback.outcome)
    return JsonResponse({"RspCode": callback.code, "Message": callback.message})


def vnpay_return(request: HttpRequest) -> HttpResponse:
    callback = vnpay.handle_callback(request.GET, kind="return")
    _send_receipt(callback.donation, callback.outcome)
    return _after_return(request, callback.donation, callback.outcome)


@csrf_exempt
@require_POST
def momo_ipn(request: HttpRequest) -> HttpResponse:
    """MoMo's server-to-server result (JSON); answered with 204 No Content."""
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return HttpResponseBadRequest()
    if not isinstance(data, dict):
        return HttpResponseBadRequest()
    callback = momo.handle_callback(data, kind="ipn")
    _send_receipt(callback.donation, callback.outcome)
    return HttpResponse(status=callback.status)


def momo_return(request: HttpRequest) -> HttpResponse:
    callback = momo.handle_callback(request.GET, kind="return")
    _send_receipt(callback.donation, callback.outcome)
    return _after_return(request, callback.donation, callback.outcome)


def _after_return(request: HttpRequest, donation: Donation | None, outcome: str) -> HttpResponse:
    if donation is None or outcome == services.BAD_SIGNATURE:
        return render(request, "donations/return_error.html", status=400)
    return redirect("donations:receipt", reference=donation.reference)


@require_http_methods(["GET", "POST"])
def sandbox_gateway(request: HttpRequest, method: str, reference: str) -> HttpResponse:
    """The stand-in payment page; exists only for sandbox campaigns without keys."""
    donation = get_object_or_404(
        Donation.objects.select_related("campaign"), reference=reference, method=method
    )
    if not sandbox.is_stand_in(services.settings_for(donation.campaign), method):
        raise Http404
    checkout = sandbox.checkout(method, request.GET)
    if checkout is None or checkout.reference != reference:
        return render(request, "donations/sandbox_gateway.html", {"invalid": True}, status=400)
    if request.method == "POST" and not checkout.expired:
        url, callback = sandbox.finish(method, request.GET, paid="pay" in request.POST)
        _send_receipt(callback.donation, callback.outcome)
        return redirect(url)
    return render(
        request,
        "donations/sandbox_gateway.html",
        {
            "checkout": checkout,
            "donation": donation,
            "provider": PROVIDERS[method].verbose_name,
            "amount_text": format_vnd(checkout.amount),
        },
    )


def receipt(request: HttpRequest, reference: str) -> HttpResponse:
    donation = get_object_or_404(
        Donation.objects.select_related("campaign__organiser_unit", "team", "unit"),
        reference=reference,
    )
    if not receipts.may_see(request, donation):
        raise Http404
    context = {
        "donation": donation,
        "campaign": donation.campaign,
        "amount_text": format_vnd(donation.amount),
        "is_paid": donation.status == DonationStatus.PAID,
    }
    if request.htmx and request.GET.get("part") == "status":
        return render(request, "donations/_receipt_status.html", context)
    return render(request, "donations/receipt.html", context)


def _ledger(campaign) -> QuerySet[Donation]:
    return (
        Donation.objects.filter(campaign=campaign, status=DonationStatus.PAID)
        .select_related("team", "unit")
        .order_by("-paid_at", "-id")
    )


def ledger(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_request(request, slug)
    page = Paginator(_ledger(campaign), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "donations/ledger.html",
        {"page": page, **box_context(campaign)},
    )


def donate_box(request: HttpRequest, slug: str) -> HttpResponse:
    """The campaign page's donation box, also loaded on its own by htmx."""
    campaign = get_campaign_for_request(request, slug)
    return render(request, "donations/_donate_box.html", {"donate_box": box_context(campaign)})


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: str) -> str:
    # A spreadsheet would run a cell starting with one of these as a formula.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


LEDGER_COLUMNS = ("reference", "paid_at", "donor", "amount_vnd", "method", "team", "unit")


def ledger_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """Every paid donation, one line each; the amounts add up to the published total."""
    campaign = get_campaign_for_request(request, slug)
    writer = csv.writer(_Echo())
    with translation.override("en"):
        anonymous = gettext("Anonymous")

    def rows():
        yield writer.writerow(LEDGER_COLUMNS)
        for donation in _ledger(campaign).iterator(chunk_size=1000):
            name = anonymous if donation.is_anonymous or not donation.donor_name else None
            yield writer.writerow(
                [
                    donation.reference,
                    campaign.local(donation.paid_at).isoformat(timespec="seconds"),
                    _cell(name or donation.donor_name),
                    donation.amount,
                    donation.method,
                    _cell(donation.team.name if donation.team else ""),
                    donation.unit.code if donation.unit else "",
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-donations.csv"'
    return response
