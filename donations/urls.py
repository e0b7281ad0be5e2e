from django.urls import path

from donations import views

app_name = "donations"
urlpatterns = [
    path("c/<slug:slug>/donate/", views.donate, name="donate"),
    path("c/<slug:slug>/donations/", views.ledger, name="ledger"),
    path("c/<slug:slug>/donations.csv", views.ledger_csv, name="ledger_csv"),
    path("c/<slug:slug>/donations/box/", views.donate_box, name="box"),
    path("donations/<str:reference>/", views.receipt, name="receipt"),
    # The URLs gateways are configured to call, under the names they always had.
    path("payments/vnpay/return/", views.payment_return, {"method": "vnpay"}, name="vnpay_return"),
    path("payments/vnpay/ipn/", views.payment_ipn, {"method": "vnpay"}, name="vnpay_ipn"),
    path("payments/momo/return/", views.payment_return, {"method": "momo"}, name="momo_return"),
    path("payments/momo/ipn/", views.payment_ipn, {"method": "momo"}, name="momo_ipn"),
    # Every provider's return and IPN, by its method code.
    path("payments/<slug:method>/return/", views.payment_return, name="payment_return"),
    path("payments/<slug:method>/ipn/", views.payment_ipn, name="payment_ipn"),
    path(
        "payments/sandbox/<str:method>/<str:reference>/",
        views.sandbox_gateway,
        name="sandbox_gateway",
    ),
]
