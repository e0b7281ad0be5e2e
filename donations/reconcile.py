"""Bank statement reconciliation for VietQR transfers.

The organiser exports the campaign account's statement from the bank (CSV or
XLSX) and imports it. Each incoming line is read into a `StatementLine` — the
bank's transaction id, date, amount and description — and the donation
reference (``KS`` + 8 characters) is looked for in the description. A line
whose reference and amount match a pending donation pays it through
`confirm_paid`, with the bank's transaction id as ``provider_ref``.

Importing is idempotent: a transaction id already seen for this campaign is a
duplicate and pays nothing, so importing the same statement twice (or two
overlapping statements) changes nothing the second time. Without a transaction
id column, a line's key is a hash of its date, amount and description and its
occurrence among identical lines of the file, so two identical transfers are
two lines. Each line has its own outcome (a transaction id another campaign
already used is one), and one line never stops the rest. Every line read is
kept as a PaymentEvent (kind ``statement``, with the campaign id and the
transaction id in its payload); lines that could not be matched — no
reference, unknown reference, or a different amount — stay listed until a
person matches them by hand, records them as a new donation, or sets them aside.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core import amounts
from core.amounts import MAX_DIGITS, AmountError, parse_vnd
from core.audit import log_action
from donations import services
from donations.models import Donation, DonationStatus, Method, PaymentEvent
from donations.statements import HEADER_ROWS, StatementError, read_rows

if TYPE_CHECKING:
    from accounts.models import User
    from campaigns.models import Campaign

KIND = "statement"
MANUAL = "manual"
# Line outcomes besides those of confirm_paid (services.PAID, BAD_AMOUNT, ...).
DUPLICATE = "duplicate"
NO_REFERENCE = "no_reference"
DISMISSED = "dismissed"
# The bank's transaction id already paid a donation of another campaign.
USED_ELSEWHERE = "used_elsewhere"
# A person has to look at these.
UNMATCHED = (
    services.NOT_FOUND,
    services.BAD_AMOUNT,
    NO_REFERENCE,
    services.ALREADY_PAID,
    USED_ELSEWHERE,
)

# A lookahead, so that candidates may overlap ("THANKS" glued before a reference).
REFERENCE_RE = re.compile(r"(?=(KS[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{8}))")

# Header names seen on Vietnamese banks' statements, without accents, lower case.
COLUMNS: dict[str, tuple[str, ...]] = {
    "txn": (
        "ma giao dich",
        "ma gd",
        "so giao dich",
        "so gd",
        "so but toan",
        "so tham chieu",
        "transaction id",
        "transaction no",
        "reference no",
        "ref no",
        "trans id",
    ),
    "date": ("ngay giao dich", "ngay gd", "thoi gian", "ngay", "transaction date", "date", "time"),
    "amount": ("so tien ghi co", "ghi co", "so tien", "credit", "amount"),
    "description": (
        "noi dung",
        "dien giai",
        "mo ta",
        "chi tiet",
        "description",
        "details",
        "remark",
        "narrative",
    ),
}


@dataclass
class StatementLine:
    row: int
    txn: str
    date: str
    amount: int
    description: str
    reference: str = ""

    def payload(self, campaign: Campaign) -> dict:
        return {"campaign": campaign.pk, **asdict(self)}


@dataclass
class LineResult:
    line: StatementLine
    outcome: str
    donation: Donation | None = None


def _plain(text: object) -> str:
    text = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return re.sub(r"\s+", " ", text).strip().lower()


def parse_amount(value: object) -> int | None:
    """Whole đồng of a credit from 200000, 200000.0, "200.000", "1,500,000.00 VND";
    None for an empty cell, a label, zero or a debit ("-50.000", "(50.000)");
    `AmountError` for a number that is not whole đồng (never rounded)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, float | Decimal):
        if not math.isfinite(value) or abs(value) >= 10**MAX_DIGITS:
            raise amounts.unreadable()
        if value != int(value):
            raise amounts.fractional()
        return int(value) if value > 0 else None
    text = str(value).strip()
    if text.startswith("-") or (text.startswith("(") and text.endswith(")")):
        return None
    if not any(ch.isdigit() for ch in text):
        return None
    return parse_vnd(text) or None


