from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from activities import review_views
from core.health import healthz
from core.ratelimits import limited
from kindsteps.api import api
from kindsteps.metrics import metrics

urlpatterns = [
    # The home page, and the campaign, team and activity URLs with the pages web composes.
    path("", include("web.urls")),
    path("", include("standings.urls")),
    path("", include("donations.urls")),
    path("", include("results.urls")),
    path("manage/review/", review_views.overview, name="review_overview"),
    path("manage/campaigns/<slug:slug>/review/", include("activities.review_urls")),
    path("manage/dashboard/", include("dashboards.urls")),
    path("manage/campaigns/<slug:slug>/donations/", include("donations.manage_urls")),
    path("accounts/", include("accounts.urls")),
    # allauth's sign-in and sign-up, under the site's rate limits (docs/security.md);
    # the same addresses and names, found before allauth's own.
    path("accounts/login/", limited("login")(allauth_views.login), name="account_login"),
    path("accounts/signup/", limited("signup")(allauth_views.signup), name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("orgs/", include("orgs.urls")),
    path("outreach/", include("outreach.urls")),
    path("trackers/", include("trackers.urls")),
    # The language switch needs no CSRF token, so that the public pages shared from the
    # cache carry none (core/public_pages.py): a forged switch changes only a language.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("notifications/", include("notifications.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    # Operations (docs/deployment.md): health for load balancers, metrics for Prometheus.
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
