"""Organiser screens: create and edit campaigns, preview, targets for units."""

urlpatterns: list = []
