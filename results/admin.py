from django.contrib import admin

from results.models import Award, Certificate, Correction, Results


@admin.register(Results)
class ResultsAdmin(admin.ModelAdmin):
    list_display = ["campaign", "frozen_at", "frozen_by"]
    readonly_fields = ["campaign", "frozen_at", "frozen_by", "totals"]


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ["results", "at", "by", "changed_lines"]
    readonly_fields = ["results", "at", "by", "reason", "changes", "changed_lines"]


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign", "kind", "count"]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "results", "made_at", "revoked_at"]
    search_fields = ["code"]
    readonly_fields = ["facts"]
