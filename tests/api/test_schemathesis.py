"""The live schema, tested by schemathesis against a real server process (about 30 s: every
operation, a bounded number of examples each, fixed seed).

Checks: no 5xx, every status and body as the schema says, JSON content type. The organizer
operations get a read-write token of a fair with registrations and bookings, and their
`event_id` is pinned to that fair so the generated requests reach the data, not only 404s.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from api.models import ApiToken
from events.services import registration_create
from fairs.models import BoothBooking

from ..factories import SessionFactory, candidate
from ..fairs.factories import approved_booking, booths, fair_with_booths, member, position
from .factories import token_for

EXAMPLES = 8
SEED = 20261201


@pytest.fixture
def live_data(transactional_db):
    fair = fair_with_booths(3, approval_required=True, capacity=2)
    SessionFactory(event=fair.event)
    for _ in range(3):
        registration_create(event=fair.event, user=candidate())
    company, _admin = member(name="海蓝智能")
    approved_booking(fair, booths(fair)[0], company)
    position(company, fair)
    BoothBooking.objects.create(
        fair=fair, booth=booths(fair)[1], company=member()[0], status=BoothBooking.Status.REQUESTED
    )
    _token, raw, _ = token_for(fair.event, user=fair.boss, access=ApiToken.Access.WRITE)
    return fair, raw


def test_schema_holds_for_every_operation(live_data, asgi_server_factory, tmp_path):
    fair, raw = live_data
    server = asgi_server_factory(extra_env={"API_RATE_TOKEN": "1000000", "API_RATE_ANONYMOUS": "1000000"})
    schema_url = f"{server.url}/api/v1/openapi.json"
    config = tmp_path / "schemathesis.toml"
    config.write_text(f'[[operations]]\ninclude-tag = "organizer"\nparameters = {{ "path.event_id" = {fair.pk} }}\n')
    report = tmp_path / "report.json"
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("st")),
            "--config-file",
            str(config),
            "--no-color",
            "run",
            schema_url,
            "-n",
            str(EXAMPLES),
            "--seed",
            str(SEED),
            "-w",
            "1",
            "--phases",
            "examples,coverage,fuzzing",
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "-H",
            f"Authorization: Bearer {raw}",
            "--report",
            "json",
            "--report-json-path",
            str(report),
            "--generation-database",
            "none",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,  # its cache stays out of the repository
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:] + "\n--- server ---\n" + server.output()[-3000:]
    operations = len([op for path in json.loads(_get(schema_url))["paths"].values() for op in path])
    assert f"Selected: {operations}/{operations}" in output
    assert f"Tested: {operations}" in output


def _get(url: str) -> str:
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()
