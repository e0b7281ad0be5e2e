"""Registration, withdrawal, my campaigns, unit invite links and posters."""

urlpatterns: list = []
