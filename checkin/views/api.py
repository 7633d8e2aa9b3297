"""The scanner API: JSON in, JSON out, a clear `result` and a 4xx for every kind of bad input.

Authentication is a device token (`Authorization: Bearer ...`) or, for organizers using the
scanner page while logged in, the session (then CSRF applies as for any form).
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from config.dbfaults import db_retry_safe
from config.inputs import json_loads
from events.models import Event

from ..errors import CheckinError
from ..protocol import SCAN_BODY_MAX, SYNC_BODY_MAX, SYNC_ITEMS_MAX, result_message, result_status, scan_item_parse
from ..selectors import offline_bundle, scanner_events
from ..services import Scanner, checkin_perform, checkin_sync, device_pair, scanner_for_token


def answer(data: dict, status: int | None = None) -> JsonResponse:
    result = data["result"]
    data.setdefault("message", result_message(result))
    return JsonResponse(data, status=status or result_status(result), json_dumps_params={"ensure_ascii": False})


def _refuse(result: str) -> JsonResponse:
    return answer({"result": result})


def _scanner(request) -> Scanner | JsonResponse:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        scheme, _, token = header.partition(" ")
        scanner = scanner_for_token(token.strip()) if scheme.lower() == "bearer" else None
        return scanner if scanner is not None else _refuse("unauthorized")
    user = request.user
    if not user.is_authenticated or not user.is_organizer:
        return _refuse("unauthorized" if not user.is_authenticated else "forbidden")
    if request.method == "POST" and CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {}):
        return _refuse("forbidden")
    return Scanner(user=user)


def _json_body(request, limit: int):
    """(data, None) or (None, refusal) for a body that is too big, not JSON or not an object."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        return None, _refuse("too_large")
    try:
        body = request.body
    except RequestDataTooBig:
        return None, _refuse("too_large")
    if len(body) > limit:
        return None, _refuse("too_large")
    try:
        data = json_loads(body)  # no RecursionError, no NUL (config/inputs.py)
    except ValueError:
        return None, _refuse("bad_request")
    if not isinstance(data, dict):
        return None, _refuse("bad_request")
    return data, None


def _scanner_post(request, limit: int):
    """(scanner, data, None) for an authorised POST with a JSON object of at most `limit`
    bytes, or (None, None, refusal) saying which of those it was not, in that order."""
    if request.method != "POST":
        return None, None, _refuse("method_not_allowed")
    scanner = _scanner(request)
    if isinstance(scanner, JsonResponse):
        return None, None, scanner
    data, refusal = _json_body(request, limit)
    return (None, None, refusal) if refusal else (scanner, data, None)


@db_retry_safe  # the nonce makes a repeat answer the first scan's result
@csrf_exempt
def scan(request):
    scanner, data, refusal = _scanner_post(request, SCAN_BODY_MAX)
    if refusal:
        return refusal
    item = scan_item_parse(data)
    if item is None:
        return _refuse("bad_request")
    try:
        outcome = checkin_perform(
            code=item["code"],
            gate=item["gate"],
            nonce=item["nonce"],
            scanned_at=item["scanned_at"],
            scanner=scanner,
            list_id=item["list"],
            event_id=item["event"],
        )
    except CheckinError as error:
        return _refuse(error.code)
    return answer(outcome.as_json())


@csrf_exempt
def sync(request):
    """An offline queue: {"scans": [...]} -> {"result": "ok", "scans": [one answer per scan]}."""
    scanner, data, refusal = _scanner_post(request, SYNC_BODY_MAX)
    if refusal:
        return refusal
    raw = data.get("scans")
    if not isinstance(raw, list) or len(raw) > SYNC_ITEMS_MAX:
        return _refuse("bad_request")
    items = [scan_item_parse(entry) for entry in raw]
    if any(item is None or item["scanned_at"] is None for item in items):
        return _refuse("bad_request")
    return answer({"result": "ok", "scans": checkin_sync(scans=items, scanner=scanner)})


def _event_in_scope(request, scanner: Scanner):
    try:
        event_id = int(request.GET.get("event", ""))
    except ValueError:
        return None
    if not scanner.may_scan(event_id):
        return None
    return Event.objects.filter(pk=event_id).first()


@csrf_exempt
@never_cache  # personal: no shared or browser cache keeps it (issue 13)
def offline(request):
    """GET ?event=<id>: public keys, revocation list and ticket list for offline checking."""
    if request.method != "GET":
        return _refuse("method_not_allowed")
    scanner = _scanner(request)
    if isinstance(scanner, JsonResponse):
        return scanner
    event = _event_in_scope(request, scanner)
    if event is None:
        return _refuse("forbidden")
    return answer({"result": "ok", **offline_bundle(event)})


@csrf_exempt
def whoami(request):
    """The scanner's events (id and title), so the page can offer them."""
    scanner = _scanner(request)
    if isinstance(scanner, JsonResponse):
        return scanner
    if scanner.event_ids is not None:
        events = Event.objects.filter(pk__in=scanner.event_ids).order_by("starts_at")
    else:
        events = scanner_events(scanner.user)
    return answer(
        {"result": "ok", "device": scanner.device_id, "events": [{"id": e.pk, "title": e.title} for e in events]}
    )


@csrf_exempt
def pair(request):
    """{"code": "..."} -> {"token": ...}: the one-time pairing code becomes the device's token."""
    if request.method != "POST":
        return _refuse("method_not_allowed")
    data, refusal = _json_body(request, SCAN_BODY_MAX)
    if refusal:
        return refusal
    code = data.get("code")
    if not isinstance(code, str):
        return _refuse("bad_request")
    try:
        device, token = device_pair(code=code)
    except CheckinError as error:
        return _refuse(error.code)
    return answer(
        {
            "result": "ok",
            "token": token,
            "device": device.pk,
            "name": device.name,
            "events": [{"id": e.pk, "title": e.title} for e in device.events.all()],
        }
    )
