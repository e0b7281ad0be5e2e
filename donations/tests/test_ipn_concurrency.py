"""The same paid IPN arriving twice at the same moment (VNPay and MoMo both
retry, and a return can race its IPN): one payment, one ledger line, the
total right.

On PostgreSQL the two requests truly overlap and the row lock in
`confirm_paid` decides. The SQLite test database lives in shared-cache memory,
where even a COMMIT can answer "table is locked" after the write took effect,
so a retried request cannot tell what the first one did: there the test is
skipped (a file database waits for its busy timeout instead)."""

import csv
import hashlib
import hmac
import io
import json
import threading
from urllib.parse import quote_plus

import pytest
from django.db import connection
from django.test import Client

from campaigns.tests.factories import CampaignFactory
from core.models import AuditEntry
from donations import services
from donations.models import Donation, DonationStatus, Method, PaymentEvent

TMN, VNPAY_SECRET = "DEMOV210", "RAOEXHYVSDDIIENYWSLDIIZTANXUXZFJ"
PARTNER, ACCESS, MOMO_SECRET = "MOMOBKUN20180529", "klm05TvNBzhg7h7j", "at67qH6mk8w5Y1nA"


def vnpay_ipn(donation) -> tuple[str, dict]:
    params = {
        "vnp_Amount": str(donation.amount * 100),
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": TMN,
        "vnp_TransactionNo": "14300001",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": donation.reference,
    }
    data = "&".join(f"{k}={quote_plus(v)}" for k, v in sorted(params.items()))
    params["vnp_SecureHash"] = hmac.new(
        VNPAY_SECRET.encode(), data.encode(), hashlib.sha512
    ).hexdigest()
    return "/payments/vnpay/ipn/", params


def momo_ipn(donation) -> tuple[str, dict]:
    data = {
        "partnerCode": PARTNER,
        "orderId": donation.reference,
        "requestId": f"{donation.reference}-r",
        "amount": donation.amount,
        "orderInfo": "Ung ho",
        "orderType": "momo_wallet",
        "transId": 3100000001,
        "resultCode": 0,
        "message": "Successful.",
        "payType": "qr",
        "responseTime": 1700000000000,
        "extraData": "",
    }
    raw = "&".join(
        f"{key}={ACCESS if key == 'accessKey' else data[key]}"
        for key in sorted(["accessKey", *data])
    )
    data["signature"] = hmac.new(MOMO_SECRET.encode(), raw.encode(), hashlib.sha256).hexdigest()
    return "/payments/momo/ipn/", data


def _send(path: str, payload: dict):
    client = Client()
    if path.endswith("/momo/ipn/"):
        return client.post(path, json.dumps(payload), content_type="application/json")
    return client.get(path, payload)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("method", [Method.VNPAY, Method.MOMO])
def test_the_same_paid_ipn_twice_at_once_pays_once(client, tree, method):
    if connection.vendor != "postgresql":
        pytest.skip("needs truly concurrent transactions (PostgreSQL)")
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], money_target=1_000_000)
    settings = services.settings_for(campaign)
    settings.methods = [method]
    settings.vnpay_tmn_code, settings.vnpay_hash_secret = TMN, VNPAY_SECRET
    settings.momo_partner_code, settings.momo_access_key = PARTNER, ACCESS
    settings.momo_secret_key = MOMO_SECRET
    settings.save()
    donation = services.create_donation(campaign, amount=250_000, method=method)
    path, payload = (vnpay_ipn if method == Method.VNPAY else momo_ipn)(donation)
    barrier = threading.Barrier(2)
    answers: list[object] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def deliver() -> None:
        try:
            barrier.wait(timeout=10)
            response = _send(path, payload)
            answer = response.json()["RspCode"] if method == Method.VNPAY else response.status_code
            with lock:
                answers.append(answer)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(answers) == (["00", "02"] if method == Method.VNPAY else [204, 204])
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID
    outcomes = sorted(PaymentEvent.objects.filter(kind="ipn").values_list("outcome", flat=True))
    assert outcomes == [services.ALREADY_PAID, services.PAID]
    assert AuditEntry.objects.filter(action="donations.donation.paid").count() == 1
    assert services.paid_total(campaign) == {"total": 250_000, "count": 1}
    export = b"".join(client.get(f"/c/{campaign.slug}/donations.csv").streaming_content)
    rows = list(csv.DictReader(io.StringIO(export.decode())))
    assert [(row["reference"], row["amount_vnd"]) for row in rows] == [
        (donation.reference, "250000")
    ]
    assert Donation.objects.filter(campaign=campaign, status=DonationStatus.PAID).count() == 1
