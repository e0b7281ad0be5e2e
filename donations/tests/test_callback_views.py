"""The one IPN view and the one return view, for every provider that takes
callbacks: each gateway's result goes in at /payments/<method>/ipn/ (and the
URLs gateways were configured with before), is verified by its provider,
recorded once, and answered the way that gateway expects."""

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from campaigns.tests.factories import CampaignFactory
from core.models import AuditEntry
from core.tests.concurrency import at_once
from donations import services
from donations.models import Donation, DonationStatus, PaymentEvent
from donations.tests.gateways import GATEWAYS, MoMo, VNPay

each_gateway = pytest.mark.parametrize("gateway", GATEWAYS, ids=lambda g: g.method)


@pytest.fixture
def campaign(tree, gateway):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], money_target=10_000_000)
    gateway.configure(campaign)
    return campaign


@pytest.fixture
def donation(campaign, gateway):
    return services.create_donation(
        campaign, amount=200_000, method=gateway.method, email="an@example.org"
    )


def generic_ipn(gateway, client, data):
    return gateway.ipn(client, data, path=f"/payments/{gateway.method}/ipn/")


@each_gateway
def test_a_paid_result_pays_the_donation_and_sends_one_receipt(client, gateway, donation):
    response = generic_ipn(gateway, client, gateway.result(donation, transaction="31000001"))

    assert gateway.answer_of(response) == gateway.paid
    donation.refresh_from_db()
    assert (donation.status, donation.provider_ref) == (DonationStatus.PAID, "31000001")
    assert services.paid_total(donation.campaign) == {"total": 200_000, "count": 1}
    assert [message.to for message in mail.outbox] == [["an@example.org"]]


@each_gateway
def test_the_same_result_twice_is_counted_once(client, gateway, donation):
    data = gateway.result(donation)

    answers = [gateway.answer_of(generic_ipn(gateway, client, data)) for _ in range(2)]

    assert answers == [gateway.paid, gateway.replayed]
    assert services.paid_total(donation.campaign) == {"total": 200_000, "count": 1}
    assert [e.outcome for e in PaymentEvent.objects.order_by("id")] == [
        services.PAID,
        services.ALREADY_PAID,
    ]
    assert AuditEntry.objects.filter(action="donations.donation.paid").count() == 1
    assert len(mail.outbox) == 1


@each_gateway
def test_twenty_copies_of_the_result_pay_once(client, gateway, donation):
    data = gateway.result(donation)

    answers = [gateway.answer_of(generic_ipn(gateway, client, data)) for _ in range(20)]

    assert answers == [gateway.paid] + [gateway.replayed] * 19
    assert services.paid_total(donation.campaign) == {"total": 200_000, "count": 1}
    assert PaymentEvent.objects.filter(outcome=services.PAID).count() == 1


@each_gateway
@pytest.mark.django_db(transaction=True)
def test_twenty_copies_arriving_at_the_same_moment_pay_once(gateway, donation):
    if connection.vendor != "postgresql":
        pytest.skip("needs truly concurrent transactions (PostgreSQL), as test_ipn_concurrency")
    data = gateway.result(donation)

    responses = at_once([lambda: generic_ipn(gateway, Client(), data) for _ in range(20)])

    assert sorted(map(gateway.answer_of, responses)) == sorted(
        [gateway.paid] + [gateway.replayed] * 19
    )
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID
    assert PaymentEvent.objects.filter(outcome=services.PAID).count() == 1
    assert PaymentEvent.objects.filter(outcome=services.ALREADY_PAID).count() == 19
    assert AuditEntry.objects.filter(action="donations.donation.paid").count() == 1
    assert services.paid_total(donation.campaign) == {"total": 200_000, "count": 1}
    assert len(mail.outbox) == 1


@each_gateway
def test_a_result_changed_after_signing_is_refused_and_audited(client, gateway, donation):
    response = generic_ipn(gateway, client, gateway.tamper(gateway.result(donation)))

    assert gateway.answer_of(response) == gateway.tampered
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING
    event = PaymentEvent.objects.get()
    assert (event.donation, event.outcome, event.kind) == (donation, services.BAD_SIGNATURE, "ipn")
    entry = AuditEntry.objects.get(action="donations.payment.bad_signature")
    assert entry.data == {"method": gateway.method, "kind": "ipn"}


@each_gateway
def test_a_result_signed_with_another_secret_is_refused(client, gateway, donation):
    response = generic_ipn(gateway, client, gateway.result(donation, secret="not-the-secret"))

    assert gateway.answer_of(response) == gateway.tampered
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING


@each_gateway
def test_a_failed_payment_fails_the_donation_and_a_later_success_pays_it(client, gateway, donation):
    failed = generic_ipn(gateway, client, gateway.result(donation, paid=False))

    assert gateway.answer_of(failed) == gateway.declined
    donation.refresh_from_db()
    assert donation.status == DonationStatus.FAILED
    assert AuditEntry.objects.filter(action="donations.donation.failed").exists()

    paid = generic_ipn(gateway, client, gateway.result(donation, transaction="14226999"))

    assert gateway.answer_of(paid) == gateway.paid
    donation.refresh_from_db()
    assert (donation.status, donation.provider_ref) == (DonationStatus.PAID, "14226999")
    assert services.paid_total(donation.campaign)["total"] == 200_000


