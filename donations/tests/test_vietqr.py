"""VietQR payloads: NAPAS EMVCo fields, and a CRC that an independent
CRC-16/CCITT-FALSE implementation agrees with."""

import pytest

from campaigns.tests.factories import CampaignFactory
from donations import services
from donations.models import Method
from donations.providers import provider_for
from donations.providers.vietqr import crc16_ccitt_false, parse, payload


def reference_crc(data: bytes) -> int:
    """CRC-16/CCITT-FALSE, bit by bit: poly 0x1021, init 0xFFFF, no reflection, no xorout."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def crc_checks_out(text: str) -> bool:
    body, crc = text[:-4], text[-4:]
    return body.endswith("6304") and crc == f"{reference_crc(body.encode()):04X}"


def test_reference_crc_has_the_standard_check_value():
    assert reference_crc(b"123456789") == 0x29B1
    assert crc16_ccitt_false(b"123456789") == 0x29B1


@pytest.mark.parametrize(
    "data", [b"", b"A", b"000201010212", bytes(range(256)), "Hội Chữ thập đỏ".encode()]
)
def test_table_crc_agrees_with_the_bitwise_one(data):
    assert crc16_ccitt_false(data) == reference_crc(data)


@pytest.mark.parametrize(
    ("bank_bin", "account", "amount", "reference"),
    [
        ("970436", "0011001234567", 200_000, "KS7H3K9QPA"),
        ("970405", "6300205123456", 50_000, "KS22222222"),
        ("970418", "12345678", 100_000_000, "KSZZZZZZZZ"),
        ("970422", "0987654321012345", 10_000, "KSABCDEFGH"),
    ],
)
def test_payload_crc_checks_out_against_an_independent_implementation(
    bank_bin, account, amount, reference
):
    text = payload(bank_bin=bank_bin, account=account, amount=amount, reference=reference)

    assert crc_checks_out(text)


def test_payload_has_the_napas_fields_in_order():
    text = payload(
        bank_bin="970436", account="0011001234567", amount=200_000, reference="KS7H3K9QPA"
    )

    fields = parse(text)
    assert list(fields) == ["00", "01", "38", "53", "54", "58", "62", "63"]
    assert fields["00"] == "01"
    assert fields["01"] == "12"  # dynamic: carries the amount
    assert fields["53"] == "704"
    assert fields["54"] == "200000"
    assert fields["58"] == "VN"
    merchant = parse(fields["38"])
    assert merchant == {"00": "A000000727", "01": merchant["01"], "02": "QRIBFTTA"}
    assert parse(merchant["01"]) == {"00": "970436", "01": "0011001234567"}
    assert parse(fields["62"]) == {"08": "KS7H3K9QPA"}
    assert text.startswith("00020101021238570010A000000727")


def test_a_changed_character_breaks_the_crc():
    text = payload(bank_bin="970436", account="0011001234567", amount=200_000, reference="KS2")
    tampered = text.replace("200000", "900000")

    assert crc_checks_out(text)
    assert not crc_checks_out(tampered)


def test_prepare_gives_the_bank_details_and_the_qr(tree):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"])
    settings = services.settings_for(campaign)
    settings.bank_bin, settings.bank_account = "970405", "6300205123456"
    settings.bank_name, settings.bank_account_name = "Agribank", "HOI CHU THAP DO"
    settings.save()
    donation = services.create_donation(campaign, amount=150_000, method=Method.VIETQR)

    prepared = provider_for(Method.VIETQR, settings).prepare(donation, None)

    info = prepared.instructions
    assert prepared.redirect_url == ""
    assert (info["bank_name"], info["account"], info["account_name"]) == (
        "Agribank",
        "6300205123456",
        "HOI CHU THAP DO",
    )
    assert (info["amount"], info["reference"]) == (150_000, donation.reference)
    assert info["qr_svg"].startswith("<svg")
    assert crc_checks_out(info["payload"])
    assert parse(parse(info["payload"])["62"])["08"] == donation.reference
