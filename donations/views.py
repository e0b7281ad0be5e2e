"""Public donation pages: the donation box, the providers' returns and IPNs, the
stand-in sandbox gateway, receipts and the open ledger (page and CSV).

Views stay thin: one return view and one IPN view serve every provider of the
registry. The provider verifies the callback, `donations.services` records it
(money changes state only there, once), and the provider shapes the answer.
"""

from __future__ import annotations

from typing import Any

from django import forms
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
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from campaigns.access import get_campaign_for_request
from core.formatting import vnd
from core.spreadsheets import CSV_TYPE
from core.tasks import send_email
from donations import exports, services
from donations.models import Donation, DonationStatus, Method
from donations.providers import PROVIDERS, provider_for, sandbox
from donations.providers.base import BasePaymentProvider, CallbackError, CallbackKind, Reply
from orgs.models import Unit
from teams.models import Team

PER_PAGE = 50
# Offered on the donation box; cash is recorded by a unit's staff instead.
ONLINE_METHODS = (Method.VNPAY, Method.MOMO, Method.VIETQR)


def parse_amount(text: str) -> int | None:
    """Whole đồng from what a person types: "200.000", "200,000 đ", "200000"."""
    digits = "".join(ch for ch in text if ch.isdigit())
    cleaned = text.strip().lower().replace("đ", "").replace("vnd", "")
    if not digits or any(ch not in "0123456789., " for ch in cleaned):
        return None
    return int(digits)


class DonateForm(forms.Form):
    preset = forms.CharField(required=False)
    amount = forms.CharField(label=_("Another amount (đồng)"), required=False, max_length=20)
    donor_name = forms.CharField(label=_("Your name"), max_length=120, required=False)
    is_anonymous = forms.BooleanField(label=_("Give anonymously"), required=False)
    message = forms.CharField(
        label=_("Message"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    email = forms.EmailField(label=_("E-mail for a receipt"), required=False)
    method = forms.ChoiceField(label=_("Pay with"), widget=forms.RadioSelect)

    def __init__(self, *args, methods: list[tuple[str, str]], presets: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.presets = presets
        self.fields["method"].choices = methods
        if len(methods) == 1:
            self.fields["method"].initial = methods[0][0]

    def clean(self) -> dict:
        data = super().clean()
        typed = (data.get("amount") or "").strip()
        if typed:
            amount = parse_amount(typed)
            if amount is None:
                self.add_error("amount", _("Write the amount in whole đồng, e.g. 150000."))
        elif (data.get("preset") or "").isdigit() and int(data["preset"]) in self.presets:
            amount = int(data["preset"])
        else:
            amount = None
            self.add_error("amount", _("Choose or write an amount."))
        data["amount_value"] = amount
        return data


def offered_methods(payment_settings) -> list[tuple[str, str]]:
    offered = []
    for method in ONLINE_METHODS:
        if method not in payment_settings.methods or method not in PROVIDERS:
            continue
        if provider_for(method, payment_settings).is_configured():
            offered.append((method, str(Method(method).label)))
    return offered


def _credited(request: HttpRequest, campaign) -> tuple[Team | None, Unit | None]:
    """The team (?team=<id>) or unit (?unit=<code>) a donation is given through."""
    team = unit = None
    if team_id := request.GET.get("team", ""):
        if not team_id.isdigit():
            raise Http404
        team = get_object_or_404(Team, pk=team_id, campaign=campaign)
    elif unit_code := request.GET.get("unit", ""):
        unit = get_object_or_404(Unit, code=unit_code)
    return team, unit


def box_context(campaign) -> dict:
    """Total raised, its progress against the money target and the donate link."""
    totals = services.paid_total(campaign)
    target = campaign.money_target
    percent = round(totals["total"] * 100 / target) if target else None
    return {
        "campaign": campaign,
        "raised": totals["total"],
        "raised_text": vnd(totals["total"]),
        "donors": totals["count"],
        "target": target,
        "target_text": vnd(target) if target else "",
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
    form = DonateForm(request.POST or None, methods=methods, presets=presets)
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
            "presets": [(p, vnd(p)) for p in presets],
            "min_text": vnd(payment_settings.min_amount),
            "max_text": vnd(payment_settings.max_amount),
            "sandbox": payment_settings.sandbox,
            **{key: value for key, value in box_context(campaign).items() if key != "campaign"},
        },
    )


def _send_receipt(donation: Donation | None, outcome: str) -> None:
    """E-mail the donor their receipt when this callback is the one that paid."""
    if donation is None or outcome != services.PAID or not donation.email:
        return
    url = settings.SITE_URL + reverse("donations:receipt", args=[donation.reference])
    subject = gettext("Thank you for your donation to %(campaign)s") % {
        "campaign": donation.campaign.title
    }
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
    """The stand-in payment page; exists only for sandbox campaigns without keys."""
    donation = get_object_or_404(
        Donation.objects.select_related("campaign"), reference=reference, method=method
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


def receipt(request: HttpRequest, reference: str) -> HttpResponse:
    donation = get_object_or_404(
        Donation.objects.select_related("campaign", "team", "unit"), reference=reference
    )
    context = {
        "donation": donation,
        "campaign": donation.campaign,
        "amount_text": vnd(donation.amount),
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


def ledger_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """Every paid donation, one line each; the amounts add up to the published total."""
    campaign = get_campaign_for_request(request, slug)
    lines = exports.ledger_csv_lines(campaign, _ledger(campaign))
    response = StreamingHttpResponse(lines, content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-donations.csv"'
    return response