def _date_text(value: object) -> str:
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return str(value or "").strip()


def find_references(description: str) -> list[str]:
    """Candidate donation references in a transfer description; banks may
    upper-case it, drop spaces or glue it to other words, so they are looked for
    anywhere."""
    return REFERENCE_RE.findall(re.sub(r"\s+", "", description.upper()))


def _resolve_references(campaign: Campaign, lines: list[StatementLine]) -> set[str]:
    """Each line's reference: the first candidate that is a donation of this campaign."""
    candidates = {line.row: find_references(line.description) for line in lines}
    known = set(
        Donation.objects.filter(
            campaign=campaign,
            method=Method.VIETQR,
            reference__in={ref for refs in candidates.values() for ref in refs},
        ).values_list("reference", flat=True)
    )
    for line in lines:
        refs = candidates[line.row]
        line.reference = next((ref for ref in refs if ref in known), refs[0] if refs else "")
    return known


def _header_map(row: list[object]) -> dict[str, int]:
    cells = [_plain(cell) for cell in row]
    found: dict[str, int] = {}
    for key, names in COLUMNS.items():
        for name in names:  # the most specific name first
            taken = set(found.values())
            index = next(
                (i for i, cell in enumerate(cells) if cell and i not in taken and name in cell),
                None,
            )
            if index is not None:
                found[key] = index
                break
    return found


def _is_header(row: list) -> bool:
    return {"amount", "description"} <= _header_map(row).keys()


def _line_key(when: str, amount: int, description: str, occurrence: int) -> str:
    """The key of a line without a bank transaction id: its date, amount and
    description, and which occurrence of that same line it is in the file (the
    first keeps the bare hash, as before occurrences were counted)."""
    digest = hashlib.sha256(f"{when}|{amount}|{description}".encode()).hexdigest()[:20]
    return f"line-{digest}" if occurrence == 1 else f"line-{digest}-{occurrence}"


def parse_statement(data: bytes, filename: str) -> list[StatementLine]:
    """The statement's incoming lines; the header row may sit below a title block."""
    rows = read_rows(data, filename, is_header=_is_header)
    for header_at, row in enumerate(rows[:HEADER_ROWS]):  # noqa: B007 (used after the loop)
        columns = _header_map(row)
        if {"amount", "description"} <= columns.keys():
            break
    else:
        raise StatementError(
            _("No header row with an amount and a description was found in the statement.")
        )
    lines = []
    occurrences: Counter[tuple[str, int, str]] = Counter()
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):

        def cell(key: str, row: list[object] = row) -> object:
            index = columns.get(key)
            return row[index] if index is not None and index < len(row) else None

        try:
            amount = parse_amount(cell("amount"))
        except AmountError as error:
            raise StatementError(
                _("Row %(row)s, amount “%(text)s”: %(reason)s")
                % {"row": number, "text": str(cell("amount"))[:40], "reason": error.message},
                code=error.code,
            ) from None
        description = str(cell("description") or "").strip()
        if amount is None:
            continue  # an outgoing line, a subtotal or an empty row
        when = _date_text(cell("date"))
        txn = str(cell("txn") or "").strip()
        raw_txn = cell("txn")
        if isinstance(raw_txn, float) and raw_txn.is_integer():
            txn = str(int(raw_txn))
        if not txn:
            # No id column: the line itself, and the how-manieth identical line it
            # is, identify the transfer; two gifts alike are two transfers.
            occurrences[when, amount, description] += 1
            txn = _line_key(when, amount, description, occurrences[when, amount, description])
        lines.append(
            StatementLine(
                row=number,
                txn=txn[:90],
                date=when,
                amount=amount,
                description=description[:500],
            )
        )
    return lines


