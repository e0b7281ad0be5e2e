"""The review screens of one campaign, under manage/campaigns/<slug>/review/."""

from django.urls import path

from activities import review_views

app_name = "review"

urlpatterns = [
    path("", review_views.queue, name="queue"),
    path("history/", review_views.history, name="history"),
    path("<int:verdict_id>/", review_views.detail, name="detail"),
    path("<int:verdict_id>/decide/", review_views.decide, name="decide"),
    path("<int:verdict_id>/answer/", review_views.answer, name="answer"),
]
