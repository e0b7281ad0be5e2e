from django.contrib import admin

from core.models import AuditEntry, Notice


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records changed only through the services, which judge and audit each
    change: the admin looks them up, and adds, changes and deletes nothing."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "actor", "object_type", "object_id", "campaign"]
    list_filter = ["action"]
    search_fields = ["action", "object_id"]
    raw_id_fields = ["actor", "campaign"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "code", "title", "read_at"]
    raw_id_fields = ["user"]