def _seen_txns(campaign: Campaign) -> set[str]:
    return {
        str(txn)
        for txn in PaymentEvent.objects.filter(
            method=Method.VIETQR, kind=KIND, payload__campaign=campaign.pk
        ).values_list("payload__txn", flat=True)
    }


def _used_elsewhere(campaign: Campaign, lines: list[StatementLine]) -> set[str]:
    """The lines' transaction ids that already paid a donation of another campaign."""
    return set(
        Donation.objects.filter(method=Method.VIETQR, provider_ref__in={line.txn for line in lines})
        .exclude(campaign=campaign)
        .values_list("provider_ref", flat=True)
    )


def import_statement(
    campaign: Campaign, data: bytes, filename: str, *, actor: User
) -> list[LineResult]:
    """Match every incoming line; pay what matches, keep the rest for a person.
    Each line has its own outcome: one that cannot be applied never stops the rest."""
    lines = parse_statement(data, filename)
    known = _resolve_references(campaign, lines)
    seen = _seen_txns(campaign)
    elsewhere = _used_elsewhere(campaign, lines)
    results = []
    for line in lines:
        results.append(_import_line(campaign, line, known, seen, elsewhere, actor=actor))
        seen.add(line.txn)
    log_action(
        "donations.statement.imported",
        campaign,
        actor=actor,
        campaign=campaign,
        data={"file": filename[:200], "lines": len(lines), "paid": count(results, services.PAID)},
    )
    return results


def _import_line(
    campaign: Campaign,
    line: StatementLine,
    known: set[str],
    seen: set[str],
    elsewhere: set[str],
    *,
    actor: User,
) -> LineResult:
    payload = line.payload(campaign)
    if line.txn in seen:
        outcome = DUPLICATE
    elif line.txn in elsewhere:
        outcome = USED_ELSEWHERE
    elif not line.reference:
        outcome = NO_REFERENCE
    elif line.reference not in known:
        outcome = services.NOT_FOUND
    else:
        try:
            # A savepoint: the id taken by another campaign meanwhile undoes this line only.
            with transaction.atomic():
                confirmation = services.confirm_paid(
                    line.reference,
                    method=Method.VIETQR,
                    amount=line.amount,
                    provider_ref=line.txn,
                    kind=KIND,
                    payload=payload,
                    actor=actor,
                )
        except IntegrityError:
            outcome = USED_ELSEWHERE
        else:
            return LineResult(line, confirmation.outcome, confirmation.donation)
    services.record_event(None, Method.VIETQR, KIND, payload, outcome)
    return LineResult(line, outcome)


def count(results: list[LineResult], outcome: str) -> int:
    return sum(1 for result in results if result.outcome == outcome)


def unmatched_lines(campaign: Campaign) -> list[PaymentEvent]:
    """Statement lines a person still has to look at: one per transaction id,
    unless it was since matched by hand, recorded as a donation, or set aside."""
    events = PaymentEvent.objects.filter(
        method=Method.VIETQR, kind__in=(KIND, MANUAL), payload__campaign=campaign.pk
    ).select_related("donation")
    settled: set[str] = set()
    waiting: dict[str, PaymentEvent] = {}
    for event in events.order_by("received_at", "pk"):
        txn = str(event.payload.get("txn", ""))
        if event.outcome in (services.PAID, DISMISSED):
            settled.add(txn)
        elif event.outcome in UNMATCHED and txn not in waiting:
            waiting[txn] = event
    return [event for txn, event in waiting.items() if txn not in settled]


def _used_elsewhere_error() -> services.DonationError:
    return services.DonationError(
        _("This bank transaction already paid a donation of another campaign."),
        code="txn_used_elsewhere",
    )


def _line_event(campaign: Campaign, event_id: int) -> PaymentEvent:
    for event in unmatched_lines(campaign):
        if event.pk == event_id:
            return event
    raise services.DonationError(
        _("This statement line is no longer waiting to be matched."), code="line_settled"
    )


