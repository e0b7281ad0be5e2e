"""A second factor for the suite's staff: administrators must have one to reach
their pages (accounts/twofactor.py), so the owner and outsider fixtures get this
authenticator app, with a known secret a test can compute codes from."""

from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

from accounts.models import User

TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def with_totp(user: User, secret: str = TEST_TOTP_SECRET) -> User:
    TOTP.activate(user, secret)
    return user


def totp_code(at: float, secret: str = TEST_TOTP_SECRET, period: int = 30) -> str:
    return format_hotp_value(hotp_value(secret, int(at) // period))
