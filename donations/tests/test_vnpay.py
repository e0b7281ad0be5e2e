"""VNPay 2.1.0: the payment URL, the return URL and the IPN, checked against
signatures computed here from VNPay's documented algorithm (HMAC-SHA512 over
the sorted, URL-encoded `vnp_` parameters)."""

import hashlib
import hmac
import json
from urllib.parse import parse_qsl, quote_plus, urlsplit

import pytest
import responses

from campaigns.tests.factories import CampaignFactory
from core.models import AuditEntry
from donations import services
from donations.models import Donation, DonationStatus, Method, PaymentEvent
from donations.providers import provider_for, vnpay

TMN = "DEMOV210"
SECRET = "RAOEXHYVSDDIIENYWSLDIIZTANXUXZFJ"


def documented_hash(params: dict, secret: str) -> str:
    data = "&".join(
        f"{key}={quote_plus(str(params[key]))}"
        for key in sorted(params)
        if key.startswith("vnp_") and key not in ("vnp_SecureHash", "vnp_SecureHashType")
    )
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


@pytest.fixture
def campaign(tree):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], money_target=10_000_000)
    settings = services.settings_for(campaign)
    settings.methods = [Method.VNPAY]
    settings.vnpay_tmn_code = TMN
    settings.vnpay_hash_secret = SECRET
    settings.save()
    return campaign


@pytest.fixture
def donation(campaign):
    return services.create_donation(
        campaign, amount=200_000, method=Method.VNPAY, donor_name="Nguyễn Văn An"
    )


def result(donation, *, secret=SECRET, response="00", status="00", amount=None, **extra):
    params = {
        "vnp_Amount": str((amount or donation.amount) * 100),
        "vnp_BankCode": "NCB",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": f"Ung ho ma {donation.reference}",
        "vnp_PayDate": "20261129103000",
        "vnp_ResponseCode": response,
        "vnp_TmnCode": TMN,
        "vnp_TransactionNo": "14226112",
        "vnp_TransactionStatus": status,
        "vnp_TxnRef": donation.reference,
        **extra,
    }
    return {**params, "vnp_SecureHash": documented_hash(params, secret)}


def ipn(client, params):
    return client.get("/payments/vnpay/ipn/", params).json()


def test_hash_data_is_the_sorted_url_encoded_vnp_parameters():
    params = {
        "vnp_TxnRef": "KS23456789",
        "vnp_Amount": "1806000",
        "vnp_OrderInfo": "Ung ho: ma 5",
        "vnp_ReturnUrl": "https://example.org/return?a=1",
        "vnp_SecureHash": "ignored",
        "other": "ignored",
    }

    assert vnpay.hash_data(params) == (
        "vnp_Amount=1806000&vnp_OrderInfo=Ung+ho%3A+ma+5"
        "&vnp_ReturnUrl=https%3A%2F%2Fexample.org%2Freturn%3Fa%3D1&vnp_TxnRef=KS23456789"
    )
    assert vnpay.sign(params, SECRET) == documented_hash(params, SECRET)


