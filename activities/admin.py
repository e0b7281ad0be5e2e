"""Activities in the Django admin, for looking things up. Changes go through
the services (upload, review) so they are judged and audited: here everything
is read-only, and nothing is added or deleted."""

from django.contrib import admin

from activities.models import Activity, Complaint, StoredFile, Upload, Verdict
from core.admin import ReadOnlyAdmin


@admin.register(StoredFile)
class StoredFileAdmin(ReadOnlyAdmin):
    list_display = ["sha256", "size", "created_at"]
    search_fields = ["sha256"]


@admin.register(Upload)
class UploadAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "user", "filename", "source", "status", "attempts"]
    list_filter = ["status", "source"]
    search_fields = ["filename", "user__email", "stored_file__sha256"]
    raw_id_fields = ["user", "stored_file"]
    date_hierarchy = "received_at"


class VerdictInline(admin.TabularInline):
    model = Verdict
    fields = ["campaign", "status", "credited_m", "judged_at", "decided_by", "decision_note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "user", "sport", "distance_m", "source", "is_manual", "has_gps"]
    list_filter = ["sport", "source", "is_manual", "has_gps"]
    search_fields = ["user__email", "user__full_name", "external_id", "device"]
    raw_id_fields = ["user", "upload"]
    date_hierarchy = "started_at"
    exclude = ["track", "public_track", "series"]
    inlines = [VerdictInline]


@admin.register(Verdict)
class VerdictAdmin(ReadOnlyAdmin):
    list_display = ["judged_at", "activity", "campaign", "status", "credited_m", "decided_by"]
    list_filter = ["status", "campaign"]
    search_fields = ["activity__user__email", "activity__user__full_name"]
    raw_id_fields = ["activity", "campaign", "registration", "decided_by"]


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "verdict", "status", "answered_by", "answered_at"]
    list_filter = ["status"]
    search_fields = ["user__email", "text", "answer"]
    raw_id_fields = ["verdict", "user", "answered_by"]
