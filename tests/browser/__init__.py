"""Tests that drive the real pages in headless Chromium against a real ASGI server."""
