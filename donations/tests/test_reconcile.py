"""Bank statement reconciliation: matched lines pay, the rest wait for a person;
the same transfer never pays twice."""

import io
from datetime import datetime

import openpyxl
import pytest

from campaigns.tests.factories import CampaignFactory
from core.amounts import AmountError
from donations import reconcile, services
from donations.models import Donation, DonationStatus, Method, PaymentEvent
from kindsteps.testing.spreadsheets import xlsx_with_entities


@pytest.fixture
def campaign(tree):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"])
    settings = services.settings_for(campaign)
    settings.methods = [Method.VIETQR]
    settings.save()
    return campaign


def transfer(campaign, amount: int) -> Donation:
    return services.create_donation(campaign, amount=amount, method=Method.VIETQR)


def statement_csv(*lines: tuple[str, str, str, str]) -> bytes:
    """A statement as a Vietnamese bank exports it: a title block, then the table."""
    rows = [
        "SAO KÊ TÀI KHOẢN;;;;",
        "Số tài khoản: 6300205123456;;;;",
        ";;;;",
        "Ngày giao dịch;Mã giao dịch;Số tiền ghi nợ;Số tiền ghi có;Nội dung",
    ]
    rows += [f"{when};{txn};;{amount};{text}" for when, txn, amount, text in lines]
    return ("\n".join(rows) + "\n").encode("utf-8-sig")


@pytest.fixture
def donations(campaign):
    return {
        "matched": transfer(campaign, 200_000),
        "short": transfer(campaign, 500_000),
        "by_hand": transfer(campaign, 100_000),
    }


@pytest.fixture
def statement(donations):
    matched, short = donations["matched"], donations["short"]
    return statement_csv(
        (
            "01/03/2024 08:15",
            "FT24061001",
            "200.000",
            f"NGUYEN VAN A chuyen tien {matched.reference} ung ho",
        ),
        (
            "01/03/2024 08:15",
            "FT24061001",
            "200.000",
            f"NGUYEN VAN A chuyen tien {matched.reference} ung ho",
        ),
        ("01/03/2024 09:00", "FT24061002", "50.000", f"ung ho {short.reference}"),
        ("01/03/2024 10:30", "FT24061003", "300.000", "TRAN THI B ung ho quy chu thap do"),
        ("02/03/2024 07:00", "FT24062001", "100.000", "ung ho KS99999999"),
        ("02/03/2024 07:45", "FT24062002", "200.000", f"chuyen lai {matched.reference.lower()}"),
    )


def outcomes(results) -> list[str]:
    return [result.outcome for result in results]


def test_statement_pays_matches_and_lists_the_rest(campaign, donations, statement, owner):
    results = reconcile.import_statement(campaign, statement, "saoke.csv", actor=owner)

    assert outcomes(results) == [
        services.PAID,
        reconcile.DUPLICATE,
        services.BAD_AMOUNT,
        reconcile.NO_REFERENCE,
        services.NOT_FOUND,
        services.ALREADY_PAID,
    ]
    matched = Donation.objects.get(pk=donations["matched"].pk)
    assert (matched.status, matched.provider_ref) == (DonationStatus.PAID, "FT24061001")
    assert Donation.objects.get(pk=donations["short"].pk).status == DonationStatus.PENDING
    assert services.paid_total(campaign) == {"total": 200_000, "count": 1}
    waiting = {event.payload["txn"]: event.outcome for event in reconcile.unmatched_lines(campaign)}
    assert waiting == {
        "FT24061002": services.BAD_AMOUNT,
        "FT24061003": reconcile.NO_REFERENCE,
        "FT24062001": services.NOT_FOUND,
        "FT24062002": services.ALREADY_PAID,
    }


def test_a_duplicate_line_does_not_pay_twice(campaign, donations, statement, owner):
    reconcile.import_statement(campaign, statement, "saoke.csv", actor=owner)

    assert (
        PaymentEvent.objects.filter(donation=donations["matched"], outcome=services.PAID).count()
        == 1
    )


