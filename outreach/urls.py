from django.urls import path

from outreach import views

app_name = "outreach"

urlpatterns = [
    path("", views.my_tasks, name="mine"),
    path("campaigns/<slug:slug>/", views.campaign_tasks, name="campaign"),
    path("campaigns/<slug:slug>/new/", views.task_create, name="create"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/units/<str:code>/", views.submission, name="submission"),
    path("tasks/<int:pk>/units/<str:code>/review/", views.review, name="review"),
    path("files/<int:pk>/", views.file_view, name="file"),
    path("files/<int:pk>/thumbnail/", views.thumbnail_view, name="thumbnail"),
]
