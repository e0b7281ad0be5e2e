"""Each provider on its own: the registry, `verify_callback` (reads and checks,
records nothing) and `answer` (the gateway's own answer codes), and the
stand-in gateway's results, which the providers verify like real ones."""

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import RequestFactory
from django.utils import translation

from campaigns.tests.factories import CampaignFactory
from donations import services
from donations.models import DonationStatus, Method, PaymentEvent, PaymentSettings
from donations.providers import PROVIDERS, provider_for, sandbox
from donations.providers.base import (
    BAD_SIGNATURE,
    MALFORMED,
    NOT_FOUND,
    BasePaymentProvider,
    CallbackError,
)
from donations.providers.momo import MoMoProvider
from donations.providers.vnpay import VNPayProvider
from donations.tests.gateways import MoMo, VNPay

request = RequestFactory().get("/")


def make_donation(tree, gateway, **settings):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"])
    gateway.configure(campaign)
    if settings:
        PaymentSettings.objects.filter(campaign=campaign).update(**settings)
    return services.create_donation(campaign, amount=120_000, method=gateway.method)


def test_the_registry_holds_every_method_under_its_stable_code():
    assert set(PROVIDERS) == {"vnpay", "momo", "vietqr", "cash"} == set(Method.values)
    for code, provider in PROVIDERS.items():
        assert issubclass(provider, BasePaymentProvider)
        assert provider.method == code


def test_only_the_gateways_take_callbacks():
    assert {code for code, p in PROVIDERS.items() if p.takes_callbacks} == {"vnpay", "momo"}


class TestVNPay:
    gateway = VNPay()

    def test_it_reads_a_paid_result(self, tree):
        donation = make_donation(tree, self.gateway)
        data = self.gateway.result(donation, transaction="14226112")

        result = VNPayProvider.verify_callback(data)

        assert (result.donation, result.status) == (donation, "paid")
        assert (result.amount, result.transaction_id) == (120_000, "14226112")
        assert result.payload == data
        assert not PaymentEvent.objects.exists()

    def test_it_reads_a_cancelled_payment_as_failed(self, tree):
        donation = make_donation(tree, self.gateway)

        result = VNPayProvider.verify_callback(self.gateway.result(donation, paid=False))

        assert result.status == "failed"

    def test_a_paid_response_code_with_a_failed_transaction_status_is_not_paid(self, tree):
        donation = make_donation(tree, self.gateway)
        data = self.gateway.result(donation, vnp_TransactionStatus="01")

        assert VNPayProvider.verify_callback(data).status == "failed"

    def test_an_unreadable_amount_is_read_as_none(self, tree):
        donation = make_donation(tree, self.gateway)
        data = self.gateway.result(donation, vnp_Amount="12000050")

        assert VNPayProvider.verify_callback(data).amount is None

    def test_it_refuses_a_bad_signature_naming_the_donation(self, tree):
        donation = make_donation(tree, self.gateway)

        with pytest.raises(CallbackError) as error:
            VNPayProvider.verify_callback(self.gateway.tamper(self.gateway.result(donation)))

        assert (error.value.code, error.value.donation) == (BAD_SIGNATURE, donation)
        assert error.value.code == "bad_signature"  # stable: kept on PaymentEvents
        assert not PaymentEvent.objects.exists()

    def test_it_refuses_a_result_for_another_merchant_code(self, tree):
        donation = make_donation(tree, self.gateway, vnpay_tmn_code="OTHERTMN")

        with pytest.raises(CallbackError) as error:
            VNPayProvider.verify_callback(self.gateway.result(donation))

        assert error.value.code == BAD_SIGNATURE

    def test_it_refuses_an_order_that_is_not_ours(self, tree):
        donation = make_donation(tree, self.gateway)
        data = self.gateway.for_reference(self.gateway.result(donation), "KSNOTHERE")

        with pytest.raises(CallbackError) as error:
            VNPayProvider.verify_callback(data)

        assert (error.value.code, error.value.donation) == ("not_found", None)
        assert error.value.payload["vnp_TxnRef"] == "KSNOTHERE"

    @pytest.mark.parametrize(
        ("outcome", "answer"),
        [
            (services.PAID, {"RspCode": "00", "Message": "Confirm Success"}),
            (services.DECLINED, {"RspCode": "00", "Message": "Confirm Success"}),
            (services.ALREADY_PAID, {"RspCode": "02", "Message": "Order already confirmed"}),
            (services.ALREADY_SETTLED, {"RspCode": "02", "Message": "Order already confirmed"}),
            (services.NOT_PAYABLE, {"RspCode": "02", "Message": "Order already confirmed"}),
            (services.BAD_AMOUNT, {"RspCode": "04", "Message": "invalid amount"}),
        ],
    )
    def test_it_answers_the_ipn_with_vnpays_codes(self, outcome, answer):
        reply = services.Confirmation(outcome, None)

        response = VNPayProvider.answer(request, reply, "ipn")

        assert (response.status_code, json.loads(response.content)) == (200, answer)

    @pytest.mark.parametrize(
        ("code", "answer"),
        [
            (BAD_SIGNATURE, {"RspCode": "97", "Message": "Invalid signature"}),
            (NOT_FOUND, {"RspCode": "01", "Message": "Order not found"}),
        ],
    )
    def test_it_answers_a_refused_ipn_with_vnpays_codes(self, code, answer):
        response = VNPayProvider.answer(request, CallbackError(code, payload={}), "ipn")

        assert json.loads(response.content) == answer


