from django.urls import path

from activities import recorder_views, views

app_name = "activities"
# Mounted under activities/ by web/urls.py, beside the recording's result page.

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("uploads/<int:pk>/", views.upload_status, name="upload_status"),
    path("manual/", views.manual, name="manual"),
    path("record/", recorder_views.record, name="record"),
    path("record/manifest.webmanifest", recorder_views.manifest, name="record_manifest"),
    path("record/sw.js", recorder_views.worker, name="record_worker"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/sport/", views.change_sport, name="sport"),
    path("<int:pk>/visibility/", views.change_route_visibility, name="route_visibility"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("verdicts/<int:pk>/complain/", views.complain, name="complain"),
]
