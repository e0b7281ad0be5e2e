from django.urls import path

from campaigns import manage_views, registration_views, views

app_name = "campaigns"
urlpatterns = [
    # Public pages (views.py)
    path("campaigns/", views.campaign_list, name="list"),
    path("c/<slug:slug>/", views.campaign_detail, name="detail"),
    # Registration, unit invite links and posters (registration_views.py)
    *registration_views.urlpatterns,
    # Organiser screens (manage_views.py)
    *manage_views.urlpatterns,
]
