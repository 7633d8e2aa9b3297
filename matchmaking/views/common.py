"""What every matchmaking view shares: turning a refusal into a message, and snapshots."""

from __future__ import annotations

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string

from ..errors import MatchmakingError


def refuse(request, error: MatchmakingError, to: str):
    """A refusal as a message (a form post) or JSON with the status (fetch from the grid)."""
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"ok": False, "code": error.code, "message": str(error.message)}, status=error.status_code)
    messages.error(request, error.message)
    return redirect(to)


def done(request, text, to: str):
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"ok": True, "message": str(text)})
    messages.success(request, text)
    return redirect(to)


def snapshot(request, template: str, context: dict, version: int) -> JsonResponse:
    """The live part of a page, rendered fresh: pages swap it in on connect and on every push."""
    return JsonResponse({"version": version, "html": render_to_string(template, context, request=request)})


def int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
