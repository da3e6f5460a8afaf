"""The OpenAPI document and the Swagger UI, served by ordergate itself: the docs work with no internet."""

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse, Response

from ordergate.entrypoints.api.deps import Public
from ordergate.entrypoints.api.exact_json import ExactJsonRoute
from ordergate.entrypoints.api.serialize import JsonResponse

router = APIRouter(include_in_schema=False, route_class=ExactJsonRoute)
ASSETS_PATH = "/docs/assets"


def assets_dir() -> Path:
    """Return the folder of Swagger UI's files (shipped by the fastapi-offline package, Apache-2.0 licensed)."""
    return Path(str(resources.files("fastapi_offline") / "static"))


@router.get("/openapi.json")
async def openapi(request: Request, _: Public) -> Response:
    """Return the OpenAPI document."""
    return JsonResponse(request.app.openapi())


@router.get("/docs")
async def swagger_ui(_: Public) -> HTMLResponse:
    """Return the Swagger UI page; its script, style and icon come from this server."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json", title="ordergate API",
        swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js", swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
    )
