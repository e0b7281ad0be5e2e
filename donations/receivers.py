"""What donations does when a person deletes their account (accounts/signals.py)."""

from django.db.models import Q

from donations.models import Donation


def person_deleting(sender, *, user, email: str, **kwargs) -> None:
    """Every donation stays, with its amount, method, status, reference and times, so
    the ledger and every total are unchanged; what named or reached the donor goes and
    the donation reads "anonymous". Donations given without logging in with the
    person's address are theirs too. Each stays linked to the emptied account, so
    the donors' count still counts the person once (services.donor_key)."""
    mine = Q(user=user)
    if email:
        mine |= Q(email__iexact=email)
    Donation.objects.filter(mine).update(
        user=user, donor_name="", is_anonymous=True, email="", message=""
    )