def test_payment_url_carries_the_documented_parameters_signed(client, campaign):
    response = client.post(
        f"/c/{campaign.slug}/donate/", {"preset": "200000", "method": "vnpay", "donor_name": "An"}
    )

    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == (
        "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    )
    params = dict(parse_qsl(url.query))
    donation = Donation.objects.get()
    assert params["vnp_Version"] == "2.1.0"
    assert params["vnp_Command"] == "pay"
    assert params["vnp_TmnCode"] == TMN
    assert params["vnp_Amount"] == "20000000"
    assert params["vnp_CurrCode"] == "VND"
    assert params["vnp_TxnRef"] == donation.reference
    assert params["vnp_OrderInfo"].isascii()
    assert params["vnp_Locale"] == "vn"
    assert params["vnp_ReturnUrl"] == "http://testserver/payments/vnpay/return/"
    assert len(params["vnp_CreateDate"]) == len(params["vnp_ExpireDate"]) == 14
    assert params["vnp_SecureHash"] == documented_hash(params, SECRET)


def test_a_valid_paid_ipn_confirms_the_donation(client, donation):
    assert ipn(client, result(donation)) == {"RspCode": "00", "Message": "Confirm Success"}

    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID
    assert donation.provider_ref == "14226112"
    assert services.paid_total(donation.campaign) == {"total": 200_000, "count": 1}


def test_a_tampered_field_is_refused_and_logged(client, donation):
    params = result(donation, amount=2_000)
    params["vnp_Amount"] = str(donation.amount * 100)  # changed after signing

    assert ipn(client, params)["RspCode"] == "97"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING
    assert PaymentEvent.objects.get().outcome == services.BAD_SIGNATURE
    assert AuditEntry.objects.filter(action="donations.payment.bad_signature").exists()


def test_a_result_signed_with_another_secret_is_refused(client, donation):
    assert ipn(client, result(donation, secret="NOT-THE-SECRET"))["RspCode"] == "97"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING


def test_a_replayed_ipn_is_answered_already_confirmed_and_counted_once(client, donation):
    params = result(donation)

    first, replay = ipn(client, params), ipn(client, params)

    assert (first["RspCode"], replay["RspCode"]) == ("00", "02")
    assert services.paid_total(donation.campaign) == {"total": 200_000, "count": 1}
    assert AuditEntry.objects.filter(action="donations.donation.paid").count() == 1


def test_an_unknown_reference_is_answered_order_not_found(client, donation):
    params = result(donation)
    params["vnp_TxnRef"] = "KSNOTHERE"

    assert ipn(client, params) == {"RspCode": "01", "Message": "Order not found"}
    assert PaymentEvent.objects.get().outcome == services.NOT_FOUND


def test_a_signed_wrong_amount_is_refused_with_code_04_and_logged(client, donation):
    assert ipn(client, result(donation, amount=20_000))["RspCode"] == "04"

    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING
    assert AuditEntry.objects.filter(action="donations.donation.amount_mismatch").exists()


def test_it_pays_only_when_response_code_and_transaction_status_are_both_00(client, donation):
    ipn(client, result(donation, response="00", status="01"))

    donation.refresh_from_db()
    assert donation.status == DonationStatus.FAILED
    assert services.paid_total(donation.campaign)["total"] == 0


def test_a_cancelled_payment_fails_and_a_late_success_still_pays(client, donation):
    assert ipn(client, result(donation, response="24", status="02"))["RspCode"] == "00"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.FAILED

    assert ipn(client, result(donation, vnp_TransactionNo="14226999"))["RspCode"] == "00"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID


def test_a_failure_arriving_after_the_payment_changes_nothing(client, donation):
    ipn(client, result(donation))

    late = ipn(client, result(donation, response="24", status="02"))

    assert late["RspCode"] == "02"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID


def test_the_return_url_is_verified_the_same_way_then_shows_the_receipt(client, donation):
    bad = result(donation)
    bad["vnp_ResponseCode"] = "00 "
    assert client.get("/payments/vnpay/return/", bad).status_code == 400
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING

    response = client.get("/payments/vnpay/return/", result(donation))

    assert response["Location"] == f"/donations/{donation.reference}/"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID


def test_ipn_is_not_csrf_protected_and_accepts_post(donation):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/payments/vnpay/ipn/", result(donation))

    assert response.json()["RspCode"] == "00"


def test_the_stand_in_secret_is_refused_for_a_campaign_with_keys(client, donation, settings):
    from donations import conf

    params = result(donation, secret=conf.sandbox_secret(), vnp_TmnCode=vnpay.STAND_IN_TMN_CODE)

    assert ipn(client, params)["RspCode"] == "97"


@responses.activate
def test_a_refund_goes_through_the_merchant_api_then_leaves_the_total(client, donation, owner):
    ipn(client, result(donation))
    donation.refresh_from_db()
    responses.post(
        "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction",
        json={"vnp_ResponseCode": "00", "vnp_Message": "Refund success"},
    )

    provider_for(Method.VNPAY, services.settings_for(donation.campaign)).refund(
        donation, actor=owner
    )

    sent = json.loads(responses.calls[0].request.body)
    assert (sent["vnp_Command"], sent["vnp_TransactionNo"]) == ("refund", "14226112")
    assert sent["vnp_Amount"] == "20000000" and sent["vnp_TransactionDate"] == "20261129103000"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.REFUNDED
    assert services.paid_total(donation.campaign)["total"] == 0


@responses.activate
def test_a_refund_vnpay_refuses_leaves_the_donation_paid(client, donation, owner):
    ipn(client, result(donation))
    donation.refresh_from_db()
    responses.post(
        "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction",
        json={"vnp_ResponseCode": "94", "vnp_Message": "Duplicate request"},
    )

    with pytest.raises(services.DonationError):
        provider_for(Method.VNPAY, services.settings_for(donation.campaign)).refund(
            donation, actor=owner
        )
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID
