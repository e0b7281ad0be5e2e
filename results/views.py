"""The public results page, the organiser's results screen, the exports, the
certificate files and the verification page. Thin: the work is in
results.services, results.issuing and results.exports."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Gender
from campaigns.access import (
    CampaignStaff,
    get_campaign_for_admin,
    get_campaign_for_request,
    is_organiser,
)
from campaigns.models import Campaign, Registration, Visibility
from core import cards, spreadsheets
from core.errors import DomainError
from core.formatting import date_window, digits, km, vnd
from core.public_pages import public_page
from orgs.models import UnitKind
from results import certificates, exports, services
from results.forms import AwardForm, CorrectionForm
from results.models import Award, Certificate, CertificateKind, LineKind, Results

PEOPLE_PAGE = 50


def _awards(campaign: Campaign, results: Results | None) -> list[dict]:
    if results is None:
        return []
    return [
        {"award": award, "winners": services.winners(award, results)}
        for award in campaign.awards.select_related("category")
    ]


def _units_by_kind(results: Results) -> list[dict]:
    lines = list(results.lines.filter(kind=LineKind.UNIT).order_by("rank", "position"))
    groups = []
    for code, label in UnitKind.choices:
        rows = [line for line in lines if line.unit_kind == code]
        if rows:
            groups.append({"kind": code, "label": label, "lines": rows})
    return groups


@public_page
def results_page(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_request(request, slug)
    results = services.frozen(campaign)
    context: dict = {
        "campaign": campaign,
        "results": results,
        "phase": services.phase(campaign),
        "can_manage": request.user.is_authenticated and is_organiser(request.user, campaign),
    }
    if results is not None:
        people = results.lines.filter(kind=LineKind.PERSON).order_by("rank", "position")
        page = Paginator(people, PEOPLE_PAGE).get_page(request.GET.get("page"))
        mine = None
        if request.user.is_authenticated:
            registration = Registration.objects.filter(campaign=campaign, user=request.user).first()
            if registration is not None:
                mine = {
                    "line": results.lines.filter(kind=LineKind.PERSON, key=registration.pk).first(),
                    "certificate": results.certificates.filter(
                        registration=registration, revoked_at=None
                    ).first(),
                }
        context.update(
            people=page,
            teams=results.lines.filter(kind=LineKind.TEAM).order_by("rank", "position"),
            unit_groups=_units_by_kind(results),
            awards=_awards(campaign, results),
            corrections=list(results.corrections.all()),
            mine=mine,
        )
    context["share"] = _results_meta(campaign, results)
    return render(request, "results/page.html", context)


def _results_facts(campaign: Campaign, results: Results) -> dict:
    return {
        "title": campaign.title,
        "organiser": campaign.organiser_unit.name,
        "dates": date_window(campaign.starts_at, campaign.ends_at, campaign.tz),
        "frozen_at": results.frozen_at.isoformat(),
        **{
            name: results.totals.get(name, 0)
            for name in ("participants", "distance_m", "steps", "converted")
        },
    }


def _results_card(facts: dict) -> cards.Card:
    return cards.Card(
        heading=_("Final results"),
        subtitle=f"{facts['organiser']} · {facts['dates']}",
        name=facts["title"],
        figures=[
            ("km", km(facts["distance_m"])),
            (_("participants with credited km"), digits(facts["participants"])),
            (_("steps"), digits(facts["steps"])),
            (_("đồng converted"), vnd(facts["converted"])),
        ],
        footer=settings.SITE_URL.split("://", 1)[-1],
    )


def _results_meta(campaign: Campaign, results: Results | None) -> dict:
    """The results page's share tags: its own card once frozen, the campaign's before."""
    page = reverse("results:page", args=[campaign.slug])
    if results is None:
        return cards.meta(
            title=f"{_('Results')} · {campaign.title}",
            description=_("The results are published once the campaign and its appeal window end."),
            image_path=reverse("campaigns:card", args=[campaign.slug]),
            page_path=page,
        )
    facts = _results_facts(campaign, results)
    return cards.meta(
        title=f"{_('Final results')} · {campaign.title}",
        description=_("%(people)s participants · %(km)s km · %(money)s converted")
        % {
            "people": digits(facts["participants"]),
            "km": km(facts["distance_m"]),
            "money": vnd(facts["converted"]),
        },
        image_path=reverse("results:card", args=[campaign.slug])
        + f"?v={cards.content_key('results', facts)[:12]}",
        page_path=page,
    )


def _public(campaign: Campaign) -> bool:
    return campaign.visibility == Visibility.PUBLIC and campaign.is_published


def results_card(request: HttpRequest, slug: str) -> HttpResponse:
    """The frozen results' share card (PNG, 1200 × 630), for link previews."""
    campaign = get_campaign_for_request(request, slug)
    results = services.frozen(campaign)
    if results is None:
        raise Http404
    facts = _results_facts(campaign, results)
    key, png = cards.stored_png("results", facts, lambda: cards.draw(_results_card(facts)))
    return cards.png_response(request, key, png, public=_public(campaign))


def _staff_results(request: HttpRequest, slug: str) -> tuple[Campaign, Results]:
    staff = CampaignStaff.of(request.user, slug)
    if not staff.is_organiser:
        raise Http404
    results = services.frozen(staff.campaign)
    if results is None:
        raise Http404
    return staff.campaign, results


