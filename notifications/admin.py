from django.contrib import admin

from notifications.models import Email, Notification, Preference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "key", "created_at", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["user", "campaign"]


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "key", "created_at", "sent_at", "attempts", "dropped"]
    list_filter = ["kind"]
    raw_id_fields = ["user", "campaign"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "email", "in_app"]
    raw_id_fields = ["user"]
