"""The API object: version 1, token or session authentication, one error shape."""

from __future__ import annotations

from ninja import NinjaAPI, Swagger
from ninja.renderers import JSONRenderer

from minzheng.accounts.api import router as accounts_router
from minzheng.assistance.api import router as assistance_router
from minzheng.geo.api import router as geo_router

from . import errors
from .auth import SessionAuth, TokenAuth, docs_login_required
from .jobs import router as jobs_router


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # Chinese text as it is, not \\uXXXX


api = NinjaAPI(
    title="民政管理系统接口",
    version="1",
    description=(
        "登录：`POST /api/v1/auth/token` 取得令牌，之后在请求头中发送 "
        "`Authorization: Bearer <令牌>`；网页登录后的会话也可直接调用（修改类请求须带 CSRF 令牌）。"
        '所有错误的格式均为 `{"error": {"code": …, "message": …, "field": …}}`。'
    ),
    urls_namespace="api-v1",
    auth=[TokenAuth(), SessionAuth()],
    renderer=Renderer(),
    # the docs page loads Swagger UI from ninja's own static files ("ninja" is in
    # INSTALLED_APPS), never from a CDN: the intranet has no internet access
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
    docs_decorator=docs_login_required,
)
errors.install(api)
api.add_router("", accounts_router)
api.add_router("", geo_router)
api.add_router("", jobs_router)
api.add_router("", assistance_router)
