"""API: log-in with a token, log-out, and the caller's own account (``/me``)."""

# no `from __future__ import annotations`: django-ninja reads these annotations at import
from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from minzheng.api.auth import caller, token_login, token_logout
from minzheng.api.schemas import errors

from .roles import Role

router = Router(tags=["登录与账号"])


class TokenIn(Schema):
    username: str = Field(min_length=1, max_length=150, description="用户名")
    password: str = Field(min_length=1, max_length=256, description="密码")
    otp_token: str = Field("", max_length=8, description="动态口令（管理员账号必填）")
    name: str = Field("API", max_length=100, description="令牌用途，记入审计日志")


class TokenOut(Schema):
    token: str = Field(description="在请求头中发送：Authorization: Bearer <token>")
    token_type: str = "Bearer"  # noqa: S105 (the scheme's name, not a secret)
    expires_at: datetime | None = Field(description="最长有效期限")
    idle_timeout_minutes: int = Field(description="超过此时长未使用即失效")


class RoleOut(Schema):
    code: str
    label: str


class RegionBrief(Schema):
    code: str
    name: str
    level: str


class MeOut(Schema):
    username: str
    name: str
    roles: list[RoleOut]
    region: RegionBrief | None
    permissions: list[str] = Field(description="权限代码，见 accounts.roles.Perm")


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, **errors(401, 403, 422, 429)},
    summary="登录并获取令牌",
)
def auth_token(request: HttpRequest, payload: TokenIn) -> TokenOut:
    """Same rules as the log-in page: 5 consecutive failures lock the account (429)."""
    issued = token_login(
        request,
        username=payload.username,
        password=payload.password,
        otp_token=payload.otp_token,
        name=payload.name,
    )
    return TokenOut(
        token=issued.token,
        expires_at=issued.expires_at,
        idle_timeout_minutes=issued.idle_timeout_minutes,
    )


@router.post("/auth/logout", response={204: None, **errors(401, 403)}, summary="注销令牌")
def auth_logout(request: HttpRequest) -> Status[None]:
    token_logout(request)
    return Status(204, None)


@router.get("/me", response={200: MeOut, **errors(401)}, summary="当前用户")
def me(request: HttpRequest) -> MeOut:
    user = caller(request)
    region = user.region
    return MeOut(
        username=user.username,
        name=user.full_name,
        roles=[RoleOut(code=r, label=Role(r).label) for r in sorted(user.role_codes)],
        region=RegionBrief(code=region.code, name=region.name, level=region.level)
        if region
        else None,
        permissions=sorted(user.permission_codes),
    )
