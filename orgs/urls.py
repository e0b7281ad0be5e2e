from django.urls import path

from orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("<str:code>/", views.unit_detail, name="detail"),
    path("<str:code>/edit/", views.unit_edit, name="edit"),
    path("<str:code>/children/", views.unit_add_child, name="add_child"),
    path("<str:code>/import/", views.unit_import, name="import"),
    path("<str:code>/export.<str:fmt>", views.unit_export, name="export"),
    path("<str:code>/roles/", views.role_add, name="role_add"),
    path("<str:code>/roles/<int:pk>/remove/", views.role_remove, name="role_remove"),
]
