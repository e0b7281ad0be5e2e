"""Page numbers of the JSON API, bounded: a page far past any list would otherwise
reach the database as an OFFSET beyond a bigint (a 500 on PostgreSQL); it is a 422."""

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 1_000_000


class BoundedPageNumberPagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=1000)
