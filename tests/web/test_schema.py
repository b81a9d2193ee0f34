"""Schemathesis against the OpenAPI spec of the dashboard API: every response matches what the spec says."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings


@pytest.fixture(scope="session")
def api_schema(web_app: Any) -> Any:
    # The monitoring API (its own helper's tests) needs logins; this suite covers the dashboard's /api.
    return schemathesis.openapi.from_asgi("/openapi.json", web_app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.include(path_regex="^/api/").parametrize()
@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_conforms_to_its_openapi_spec(case: Any) -> None:
    case.call_and_validate()
