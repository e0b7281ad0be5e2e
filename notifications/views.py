"""The person's notifications (the bell's page), their preferences, and the
one-click unsubscribe an e-mail links to. Thin: the work is in services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.models import Notice
from notifications import services
from notifications.forms import PreferencesForm
from notifications.kinds import KINDS
from notifications.models import Notification


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    items = services.inbox(request.user)
    return render(
        request,
        "notifications/list.html",
        {"items": items, "unread": sum(1 for item in items if item.read_at is None)},
    )


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (or notice) read and go where it points (``open``), or
    mark all read."""
    raw = request.POST.get("notification", "")
    notice = request.POST.get("notice", "")
    if notice.isdigit():
        services.mark_read(request.user, notice_id=int(notice))
        link = (
            Notice.objects.filter(user=request.user, pk=int(notice))
            .values_list("url", flat=True)
            .first()
        )
    elif raw.isdigit():
        services.mark_read(request.user, int(raw))
        link = (
            Notification.objects.filter(user=request.user, pk=int(raw))
            .values_list("link", flat=True)
            .first()
        )
    else:
        services.mark_read(request.user)
        return redirect("notifications:list")
    if request.POST.get("open") and link and url_has_allowed_host_and_scheme(link, None):
        return redirect(link)
    return redirect("notifications:list")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, choices=services.choices(request.user))
    if request.method == "POST" and form.is_valid():
        for kind, (email, in_app) in form.chosen().items():
            services.set_choice(request.user, kind, email=email, in_app=in_app)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})


@csrf_exempt  # RFC 8058: the mail program posts, without a session or a form of ours
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with one button (link checkers must not unsubscribe anyone);
    POST, from that button or a mail program's one-click: that kind's e-mail off."""
    found = services.read_unsubscribe_token(token)
    user = None
    if found is not None:
        user = get_user_model().objects.filter(pk=found[0], deleted_at__isnull=True).first()
    if user is None or found is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    kind = KINDS[found[1]]
    done = request.method == "POST"
    if done:
        services.set_choice(user, kind.code, email=False)
    return render(
        request, "notifications/unsubscribe.html", {"kind": kind, "done": done, "token": token}
    )
