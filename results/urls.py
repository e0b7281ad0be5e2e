from django.urls import path

from results import views

app_name = "results"
urlpatterns = [
    path("c/<slug:slug>/results/", views.results_page, name="page"),
    path("c/<slug:slug>/results/card.png", views.results_card, name="card"),
    path("c/<slug:slug>/results/results.xlsx", views.export_xlsx, name="export_xlsx"),
    path("c/<slug:slug>/results/results.csv", views.export_csv, name="export_csv"),
    path("manage/campaigns/<slug:slug>/results/", views.manage, name="manage"),
    path(
        "certificates/<str:code>.<str:fmt>",
        views.certificate_file,
        name="certificate_file",
    ),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("verify/<str:code>/card.png", views.verify_card, name="verify_card"),
]
