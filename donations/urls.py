from django.urls import path

from donations import views

app_name = "donations"
urlpatterns = [
    path("c/<slug:slug>/donate/", views.donate, name="donate"),
    path("c/<slug:slug>/donations/", views.ledger, name="ledger"),
    path("c/<slug:slug>/donations.csv", views.ledger_csv, name="ledger_csv"),
    path("c/<slug:slug>/donations/box/", views.donate_box, name="box"),
    path("donations/<str:reference>/", views.receipt, name="receipt"),
    path("payments/vnpay/return/", views.vnpay_return, name="vnpay_return"),
    path("payments/vnpay/ipn/", views.vnpay_ipn, name="vnpay_ipn"),
    path("payments/momo/return/", views.momo_return, name="momo_return"),
    path("payments/momo/ipn/", views.momo_ipn, name="momo_ipn"),
    path(
        "payments/sandbox/<str:method>/<str:reference>/",
        views.sandbox_gateway,
        name="sandbox_gateway",
    ),
]