class TestMoMo:
    gateway = MoMo()

    def test_it_reads_a_paid_result(self, tree):
        donation = make_donation(tree, self.gateway)
        data = self.gateway.result(donation, transaction="2820086739")

        result = MoMoProvider.verify_callback(data)

        assert (result.donation, result.status) == (donation, "paid")
        assert (result.amount, result.transaction_id) == (120_000, "2820086739")
        assert result.payload == data
        assert not PaymentEvent.objects.exists()

    @pytest.mark.parametrize(
        ("code", "status"),
        [(1000, "pending"), (7000, "pending"), (9000, "pending"), (1006, "failed"), (49, "failed")],
    )
    def test_it_reads_a_result_code_that_is_not_0_as_pending_or_failed(self, tree, code, status):
        donation = make_donation(tree, self.gateway)
        data = self.gateway.result(donation, paid=False, resultCode=code)

        assert MoMoProvider.verify_callback(data).status == status

    def test_it_refuses_a_bad_signature_naming_the_donation(self, tree):
        donation = make_donation(tree, self.gateway)

        with pytest.raises(CallbackError) as error:
            MoMoProvider.verify_callback(self.gateway.tamper(self.gateway.result(donation)))

        assert (error.value.code, error.value.donation) == (BAD_SIGNATURE, donation)

    def test_it_refuses_a_result_for_another_partner(self, tree):
        donation = make_donation(tree, self.gateway, momo_partner_code="MOMOOTHER")

        with pytest.raises(CallbackError) as error:
            MoMoProvider.verify_callback(self.gateway.result(donation))

        assert error.value.code == BAD_SIGNATURE

    def test_it_refuses_an_order_that_is_not_ours(self, tree):
        donation = make_donation(tree, self.gateway)
        data = self.gateway.for_reference(self.gateway.result(donation), "KSNOTHERE")

        with pytest.raises(CallbackError) as error:
            MoMoProvider.verify_callback(data)

        assert (error.value.code, error.value.donation) == (NOT_FOUND, None)

    def test_it_reads_the_ipn_from_a_json_body_and_refuses_anything_else(self):
        factory = RequestFactory()
        good = factory.post("/", '{"orderId": "KS1"}', content_type="application/json")
        bad = factory.post("/", '"KS1"', content_type="application/json")

        assert MoMoProvider.read_callback(good, "ipn") == {"orderId": "KS1"}
        with pytest.raises(CallbackError) as error:
            MoMoProvider.read_callback(bad, "ipn")
        assert error.value.code == MALFORMED

    @pytest.mark.parametrize(
        ("reply", "status"),
        [
            (services.Confirmation(services.PAID, None), 204),
            (services.Confirmation(services.ALREADY_PAID, None), 204),
            (services.Confirmation(services.BAD_AMOUNT, None), 204),
            (services.Confirmation(services.STILL_PENDING, None), 204),
            (CallbackError(NOT_FOUND, payload={}), 204),
            (CallbackError(BAD_SIGNATURE, payload={}), 400),
            (CallbackError(MALFORMED, payload={}), 400),
        ],
    )
    def test_it_answers_the_ipn_with_204_once_taken_and_400_when_refused(self, reply, status):
        response = MoMoProvider.answer(request, reply, "ipn")

        assert (response.status_code, response.content) == (status, b"")