def test_importing_the_same_statement_again_changes_nothing(campaign, statement, owner):
    reconcile.import_statement(campaign, statement, "saoke.csv", actor=owner)
    waiting = len(reconcile.unmatched_lines(campaign))

    again = reconcile.import_statement(campaign, statement, "saoke.csv", actor=owner)

    assert set(outcomes(again)) == {reconcile.DUPLICATE}
    assert services.paid_total(campaign) == {"total": 200_000, "count": 1}
    assert len(reconcile.unmatched_lines(campaign)) == waiting


def test_an_amount_mismatch_is_listed_not_paid_and_cannot_be_forced(
    campaign, donations, statement, owner
):
    reconcile.import_statement(campaign, statement, "saoke.csv", actor=owner)
    line = next(e for e in reconcile.unmatched_lines(campaign) if e.outcome == services.BAD_AMOUNT)

    with pytest.raises(services.DonationError) as error:
        reconcile.match_by_hand(campaign, line.pk, donations["short"].reference, actor=owner)

    assert error.value.code == "amount_differs"
    assert Donation.objects.get(pk=donations["short"].pk).status == DonationStatus.PENDING


def test_a_person_matches_records_or_sets_aside_the_waiting_lines(
    campaign, donations, statement, owner
):
    reconcile.import_statement(campaign, statement, "saoke.csv", actor=owner)
    lines = {event.payload["txn"]: event for event in reconcile.unmatched_lines(campaign)}

    paid = reconcile.match_by_hand(
        campaign, lines["FT24062001"].pk, donations["by_hand"].reference.lower(), actor=owner
    )
    new = reconcile.record_as_donation(
        campaign, lines["FT24061003"].pk, donor_name="Trần Thị B", actor=owner
    )
    reconcile.dismiss(campaign, lines["FT24062002"].pk, note="trả lại người gửi", actor=owner)

    assert paid.status == DonationStatus.PAID
    assert (new.status, new.amount, new.donor_name, new.provider_ref) == (
        DonationStatus.PAID,
        300_000,
        "Trần Thị B",
        "FT24061003",
    )
    assert [event.payload["txn"] for event in reconcile.unmatched_lines(campaign)] == ["FT24061002"]
    assert services.paid_total(campaign) == {"total": 600_000, "count": 3}
    # Recording the same line again finds the donation already recorded from it.
    again = reconcile.record_as_donation(
        campaign, lines["FT24061003"].pk, donor_name="", actor=owner
    )
    assert again == new
    assert services.paid_total(campaign) == {"total": 600_000, "count": 3}
    with pytest.raises(services.DonationError):
        reconcile.match_by_hand(
            campaign, lines["FT24062002"].pk, donations["by_hand"].reference, actor=owner
        )


def test_xlsx_statement_with_numbers_and_dates_is_read(campaign, donations, owner):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Vietcombank — Sao kê"])
    sheet.append(["Transaction Date", "Reference No", "Debit", "Credit", "Description"])
    sheet.append(
        [datetime(2024, 3, 1, 8, 0), 5210001, None, 200000, donations["matched"].reference]
    )
    sheet.append([datetime(2024, 3, 1, 9, 0), 5210002, 15000, None, "phi dich vu"])
    sheet.append(
        [
            datetime(2024, 3, 1, 9, 5),
            5210003,
            None,
            100000.0,
            f"UH{donations['by_hand'].reference}X",
        ]
    )
    out = io.BytesIO()
    book.save(out)

    results = reconcile.import_statement(campaign, out.getvalue(), "statement.xlsx", actor=owner)

    assert outcomes(results) == [services.PAID, services.PAID]
    assert [result.line.txn for result in results] == ["5210001", "5210003"]
    assert results[0].line.date == "2024-03-01 08:00:00"


def test_an_unreadable_statement_is_refused(campaign, owner):
    with pytest.raises(reconcile.StatementError):
        reconcile.import_statement(campaign, b"not,a,statement\n1,2,3\n", "x.csv", actor=owner)
    with pytest.raises(reconcile.StatementError):
        reconcile.import_statement(campaign, b"PK\x03\x04broken", "x.xlsx", actor=owner)