def match_by_hand(campaign: Campaign, event_id: int, reference: str, *, actor: User) -> Donation:
    """Pay the donation `reference` with a statement line a person matched."""
    event = _line_event(campaign, event_id)
    reference = reference.strip().upper()
    donation = Donation.objects.filter(
        campaign=campaign, method=Method.VIETQR, reference=reference
    ).first()
    if donation is None:
        raise services.DonationError(
            _("No bank transfer donation of this campaign has the reference %(ref)s.")
            % {"ref": reference},
            code="reference_unknown",
        )
    payload = {**event.payload, "matched_by_hand": reference}
    try:
        confirmation = services.confirm_paid(
            reference,
            method=Method.VIETQR,
            amount=int(event.payload["amount"]),
            provider_ref=str(event.payload["txn"]),
            kind=MANUAL,
            payload=payload,
            actor=actor,
        )
    except IntegrityError:
        raise _used_elsewhere_error() from None
    if confirmation.outcome == services.BAD_AMOUNT:
        raise services.DonationError(
            _(
                "The line is %(line)s đồng but the donation is %(donation)s đồng: "
                "record the line as a new donation instead."
            )
            % {"line": event.payload["amount"], "donation": donation.amount},
            code="amount_differs",
        )
    if confirmation.outcome != services.PAID:
        raise services.DonationError(
            _("This donation is already paid or refunded."), code="not_payable"
        )
    assert confirmation.donation is not None  # a PAID confirmation names its donation
    return confirmation.donation


def _recorded_from(campaign: Campaign, line: PaymentEvent) -> Donation | None:
    """The donation a person already recorded from this statement line, if any."""
    return Donation.objects.filter(
        campaign=campaign,
        method=Method.VIETQR,
        provider_ref=str(line.payload.get("txn", ""))[:100],
        provider_data__has_key="recorded_as_new",
    ).first()


def record_as_donation(
    campaign: Campaign, event_id: int, *, donor_name: str, actor: User
) -> Donation:
    """A transfer without a usable reference becomes a paid donation of the amount
    received. Recording the same line again (a double click, two tabs) finds the
    donation the first made: the line's row lock makes the second wait for it."""
    try:
        with transaction.atomic():
            line = (
                PaymentEvent.objects.select_for_update()
                .filter(pk=event_id, method=Method.VIETQR, payload__campaign=campaign.pk)
                .first()
            )
            if line is not None and (recorded := _recorded_from(campaign, line)) is not None:
                return recorded
            event = _line_event(campaign, event_id)
            amount = int(event.payload["amount"])
            donation = services.create_donation(
                campaign, amount=amount, method=Method.VIETQR, donor_name=donor_name, user=None
            )
            services.confirm_paid(
                donation.reference,
                method=Method.VIETQR,
                amount=amount,
                provider_ref=str(event.payload["txn"]),
                kind=MANUAL,
                payload={**event.payload, "recorded_as_new": donation.reference},
                actor=actor,
            )
    except IntegrityError:
        raise _used_elsewhere_error() from None
    donation.refresh_from_db()
    return donation


def dismiss(campaign: Campaign, event_id: int, *, note: str, actor: User) -> None:
    """Set a line aside: not a donation (a bank fee, a transfer made by mistake)."""
    event = _line_event(campaign, event_id)
    with transaction.atomic():
        services.record_event(
            None, Method.VIETQR, MANUAL, {**event.payload, "note": note[:300]}, DISMISSED
        )
        log_action(
            "donations.statement.line_dismissed",
            campaign,
            actor=actor,
            campaign=campaign,
            data={"txn": event.payload.get("txn"), "note": note[:300]},
        )


def pending_transfers(campaign: Campaign) -> QuerySet[Donation]:
    return Donation.objects.filter(
        campaign=campaign, method=Method.VIETQR, status=DonationStatus.PENDING
    )
