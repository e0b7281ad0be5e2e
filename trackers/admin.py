from django.contrib import admin

from trackers.models import Connection, TrackedActivity, WebhookEvent


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    list_display = ("user", "provider", "account_id", "status", "last_sync_at", "last_error")
    list_filter = ("provider", "status")
    search_fields = ("user__email", "account_id")
    exclude = ("access_token", "refresh_token")
    raw_id_fields = ("user",)


@admin.register(TrackedActivity)
class TrackedActivityAdmin(admin.ModelAdmin):
    list_display = ("external_id", "provider", "connection", "state", "reason", "updated_at")
    list_filter = ("provider", "state")
    raw_id_fields = ("connection", "activity")


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = (
        "provider",
        "object_type",
        "object_id",
        "aspect",
        "event_time",
        "processed_at",
        "outcome",
    )
    list_filter = ("provider", "aspect", "outcome")
