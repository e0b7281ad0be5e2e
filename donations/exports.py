"""The donations' exports, both written through core.spreadsheets: amounts are
numbers (whole đồng) so that the spreadsheet adds them up; text is written as
text, never as a formula.

- The organisers' XLSX of a campaign's donations (those they may see): every
  donation with its method, status and references, and a summary by method and
  status; donors' e-mail addresses only for readers who may see contacts.
- The public ledger as CSV: every paid donation, one line each, anonymous
  donors as such, no e-mail addresses.

A test payment (through the stand-in gateway, `Donation.is_test`) is marked
TEST in both and left out of every total they write.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Iterator

from django.db.models import Count, QuerySet, Sum
from django.utils import translation
from django.utils.translation import gettext as _

from core.spreadsheets import XLSX_TYPE, csv_lines, workbook
from donations.models import Donation, DonationStatus, Method

__all__ = ["LEDGER_COLUMNS", "TEST", "XLSX_TYPE", "export_xlsx", "ledger_csv_lines"]

# How a test payment is marked in a file: the same word in every language, so
# that a filter or a formula finds it.
TEST = "TEST"


def _local(moment, campaign) -> str:
    return f"{moment.astimezone(campaign.tz):%Y-%m-%d %H:%M}" if moment else ""


def export_xlsx(
    campaign, donations: QuerySet[Donation], *, contact_units: Collection[int] = ()
) -> bytes:
    """The organisers' workbook. Donors' e-mail addresses only for the donations
    credited to a unit in ``contact_units`` (those whose contacts the reader may
    see, orgs.permissions.contact_unit_ids); a donation credited to no unit belongs
    to the organiser unit."""
    out = io.BytesIO()
    book = workbook(out)
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0"})
    money_bold = book.add_format({"num_format": "#,##0", "bold": True})
    methods = dict(Method.choices)
    statuses = dict(DonationStatus.choices)

    sheet = book.add_worksheet(_("Donations")[:31])
    headers = [
        _("Reference"),
        _("Created"),
        _("Paid"),
        _("Status"),
        _("Payment method"),
        _("Amount (đồng)"),
        _("Name"),
        _("Anonymous"),
        _("E-mail"),
        _("Message"),
        _("Unit"),
        _("Team"),
        _("Receipt number"),
        _("Recorded by"),
        _("Provider reference"),
        _("Refunded"),
        _("Test"),
    ]
    sheet.write_row(0, 0, headers, bold)
    sheet.freeze_panes(1, 0)
    row = 0
    for row, donation in enumerate(
        donations.select_related("unit", "team", "recorded_by").order_by("created_at", "pk"),
        start=1,
    ):
        values = [
            donation.reference,
            _local(donation.created_at, campaign),
            _local(donation.paid_at, campaign),
            str(statuses.get(donation.status, donation.status)),
            str(methods.get(donation.method, donation.method)),
            None,
            donation.donor_name,
            _("yes") if donation.is_anonymous else "",
            donation.email
            if (donation.unit_id or campaign.organiser_unit_id) in contact_units
            else "",
            donation.message,
            donation.unit.name if donation.unit else "",
            donation.team.name if donation.team else "",
            donation.receipt_number,
            str(donation.recorded_by) if donation.recorded_by else "",
            donation.provider_ref,
            _local(donation.refunded_at, campaign),
            TEST if donation.is_test else "",
        ]
        for column, value in enumerate(values):
            if column == 5:
                sheet.write_number(row, column, donation.amount, money)
            else:
                sheet.write_string(row, column, value or "")
    paid = donations.filter(status=DonationStatus.PAID, is_test=False).aggregate(
        total=Sum("amount")
    )
    sheet.write_string(row + 2, 4, _("Paid total"), bold)
    sheet.write_number(row + 2, 5, paid["total"] or 0, money_bold)
    sheet.set_column(0, 0, 13)
    sheet.set_column(1, 2, 17)
    sheet.set_column(3, 5, 16)
    sheet.set_column(6, 6, 24)
    sheet.set_column(10, 11, 24)

    summary = book.add_worksheet(_("By method and status")[:31])
    columns = [_("Payment method"), _("Status"), _("Count"), _("Amount (đồng)"), _("Test")]
    summary.write_row(0, 0, columns, bold)
    groups = (
        donations.order_by()
        .values("is_test", "method", "status")
        .annotate(count=Count("pk"), total=Sum("amount"))
        .order_by("is_test", "method", "status")
    )
    for row, group in enumerate(groups, start=1):
        summary.write_string(row, 0, str(methods.get(group["method"], group["method"])))
        summary.write_string(row, 1, str(statuses.get(group["status"], group["status"])))
        summary.write_number(row, 2, group["count"])
        summary.write_number(row, 3, group["total"] or 0, money)
        summary.write_string(row, 4, TEST if group["is_test"] else "")
    summary.set_column(0, 1, 24)
    summary.set_column(2, 3, 16)
    book.close()
    return out.getvalue()


LEDGER_COLUMNS = ("reference", "paid_at", "donor", "amount_vnd", "method", "team", "unit", "test")


def ledger_csv_lines(campaign, donations: QuerySet[Donation]) -> Iterator[str]:
    """The public ledger's CSV, a line at a time: a header, then a line per
    paid donation of ``donations``; the amounts of the lines not marked TEST in
    the last column add up to the published total."""
    with translation.override("en"):
        anonymous = _("Anonymous")

    def rows():
        yield LEDGER_COLUMNS
        for donation in donations.iterator(chunk_size=1000):
            yield [
                donation.reference,
                campaign.local(donation.paid_at).isoformat(timespec="seconds"),
                donation.shown_donor_name or anonymous,
                donation.amount,
                donation.method,
                donation.team.name if donation.team else "",
                donation.unit.code if donation.unit else "",
                TEST if donation.is_test else "",
            ]

    return csv_lines(rows())
