"""Every URL pattern of the site, with what each of four people gets from it.

The URLconf (kindsteps/urls.py, the django-ninja API's routes included) is walked and
every named pattern must have a row in MATRIX below: a new view without one fails
``test_every_named_url_pattern_has_a_row`` with its name. A row is the status each of
the root conftest's people gets for a GET (or the row's ``method``) against the
campaign of access_world.py, organised by Cần Đước district:

- owner: administrator of Cần Đước (the organiser), with a second factor;
- member: staff of the Long Trạch commune inside it (dashboards, no money, no units);
- outsider: administrator of the neighbouring district, Cần Giuộc;
- anonymous: nobody signed in.

The participant's own things (upload, verdict, route settings) answer 404 to all
four: they are the participant's; their activity's page and map answer the staff of
their home unit too (the owner's district), as the route's default lets them. The
results rows use the district's earlier, finished campaign (its results frozen, the
participant's certificate made), and Strava is configured so its pages say who may
use them. Adding a URL: add one line ``"ns:name": R(o, m, x, a)``
(path parameters are filled from PARAMS by their name; ``params={"pk": "task_id"}``
picks another attribute of the World for one row). Every pattern of Django's admin
site is checked against ADMIN_SITE instead of a row of its own."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kindsteps.tests.access_world import World, build_world

ROLES = ("owner", "member", "outsider", "anonymous")


@dataclass(frozen=True)
class Row:
    owner: int
    member: int
    outsider: int
    anonymous: int
    params: dict[str, str] = field(default_factory=dict)
    method: str = "get"
    data: dict | None = None

    def expected(self, role: str) -> int:
        return getattr(self, role)


def R(owner: int, member: int, outsider: int, anonymous: int, **how) -> Row:
    return Row(owner, member, outsider, anonymous, **how)


# Path parameter → World attribute, unless the row says otherwise.
PARAMS = {
    "slug": "slug",
    "code": "unit_code",
    "team_id": "team_id",
    "verdict_id": "verdict_id",
    "donation_id": "donation_id",
    "event_id": "event_id",
    "sponsor_id": "sponsor_id",
    "token_id": "token_id",
    "reference": "reference",
    "method": "method",
    "fmt": "fmt",
    "upload_id": "upload_id",
    "activity_id": "activity_id",
    "key": "key",
    "uidb36": "uidb36",
    "object_id": "object_id",
    "content_type_id": "object_id",
    "id": "object_id",
    "parent_id": "object_id",
    "app_label": "app_label",
    "url": "object_id",
}
ACTIVITY = {"pk": "activity_id"}
TASK = {"pk": "task_id"}
FILE = {"pk": "file_id"}
UPLOAD = {"pk": "upload_id"}
VERDICT = {"pk": "verdict_id"}
TEAM_CODE = {"code": "team_code"}
FINISHED = {"slug": "finished_slug"}
ROUTES_PRIVATE = {"route_visibility": "private"}
CERTIFICATE = {"code": "certificate_code", "fmt": "certificate_fmt"}
PROGRESS = {"slug": "finished_slug", "registration_id": "progress_id", "key": "progress_key"}
# JSON bodies for the API's rows (sent as application/json).
JSON_EMPTY: dict = {}
JSON_TEXT = {"text": "Tôi đi thật."}
JSON_TEAM = {"name": "Đội Mới"}
JSON_CODE = {"code": "NOPE"}

# Django's admin site: nobody here is a superuser, so every page sends to its sign-in.
ADMIN_SITE = R(302, 302, 302, 302)

MATRIX: dict[str, Row] = {
    # The admin site's own sign-in page and its catalogue answer everyone.
    "admin:login": R(200, 200, 200, 200),  # /admin/login/
    "admin:javascript-catalog": R(200, 200, 200, 200),  # /admin/orgs/unit/jsi18n/
    "account_change_password": R(200, 200, 200, 302),  # /accounts/password/change/
    "account_confirm_email": R(200, 200, 200, 200),  # /accounts/confirm-email/not-a-key/
    "account_confirm_login_code": R(302, 302, 302, 302),  # /accounts/login/code/confirm/
    "account_confirm_reauthentication_code": R(302, 302, 302, 302),
    "account_email": R(200, 200, 200, 302),  # /accounts/email/
    "account_email_verification_sent": R(200, 200, 200, 200),  # /accounts/confirm-email/
    "account_inactive": R(200, 200, 200, 200),  # /accounts/inactive/
    "account_login": R(302, 302, 302, 200),  # /accounts/login/
    "account_logout": R(200, 200, 200, 302),  # /accounts/logout/
    "account_reauthenticate": R(200, 200, 200, 302),  # /accounts/reauthenticate/
    "account_request_reauthentication_code": R(200, 200, 200, 302),
    "account_reset_password": R(200, 200, 200, 200),  # /accounts/password/reset/
    "account_reset_password_done": R(200, 200, 200, 200),  # /accounts/password/reset/done/
    "account_reset_password_from_key": R(200, 200, 200, 200),
    "account_reset_password_from_key_done": R(200, 200, 200, 200),
    "account_set_password": R(302, 302, 302, 302),  # /accounts/password/set/
    "account_signup": R(302, 302, 302, 200),  # /accounts/signup/
    "activities:complain": R(
        404, 404, 404, 302, params=VERDICT, method="post", data={"text": "Tôi đi thật."}
    ),
    "activities:delete": R(404, 404, 404, 302, params=ACTIVITY, method="post"),
    "activities:detail": R(200, 404, 404, 302, params=ACTIVITY),  # the district is staff
    "activities:list": R(200, 200, 200, 302),  # /activities/
    "activities:manual": R(200, 200, 200, 302),  # /activities/manual/
    "activities:record": R(200, 200, 200, 302),  # /activities/record/
    "activities:record_manifest": R(200, 200, 200, 200),  # /activities/record/manifest.webmanifest
    "activities:record_result": R(404, 404, 404, 302, params=ACTIVITY),
    "activities:record_worker": R(200, 200, 200, 200),  # /activities/record/sw.js
    "activities:sport": R(
        404, 404, 404, 302, params=ACTIVITY, method="post", data={"sport": "run"}
    ),
    "activities:upload": R(200, 200, 200, 302),  # /activities/upload/
    "activities:upload_status": R(404, 404, 404, 302, params=UPLOAD),  # /activities/uploads/1/
    "api:api-root": R(404, 404, 404, 404),  # /api/v1/
    "api:campaign_standings": R(200, 200, 200, 200),  # /api/v1/campaigns/cd-walk/standings
    "api:complain": R(404, 404, 404, 401, method="post", data=JSON_TEXT),
    "api:create_team": R(400, 400, 400, 401, method="post", data=JSON_TEAM),
    "api:daily": R(200, 200, 200, 200),  # /api/v1/campaigns/cd-walk/daily
    "api:delete_activity": R(404, 404, 404, 401, method="delete"),  # /api/v1/activities/1
    "api:get_activity": R(404, 404, 404, 401),  # /api/v1/activities/1
    "api:get_upload": R(404, 404, 404, 401),  # /api/v1/uploads/1
    "api:health": R(200, 200, 200, 200),  # /api/v1/health
    "api:join_by_code": R(404, 404, 404, 401, method="post", data=JSON_CODE),
    "api:join_team": R(400, 400, 400, 401, method="post"),  # /api/v1/campaigns/cd-walk/teams/1/join
    "api:leaderboard": R(200, 200, 200, 200),  # /api/v1/campaigns/cd-walk/leaderboard
    "api:leave_team": R(400, 400, 400, 401, method="post"),  # /api/v1/campaigns/cd-walk/team/leave
    "api:list_activities": R(200, 200, 200, 401),  # /api/v1/activities
    "api:list_campaigns": R(200, 200, 200, 200),  # /api/v1/campaigns
    "api:list_teams": R(200, 200, 200, 200),  # /api/v1/campaigns/cd-walk/teams
    "api:manual_activity": R(422, 422, 422, 401, method="post", data=JSON_EMPTY),
    "api:me": R(200, 200, 200, 401),  # /api/v1/me
    "api:my_rank": R(404, 404, 404, 401),  # /api/v1/campaigns/cd-walk/leaderboard/me
    "api:my_registrations": R(200, 200, 200, 401),  # /api/v1/me/registrations
    "api:openapi-json": R(200, 200, 200, 200),  # /api/v1/openapi.json
    "api:openapi-view": R(200, 200, 200, 200),  # /api/v1/docs
    "api:read_campaign": R(200, 200, 200, 200),  # /api/v1/campaigns/cd-walk
    "api:register": R(400, 400, 400, 401, method="post", data=JSON_EMPTY),
    "api:update_me": R(200, 200, 200, 401, method="patch", data=JSON_EMPTY),  # /api/v1/me
    "api:upload_activities": R(201, 201, 201, 401, method="post"),  # /api/v1/activities
    "api:upload_recording": R(400, 400, 400, 401, method="post", data=JSON_EMPTY),
    "api:withdraw": R(400, 400, 400, 401, method="delete"),
    "api_token_create": R(302, 302, 302, 302, method="post", data={"name": "Laptop"}),
    "api_token_revoke": R(404, 404, 404, 302, method="post"),  # /accounts/profile/tokens/1/revoke/
    "campaigns:detail": R(200, 200, 200, 200),  # /c/cd-walk/
    # Share cards (PNG) of a public campaign and its team: for everyone, like the pages.
    "campaigns:card": R(200, 200, 200, 200),  # /c/cd-walk/card.png
    "campaigns:team_card": R(200, 200, 200, 200),  # /c/cd-walk/t/1/card.png
    # The participant's progress card in last year's walk, by its keyed address.
    "campaigns:progress": R(200, 200, 200, 200, params=PROGRESS),  # /c/…/progress/1/<key>/
    "campaigns:progress_card": R(200, 200, 200, 200, params=PROGRESS),  # …/card.png
    "campaigns:invite": R(302, 302, 302, 302),  # /c/cd-walk/u/LA-CD-LTR/
    "campaigns:list": R(200, 200, 200, 200),  # /campaigns/
    "campaigns:manage_create": R(200, 403, 200, 302),  # /manage/campaigns/new/
    "campaigns:manage_edit": R(200, 404, 404, 302),  # /manage/campaigns/cd-walk/
    "campaigns:manage_invites": R(200, 200, 404, 302),  # /manage/campaigns/cd-walk/invites/
    "campaigns:manage_list": R(200, 200, 200, 302),  # /manage/campaigns/
    "campaigns:manage_preview": R(200, 404, 404, 302),  # /manage/campaigns/cd-walk/preview/
    "campaigns:manage_targets": R(200, 404, 404, 302),  # /manage/campaigns/cd-walk/targets/
    "campaigns:mine": R(200, 200, 200, 302),  # /me/campaigns/
    "campaigns:notices_read": R(302, 302, 302, 302, method="post"),  # /me/notices/read/
    "campaigns:poster_pdf": R(200, 200, 200, 200),  # /c/cd-walk/u/LA-CD-LTR/poster.pdf
    "campaigns:poster_png": R(200, 200, 200, 200),  # /c/cd-walk/u/LA-CD-LTR/poster.png
    "campaigns:register": R(200, 200, 200, 302),  # /c/cd-walk/register/
    "campaigns:registered": R(302, 302, 302, 302),  # /c/cd-walk/registered/
    "campaigns:unit_search": R(200, 200, 200, 200),  # /c/cd-walk/register/units/
    "campaigns:withdraw": R(302, 302, 302, 302),  # /c/cd-walk/withdraw/
    "dashboards:campaign": R(302, 302, 404, 302),  # /manage/dashboard/cd-walk/
    "dashboards:list": R(200, 200, 404, 302),  # /manage/dashboard/
    "dashboards:pdf": R(200, 200, 404, 302),  # /manage/dashboard/cd-walk/LA-CD-LTR/report.pdf
    "dashboards:unit": R(200, 200, 404, 302),  # /manage/dashboard/cd-walk/LA-CD-LTR/
    "dashboards:xlsx": R(200, 200, 404, 302),  # /manage/dashboard/cd-walk/LA-CD-LTR/report.xlsx
    "donations:box": R(200, 200, 200, 200),  # /c/cd-walk/donations/box/
    "donations:donate": R(200, 200, 200, 200),  # /c/cd-walk/donate/
    "donations:ledger": R(200, 200, 200, 200),  # /c/cd-walk/donations/
    "donations:ledger_csv": R(200, 200, 200, 200),  # /c/cd-walk/donations.csv
    "donations:momo_ipn": R(204, 204, 204, 204, method="post", data=JSON_EMPTY),
    "donations:momo_return": R(400, 400, 400, 400),  # /payments/momo/return/
    "donations:payment_ipn": R(200, 200, 200, 200),  # /payments/vnpay/ipn/
    "donations:payment_return": R(400, 400, 400, 400),  # /payments/vnpay/return/
    "donations:receipt": R(200, 200, 200, 200),  # /donations/<reference>/
    # The stand-in payment page is only for test donations: not for a real one.
    "donations:sandbox_gateway": R(404, 404, 404, 404),  # /payments/sandbox/vnpay/<reference>/
    "donations:vnpay_ipn": R(200, 200, 200, 200),  # /payments/vnpay/ipn/
    "donations:vnpay_return": R(400, 400, 400, 400),  # /payments/vnpay/return/
    "donations_manage:cash": R(200, 200, 404, 302),  # /manage/campaigns/cd-walk/donations/cash/
    "donations_manage:export": R(200, 200, 404, 302),
    "donations_manage:list": R(200, 200, 404, 302),  # /manage/campaigns/cd-walk/donations/
    "donations_manage:reconcile": R(200, 403, 404, 302),
    "donations_manage:reconcile_line": R(302, 403, 404, 302, method="post"),
    "donations_manage:refund": R(302, 403, 404, 302, method="post", data={"note": "Trả lại"}),
    "donations_manage:sponsor_delete": R(302, 403, 404, 302, method="post"),
    "donations_manage:sponsors": R(200, 200, 404, 302),
    "donations_manage:vietqr_preview": R(200, 403, 404, 302),
    "facebook_callback": R(404, 404, 404, 404),  # /accounts/facebook/login/callback/
    "facebook_login": R(404, 404, 404, 404),  # /accounts/facebook/login/
    "facebook_login_by_token": R(404, 404, 404, 404),  # /accounts/facebook/login/token/
    "google_callback": R(404, 404, 404, 404),  # /accounts/google/login/callback/
    "google_login": R(404, 404, 404, 404),  # /accounts/google/login/
    "google_login_by_token": R(404, 404, 404, 404),  # /accounts/google/login/token/
    "home": R(200, 200, 200, 200),  # /
    "mfa_activate_totp": R(302, 302, 302, 302),  # /accounts/2fa/totp/activate/
    "mfa_authenticate": R(302, 302, 302, 302),  # /accounts/2fa/authenticate/
    "mfa_deactivate_totp": R(302, 404, 302, 302),  # /accounts/2fa/totp/deactivate/
    "mfa_download_recovery_codes": R(404, 404, 404, 302),  # /accounts/2fa/recovery-codes/download/
    "mfa_generate_recovery_codes": R(302, 302, 302, 302),  # /accounts/2fa/recovery-codes/generate/
    "mfa_index": R(200, 200, 200, 302),  # /accounts/2fa/
    "mfa_reauthenticate": R(200, 302, 200, 302),  # /accounts/2fa/reauthenticate/
    "mfa_view_recovery_codes": R(404, 404, 404, 302),  # /accounts/2fa/recovery-codes/
    "orgs:add_child": R(400, 404, 404, 302, method="post"),  # /orgs/LA-CD-LTR/children/
    "orgs:detail": R(200, 200, 404, 302),  # /orgs/LA-CD-LTR/
    "orgs:edit": R(400, 404, 404, 302, method="post"),  # /orgs/LA-CD-LTR/edit/
    "orgs:export": R(200, 200, 404, 302),  # /orgs/LA-CD-LTR/export.xlsx
    "orgs:import": R(200, 404, 404, 302),  # /orgs/LA-CD-LTR/import/
    "orgs:list": R(200, 200, 200, 302),  # /orgs/
    "orgs:role_add": R(400, 404, 404, 302, method="post"),  # /orgs/LA-CD-LTR/roles/
    "orgs:role_remove": R(302, 404, 404, 302, params={"pk": "role_id"}, method="post"),
    "outreach:campaign": R(200, 404, 404, 302),  # /outreach/campaigns/cd-walk/
    "outreach:create": R(200, 404, 404, 302),  # /outreach/campaigns/cd-walk/new/
    "outreach:file": R(200, 200, 404, 302, params=FILE),  # /outreach/files/1/
    "outreach:mine": R(200, 200, 200, 302),  # /outreach/
    "outreach:review": R(302, 404, 404, 302, params={"pk": "task_id"}, method="post"),
    "outreach:submission": R(200, 200, 404, 302, params={"pk": "task_id"}),
    "outreach:task": R(200, 404, 404, 302, params=TASK),  # /outreach/tasks/1/
    "outreach:thumbnail": R(200, 200, 404, 302, params=FILE),  # /outreach/files/1/thumbnail/
    "profile": R(200, 200, 200, 302),  # /accounts/profile/
    "profile_unit_search": R(200, 200, 200, 302),  # /accounts/profile/units/
    "review:answer": R(400, 404, 404, 302, method="post"),
    "review:decide": R(400, 404, 404, 302, method="post"),
    "review:detail": R(200, 404, 404, 302),  # /manage/campaigns/cd-walk/review/1/
    "review:history": R(200, 200, 404, 302),  # /manage/campaigns/cd-walk/review/history/
    "review:queue": R(200, 200, 404, 302),  # /manage/campaigns/cd-walk/review/
    "set_language": R(302, 302, 302, 302),  # /i18n/setlang/
    "socialaccount_connections": R(200, 200, 200, 302),  # /accounts/3rdparty/
    "socialaccount_login_cancelled": R(200, 200, 200, 200),  # /accounts/3rdparty/login/cancelled/
    "socialaccount_login_error": R(401, 401, 401, 401),  # /accounts/3rdparty/login/error/
    "socialaccount_signup": R(302, 302, 302, 302),  # /accounts/3rdparty/signup/
    "standings:board": R(200, 200, 200, 200),  # /c/cd-walk/standings/
    "standings:days": R(200, 200, 200, 200),  # /c/cd-walk/standings/days/
    "standings:teams": R(200, 200, 200, 200),  # /c/cd-walk/standings/teams/
    "standings:units": R(200, 200, 200, 200),  # /c/cd-walk/standings/units/
    "teams:campaign_teams": R(200, 200, 200, 200),  # /c/cd-walk/teams/
    "teams:create": R(200, 200, 200, 302),  # /c/cd-walk/teams/new/
    "teams:detail": R(200, 200, 200, 200),  # /c/cd-walk/t/1/
    "teams:invite": R(200, 200, 200, 200, params=TEAM_CODE),  # /c/cd-walk/teams/join/<team code>/
    "teams:join": R(302, 302, 302, 302, method="post"),  # /c/cd-walk/t/1/join/
    "teams:join_by_code": R(200, 200, 200, 302),  # /c/cd-walk/teams/join/
    "teams:leave": R(302, 302, 302, 302, method="post"),  # /c/cd-walk/t/1/leave/
    "teams:move": R(302, 403, 403, 302, method="post"),  # /c/cd-walk/t/1/move/
    "teams:remove": R(404, 404, 404, 302, method="post"),  # /c/cd-walk/t/1/remove/
    "teams:rename": R(302, 302, 302, 302, method="post", data={"name": "Đội Mới"}),
    # Added by the privacy, results, names, trackers, rules and operations work.
    "privacy": R(200, 200, 200, 200),  # /privacy/
    "campaigns:rules": R(200, 200, 200, 200),  # /c/cd-walk/rules/
    # The person's own data: each signed-in person about themselves.
    "my_data": R(200, 200, 200, 302),  # /accounts/data/
    "my_data_routes": R(302, 302, 302, 302, method="post", data=ROUTES_PRIVATE),
    "my_data_export": R(200, 200, 200, 302, method="post"),  # /accounts/data/export/ (a ZIP)
    "my_data_delete": R(400, 400, 400, 302, method="post"),  # not confirmed: nothing deleted
    "profile_public_name": R(
        302, 302, 302, 302, method="post", data={"public_name_choice": "short"}
    ),
    # The participant's activity: its map is for the staff of their unit (the district).
    "activities:route_visibility": R(
        404, 404, 404, 302, params=ACTIVITY, method="post", data=ROUTES_PRIVATE
    ),
    "api:get_route": R(200, 404, 404, 404),  # /api/v1/activities/1/route
    # Last year's walk, frozen: the page and verification for everyone, the rest organisers'.
    "results:page": R(200, 200, 200, 200, params=FINISHED),  # /c/cd-walk-2025/results/
    "results:export_xlsx": R(200, 404, 404, 302, params=FINISHED),
    "results:export_csv": R(200, 404, 404, 302, params=FINISHED),
    "results:manage": R(200, 404, 404, 302, params=FINISHED),
    # The participant's certificate: for its holder and the organisers.
    "results:certificate_file": R(
        200, 404, 404, 404, params=CERTIFICATE
    ),  # /certificates/<code>.pdf
    "results:verify": R(200, 200, 200, 200, params=CERTIFICATE),  # /verify/<code>/
    "results:verify_card": R(200, 200, 200, 200, params=CERTIFICATE),  # /verify/<code>/card.png
    "results:card": R(200, 200, 200, 200, params=FINISHED),  # /c/cd-walk-2025/results/card.png
    "review_overview": R(200, 200, 200, 302),  # /manage/review/ (the owner has two campaigns)
    # Strava configured by the world (it answers 404 everywhere when it is not).
    "trackers:connections": R(200, 200, 200, 302),  # /trackers/
    "trackers:strava_connect": R(302, 302, 302, 302, method="post"),  # off to Strava
    "trackers:strava_callback": R(302, 302, 302, 302),  # no state: back to connections
    "trackers:strava_disconnect": R(302, 302, 302, 302, method="post"),
    "trackers:strava_sync": R(404, 404, 404, 302, method="post"),  # nobody here is connected
    "trackers:strava_webhook": R(403, 403, 403, 403),  # no verify token
    # Garmin configured by the world too (404 everywhere when it is not).
    "trackers:garmin_connect": R(302, 302, 302, 302, method="post"),  # off to Garmin
    "trackers:garmin_callback": R(302, 302, 302, 302),  # no state: back to connections
    "trackers:garmin_disconnect": R(302, 302, 302, 302, method="post"),
    "trackers:garmin_sync": R(404, 404, 404, 302, method="post"),  # nobody here is connected
    "trackers:garmin_notifications": R(400, 400, 400, 400, method="post"),  # empty body
    # The person's own notifications; the unsubscribe link needs a valid token (400 else).
    "notifications:list": R(200, 200, 200, 302),  # /notifications/
    "notifications:read": R(302, 302, 302, 302, method="post"),
    "notifications:settings": R(200, 200, 200, 302),  # /notifications/settings/
    "notifications:unsubscribe": R(400, 400, 400, 400, params={"token": "key"}),
    # Operations: health for everyone; metrics from loopback (the test client's address).
    "healthz": R(200, 200, 200, 200),
    "metrics": R(200, 200, 200, 200),
}


# --- the walk over the URLconf -------------------------------------------------------


def _patterns(resolver: URLResolver, namespace: str = "") -> dict[str, list[str]]:
    """Every named pattern's full name and its path parameters."""
    found: dict[str, list[str]] = {}
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            for name, params in _patterns(entry, inner).items():
                outer = _params_of(entry)
                found.setdefault(name, outer + params)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            found.setdefault(name, _params_of(entry))
    return found


