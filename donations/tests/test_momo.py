"""MoMo AIO v2: the create request (mocked at the HTTP boundary), the IPN and
the redirect, checked against signatures computed here from MoMo's documented
raw strings (HMAC-SHA256, hex)."""

import hashlib
import hmac
import json

import pytest
import responses

from campaigns.tests.factories import CampaignFactory
from core.models import AuditEntry
from donations import services
from donations.models import Donation, DonationStatus, Method, PaymentEvent
from donations.providers import momo

PARTNER = "MOMOBKUN20180529"
ACCESS = "klm05TvNBzhg7h7j"
SECRET = "at67qH6mk8w5Y1nAyMoYKMWACiEi2bsa"
CREATE_URL = "https://test-payment.momo.vn/v2/gateway/api/create"


def hmac256(secret: str, raw: str) -> str:
    return hmac.new(secret.encode(), raw.encode(), hashlib.sha256).hexdigest()


def documented_ipn_signature(data: dict, secret: str = SECRET, access: str = ACCESS) -> str:
    raw = (
        f"accessKey={access}&amount={data['amount']}&extraData={data['extraData']}"
        f"&message={data['message']}&orderId={data['orderId']}&orderInfo={data['orderInfo']}"
        f"&orderType={data['orderType']}&partnerCode={data['partnerCode']}"
        f"&payType={data['payType']}&requestId={data['requestId']}"
        f"&responseTime={data['responseTime']}&resultCode={data['resultCode']}"
        f"&transId={data['transId']}"
    )
    return hmac256(secret, raw)


@pytest.fixture
def campaign(tree):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"])
    settings = services.settings_for(campaign)
    settings.methods = [Method.MOMO]
    settings.momo_partner_code = PARTNER
    settings.momo_access_key = ACCESS
    settings.momo_secret_key = SECRET
    settings.save()
    return campaign


@pytest.fixture
def donation(campaign):
    return services.create_donation(campaign, amount=150_000, method=Method.MOMO)


def result(donation, *, secret=SECRET, result_code=0, amount=None, trans_id=2820086739):
    data = {
        "partnerCode": PARTNER,
        "orderId": donation.reference,
        "requestId": f"{donation.reference}-1a2b3c4d",
        "amount": amount or donation.amount,
        "orderInfo": f"Ung ho ma {donation.reference}",
        "orderType": "momo_wallet",
        "transId": trans_id,
        "resultCode": result_code,
        "message": "Successful." if result_code == 0 else "Transaction denied by user.",
        "payType": "qr",
        "responseTime": 1672315843986,
        "extraData": "",
    }
    return {**data, "signature": documented_ipn_signature(data, secret)}


def ipn(client, data):
    return client.post("/payments/momo/ipn/", json.dumps(data), content_type="application/json")


def test_the_create_signature_is_over_the_documented_raw_string():
    body = {
        "partnerCode": PARTNER,
        "requestType": "captureWallet",
        "ipnUrl": "https://example.org/payments/momo/ipn/",
        "redirectUrl": "https://example.org/payments/momo/return/",
        "orderId": "KS23456789",
        "amount": 50_000,
        "orderInfo": "Ung ho",
        "requestId": "KS23456789-00ff",
        "extraData": "",
    }
    raw = (
        f"accessKey={ACCESS}&amount=50000&extraData=&ipnUrl=https://example.org/payments/momo/ipn/"
        "&orderId=KS23456789&orderInfo=Ung ho&partnerCode=MOMOBKUN20180529"
        "&redirectUrl=https://example.org/payments/momo/return/&requestId=KS23456789-00ff"
        "&requestType=captureWallet"
    )

    assert momo.raw_signature(momo.CREATE_FIELDS, body, ACCESS) == raw
    assert momo.sign(momo.CREATE_FIELDS, body, ACCESS, SECRET) == hmac256(SECRET, raw)


