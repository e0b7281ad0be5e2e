"""The money screens of one campaign, under manage/campaigns/<slug>/donations/."""

from django.urls import path

from donations import manage_views

app_name = "donations_manage"

urlpatterns = [
    path("", manage_views.donation_list, name="list"),
    path("export.xlsx", manage_views.export, name="export"),
    path("<int:donation_id>/refund/", manage_views.refund, name="refund"),
    path("reconcile/", manage_views.reconcile_view, name="reconcile"),
    path("reconcile/<int:event_id>/", manage_views.reconcile_line, name="reconcile_line"),
    path("cash/", manage_views.cash, name="cash"),
    path("sponsors/", manage_views.sponsors, name="sponsors"),
    path("sponsors/<int:sponsor_id>/delete/", manage_views.sponsor_delete, name="sponsor_delete"),
    path("vietqr-preview/", manage_views.vietqr_preview, name="vietqr_preview"),
]
