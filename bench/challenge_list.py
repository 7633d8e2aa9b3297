"""The challenge list at size: 10,000 challenges, 50,000 applications, against a real server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/boju_challenges REDIS_URL=redis://127.0.0.1:6379/3 \
        .venv/bin/python bench/challenges.py [--challenges 10000] [--applications 50000] \
        [--requests 400] [--concurrency 4] [--workers 2] [--keep]

Without --url it starts `uvicorn --workers N` in production mode itself. The data is written
straight to the database (bulk inserts, jieba words computed as the services would) under a
series of its own, which is deleted at the end unless --keep. Then, for each scenario, the
requests are sent --concurrency at a time, each with a fresh random choice:
  list     /challenges/?discipline=..&budget=..&district=..   (filters, page of 20)
  search   /challenges/?q=海洋 | 氢能 | 材料 | 燃料电池 | ...   (jieba + GIN full text)
  page     /challenges/<random id>/                            (a challenge page)
and the number of queries of the list at 5 and at 100 cards per page is counted in-process.
Prints one JSON line: per scenario p50/p95/p99 in ms and requests per second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal

from _support import ROOT, django_setup, http_client, ms, percentile, start_server

os.environ.setdefault("DJANGO_STATIC_ROOT", tempfile.mkdtemp(prefix="boju-bench-static-"))
django_setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Company, User  # noqa: E402
from challenges.models import Application, Challenge, District  # noqa: E402
from challenges.search import search_text_build  # noqa: E402
from events.models import Series  # noqa: E402
from projects.models import Team  # noqa: E402

SLUG = "bench-challenges"
FIELDS = [
    ("海洋", "0707"),
    ("氢能", "0807"),
    ("新材料", "0805"),
    ("生物医药", "1007"),
    ("智能制造", "0802"),
    ("海上风电", "0808"),
    ("集成电路", "0809"),
    ("工业互联网", "0812"),
]
TOPICS = [
    "腐蚀防护",
    "在线监测",
    "低温启动",
    "疲劳寿命",
    "工艺放大",
    "缺陷检测",
    "储运安全",
    "能耗优化",
    "寿命预测",
    "材料改性",
    "数据融合",
    "精准控制",
]
OBJECTS = [
    "养殖网箱",
    "燃料电池",
    "复合材料叶片",
    "抗体药物",
    "焊装产线",
    "海底电缆",
    "功率芯片",
    "边缘网关",
    "催化剂",
    "海水淡化膜",
    "储氢罐",
    "水下机器人",
]
QUERIES = ["海洋", "氢能", "材料", "燃料电池", "缺陷检测", "海上风电", "寿命预测", "水下机器人", "生物医药 工艺"]
BUDGETS = ["lt50", "50-200", "200-500", "gt500"]


def seed(n_challenges: int, n_applications: int) -> list[int]:
    started = time.monotonic()
    series, _ = Series.objects.get_or_create(slug=SLUG, defaults={"title": "Bench challenges", "year": 2025})
    companies = Company.objects.bulk_create(
        [
            Company(
                name=f"青岛基准科技有限公司{i}",
                credit_code=f"BENCH{i:013d}",
                industry="marine",
                status=Company.Status.VERIFIED,
            )
            for i in range(200)
        ]
    )
    rng = random.Random(7)
    now = timezone.now()
    rows = []
    for i in range(n_challenges):
        field, discipline = FIELDS[i % len(FIELDS)]
        title = f"{field}{rng.choice(OBJECTS)}{rng.choice(TOPICS)}难题{i}"
        summary = f"面向{field}产业，解决{rng.choice(OBJECTS)}的{rng.choice(TOPICS)}问题。"
        low = Decimal(rng.choice([10, 30, 50, 100, 200, 400, 600]))
        company = companies[i % len(companies)]
        challenge = Challenge(
            series=series,
            company=company,
            title=title,
            discipline=discipline,
            district=District.values[i % len(District.values)],
            summary=summary,
            problem="详情",
            outcome="成果",
            acceptance="验收",
            budget_min_wan=low,
            budget_max_wan=low * 2,
            winners_max=2,
            deadline=now + timedelta(days=1 + i % 120),
            status=Challenge.Status.PUBLISHED,
            published_at=now - timedelta(minutes=i),
        )
        challenge.search_text = search_text_build(title, summary, company.name)
        rows.append(challenge)
    Challenge.objects.bulk_create(rows, batch_size=1000)
    ids = list(Challenge.objects.filter(series=series).values_list("pk", flat=True))
    n_teams = max(1, n_applications // 10)
    users = User.objects.bulk_create(
        [User(email=f"bench-challenge-{i}@example.cn", name=f"基准{i}", password="!") for i in range(n_teams)],
        batch_size=1000,
    )
    teams = Team.objects.bulk_create([Team(name=f"基准团队{i}", lead=u) for i, u in enumerate(users)], batch_size=1000)
    per = max(1, n_applications // len(ids))
    apps = [
        Application(
            challenge_id=cid,
            team=teams[(index * per + k) % len(teams)],
            proposal="方案",
            approach="路线",
            timeline="一年",
            price_wan=Decimal("50"),
        )
        for index, cid in enumerate(ids)
        for k in range(per)
    ][:n_applications]
    Application.objects.bulk_create(apps, batch_size=2000)
    # As autovacuum would have by then: earlier runs' deleted rows otherwise stay in the indexes
    # (a bitmap scan then visits every run's rows), and the planner needs fresh statistics.
    with connection.cursor() as cursor:
        for table in ("challenges_challenge", "challenges_application", "accounts_company", "projects_team"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"seeded in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return ids


def cleanup() -> None:
    series = Series.objects.filter(slug=SLUG).first()
    if series is None:
        return
    Application.objects.filter(challenge__series=series).delete()
    Challenge.objects.filter(series=series).delete()
    Team.objects.filter(lead__email__startswith="bench-challenge-").delete()
    User.objects.filter(email__startswith="bench-challenge-").delete()
    Company.objects.filter(credit_code__startswith="BENCH").delete()
    series.delete()


def query_counts() -> dict:
    from django.test import Client

    client = Client()
    counts = {}
    for per in (5, 100):
        with CaptureQueriesContext(connection) as context:
            response = client.get(f"/challenges/?per={per}&discipline=0707&budget=50-200", HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, response.status_code
        counts[f"list_per_{per}"] = len(context)
    return counts


async def scenario(base: str, paths: list[str], concurrency: int) -> dict:
    latencies: list[float] = []
    errors = 0
    queue = list(paths)
    async with http_client(base, concurrency=concurrency) as client:

        async def worker():
            nonlocal errors
            while queue:
                path = queue.pop()
                t0 = time.perf_counter()
                async with client.get(path) as response:
                    await response.read()
                    if response.status != 200:
                        errors += 1
                latencies.append(time.perf_counter() - t0)

        # Warm-up: every worker's first request imports and connects.
        for path in paths[:8]:
            async with client.get(path) as response:
                await response.read()
        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - t0
    return {
        "p50_ms": ms(percentile(latencies, 50)),
        "p95_ms": ms(percentile(latencies, 95)),
        "p99_ms": ms(percentile(latencies, 99)),
        "rps": round(len(latencies) / elapsed, 1),
        "requests": len(latencies),
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--challenges", type=int, default=10_000)
    parser.add_argument("--applications", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--url", default="")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("run against PostgreSQL: set DATABASE_URL")
    cleanup()
    ids = seed(args.challenges, args.applications)
    process = None
    try:
        base = args.url
        if not base:
            import subprocess

            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=ROOT,
                check=True,
                env={**os.environ, "DJANGO_ENV": "production", "DJANGO_ALLOWED_HOSTS": "127.0.0.1"},
            )
            process, base = start_server(workers=args.workers)
        rng = random.Random(11)
        lists = [
            f"/challenges/?discipline={rng.choice(FIELDS)[1]}&budget={rng.choice(BUDGETS)}"
            f"&district={rng.choice(District.values)}"
            for _ in range(args.requests)
        ]
        searches = [f"/challenges/?q={rng.choice(QUERIES)}" for _ in range(args.requests)]
        pages = [f"/challenges/{rng.choice(ids)}/" for _ in range(args.requests)]
        figures = {
            "challenges": len(ids),
            "applications": Application.objects.filter(challenge__series__slug=SLUG).count(),
            "workers": args.workers,
            "concurrency": args.concurrency,
        }
        # Warm-up, not measured: each worker's first requests load templates and the URL
        # configuration; the figures are for a server that has been up for a while.
        asyncio.run(scenario(base, (lists[:20] + searches[:20] + pages[:20]) * 2, args.concurrency))
        for name, paths in (("list", lists), ("search", searches), ("page", pages)):
            figures[name] = asyncio.run(scenario(base, paths, args.concurrency))
        figures["queries"] = query_counts()
        print(json.dumps(figures, ensure_ascii=False))
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
        if not args.keep:
            cleanup()


if __name__ == "__main__":
    main()
