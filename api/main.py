"""The open API (django-ninja), mounted at /api/v1/ by config/urls.py.

Views only: they call the apps' selectors and services like any other view (DESIGN §2).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

from . import errors
from .routers import organizer, public
from .scan_schema import add_scan_operation

DESCRIPTION = """博聚开放接口。公开数据（活动、日程、招聘会、单位、岗位）无需登录；报名、签到、展位预订需要
控制台创建的个人访问令牌（按活动授权，只读或读写）。分页使用游标：响应中的 `next_cursor`
原样作为下一次请求的 `cursor`。所有错误均为 JSON：`{"code": ..., "message": ...}`。详见 docs/api.md。"""


class LocalSwagger(DocsBase):
    """Swagger UI from static/vendor (no CDN), started by static/api/docs.js (no inline script)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        return render(request, "api/docs.html", {"api": api, "openapi_url": reverse("api-1:openapi-json")})


class BojuAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs) -> dict:
        return add_scan_operation(super().get_openapi_schema(*args, **kwargs))


api = BojuAPI(
    title="Boju API",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api-1",
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("/", public.router)
api.add_router("/", organizer.router)