@pytest.mark.parametrize("provider", [VNPayProvider, MoMoProvider])
def test_the_return_answer_sends_the_donor_to_the_receipt(tree, provider):
    gateway = VNPay() if provider is VNPayProvider else MoMo()
    donation = make_donation(tree, gateway)

    response = provider.answer(request, services.Confirmation(services.PAID, donation), "return")

    assert (response.status_code, response["Location"]) == (
        302,
        f"/donations/{donation.reference}/",
    )


@pytest.mark.parametrize("method", [Method.VNPAY, Method.MOMO])
def test_the_stand_in_gateways_results_are_verified_like_the_real_ones(tree, rf, method, stand_in):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"])
    settings = services.settings_for(campaign)
    settings.methods, settings.sandbox = [method], True
    settings.save()
    donation = services.create_donation(campaign, amount=80_000, method=method, is_test=True)
    provider = provider_for(method, settings)
    assert provider.uses_stand_in()
    gateway_url = urlsplit(provider.prepare(donation, rf.get("/")).redirect_url)
    query = dict(parse_qsl(gateway_url.query))

    checkout = sandbox.checkout(method, query)
    finished = sandbox.finish(method, query, paid=True)

    assert gateway_url.path == f"/payments/sandbox/{method}/{donation.reference}/"
    assert (checkout.reference, checkout.amount) == (donation.reference, 80_000)
    result = PROVIDERS[method].verify_callback(finished.ipn_data)
    assert (result.status, result.amount) == ("paid", 80_000)
    assert finished.return_url.startswith(f"http://testserver/payments/{method}/return/?")
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING  # verifying records nothing


def test_the_stand_in_is_used_in_sandbox_mode_only(tree, stand_in):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"])
    settings = services.settings_for(campaign)
    settings.sandbox = True
    assert sandbox.available(settings)
    assert VNPayProvider(settings).uses_stand_in() and MoMoProvider(settings).uses_stand_in()

    settings.sandbox = False

    assert not sandbox.available(settings)
    assert not VNPayProvider(settings).is_configured()
    assert not MoMoProvider(settings).uses_stand_in()


@pytest.mark.parametrize("method", [Method.VNPAY, Method.MOMO])
def test_without_debug_or_the_setting_there_is_no_stand_in_even_in_sandbox_mode(
    tree, settings, method
):
    settings.DEBUG, settings.PAYMENT_SANDBOX = False, False
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"])
    payment_settings = services.settings_for(campaign)
    payment_settings.methods, payment_settings.sandbox = [method], True

    provider = provider_for(method, payment_settings)

    assert not sandbox.available(payment_settings)
    assert not provider.is_configured() and not provider.uses_stand_in()
    with translation.override("en"):
        assert "has no merchant keys" in str(provider.setup_problem())


@pytest.mark.parametrize(("debug", "setting"), [(True, False), (False, True)])
def test_debug_or_the_explicit_setting_allows_the_stand_in(tree, settings, debug, setting):
    settings.DEBUG, settings.PAYMENT_SANDBOX = debug, setting
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"])
    payment_settings = services.settings_for(campaign)
    payment_settings.sandbox = True

    assert sandbox.available(payment_settings)
    assert VNPayProvider(payment_settings).setup_problem() == ""


@pytest.mark.parametrize("method", [Method.VNPAY, Method.MOMO])
def test_the_stand_in_key_does_not_pay_a_real_donation(tree, rf, method, stand_in):
    """A donation made while the campaign had keys is real money: a result
    signed with the stand-in's key (the keys since removed) is refused."""
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"])
    payment_settings = services.settings_for(campaign)
    payment_settings.methods, payment_settings.sandbox = [method], True
    payment_settings.save()
    donation = services.create_donation(campaign, amount=80_000, method=method, is_test=False)
    provider = provider_for(method, payment_settings)
    query = dict(parse_qsl(urlsplit(provider.prepare(donation, rf.get("/")).redirect_url).query))
    finished = sandbox.finish(method, query, paid=True)

    with pytest.raises(CallbackError) as refused:
        PROVIDERS[method].verify_callback(finished.ipn_data)

    assert refused.value.code == "bad_signature"
