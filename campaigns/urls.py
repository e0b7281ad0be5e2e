from campaigns import manage_views, registration_views

# Mounted by web/urls.py, which adds the public campaign pages and the preview
# (they gather several domains) to this namespace.
app_name = "campaigns"
urlpatterns = [
    # Registration, unit invite links and posters (registration_views.py)
    *registration_views.urlpatterns,
    # Organiser screens (manage_views.py)
    *manage_views.urlpatterns,
]
