from django.urls import path

from teams import views

app_name = "teams"
urlpatterns = [
    path("c/<slug:slug>/teams/", views.team_list, name="campaign_teams"),
    path("c/<slug:slug>/teams/new/", views.team_create, name="create"),
    path("c/<slug:slug>/teams/join/", views.join_by_code, name="join_by_code"),
    path("c/<slug:slug>/teams/join/<str:code>/", views.team_invite, name="invite"),
    path("c/<slug:slug>/t/<int:team_id>/", views.team_detail, name="detail"),
    path("c/<slug:slug>/t/<int:team_id>/join/", views.team_join, name="join"),
    path("c/<slug:slug>/t/<int:team_id>/leave/", views.team_leave, name="leave"),
    path("c/<slug:slug>/t/<int:team_id>/rename/", views.team_rename, name="rename"),
    path("c/<slug:slug>/t/<int:team_id>/remove/", views.team_remove, name="remove"),
    path("c/<slug:slug>/t/<int:team_id>/move/", views.team_move, name="move"),
]
