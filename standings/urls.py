from django.urls import path

from standings import views

app_name = "standings"
urlpatterns = [
    path("c/<slug:slug>/standings/", views.individuals, name="board"),
    path("c/<slug:slug>/standings/teams/", views.teams, name="teams"),
    path("c/<slug:slug>/standings/units/", views.units, name="units"),
    path("c/<slug:slug>/standings/days/", views.days, name="days"),
]