@responses.activate
def test_the_donor_is_sent_to_the_pay_url_momo_answers_with(client, campaign):
    responses.post(
        CREATE_URL,
        json={
            "resultCode": 0,
            "message": "Thành công.",
            "payUrl": "https://test-payment.momo.vn/pay/abc",
        },
    )

    response = client.post(f"/c/{campaign.slug}/donate/", {"amount": "150.000", "method": "momo"})

    assert response["Location"] == "https://test-payment.momo.vn/pay/abc"
    body = json.loads(responses.calls[0].request.body)
    donation = Donation.objects.get()
    assert body["orderId"] == donation.reference
    assert body["amount"] == 150_000
    assert body["requestType"] == "captureWallet"
    assert body["ipnUrl"] == "http://testserver/payments/momo/ipn/"
    assert body["signature"] == hmac256(
        SECRET, momo.raw_signature(momo.CREATE_FIELDS, body, ACCESS)
    )


@responses.activate
def test_a_refused_create_request_shows_an_error_and_moves_no_money(client, campaign):
    responses.post(CREATE_URL, json={"resultCode": 11, "message": "Access denied."})

    response = client.post(f"/c/{campaign.slug}/donate/", {"amount": "150000", "method": "momo"})

    assert response.status_code == 200
    assert "MoMo" in response.content.decode()
    assert Donation.objects.get().status == DonationStatus.PENDING


def test_a_valid_paid_ipn_is_answered_204_and_pays(client, donation):
    response = ipn(client, result(donation))

    assert response.status_code == 204
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID
    assert donation.provider_ref == "2820086739"


def test_a_tampered_field_is_refused_and_logged(client, donation):
    data = result(donation)
    data["amount"] = 15_000_000

    assert ipn(client, data).status_code == 400
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING
    assert AuditEntry.objects.filter(action="donations.payment.bad_signature").exists()


def test_a_result_signed_with_another_secret_is_refused(client, donation):
    assert ipn(client, result(donation, secret="another-secret")).status_code == 400
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING


def test_a_replayed_ipn_is_counted_once(client, donation):
    data = result(donation)

    assert [ipn(client, data).status_code for _ in range(2)] == [204, 204]
    assert services.paid_total(donation.campaign) == {"total": 150_000, "count": 1}
    assert [e.outcome for e in PaymentEvent.objects.order_by("id")] == [
        services.PAID,
        services.ALREADY_PAID,
    ]


def test_a_signed_wrong_amount_is_refused_and_logged(client, donation):
    ipn(client, result(donation, amount=1_000))

    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING
    assert AuditEntry.objects.filter(action="donations.donation.amount_mismatch").exists()


def test_an_order_that_is_not_ours_is_recorded_and_changes_nothing(client, donation):
    data = result(donation)
    data["orderId"] = "KSNOTHERE"

    assert ipn(client, data).status_code == 204
    assert PaymentEvent.objects.get().outcome == services.NOT_FOUND
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING


def test_a_declined_payment_fails_the_donation(client, donation):
    ipn(client, result(donation, result_code=1006))

    donation.refresh_from_db()
    assert donation.status == DonationStatus.FAILED


def test_a_result_still_in_progress_leaves_the_donation_pending(client, donation):
    ipn(client, result(donation, result_code=9000))

    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING


def test_the_redirect_is_verified_then_shows_the_receipt(client, donation):
    tampered = {**result(donation), "resultCode": "0 "}
    assert client.get("/payments/momo/return/", tampered).status_code == 400

    response = client.get("/payments/momo/return/", result(donation))

    assert response["Location"] == f"/donations/{donation.reference}/"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID


def test_a_body_that_is_not_json_is_a_bad_request(client):
    response = client.post("/payments/momo/ipn/", "nope", content_type="application/json")

    assert response.status_code == 400


@responses.activate
def test_a_refund_goes_through_momo_signed_then_leaves_the_total(client, donation, owner):
    ipn(client, result(donation))
    donation.refresh_from_db()
    responses.post("https://test-payment.momo.vn/v2/gateway/api/refund", json={"resultCode": 0})

    momo.MoMoProvider(services.settings_for(donation.campaign)).refund(donation, actor=owner)

    sent = json.loads(responses.calls[0].request.body)
    assert (sent["transId"], sent["amount"]) == (2820086739, 150_000)
    assert sent["signature"] == hmac256(
        SECRET, momo.raw_signature(momo.REFUND_FIELDS, sent, ACCESS)
    )
    donation.refresh_from_db()
    assert donation.status == DonationStatus.REFUNDED
