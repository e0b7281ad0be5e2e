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
    path("garmin/connect/", views.garmin_connect, name="garmin_connect"),
    path("garmin/callback/", views.garmin_callback, name="garmin_callback"),
    path("garmin/disconnect/", views.garmin_disconnect, name="garmin_disconnect"),
    path("garmin/sync/", views.garmin_sync, name="garmin_sync"),
    path("garmin/notifications/", views.garmin_notifications, name="garmin_notifications"),
]
