"""The scanner's `POST /api/checkin/scan` in the OpenAPI document.

It is not served by the ninja app: it keeps its own fast lane (checkin/fastlane.py in front of
Django on PostgreSQL, checkin.views.api.scan otherwise), because at the doors it answers
hundreds of scans a second. Its wire format is checkin.protocol's; this describes it so API
users find it next to the rest.
"""

from checkin.protocol import GATE_MAX, SCAN_BODY_MAX, STATUS

SCAN_PATH = "/api/checkin/scan"

SCAN_REQUEST = {
    "type": "object",
    "required": ["code", "nonce"],
    "properties": {
        "code": {"type": "string", "description": "二维码内容（签名的电子票）"},
        "nonce": {
            "type": "string",
            "pattern": "^[A-Za-z0-9_-]{8,64}$",
            "description": "每次扫码唯一；重试同一 nonce 不会重复签到",
        },
        "gate": {"type": "string", "maxLength": GATE_MAX, "description": "入口"},
        "scanned_at": {"type": "string", "format": "date-time", "description": "扫码时间（含时区）"},
        "list": {"type": "integer", "minimum": 1, "description": "签到名单 id（默认整场）"},
    },
}

SCAN_RESULT = {
    "type": "object",
    "required": ["result", "message"],
    "properties": {
        "result": {"type": "string", "enum": sorted(STATUS), "description": "结果代码"},
        "message": {"type": "string", "description": "给门口工作人员看的提示（当前语言）"},
    },
    "additionalProperties": True,
}


def add_scan_operation(schema: dict) -> dict:
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {}).update({"ScanRequest": SCAN_REQUEST, "ScanResult": SCAN_RESULT})
    components.setdefault("securitySchemes", {})["ScannerDevice"] = {
        "type": "http",
        "scheme": "bearer",
        "description": "扫码设备令牌（控制台配对设备后获得），或已登录组织者的会话 + CSRF",
    }
    result = {"application/json": {"schema": {"$ref": "#/components/schemas/ScanResult"}}}
    statuses = sorted({str(code) for code in STATUS.values()})
    schema.setdefault("paths", {})[SCAN_PATH] = {
        "post": {
            "operationId": "checkin_scan",
            "summary": "扫码签到（快速通道，不经本 API 应用）",
            "description": (
                f"门口扫码。请求体不超过 {SCAN_BODY_MAX} 字节。签名先于任何数据库访问校验；"
                "每种结果有自己的 HTTP 状态码。由 checkin 的快速通道处理，独立于 /api/v1/。"
            ),
            "tags": ["checkin"],
            "security": [{"ScannerDevice": []}],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScanRequest"}}},
            },
            "responses": {status: {"description": "结果见 result", "content": result} for status in statuses},
        }
    }
    return schema
