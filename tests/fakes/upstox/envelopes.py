"""Upstox's response envelopes: success with ``data``, error with ``errors`` in both key casings."""

import json
from decimal import Decimal
from typing import Any

from starlette.responses import Response


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # Upstox sends prices as JSON numbers
    raise TypeError(f"not JSON: {type(value).__name__}")


def json_response(body: Any, status: int = 200) -> Response:
    """Return a JSON response (Decimals become JSON numbers, as Upstox sends them)."""
    return Response(json.dumps(body, default=_default), status_code=status, media_type="application/json")


def success(data: Any, *, latency: int | None = None) -> Response:
    """Return ``{"status": "success", "data": ...}`` (v3 order calls add ``metadata.latency``)."""
    body: dict[str, Any] = {"status": "success", "data": data}
    if latency is not None:
        body["metadata"] = {"latency": latency}
    return json_response(body)


def error(
    status: int, code: str, message: str, property_path: str | None = None, invalid_value: Any = None,
) -> Response:
    """Return the error envelope: the documented snake_case keys and the camelCase ones the SDK reads."""
    item = {
        "error_code": code, "errorCode": code, "message": message,
        "property_path": property_path, "propertyPath": property_path,
        "invalid_value": invalid_value, "invalidValue": invalid_value,
    }
    return json_response({"status": "error", "errors": [item]}, status)


class UpstoxError(Exception):
    """An error the fake answers with the error envelope."""

    def __init__(self, status: int, code: str, message: str, property_path: str | None = None,
                 invalid_value: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.property_path, self.invalid_value = property_path, invalid_value

    def response(self) -> Response:
        """Return the error envelope for this error."""
        return error(self.status, self.code, self.message, self.property_path, self.invalid_value)
