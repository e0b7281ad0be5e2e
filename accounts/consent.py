"""What a person agrees to when they sign up: the purpose of the processing, in
words, and the version of those words (docs/decisions/0019-data-rights.md).

Change ``CONSENT_VERSION`` whenever the meaning of the text changes: each consent
records the version it was given for, so the text a person accepted can be told.
"""

from django.utils.translation import gettext_lazy as _

CONSENT_VERSION = "2026-03-01"

PURPOSE = _(
    "KindSteps keeps your name, e-mail address, phone number, birth year, unit and the "
    "walks and runs you upload so that your campaigns can count your distance, rank you "
    "and your team, give you certificates and let their organisers reach you about the "
    "campaign. Your donations are kept for the fund's accounts. Nothing is sold or "
    "given to advertisers."
)

RIGHTS = _(
    "You can see and correct your profile at any time, download everything we keep "
    "about you, choose who sees the maps of your activities, and withdraw your consent by "
    "deleting your account. Deleting the account removes your name, contacts, files and "
    "routes; the distance you walked and the money you gave stay in the campaign's "
    "totals, without your name."
)
