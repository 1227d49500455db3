"""API: latency of `GET /api/v1/me` through Django's test client with a bearer token.

The whole stack except the network: middleware, token look-up (and its last-used update),
roles and permissions, JSON rendering. A town officer's token; 50 warm-up requests, then as
many as fit in the time budget (at most 5 000).
"""

from __future__ import annotations

import time
from typing import Any

NEEDS_DATABASE = True
MAX_REQUESTS = 5_000


def run(ctx: Any) -> dict[str, Any]:
    from django.test import Client

    from bench._stats import latency_summary
    from minzheng.accounts import services
    from minzheng.geo.models import Region

    user, _ = services.user_create(
        actor=None,
        username="bench_api",
        full_name="基准测试",
        region=Region.objects.get(code="340521104"),
        password=services.generate_password(),
        must_change_password=False,
    )
    services.user_set_roles(actor=None, user=user, roles={"town_officer"})
    token = services.api_token_create(user=user, name="bench")
    client = Client(headers={"Authorization": f"Bearer {token}"})

    for _ in range(50):
        assert client.get("/api/v1/me").status_code == 200
    durations: list[float] = []
    started = time.perf_counter()
    deadline = started + ctx.seconds
    while len(durations) < MAX_REQUESTS and time.perf_counter() < deadline:
        t0 = time.perf_counter()
        resp = client.get("/api/v1/me")
        durations.append(time.perf_counter() - t0)
        if resp.status_code != 200:
            raise RuntimeError(
                f"GET /api/v1/me answered {resp.status_code}: {resp.content[:200]!r}"
            )
    elapsed = time.perf_counter() - started
    return {
        "endpoint": "GET /api/v1/me",
        "requests": len(durations),
        "requests_per_s": round(len(durations) / elapsed, 1),
        **latency_summary(durations),
    }
