"""The JSON API under /api/v1/, for mobile and recording apps.

Each domain adds its router here; authentication is a personal API token
(``Authorization: Bearer ks_…``) or the browser's session."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django_ratelimit.exceptions import Ratelimited
from ninja import NinjaAPI, Schema, Status
from ninja.errors import HttpError
from ninja.parser import Parser
from ninja.security import django_auth

from accounts.api import router as accounts_router
from accounts.tokens import TokenAuth
from activities.api import router as activities_router
from campaigns.api import router as campaigns_router
from core.errors import DomainError
from core.http import loads_json, read_body, too_large_response, too_many_tries
from standings.api import router as standings_router
from teams.api import router as teams_router


class BoundedParser(Parser):
    """JSON bodies through core.http.loads_json (too deep is a clear 400, not a 500)
    and within DATA_UPLOAD_MAX_MEMORY_SIZE (beyond it, a 413). django-ninja turns any
    parsing failure into a bare 400, so the reason is kept for ``http_error``."""

    def parse_body(self, request: HttpRequest):
        try:
            return loads_json(read_body(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
        except DomainError as exc:
            request.body_error = exc  # type: ignore[attr-defined]
            raise


api = NinjaAPI(
    title="KindSteps API",
    parser=BoundedParser(),
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), django_auth],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError):
    return api.create_response(
        request, {"code": exc.code, "detail": str(exc.message)}, status=exc.status
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404):
    return api.create_response(
        request, {"code": "not_found", "detail": str(_("Not found."))}, status=404
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    body_error = getattr(request, "body_error", None)
    if isinstance(body_error, DomainError):
        return domain_error(request, body_error)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def request_too_big(request: HttpRequest, exc: RequestDataTooBig):
    return too_large_response(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


@api.exception_handler(Ratelimited)
def rate_limited(request: HttpRequest, exc: Ratelimited):
    return too_many_tries(request, exc)


class HealthOut(Schema):
    status: str
    database: str


@api.get("/health", auth=None, response={200: HealthOut, 503: HealthOut}, tags=["system"])
def health(request: HttpRequest):
    """Liveness and database check, for load balancers and uptime monitors."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy"; the body says which part
        return Status(503, {"status": "error", "database": "unavailable"})
    return Status(200, {"status": "ok", "database": "ok"})


api.add_router("/", accounts_router)
api.add_router("/", campaigns_router)
api.add_router("/", activities_router)
api.add_router("/", teams_router)
api.add_router("/", standings_router)