def _params_of(entry: URLPattern | URLResolver) -> list[str]:
    pattern = entry.pattern
    converters = getattr(pattern, "converters", None)
    if converters:
        return list(converters)
    regex = getattr(pattern, "_regex", None) or str(pattern)
    import re

    return list(re.compile(regex).groupindex)


def named_patterns() -> dict[str, list[str]]:
    return _patterns(get_resolver())


def _is_admin(name: str) -> bool:
    return name.startswith("admin:")


def row_for(name: str) -> Row | None:
    return MATRIX.get(name) or (ADMIN_SITE if _is_admin(name) else None)


def test_every_named_url_pattern_has_a_row():
    missing = [name for name in named_patterns() if row_for(name) is None]

    assert not missing, "\n".join(
        f"URL pattern {name!r} has no row in MATRIX (kindsteps/tests/test_access_matrix.py):"
        " add one with what the owner, member, outsider and anonymous get from it."
        for name in missing
    )


def test_every_row_names_a_url_pattern_that_exists():
    patterns = named_patterns()
    stale = [name for name in MATRIX if name not in patterns]

    assert not stale, f"MATRIX rows for URL patterns that no longer exist: {stale}"


# --- the matrix, person by person ----------------------------------------------------


class _Undo(Exception):
    pass


def _url(name: str, params: list[str], row: Row, world: World) -> str:
    kwargs = {}
    for param in params:
        attribute = row.params.get(param) or PARAMS.get(param)
        assert attribute, f"{name}: no World attribute for path parameter {param!r}"
        kwargs[param] = getattr(world, attribute)
    return reverse(name, kwargs=kwargs)