@each_gateway
def test_a_failure_after_the_payment_changes_nothing(client, gateway, donation):
    generic_ipn(gateway, client, gateway.result(donation))

    generic_ipn(gateway, client, gateway.result(donation, paid=False))

    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID
    assert PaymentEvent.objects.order_by("id").last().outcome == services.ALREADY_SETTLED


@each_gateway
def test_a_result_for_an_order_that_is_not_ours_is_kept_and_changes_nothing(
    client, gateway, donation
):
    data = gateway.for_reference(gateway.result(donation), "KSNOTHERE")

    assert gateway.answer_of(generic_ipn(gateway, client, data)) == gateway.unknown
    event = PaymentEvent.objects.get()
    assert (event.donation, event.method, event.outcome) == (None, gateway.method, "not_found")
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING


@each_gateway
def test_a_signed_wrong_amount_pays_nothing(client, gateway, donation):
    generic_ipn(gateway, client, gateway.result(donation, amount=2_000))

    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING
    assert AuditEntry.objects.filter(action="donations.donation.amount_mismatch").exists()


@each_gateway
def test_the_return_pays_like_the_ipn_then_shows_the_receipt(client, gateway, donation):
    response = client.get(f"/payments/{gateway.method}/return/", gateway.result(donation))

    assert response.status_code == 302
    assert response["Location"] == f"/donations/{donation.reference}/"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID
    assert PaymentEvent.objects.get().kind == "return"


@each_gateway
def test_a_return_after_the_ipn_shows_the_receipt_without_paying_twice(client, gateway, donation):
    data = gateway.result(donation)
    generic_ipn(gateway, client, data)

    response = client.get(f"/payments/{gateway.method}/return/", data)

    assert response["Location"] == f"/donations/{donation.reference}/"
    assert services.paid_total(donation.campaign)["count"] == 1
    assert len(mail.outbox) == 1


@each_gateway
def test_a_tampered_return_shows_the_error_page(client, gateway, donation):
    data = gateway.tamper(gateway.result(donation))

    response = client.get(f"/payments/{gateway.method}/return/", data)

    assert response.status_code == 400
    assert "donations/return_error.html" in [t.name for t in response.templates]
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING


@each_gateway
def test_a_return_for_an_unknown_order_shows_the_error_page(client, gateway, donation):
    data = gateway.for_reference(gateway.result(donation), "KSNOTHERE")

    response = client.get(f"/payments/{gateway.method}/return/", data)

    assert response.status_code == 400


@each_gateway
def test_the_urls_gateways_were_configured_with_are_the_generic_ones(gateway):
    for kind in ("ipn", "return"):
        old = reverse(f"donations:{gateway.method}_{kind}")
        generic = reverse(f"donations:payment_{kind}", kwargs={"method": gateway.method})
        assert old == generic == f"/payments/{gateway.method}/{kind}/"


@pytest.mark.parametrize("gateway", [VNPay()], ids=["vnpay"])
def test_vnpay_may_send_its_ipn_by_get_or_post(client, gateway, donation):
    data = gateway.result(donation)

    by_post = client.post(f"/payments/{gateway.method}/ipn/", data)

    assert gateway.answer_of(by_post) == gateway.paid
    assert gateway.answer_of(generic_ipn(gateway, client, data)) == gateway.replayed


@pytest.mark.parametrize("gateway", [MoMo()], ids=["momo"])
def test_momo_sends_its_ipn_by_post_only(client, gateway, donation):
    response = client.get(f"/payments/{gateway.method}/ipn/", gateway.result(donation))

    assert response.status_code == 405
    assert not PaymentEvent.objects.exists()
    assert Donation.objects.get().status == DonationStatus.PENDING


@pytest.mark.parametrize("gateway", [MoMo()], ids=["momo"])
def test_a_momo_ipn_that_is_not_a_json_object_is_refused_and_not_kept(client, gateway, donation):
    for body in ("nope", "[1, 2]"):
        response = client.post(
            f"/payments/{gateway.method}/ipn/", body, content_type="application/json"
        )
        assert response.status_code == 400
    assert not PaymentEvent.objects.exists()


@pytest.mark.parametrize("gateway", [MoMo()], ids=["momo"])
def test_a_momo_result_still_in_progress_is_kept_and_leaves_the_donation_pending(
    client, gateway, donation
):
    response = generic_ipn(gateway, client, gateway.result(donation, pending=True))

    assert response.status_code == 204
    assert PaymentEvent.objects.get().outcome == services.STILL_PENDING
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING


@pytest.mark.parametrize("method", ["vietqr", "cash", "paypal", "sandbox"])
def test_a_method_that_takes_no_callbacks_has_no_callback_urls(client, db, method):
    assert client.get(f"/payments/{method}/ipn/").status_code == 404
    assert client.post(f"/payments/{method}/ipn/").status_code == 404
    assert client.get(f"/payments/{method}/return/").status_code == 404
