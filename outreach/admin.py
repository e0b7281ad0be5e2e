from django.contrib import admin

from outreach.models import OutreachTask, Reminder, Submission, SubmissionFile


class SubmissionFileInline(admin.TabularInline):
    model = SubmissionFile
    extra = 0
    readonly_fields = ["kind", "original_name", "file", "content_type", "width", "height", "size"]


@admin.register(OutreachTask)
class OutreachTaskAdmin(admin.ModelAdmin):
    list_display = ["title", "campaign", "from_unit", "deadline"]
    list_filter = ["campaign"]
    search_fields = ["title"]
    raw_id_fields = ["from_unit", "created_by"]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["task", "unit", "status", "submitted_at", "reviewed_at"]
    list_filter = ["status", "task__campaign"]
    raw_id_fields = ["task", "unit", "submitted_by", "reviewed_by"]
    inlines = [SubmissionFileInline]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["task", "unit", "sent_at"]
    raw_id_fields = ["task", "unit"]