def _status(client: Client, url: str, row: Row) -> int:
    """One request, undone afterwards, so the next row sees the same world."""
    status = 0
    try:
        with transaction.atomic():
            send = getattr(client, row.method)
            if row.method == "get":
                response = send(url)
            elif url.startswith("/api/") or "/ipn/" in url:
                response = send(url, row.data or {}, content_type="application/json")
            else:
                response = send(url, row.data or {})
            status = response.status_code
            raise _Undo
    except _Undo:
        pass
    return status


@pytest.fixture
def world(tree, owner, member, outsider, participant, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RATELIMIT_ENABLE = False
    # Strava configured, so its pages answer with who may use them, not only 404.
    settings.STRAVA_CLIENT_ID, settings.STRAVA_CLIENT_SECRET = "12345", "not-a-secret"
    settings.STRAVA_WEBHOOK_VERIFY_TOKEN = "not-the-token"
    settings.GARMIN_CLIENT_ID, settings.GARMIN_CLIENT_SECRET = "garmin-id", "not-a-secret"
    return build_world(tree, owner, participant)


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(role, world, request):
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    wrong = []
    seen = {}
    for name, params in sorted(named_patterns().items()):
        row = row_for(name)
        if row is None:
            continue  # reported by test_every_named_url_pattern_has_a_row
        url = _url(name, params, row, world)
        got = _status(client, url, row)
        seen[name] = got
        if got != row.expected(role):
            wrong.append(
                f"{name} ({row.method.upper()} {url}): expected {row.expected(role)}, got {got}"
            )
    assert not wrong, f"as {role}:\n" + "\n".join(wrong)
