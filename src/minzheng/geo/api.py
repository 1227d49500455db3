"""API: the administrative regions of the caller's own subtree."""

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from minzheng.accounts.roles import Perm
from minzheng.accounts.scoping import require_perm
from minzheng.api.auth import caller
from minzheng.api.schemas import errors

from . import selectors
from .models import Region

router = Router(tags=["行政区划"])


class RegionOut(Schema):
    code: str
    name: str
    level: Region.Level
    level_label: str = Field(alias="get_level_display")
    parent_code: str | None = Field(alias="parent_id")
    is_urban: bool
    is_synthetic: bool = Field(description="名称为演示生成")


class RegionFilter(Schema):
    level: Region.Level | None = Field(None, description="层级")
    parent: str | None = Field(
        None, max_length=12, pattern=r"^\d{2,12}$", description="上级区划代码"
    )


@router.get(
    "/regions",
    response={200: list[RegionOut], **errors(401, 403, 422)},
    summary="本人辖区内的行政区划",
)
@paginate(PageNumberPagination, page_size=50, max_page_size=500)
def region_list(request: HttpRequest, filters: Query[RegionFilter]) -> object:
    user = caller(request)
    require_perm(user, Perm.DASHBOARD_VIEW)
    return selectors.region_list_for_user(user, level=filters.level, parent=filters.parent)


@router.get(
    "/regions/{code}",
    response={200: RegionOut, **errors(401, 403, 404)},
    summary="一个行政区划（辖区外的与不存在的同样答复 404）",
)
def region_detail(request: HttpRequest, code: str) -> Region:
    user = caller(request)
    require_perm(user, Perm.DASHBOARD_VIEW)
    return selectors.region_get_for_user(user, code)
