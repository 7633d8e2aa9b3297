"""The demo programme's steps, contributed by the apps that own the data (load_demo runs them).

events sits below the feature apps (docs/DESIGN.md §2), so its load_demo command cannot import
them. Instead each app registers, from its own `ready()`, a step that loads its part of the demo
(floor plans, tickets, challenges, ...) and, if its rows protect the demo series, a step that
removes them before `load_demo --reset` deletes the series. The way notification kinds are
declared (notifications/kinds.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class DemoContext:
    """What a step may use: the head-office organizer, the series, the events by their demo key
    (events/demo.py EVENTS), and `user(email, name, role, **extra)`, which creates a demo login
    (verified e-mail, the demo password) or returns the existing one."""

    head: Any
    series: Any
    events: dict[str, Any]
    user: Callable[..., Any]
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DemoStep:
    name: str
    order: int  # steps load in ascending order, and unload in descending order
    load: Callable[[DemoContext], object] | None
    unload: Callable[[Any], None] | None  # called with the series, before its events are deleted


_steps: dict[str, DemoStep] = {}


def demo_step_register(
    name: str,
    *,
    order: int,
    load: Callable[[DemoContext], object] | None = None,
    unload: Callable[[Any], None] | None = None,
) -> DemoStep:
    """Declare an app's demo step. Idempotent for the same name (ready() may run twice in tests)."""
    step = DemoStep(name=name, order=order, load=load, unload=unload)
    _steps[name] = step
    return step


def demo_steps() -> list[DemoStep]:
    return sorted(_steps.values(), key=lambda step: (step.order, step.name))