def test_a_statement_that_declares_xml_entities_is_refused(campaign, donations, owner):
    header = ["Reference No", "Credit", "Description"]
    rows = [header, [5210001, 200000, donations["matched"].reference]]
    bomb = xlsx_with_entities(rows, "xl/sharedStrings.xml")

    with pytest.raises(reconcile.StatementError):
        reconcile.import_statement(campaign, bomb, "statement.xlsx", actor=owner)
    assert services.paid_total(campaign)["count"] == 0


def test_a_reference_of_another_campaign_does_not_match(campaign, tree, owner):
    other = CampaignFactory(organiser_unit=tree["LA-CD"])
    services.settings_for(other)
    elsewhere = services.create_donation(other, amount=100_000, method=Method.VIETQR)
    data = statement_csv(("01/03/2024", "FT1", "100000", f"ung ho {elsewhere.reference}"))

    results = reconcile.import_statement(campaign, data, "s.csv", actor=owner)

    assert outcomes(results) == [services.NOT_FOUND]
    assert Donation.objects.get(pk=elsewhere.pk).status == DonationStatus.PENDING


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("200.000", 200_000),
        ("200,000", 200_000),
        ("1.500.000 VND", 1_500_000),
        ("1,500,000.00", 1_500_000),
        ("200000", 200_000),
        (250000.0, 250_000),
        ("100.000,00", 100_000),
        ("500,000.00 VND", 500_000),
        ("1.234", 1_234),
        ("-50.000", None),
        ("(50.000)", None),
        ("", None),
        ("—", None),
        ("0", None),
    ],
)
def test_amounts_are_read_as_whole_dong(text, amount):
    assert reconcile.parse_amount(text) == amount


@pytest.mark.parametrize("text", ["1.234,56", 1234.5, "12abc", "1.2.3,4"])
def test_an_amount_that_is_not_whole_dong_is_refused_not_rounded(text):
    with pytest.raises(AmountError):
        reconcile.parse_amount(text)


def test_a_statement_with_a_fractional_amount_is_refused_naming_the_row(campaign, owner):
    data = statement_csv(
        ("01/03/2024", "FT1", "100.000", "ung ho"),
        ("01/03/2024", "FT2", "50.000,50", "ung ho"),
    )

    with pytest.raises(reconcile.StatementError) as error:
        reconcile.import_statement(campaign, data, "s.csv", actor=owner)

    assert error.value.code == "amount_fractional"
    assert "6" in str(error.value.message) and "50.000,50" in str(error.value.message)
    assert not PaymentEvent.objects.exists()


def test_a_reference_glued_to_other_words_is_found():
    assert "KS7H3K9QPA" in reconcile.find_references("THANKSKS7H3K9QPA CHUYEN KHOAN")
    assert reconcile.find_references("ung ho ks7h3k9qpa") == ["KS7H3K9QPA"]


def statement_without_ids(*lines: tuple[str, str, str]) -> bytes:
    """A statement with no transaction id column (some banks' CSV exports)."""
    rows = ["Ngày giao dịch;Số tiền ghi có;Nội dung"]
    rows += [f"{when};{amount};{text}" for when, amount, text in lines]
    return ("\n".join(rows) + "\n").encode()


def test_identical_transfers_without_an_id_column_are_each_a_line(campaign, owner):
    paid_twice = transfer(campaign, 200_000)
    same = ("02/03/2024", "100.000", "UNG HO QUY CHU THAP DO")
    twice = ("02/03/2024", "200.000", f"UNG HO {paid_twice.reference}")
    data = statement_without_ids(same, same, twice, twice)

    results = reconcile.import_statement(campaign, data, "saoke.csv", actor=owner)

    assert outcomes(results) == [
        reconcile.NO_REFERENCE,
        reconcile.NO_REFERENCE,
        services.PAID,
        services.ALREADY_PAID,
    ]
    assert len({result.line.txn for result in results}) == 4
    assert len(reconcile.unmatched_lines(campaign)) == 3


