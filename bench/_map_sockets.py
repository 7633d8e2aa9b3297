"""The open maps of bench/booth_map.py, in a process of their own.

    python bench/_map_sockets.py WS_URL ORIGIN SOCKETS

Opens SOCKETS WebSockets (10 ms apart), prints `ready` once every one has its hello, then
records when each `fair.booth` push arrives. On `expect N` from stdin it waits until N pushes
arrived (or 15 s), and prints one JSON line: [[booth id, time.perf_counter()], ...].
time.perf_counter() is CLOCK_MONOTONIC on Linux, the same clock in every process, so the
parent subtracts its own booking times from these.

Why: in the load generator's one event loop the 200 frames of each booking (parsed, inflated,
decoded) may delay the page reads finishing at that moment, so the readers' p99 could measure
the load generator as much as the server. `--sockets-in process` takes them out of that loop.
Measured on 2026-12-02 at load 5.6-8.9 (docs/fairs.md): no difference that the load's own
noise did not swamp, so the default stays the readers' loop, as in every documented run.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import websockets


async def main(ws_url: str, origin: str, sockets: int) -> None:
    arrivals: list[tuple[int | None, float]] = []
    connected = 0
    ready = asyncio.Event()

    async def listen(index: int) -> None:
        nonlocal connected
        await asyncio.sleep(index * 0.01)  # maps are opened over two seconds, not in one instant
        async with websockets.connect(ws_url, additional_headers={"Origin": origin}, max_queue=None) as socket:
            json.loads(await socket.recv())  # hello: subscribed
            connected += 1
            if connected == sockets:
                ready.set()
            async for raw in socket:
                now = time.perf_counter()
                payload = json.loads(raw).get("payload") or {}
                if payload.get("type") == "fair.booth":
                    arrivals.append(((payload.get("booth") or {}).get("id"), now))

    tasks = [asyncio.create_task(listen(i)) for i in range(sockets)]
    await asyncio.wait_for(ready.wait(), timeout=120)
    print("ready", flush=True)
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    expected = int(line.split()[1])
    deadline = time.perf_counter() + 15  # the last pushes arrive (a lost one never does)
    while len(arrivals) < expected and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    print(json.dumps(arrivals), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
