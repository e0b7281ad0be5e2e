"""The browser recorder: the recording page, what makes it an installable app that
works offline (manifest and service worker, both under /activities/record/ so the
worker's scope covers the page). What a finished recording earned, with the
person's totals, is a page of web/views.py (``activities:record_result``).

Recording itself happens in the page (activities/static/activities/recorder.js);
the finished recording goes to ``POST /api/v1/activities/recording``.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from activities.parsers import recording

THEME_COLOUR = "#c8102e"
# What the page needs to open without a network, besides itself.
OFFLINE_ASSETS = (
    "vendor/pico/pico.red.min.css",
    "css/kindsteps.css",
    "vendor/htmx/htmx.min.js",
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet/leaflet.js",
    "activities/activity.css",
    "activities/recorder.css",
    "activities/recorder.js",
    "activities/pwa/icon.svg",
    "activities/pwa/icon-192.png",
    "activities/pwa/icon-512.png",
)


def _texts() -> dict[str, str]:
    """Everything the recorder's script may say, in the active language; "{n}" is
    replaced by a number."""
    return {
        "idle": _("Ready. Choose walk or run, then press Start."),
        "recording": _("Recording"),
        "paused": _("Paused: no distance is added until you resume."),
        "finished": _("Finished"),
        "restored": _("Your unfinished recording was restored; it goes on from where it was."),
        "waiting_gps": _("Looking for your position…"),
        "gps_ok": _("GPS accuracy ±{n} m"),
        "gps_weak": _("Weak GPS signal (±{n} m): that reading is not used. Go out in the open."),
        "no_gps": _(
            "This phone or browser cannot give your position, so it cannot record. "
            "You can upload a file from a tracker app instead."
        ),
        "denied": _(
            "You did not allow this page to use your location. Allow it in the browser's site "
            "settings (the icon left of the address), then reload the page."
        ),
        "unavailable": _(
            "Your position cannot be found right now. Turn on location (GPS) in the phone's "
            "settings and go out in the open."
        ),
        "timeout": _("Still no position from the GPS; keep the page open in the open air."),
        "no_storage": _(
            "This browser does not let the page save the recording on the phone (a private "
            "window?). Open the page in a normal window to record."
        ),
        "no_wake_lock": _("Keep the screen on: this browser cannot keep it awake by itself."),
        "confirm_finish": _("Finish this recording and send it?"),
        "uploading": _("Sending the recording…"),
        "offline": _(
            "No connection. The recording is kept on this phone and is sent by itself when "
            "the connection returns; keep this page open or come back to it."
        ),
        "retrying": _("Could not send the recording yet; trying again by itself."),
        "logged_out": _("You are logged out. Log in again on this phone to send the recording."),
        "refused": _("The recording was refused: {n}"),
        "sent": _("Sent. Here is how your campaigns counted it:"),
        "result_offline": _("Sent. Open My activities to see how your campaigns counted it."),
        "confirm_discard": _("Delete this recording from the phone? It cannot be sent later."),
        "no_pace": "–",
    }


@login_required
def record(request: HttpRequest) -> HttpResponse:
    config = {
        "upload_url": reverse("api:upload_recording"),
        "result_url": reverse("activities:record_result", args=[0]),
        "worker_url": reverse("activities:record_worker"),
        "worker_scope": reverse("activities:record"),
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "max_accuracy_m": recording.MAX_ACCURACY_M,
        "min_step_m": recording.MIN_STEP_M,
        "max_step_m": recording.MAX_STEP_M,
        "user": request.user.pk,
    }
    return render(
        request,
        "activities/record.html",
        {"recorder_config": config, "recorder_texts": _texts()},
    )


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    data = {
        "name": _("KindSteps recorder"),
        "short_name": "KindSteps",
        "description": _("Record a walk or a run for your charity campaigns."),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("activities:record"),
        "scope": reverse("activities:record"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static("activities/pwa/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("activities/pwa/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("activities/pwa/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": static("activities/pwa/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json")


@never_cache
@require_GET
def worker(request: HttpRequest) -> HttpResponse:
    """The service worker, with the page and asset URLs of this deployment (hashed static
    names in production) and a version that changes whenever they or the worker do."""
    with open(finders.find("activities/pwa/sw.js"), encoding="utf-8") as fh:
        source = fh.read()
    urls = [reverse("activities:record"), *(static(path) for path in OFFLINE_ASSETS)]
    version = hashlib.sha256((source + "\n".join(urls)).encode()).hexdigest()[:12]
    head = f"const VERSION = {version!r};\nconst PRECACHE = {urls!r};\n"
    return HttpResponse(head + source, content_type="text/javascript; charset=utf-8")
