"""VNPay results with empty values (docs/decisions/0013-vnpay-empty-values.md).

VNPay's 2.1.0 integration guide (sandbox.vnpayment.vn/apis/docs/thanh-toan-pay/pay.html)
lists optional fields of the return and IPN (`vnp_BankTranNo`, `vnp_CardType`)
that may come empty, and its samples hash them differently: the PHP sample
(`vnpay_ipn.php`, `vnpay_return.php`) hashes every `vnp_` parameter it receives,
empty ones too; the Java sample (`Config.hashAllFields`, `vnpay_ipn.jsp`) and
the C# `VnPayLibrary` (`ValidateSignature`) leave empty values out. Each
callback here is signed by one of those two algorithms, written out below
from the samples, not with the site's own signing code.
"""

import hashlib
import hmac
from urllib.parse import quote_plus

import pytest

from campaigns.tests.factories import CampaignFactory
from donations import services
from donations.models import DonationStatus, Method, PaymentEvent

TMN = "DEMOV210"
SECRET = "RAOEXHYVSDDIIENYWSLDIIZTANXUXZFJ"


def php_sample_hash(params: dict, secret: str) -> str:
    """vnpay_ipn.php: every vnp_ parameter but the hash, ksort, urlencode, empty ones too."""
    data = "&".join(
        f"{key}={quote_plus(params[key])}"
        for key in sorted(params)
        if key.startswith("vnp_") and key != "vnp_SecureHash"
    )
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def java_sample_hash(params: dict, secret: str) -> str:
    """Config.hashAllFields / VnPayLibrary: only fields whose value is not empty."""
    data = "&".join(
        f"{key}={quote_plus(params[key])}"
        for key in sorted(params)
        if key.startswith("vnp_") and key != "vnp_SecureHash" and params[key] != ""
    )
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


SHAPES = {
    "empty values hashed (PHP)": php_sample_hash,
    "empty values left out (Java, C#)": java_sample_hash,
}


@pytest.fixture
def donation(tree):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"])
    settings = services.settings_for(campaign)
    settings.methods = [Method.VNPAY]
    settings.vnpay_tmn_code, settings.vnpay_hash_secret = TMN, SECRET
    settings.save()
    return services.create_donation(campaign, amount=150_000, method=Method.VNPAY)


def signed(donation, sign, **fields) -> dict:
    """A paid result whose bank transaction number and card type came back empty."""
    params = {
        "vnp_Amount": str(donation.amount * 100),
        "vnp_BankCode": "VNPAYQR",
        "vnp_BankTranNo": "",
        "vnp_CardType": "",
        "vnp_OrderInfo": f"Ung ho ma {donation.reference}",
        "vnp_PayDate": "20260311120500",
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": TMN,
        "vnp_TransactionNo": "14226112",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": donation.reference,
        **fields,
    }
    return {**params, "vnp_SecureHash": sign(params, SECRET)}


@pytest.mark.parametrize("sign", SHAPES.values(), ids=SHAPES.keys())
def test_a_correctly_signed_ipn_with_empty_values_pays_whichever_way_they_were_hashed(
    client, donation, sign
):
    answer = client.get("/payments/vnpay/ipn/", signed(donation, sign)).json()

    assert answer == {"RspCode": "00", "Message": "Confirm Success"}
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID
    assert services.paid_total(donation.campaign)["total"] == 150_000


def test_a_result_whose_empty_fields_were_not_sent_at_all_pays(client, donation):
    params = signed(donation, java_sample_hash)
    del params["vnp_BankTranNo"], params["vnp_CardType"]

    assert client.get("/payments/vnpay/ipn/", params).json()["RspCode"] == "00"


@pytest.mark.parametrize("sign", SHAPES.values(), ids=SHAPES.keys())
def test_the_return_with_empty_values_shows_the_receipt(client, donation, sign):
    response = client.get("/payments/vnpay/return/", signed(donation, sign))

    assert response["Location"] == f"/donations/{donation.reference}/"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID


@pytest.mark.parametrize("sign", SHAPES.values(), ids=SHAPES.keys())
@pytest.mark.parametrize(
    "change",
    [
        {"vnp_Amount": "1500000000"},  # ×100 the amount
        {"vnp_BankTranNo": "VNP14226112"},  # an empty value filled in
        {"vnp_ResponseCode": ""},  # a value emptied
        {"vnp_TxnRef": ""},
    ],
    ids=["amount", "empty filled", "code emptied", "reference emptied"],
)
def test_a_tampered_result_with_empty_values_is_refused_with_97(client, donation, sign, change):
    params = {**signed(donation, sign), **change}

    answer = client.get("/payments/vnpay/ipn/", params).json()

    if change.get("vnp_TxnRef") == "":
        # Without its reference the result names no order of ours.
        assert answer["RspCode"] == "01"
    else:
        assert answer["RspCode"] == "97"
        assert PaymentEvent.objects.get().outcome == services.BAD_SIGNATURE
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING


def test_a_failed_payment_signed_with_empty_values_is_recorded_as_not_paid(client, donation):
    params = signed(
        donation,
        php_sample_hash,
        vnp_ResponseCode="24",
        vnp_TransactionStatus="02",
        vnp_TransactionNo="0",
    )

    assert client.get("/payments/vnpay/ipn/", params).json()["RspCode"] == "00"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.FAILED