def test_the_same_file_without_ids_imported_again_matches_itself_line_for_line(campaign, owner):
    same = ("02/03/2024", "100.000", "UNG HO")
    data = statement_without_ids(same, same)
    reconcile.import_statement(campaign, data, "saoke.csv", actor=owner)

    again = reconcile.import_statement(campaign, data, "saoke.csv", actor=owner)
    longer = reconcile.import_statement(
        campaign, statement_without_ids(same, same, same), "saoke.csv", actor=owner
    )

    assert outcomes(again) == [reconcile.DUPLICATE, reconcile.DUPLICATE]
    assert outcomes(longer) == [reconcile.DUPLICATE, reconcile.DUPLICATE, reconcile.NO_REFERENCE]
    assert len(reconcile.unmatched_lines(campaign)) == 3


def test_a_line_imported_before_occurrences_were_counted_is_still_a_duplicate(campaign, owner):
    line = ("02/03/2024", "100.000", "UNG HO")
    reconcile.import_statement(campaign, statement_without_ids(line), "old.csv", actor=owner)

    results = reconcile.import_statement(
        campaign, statement_without_ids(line, line), "new.csv", actor=owner
    )

    assert outcomes(results) == [reconcile.DUPLICATE, reconcile.NO_REFERENCE]


@pytest.fixture
def used_elsewhere(tree, owner):
    """A bank transaction id, FT777, that already paid a donation of another campaign."""
    other = CampaignFactory(organiser_unit=tree["LA-CD"])
    services.settings_for(other)
    theirs = services.create_donation(other, amount=100_000, method=Method.VIETQR)
    data = statement_csv(("01/03/2024", "FT777", "100000", f"ung ho {theirs.reference}"))
    reconcile.import_statement(other, data, "theirs.csv", actor=owner)
    assert Donation.objects.get(pk=theirs.pk).provider_ref == "FT777"
    return theirs


def import_ft777_and_ft778(campaign, donations, owner):
    """FT777 (taken by the other campaign) for one donation, FT778 for another."""
    data = statement_csv(
        ("01/03/2024", "FT777", "100000", f"ung ho {donations['by_hand'].reference}"),
        ("01/03/2024", "FT778", "200000", f"ung ho {donations['matched'].reference}"),
    )
    return reconcile.import_statement(campaign, data, "ours.csv", actor=owner)


def test_a_bank_id_used_by_another_campaign_is_that_lines_outcome(
    campaign, donations, used_elsewhere, owner
):
    results = import_ft777_and_ft778(campaign, donations, owner)

    assert outcomes(results) == [reconcile.USED_ELSEWHERE, services.PAID]
    assert Donation.objects.get(pk=donations["by_hand"].pk).status == DonationStatus.PENDING
    waiting = {event.payload["txn"]: event for event in reconcile.unmatched_lines(campaign)}
    assert waiting["FT777"].outcome == reconcile.USED_ELSEWHERE
    for attempt in (
        lambda: reconcile.record_as_donation(
            campaign, waiting["FT777"].pk, donor_name="", actor=owner
        ),
        lambda: reconcile.match_by_hand(
            campaign, waiting["FT777"].pk, donations["by_hand"].reference, actor=owner
        ),
    ):
        with pytest.raises(services.DonationError) as error:
            attempt()
        assert error.value.code == "txn_used_elsewhere"
    assert services.paid_total(campaign) == {"total": 200_000, "count": 1}


def test_a_bank_id_taken_while_the_import_runs_undoes_that_line_only(
    campaign, donations, used_elsewhere, owner, monkeypatch
):
    # As if the other campaign took FT777 between the check and the payment.
    monkeypatch.setattr(reconcile, "_used_elsewhere", lambda campaign, lines: set())
    results = import_ft777_and_ft778(campaign, donations, owner)

    assert outcomes(results) == [reconcile.USED_ELSEWHERE, services.PAID]
    assert Donation.objects.get(pk=donations["by_hand"].pk).status == DonationStatus.PENDING
    assert Donation.objects.get(pk=donations["matched"].pk).status == DonationStatus.PAID
    assert not PaymentEvent.objects.filter(
        donation=donations["by_hand"], outcome=services.PAID
    ).exists()
