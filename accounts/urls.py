from django.urls import path

from accounts import views

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/public-name/", views.public_name, name="profile_public_name"),
    path("profile/units/", views.unit_search, name="profile_unit_search"),
    path("profile/tokens/", views.token_create, name="api_token_create"),
    path("profile/tokens/<int:token_id>/revoke/", views.token_revoke, name="api_token_revoke"),
]
