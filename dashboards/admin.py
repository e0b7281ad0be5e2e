from django.contrib import admin

from dashboards.models import DashboardSettings


@admin.register(DashboardSettings)
class DashboardSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "campaign",
        "alert_days_before_end",
        "alert_threshold_percent",
        "weekly_digest",
        "report_on",
        "report_sent_at",
    ]
    readonly_fields = ["report_sent_at"]