@login_required
def export_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    campaign, results = _staff_results(request, slug)
    response = HttpResponse(exports.workbook(results), content_type=spreadsheets.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-results.xlsx"'
    return response


@login_required
def export_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    campaign, results = _staff_results(request, slug)
    response = StreamingHttpResponse(exports.csv_lines(results), content_type=spreadsheets.CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-results.csv"'
    return response


@login_required
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    staff = CampaignStaff.of(request.user, slug)
    if not staff.is_organiser:
        raise Http404
    campaign = staff.campaign
    results = services.frozen(campaign)
    award_form = AwardForm(campaign=campaign, prefix="award")
    correction_form = CorrectionForm(prefix="correction")
    status = 200
    if request.method == "POST":
        campaign = get_campaign_for_admin(request.user, slug)
        action = request.POST.get("action")
        try:
            if action == "freeze":
                services.freeze(campaign, actor=request.user)
                messages.success(request, _("The results are frozen and published."))
                return redirect("results:manage", slug)
            if action == "correct":
                correction_form = CorrectionForm(request.POST, prefix="correction")
                if correction_form.is_valid():
                    correction = services.correct(
                        campaign, correction_form.cleaned_data["reason"], actor=request.user
                    )
                    messages.success(
                        request,
                        _("The results are corrected: %(n)s lines changed.")
                        % {"n": correction.changed_lines},
                    )
                    return redirect("results:manage", slug)
                status = 400
            if action == "award":
                award_form = AwardForm(request.POST, campaign=campaign, prefix="award")
                if award_form.is_valid():
                    services.add_award(campaign, award_form.save(commit=False), actor=request.user)
                    messages.success(request, _("The award is added."))
                    return redirect("results:manage", slug)
                status = 400
            if action == "remove_award":
                award = get_object_or_404(Award, pk=request.POST.get("award"), campaign=campaign)
                services.remove_award(award, actor=request.user)
                messages.success(request, _("The award is removed."))
                return redirect("results:manage", slug)
            if action == "certificates" and results is not None:
                services.request_certificates(results, actor=request.user)
                messages.success(
                    request,
                    _("The certificates are being made; this page shows how far it has got."),
                )
                return redirect("results:manage", slug)
        except DomainError as error:
            messages.error(request, str(error.message))
            status = error.status
    made = total = 0
    unit_certificates: list[Certificate] = []
    if results is not None:
        live = results.certificates.filter(revoked_at=None)
        total = live.count()
        made = live.exclude(made_at=None).count()
        unit_certificates = list(live.filter(kind=CertificateKind.UNIT).select_related("unit"))
    return render(
        request,
        "results/manage.html",
        {
            "campaign": campaign,
            "tab": "results",
            "results": results,
            "phase": services.phase(campaign),
            "pending": services.pending(campaign),
            "awards": _awards(campaign, results)
            if results
            else [{"award": a, "winners": []} for a in campaign.awards.all()],
            "award_form": award_form,
            "correction_form": correction_form,
            "corrections": list(results.corrections.all()) if results else [],
            "certificates_made": made,
            "certificates_total": total,
            "unit_certificates": unit_certificates,
            "now": timezone.now(),
        },
        status=status,
    )


FILE_TYPES = {"pdf": "application/pdf", "png": "image/png"}


def certificate_file(request: HttpRequest, code: str, fmt: str) -> FileResponse:
    """A certificate's file: for its holder, and for the campaign's organisers."""
    if fmt not in FILE_TYPES:
        raise Http404
    certificate = get_object_or_404(
        Certificate.objects.select_related("results__campaign", "registration"),
        code=code,
        revoked_at=None,
    )
    user = request.user
    holder = (
        user.is_authenticated
        and certificate.registration_id is not None
        and certificate.registration.user_id == user.pk
    )
    if not (holder or (user.is_authenticated and is_organiser(user, certificate.results.campaign))):
        raise Http404
    field = certificate.pdf if fmt == "pdf" else certificate.png
    if not field:
        raise Http404
    name = f"{certificate.results.campaign.slug}-{certificate.code}.{fmt}"
    return FileResponse(
        field.open("rb"), content_type=FILE_TYPES[fmt], as_attachment=fmt == "pdf", filename=name
    )


def verify(request: HttpRequest, code: str) -> HttpResponse:
    certificate = (
        Certificate.objects.select_related("results__campaign__organiser_unit")
        .filter(code=code.strip().upper())
        .first()
    )
    context: dict = {"code": code, "certificate": certificate}
    if certificate is not None:
        campaign = certificate.results.campaign
        context.update(
            campaign=campaign,
            words=certificates.sentences(certificate, campaign),
            results=certificate.results,
            gender=Gender,
        )
        if certificate.revoked_at is None:
            context["share"] = cards.meta(
                title=f"{context['words']['heading']} · {context['words']['name']}",
                description=context["words"]["body"],
                image_path=reverse("results:verify_card", args=[certificate.code])
                + f"?v={_certificate_key(certificate)[:12]}",
                page_path=reverse("results:verify", args=[certificate.code]),
                kind="article",
            )
    return render(
        request, "results/verify.html", context, status=200 if certificate is not None else 404
    )


def _certificate_key(certificate: Certificate) -> str:
    return cards.content_key("certificate", {"code": certificate.code, **certificate.facts})


def verify_card(request: HttpRequest, code: str) -> HttpResponse:
    """The certificate's card for the verification page's link preview: the facts
    that page shows to everyone, drawn as on the holder's own PNG."""
    certificate = get_object_or_404(
        Certificate.objects.select_related("results__campaign"),
        code=code.strip().upper(),
        revoked_at=None,
    )
    campaign = certificate.results.campaign
    key, png = cards.stored_png(
        "certificate",
        {"code": certificate.code, **certificate.facts},
        lambda: certificates.render_png(
            certificate, campaign, certificates.qr_picture(certificate.code)
        ),
    )
    return cards.png_response(request, key, png, public=True)
