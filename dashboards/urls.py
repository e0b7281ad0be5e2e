from django.urls import path

from dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("<slug:slug>/", views.campaign_dashboard, name="campaign"),
    path("<slug:slug>/<str:code>/", views.unit_dashboard, name="unit"),
    path("<slug:slug>/<str:code>/report.xlsx", views.unit_xlsx, name="xlsx"),
    path("<slug:slug>/<str:code>/report.pdf", views.unit_pdf, name="pdf"),
]
