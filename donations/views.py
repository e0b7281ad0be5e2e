"""Public donation pages: the donation box, the providers' returns and IPNs, the
stand-in sandbox gateway, receipts and the open ledger (page and CSV).

Views stay thin: one return view and one IPN view serve every provider of the
registry. The provider verifies the callback, `donations.services` records it
(money changes state only there, once), and the provider shapes the answer.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import select_template
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from campaigns.access import get_campaign_for_request
from core.formatting import vnd
from core.ratelimits import ipn_limited, limited
from core.spreadsheets import CSV_TYPE
from core.tasks import send_email
from donations import exports, receipts, services
from donations.forms import DonateForm
from donations.models import Donation, DonationStatus, Method
from donations.providers import PROVIDERS, provider_for, sandbox
from donations.providers.base import BasePaymentProvider, CallbackError, CallbackKind, Reply
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
        if provider_for(method, payment_settings).is_configured():
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
        "raised_text": vnd(totals["total"]),
        "donors": services.donor_count(campaign),
        "target": target,
        "target_text": vnd(target) if target else "",
        "percent": None if percent is None else min(percent, 100),
        "percent_text": percent,
    }


@require_http_methods(["GET", "POST"])
@limited("donate")
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
        provider = provider_for(data["method"], payment_settings)
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
                is_test=provider.uses_stand_in(),
            )
            receipts.remember(request, donation)
            prepared = provider.prepare(donation, request)
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
            "presets": [(p, vnd(p)) for p in presets],
            "min_text": vnd(payment_settings.min_amount),
            "max_text": vnd(payment_settings.max_amount),
            "sandbox": any(
                provider_for(method, payment_settings).uses_stand_in() for method, _label in methods
            ),
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
    if donation.is_test:
        subject = gettext("[TEST, no money moved] %(subject)s") % {"subject": subject}
    body = gettext(
        "We received %(amount)s for %(campaign)s (reference %(reference)s).\n\n"
        "Your receipt: %(url)s\n\nThank you for walking with the Red Cross."
    ) % {
        "amount": vnd(donation.amount),
        "campaign": donation.campaign.title,
        "reference": donation.reference,
        "url": url,
    }
    send_email(subject, body, [donation.email])


def _callback_provider(method: str) -> type[BasePaymentProvider]:
    provider = PROVIDERS.get(method)
    if provider is None or not provider.takes_callbacks:
        raise Http404
    return provider


def _take_callback(
    provider: type[BasePaymentProvider], data: dict[str, Any], kind: CallbackKind
) -> Reply:
    """Verify, then record once (or keep the refusal); the receipt goes out when it pays."""
    try:
        result = provider.verify_callback(data)
    except CallbackError as error:
        services.refuse_callback(error, method=provider.method, kind=kind)
        return error
    confirmation = services.apply_callback(result, kind=kind)
    _send_receipt(confirmation.donation, confirmation.outcome)
    return confirmation


def _answer_callback(
    request: HttpRequest, provider: type[BasePaymentProvider], kind: CallbackKind
) -> HttpResponse:
    try:
        data = provider.read_callback(request, kind)
    except CallbackError as error:  # unreadable: nothing to verify or keep
        return provider.answer(request, error, kind)
    return provider.answer(request, _take_callback(provider, data, kind), kind)


@csrf_exempt
@ipn_limited
def payment_ipn(request: HttpRequest, method: str) -> HttpResponse:
    """A gateway's server-to-server result, answered as that gateway expects."""
    provider = _callback_provider(method)
    if request.method not in provider.ipn_http_methods:
        return HttpResponseNotAllowed(provider.ipn_http_methods)
    return _answer_callback(request, provider, "ipn")


def payment_return(request: HttpRequest, method: str) -> HttpResponse:
    """The donor back from the gateway with its signed result: on to the receipt."""
    return _answer_callback(request, _callback_provider(method), "return")


@require_http_methods(["GET", "POST"])
def sandbox_gateway(request: HttpRequest, method: str, reference: str) -> HttpResponse:
    """The stand-in payment page; exists only where the stand-in is allowed
    (`sandbox.available`), for test donations of sandbox campaigns without keys."""
    donation = get_object_or_404(
        Donation.all_objects.select_related("campaign"),
        reference=reference,
        method=method,
        is_test=True,
    )
    provider = _callback_provider(method)
    if not provider.for_campaign(donation.campaign).uses_stand_in():
        raise Http404
    checkout = sandbox.checkout(method, request.GET)
    if checkout is None or checkout.reference != reference:
        return render(request, "donations/sandbox_gateway.html", {"invalid": True}, status=400)
    if request.method == "POST" and not checkout.expired:
        finished = sandbox.finish(method, request.GET, paid="pay" in request.POST)
        # What the real gateway would do now: call the IPN, then send the donor back.
        _take_callback(provider, finished.ipn_data, "ipn")
        return redirect(finished.return_url)
    return render(
        request,
        "donations/sandbox_gateway.html",
        {
            "checkout": checkout,
            "donation": donation,
            "provider": provider.verbose_name,
            "amount_text": vnd(checkout.amount),
        },
    )


# A receipt is a receipt only once paid: a cancelled or failed payment's page
# says what happened instead.
RECEIPT_TITLES = {
    DonationStatus.PAID: gettext_lazy("Donation receipt"),
    DonationStatus.PENDING: gettext_lazy("Donation waiting for payment"),
    DonationStatus.FAILED: gettext_lazy("Donation not paid"),
    DonationStatus.REFUNDED: gettext_lazy("Donation refunded"),
}


def receipt(request: HttpRequest, reference: str) -> HttpResponse:
    donation = get_object_or_404(
        Donation.all_objects.select_related("campaign__organiser_unit", "team", "unit", "user"),
        reference=reference,
    )
    if not receipts.may_see(request, donation):
        raise Http404
    context = {
        "donation": donation,
        "campaign": donation.campaign,
        "amount_text": vnd(donation.amount),
        "is_paid": donation.status == DonationStatus.PAID,
        "title": RECEIPT_TITLES.get(donation.status, RECEIPT_TITLES[DonationStatus.PAID]),
    }
    if request.htmx and request.GET.get("part") == "status":
        return render(request, "donations/_receipt_status.html", context)
    return render(request, "donations/receipt.html", context)


def _ledger(campaign) -> QuerySet[Donation]:
    """Every paid donation, tests too (marked TEST, never in the total)."""
    return (
        Donation.all_objects.filter(campaign=campaign, status=DonationStatus.PAID)
        .select_related("team", "unit", "campaign", "user")
        .order_by("-paid_at", "-id")
    )


def ledger(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_request(request, slug)
    page = Paginator(_ledger(campaign), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "donations/ledger.html",
        {
            "page": page,
            "has_tests": _ledger(campaign).filter(is_test=True).exists(),
            **box_context(campaign),
        },
    )


def donate_box(request: HttpRequest, slug: str) -> HttpResponse:
    """The campaign page's donation box, also loaded on its own by htmx."""
    campaign = get_campaign_for_request(request, slug)
    return render(request, "donations/_donate_box.html", {"donate_box": box_context(campaign)})


def ledger_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """Every paid donation, one line each; the amounts add up to the published total."""
    campaign = get_campaign_for_request(request, slug)
    lines = exports.ledger_csv_lines(campaign, _ledger(campaign))
    response = StreamingHttpResponse(lines, content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-donations.csv"'
    return response
