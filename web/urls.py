"""The pages web composes, mounted among the URLs of the domain they belong to, so
every ``{% url %}`` and ``reverse()`` keeps its name: the home page, the campaign
list, page, preview and share cards ("campaigns:…"), the team page with its figures
("teams:detail"), a participant's progress card ("campaigns:progress"), a recording's result
("activities:record_result"), the privacy page and the person's data page."""

from django.urls import include, path

from activities import urls as activities_urls
from campaigns import urls as campaigns_urls
from teams import urls as teams_urls
from web import views

campaign_pages = [
    path("campaigns/", views.campaign_list, name="list"),
    path("c/<slug:slug>/", views.campaign_detail, name="detail"),
    path("c/<slug:slug>/card.png", views.campaign_card, name="card"),
    path("c/<slug:slug>/t/<int:team_id>/card.png", views.team_card, name="team_card"),
    path(
        "c/<slug:slug>/progress/<int:registration_id>/<str:key>/",
        views.progress,
        name="progress",
    ),
    path(
        "c/<slug:slug>/progress/<int:registration_id>/<str:key>/card.png",
        views.progress_card,
        name="progress_card",
    ),
    *campaigns_urls.urlpatterns,
    path("manage/campaigns/<slug:slug>/preview/", views.campaign_preview, name="manage_preview"),
]

activity_pages = [
    *activities_urls.urlpatterns,
    path("record/result/<int:pk>/", views.record_result, name="record_result"),
]

# The team page with its figures (web.views.team_detail) before the rest of teams'.
team_pages = [
    path("c/<slug:slug>/t/<int:team_id>/", views.team_detail, name="detail"),
    *(pattern for pattern in teams_urls.urlpatterns if pattern.name != "detail"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("accounts/data/", views.my_data, name="my_data"),
    path("accounts/data/routes/", views.my_data_routes, name="my_data_routes"),
    path("accounts/data/export/", views.my_data_export, name="my_data_export"),
    path("accounts/data/delete/", views.my_data_delete, name="my_data_delete"),
    path("", include((campaign_pages, campaigns_urls.app_name))),
    path("activities/", include((activity_pages, activities_urls.app_name))),
    path("", include((team_pages, teams_urls.app_name))),
]
