"""Who may open a donation's receipt, `/donations/<reference>/`.

The reference is no secret: it is the transfer description a bank shows, and
the public ledger lists it. So the receipt follows its campaign — whoever may
see the campaign sees it — and beyond that only the donor sees it: the
account that gave, the browser session that gave (the gateway's return lands
there), or whoever follows the receipt link sent to the donor, which carries a
key only the site can make (`receipt_url`). Anyone else gets a 404, as for the
campaign's other pages.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from campaigns.access import SESSION_CODES, can_see_campaign

SESSION_KEY = "donations_given"
KEY_PARAMETER = "k"
REMEMBERED = 20


def receipt_key(reference: str) -> str:
    return salted_hmac("kindsteps.donations.receipt", reference).hexdigest()[:24]


def receipt_url(donation) -> str:
    """The receipt's path with the donor's key, for the e-mail and the gateway's return."""
    path = reverse("donations:receipt", args=[donation.reference])
    return f"{path}?{KEY_PARAMETER}={receipt_key(donation.reference)}"


def remember(request, donation) -> None:
    """This browser session gave `donation`: its receipt stays open to it."""
    given = request.session.get(SESSION_KEY, [])
    if donation.reference not in given:
        request.session[SESSION_KEY] = [*given, donation.reference][-REMEMBERED:]


def may_see(request, donation) -> bool:
    """Whoever may see the campaign, or the donor (account, session or key);
    a valid key is remembered, so the page's status updates keep working."""
    user = request.user
    if can_see_campaign(user, donation.campaign, set(request.session.get(SESSION_CODES, []))):
        return True
    if user.is_authenticated and donation.user_id == user.pk:
        return True
    if donation.reference in request.session.get(SESSION_KEY, []):
        return True
    if constant_time_compare(request.GET.get(KEY_PARAMETER, ""), receipt_key(donation.reference)):
        remember(request, donation)
        return True
    return False
