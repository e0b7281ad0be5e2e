"""The participant's connections page, the OAuth round trips, Strava's webhook and
Garmin's notifications. A tracker's URLs answer 404 when it is not configured, and the
page itself when neither is."""

from __future__ import annotations

import json
import secrets
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from trackers import errors, garmin, garmin_services, garmin_tasks, services, strava, tasks
from trackers.models import Connection, ConnectionStatus, Provider, TrackedActivity

STATE_KEY = "trackers.strava.state"
GARMIN_KEY = "trackers.garmin.pkce"
RECENT = 20


def _strava_on(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not strava.configured():
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _garmin_on(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not garmin.configured():
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _connection(user, provider: str = Provider.STRAVA) -> Connection | None:
    return Connection.objects.filter(user=user, provider=provider).first()


def _card(user, provider: str) -> dict:
    connection = _connection(user, provider)
    tracked = (
        list(
            TrackedActivity.objects.filter(connection=connection).select_related("activity")[
                :RECENT
            ]
        )
        if connection
        else []
    )
    for item in tracked:
        item.reason_text = errors.message(item.reason, provider)
    return {
        "connection": connection,
        "connected": connection is not None and connection.is_active,
        "error_text": errors.message(connection.last_error, provider) if connection else "",
        "tracked": tracked,
    }


@login_required
def connections(request: HttpRequest) -> HttpResponse:
    strava_on, garmin_on = strava.configured(), garmin.configured()
    if not strava_on and not garmin_on:
        raise Http404
    context = {"strava_on": strava_on, "garmin_on": garmin_on}
    if strava_on:
        context.update(_card(request.user, Provider.STRAVA))
    if garmin_on:
        context["garmin"] = _card(request.user, Provider.GARMIN)
    return render(request, "trackers/connections.html", context)


@require_POST
@login_required
@_strava_on
def connect(request: HttpRequest) -> HttpResponse:
    state = secrets.token_urlsafe(24)
    request.session[STATE_KEY] = state
    redirect_uri = request.build_absolute_uri(reverse("trackers:strava_callback"))
    private = request.POST.get("private") == "1"
    return redirect(strava.authorize_url(redirect_uri, state, private=private))


@login_required
@_strava_on
def callback(request: HttpRequest) -> HttpResponse:
    expected = request.session.pop(STATE_KEY, "")
    state = request.GET.get("state", "")
    if not expected or not constant_time_compare(expected, state):
        messages.error(request, errors.message("bad_state"))
        return redirect("trackers:connections")
    if request.GET.get("error") or not request.GET.get("code"):
        messages.error(request, errors.message("denied"))
        return redirect("trackers:connections")
    try:
        services.connect(
            request.user, request.GET["code"], request.GET.get("scope", ""), strava.Client()
        )
    except DomainError as error:
        messages.error(
            request, errors.message(error.code) if errors.known(error.code) else error.message
        )
        return redirect("trackers:connections")
    messages.success(
        request,
        _("Strava is connected. Your walks and runs since you registered are on their way."),
    )
    return redirect("trackers:connections")


@require_POST
@login_required
@_strava_on
def disconnect(request: HttpRequest) -> HttpResponse:
    connection = _connection(request.user)
    if connection is not None and connection.status != ConnectionStatus.DISCONNECTED:
        services.disconnect(connection, strava.Client(), actor=request.user)
        messages.success(
            request, _("Strava is disconnected. No more activities will arrive from it.")
        )
    return redirect("trackers:connections")


@require_POST
@login_required
@_strava_on
def sync(request: HttpRequest) -> HttpResponse:
    connection = _connection(request.user)
    if connection is None or not connection.is_active:
        raise Http404
    tasks.sync_now(connection)
    messages.success(request, _("We are looking for new activities on Strava."))
    return redirect("trackers:connections")


@csrf_exempt
@require_http_methods(["GET", "POST"])
@_strava_on
def webhook(request: HttpRequest) -> HttpResponse:
    """Strava's subscription check (GET, hub.challenge) and its events (POST), each
    answered at once: the work is done by apply_event_task."""
    if request.method == "GET":
        token = request.GET.get("hub.verify_token", "")
        expected = settings.STRAVA_WEBHOOK_VERIFY_TOKEN
        if (
            request.GET.get("hub.mode") != "subscribe"
            or not expected
            or not constant_time_compare(token, expected)
        ):
            return JsonResponse({"error": "verify_token"}, status=403)
        return JsonResponse({"hub.challenge": request.GET.get("hub.challenge", "")})
    try:
        payload = json.loads(request.body or b"null")
        if not isinstance(payload, dict):
            raise ValueError
        subscription = settings.STRAVA_SUBSCRIPTION_ID
        if subscription and str(payload.get("subscription_id")) != str(subscription):
            return JsonResponse({"error": "subscription"}, status=403)
        event = services.record_event(payload)
    except ValueError:
        return JsonResponse({"error": "not_an_event"}, status=400)
    if event is not None:
        event_id = event.pk
        transaction.on_commit(lambda: tasks.apply_event_task(event_id))
    return JsonResponse({"ok": True})


# --- Garmin Connect -------------------------------------------------------------------


def _garmin_redirect_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("trackers:garmin_callback"))


@require_POST
@login_required
@_garmin_on
def garmin_connect(request: HttpRequest) -> HttpResponse:
    """Off to Garmin's consent page, with a PKCE challenge; the verifier stays here."""
    state = secrets.token_urlsafe(24)
    verifier, challenge = garmin.pkce_pair()
    request.session[GARMIN_KEY] = {"state": state, "verifier": verifier}
    return redirect(garmin.authorize_url(_garmin_redirect_uri(request), state, challenge))


@login_required
@_garmin_on
def garmin_callback(request: HttpRequest) -> HttpResponse:
    pending = request.session.pop(GARMIN_KEY, None) or {}
    expected = pending.get("state", "")
    if not expected or not constant_time_compare(expected, request.GET.get("state", "")):
        messages.error(request, errors.message("bad_state", Provider.GARMIN))
        return redirect("trackers:connections")
    if request.GET.get("error") or not request.GET.get("code"):
        messages.error(request, errors.message("denied", Provider.GARMIN))
        return redirect("trackers:connections")
    try:
        garmin_services.connect(
            request.user,
            request.GET["code"],
            pending.get("verifier", ""),
            _garmin_redirect_uri(request),
            garmin.Client(),
        )
    except DomainError as error:
        messages.error(
            request,
            errors.message(error.code, Provider.GARMIN)
            if errors.known(error.code)
            else error.message,
        )
        return redirect("trackers:connections")
    messages.success(
        request,
        _(
            "Garmin Connect is connected. Your walks and runs since you registered are on "
            "their way."
        ),
    )
    return redirect("trackers:connections")


@require_POST
@login_required
@_garmin_on
def garmin_disconnect(request: HttpRequest) -> HttpResponse:
    connection = _connection(request.user, Provider.GARMIN)
    if connection is not None and connection.status != ConnectionStatus.DISCONNECTED:
        garmin_services.disconnect(connection, garmin.Client(), actor=request.user)
        messages.success(
            request, _("Garmin Connect is disconnected. No more activities will arrive from it.")
        )
    return redirect("trackers:connections")


@require_POST
@login_required
@_garmin_on
def garmin_sync(request: HttpRequest) -> HttpResponse:
    connection = _connection(request.user, Provider.GARMIN)
    if connection is None or not connection.is_active:
        raise Http404
    garmin_tasks.sync_now(connection)
    messages.success(request, _("We asked Garmin Connect to send your activities again."))
    return redirect("trackers:connections")


@csrf_exempt
@require_POST
@_garmin_on
def garmin_notifications(request: HttpRequest) -> HttpResponse:
    """Garmin's pings (activityFiles with a callbackURL, deregistrations, permission
    changes) and pushes (activities), answered 200 at once: each notification is
    recorded and applied by apply_event_task, the file fetched by garmin_tasks."""
    client_id = request.headers.get("garmin-client-id", "")
    if client_id and not constant_time_compare(client_id, settings.GARMIN_CLIENT_ID):
        return JsonResponse({"error": "client"}, status=403)
    try:
        events = garmin_services.record_notifications(json.loads(request.body or b"null"))
    except ValueError:
        return JsonResponse({"error": "not_a_notification"}, status=400)
    event_ids = [event.pk for event in events]
    transaction.on_commit(lambda: [tasks.apply_event_task(pk) for pk in event_ids])
    return JsonResponse({"ok": True})
