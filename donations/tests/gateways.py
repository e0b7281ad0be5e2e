"""VNPay and MoMo as the tests play them: a campaign's merchant keys, and
results signed here from each gateway's published algorithm (not with the
site's own signing code), delivered the way each gateway delivers its IPN."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import quote_plus

from donations import services
from donations.models import Donation, Method


@dataclass(frozen=True)
class VNPay:
    method: str = Method.VNPAY
    tmn_code: str = "DEMOV210"
    secret: str = "RAOEXHYVSDDIIENYWSLDIIZTANXUXZFJ"
    # What the IPN answers (VNPay's RspCode) for each case.
    paid: str = "00"
    replayed: str = "02"
    tampered: str = "97"
    unknown: str = "01"
    declined: str = "00"

    def configure(self, campaign) -> None:
        settings = services.settings_for(campaign)
        settings.methods = [self.method]
        settings.vnpay_tmn_code, settings.vnpay_hash_secret = self.tmn_code, self.secret
        settings.save()

    def result(
        self,
        donation: Donation,
        *,
        paid: bool = True,
        amount: int | None = None,
        transaction: str = "14226112",
        secret: str | None = None,
        **fields: str,
    ) -> dict:
        """A result signed as VNPay signs it; `fields` replace VNPay's before signing."""
        params = {
            "vnp_Amount": str((amount or donation.amount) * 100),
            "vnp_BankCode": "NCB",
            "vnp_OrderInfo": f"Ung ho ma {donation.reference}",
            "vnp_PayDate": "20261129103000",
            "vnp_ResponseCode": "00" if paid else "24",
            "vnp_TmnCode": self.tmn_code,
            "vnp_TransactionNo": transaction,
            "vnp_TransactionStatus": "00" if paid else "02",
            "vnp_TxnRef": donation.reference,
            **fields,
        }
        data = "&".join(f"{key}={quote_plus(params[key])}" for key in sorted(params))
        signature = hmac.new(
            (secret or self.secret).encode(), data.encode(), hashlib.sha512
        ).hexdigest()
        return {**params, "vnp_SecureHash": signature}

    def tamper(self, data: dict) -> dict:
        return {**data, "vnp_Amount": str(int(data["vnp_Amount"]) * 10)}

    def for_reference(self, data: dict, reference: str) -> dict:
        return {**data, "vnp_TxnRef": reference}

    def ipn(self, client, data: dict, path: str = "/payments/vnpay/ipn/"):
        return client.get(path, data)

    def answer_of(self, response) -> str:
        assert response.status_code == 200
        return response.json()["RspCode"]


@dataclass(frozen=True)
class MoMo:
    method: str = Method.MOMO
    partner: str = "MOMOBKUN20180529"
    access_key: str = "klm05TvNBzhg7h7j"
    secret: str = "at67qH6mk8w5Y1nAyMoYKMWACiEi2bsa"
    # What the IPN answers (an HTTP status) for each case.
    paid: int = 204
    replayed: int = 204
    tampered: int = 400
    unknown: int = 204
    declined: int = 204

    def configure(self, campaign) -> None:
        settings = services.settings_for(campaign)
        settings.methods = [self.method]
        settings.momo_partner_code, settings.momo_access_key = self.partner, self.access_key
        settings.momo_secret_key = self.secret
        settings.save()

    def result(
        self,
        donation: Donation,
        *,
        paid: bool = True,
        pending: bool = False,
        amount: int | None = None,
        transaction: str = "2820086739",
        secret: str | None = None,
        **fields: object,
    ) -> dict:
        """A result signed as MoMo signs it; `fields` replace MoMo's before signing."""
        code = 9000 if pending else 0 if paid else 1006
        data = {
            "partnerCode": self.partner,
            "orderId": donation.reference,
            "requestId": f"{donation.reference}-1a2b3c4d",
            "amount": amount or donation.amount,
            "orderInfo": f"Ung ho ma {donation.reference}",
            "orderType": "momo_wallet",
            "transId": int(transaction),
            "resultCode": code,
            "message": "Successful." if paid else "Transaction denied by user.",
            "payType": "qr",
            "responseTime": 1672315843986,
            "extraData": "",
            **fields,
        }
        raw = "&".join(
            f"{key}={self.access_key if key == 'accessKey' else data[key]}"
            for key in sorted(["accessKey", *data])
        )
        signature = hmac.new(
            (secret or self.secret).encode(), raw.encode(), hashlib.sha256
        ).hexdigest()
        return {**data, "signature": signature}

    def tamper(self, data: dict) -> dict:
        return {**data, "amount": data["amount"] * 10}

    def for_reference(self, data: dict, reference: str) -> dict:
        return {**data, "orderId": reference}

    def ipn(self, client, data: dict, path: str = "/payments/momo/ipn/"):
        return client.post(path, json.dumps(data), content_type="application/json")

    def answer_of(self, response) -> int:
        return response.status_code


GATEWAYS = [VNPay(), MoMo()]
