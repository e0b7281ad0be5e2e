from django.urls import path  # noqa: F401

from teams import views  # noqa: F401

app_name = "teams"
urlpatterns: list = []
