from django.urls import path

from activities import views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("uploads/<int:pk>/", views.upload_status, name="upload_status"),
    path("manual/", views.manual, name="manual"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/sport/", views.change_sport, name="sport"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("verdicts/<int:pk>/complain/", views.complain, name="complain"),
]
