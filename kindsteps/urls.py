from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from activities import review_views
from kindsteps.api import api

urlpatterns = [
    # The home page, and the campaign and activity URLs with the pages web composes.
    path("", include("web.urls")),
    path("", include("teams.urls")),
    path("", include("standings.urls")),
    path("", include("donations.urls")),
    path("manage/review/", review_views.overview, name="review_overview"),
    path("manage/campaigns/<slug:slug>/review/", include("activities.review_urls")),
    path("manage/dashboard/", include("dashboards.urls")),
    path("manage/campaigns/<slug:slug>/donations/", include("donations.manage_urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("orgs/", include("orgs.urls")),
    path("outreach/", include("outreach.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
