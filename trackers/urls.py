from django.urls import path

from trackers import views

app_name = "trackers"
urlpatterns = [
    path("", views.connections, name="connections"),
    path("strava/connect/", views.connect, name="strava_connect"),
    path("strava/callback/", views.callback, name="strava_callback"),
    path("strava/disconnect/", views.disconnect, name="strava_disconnect"),
    path("strava/sync/", views.sync, name="strava_sync"),
    path("strava/webhook/", views.webhook, name="strava_webhook"),
]
