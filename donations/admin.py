"""The site administrators' view of the money. Payment state is changed only
through donations.services (confirm_paid, mark_refunded), so donations and
provider events are read-only here; settings and sponsors are editable. A
test payment (through the stand-in gateway) is marked TEST in the list."""

from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from core.amounts import VndField
from donations.models import Donation, PaymentEvent, PaymentSettings, Sponsor
from donations.providers import PROVIDERS

# Amounts typed as people write them ("100.000"), as everywhere else on the site.
AMOUNTS_AS_TYPED = {
    models.PositiveIntegerField: {"form_class": VndField},
    models.PositiveBigIntegerField: {"form_class": VndField},
}


class PaymentEventInline(admin.TabularInline):
    model = PaymentEvent
    extra = 0
    can_delete = False
    fields = ["received_at", "method", "kind", "outcome", "payload"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Donation)
class DonationAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "campaign",
        "amount",
        "method",
        "status",
        "test_mark",
        "donor_name",
        "paid_at",
    ]
    list_filter = ["status", "method", "is_test", "campaign"]
    search_fields = ["reference", "donor_name", "email", "provider_ref", "receipt_number"]
    date_hierarchy = "created_at"
    inlines = [PaymentEventInline]
    list_select_related = ["campaign"]

    @admin.display(description=_("test payment"), ordering="is_test")
    def test_mark(self, donation: Donation) -> str:
        return "TEST" if donation.is_test else ""


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "method", "kind", "outcome", "donation"]
    list_filter = ["method", "kind", "outcome"]
    search_fields = ["donation__reference"]


@admin.register(PaymentSettings)
class PaymentSettingsAdmin(admin.ModelAdmin):
    formfield_overrides = AMOUNTS_AS_TYPED
    list_display = ["campaign", "sandbox", "methods", "bank_name", "bank_account"]
    list_select_related = ["campaign"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        # A method turned on without its keys is offered to no donor: say so now.
        for method in obj.methods:
            if method in PROVIDERS:
                problem = PROVIDERS[method](obj).setup_problem()
                if problem:
                    messages.warning(request, problem)


@admin.register(Sponsor)
class SponsorAdmin(admin.ModelAdmin):
    formfield_overrides = AMOUNTS_AS_TYPED
    list_display = ["name", "campaign", "vnd_per_km", "cap", "team", "unit"]
    list_filter = ["campaign"]
    search_fields = ["name"]
    raw_id_fields = ["team", "unit"]
