"""Failover drill with WebSocket clients: three instances on PostgreSQL and Redis; SIGKILL the leader N times.

The drill of bench/failover.py (a leader and two standbys, two client threads submitting, canceling and
filling through any instance, the leader killed every few seconds and started again as a standby), with
Redis (``ORDERGATE_TEST_REDIS_URL``, default 127.0.0.1:6379) carrying the event stream, and one WebSocket
client per instance that reads the stream and, when its instance dies, resumes on another running instance
with ``since``. At the end every client's stream must be gap-free, in order, with no message twice and no
resync, and hold every acknowledged order.

Printed last, as one JSON line: kills, takeover p50 and max, orders acknowledged and found, lost, then for
the clients: messages read, reconnects, gaps, out of order, repeated, resyncs, acknowledged orders missing
from a client's stream; db check; the machine's speed.

Run:  .venv/bin/python bench/failover_stream.py [--kills 10] [--between 3]
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.e2e, which starts real servers as the e2e tests do

import machine  # noqa: E402  (beside this file)
from tests.databases import drop_created_databases  # noqa: E402
from tests.e2e.cluster import Cluster  # noqa: E402
from tests.e2e.failover import Load, audit, kill_leader_repeatedly  # noqa: E402
from tests.e2e.server import Server  # noqa: E402
from tests.e2e.stream_reader import StreamReader  # noqa: E402
from tests.redis_service import delete_keys, new_prefix, require_redis  # noqa: E402

SETTLE = 3.0  # seconds for the last events to reach every client


def _prefer(cluster: Cluster, index: int) -> list[Server]:
    """Return the running instances, instance ``index`` first when it runs."""
    running = cluster.running()
    return sorted(running, key=lambda s: s is not cluster.instances[index])


def drill(kills: int, between: float, folder: Path) -> dict[str, Any]:
    """Run the drill and return its figures."""
    url, prefix = require_redis(), new_prefix()
    cluster = Cluster(folder)
    readers: list[StreamReader] = []
    try:
        for _ in range(3):
            cluster.add({"ORDERGATE_REDIS_URL": url, "ORDERGATE_REDIS__KEY_PREFIX": prefix})
        readers = [StreamReader(lambda i=i: _prefer(cluster, i)) for i in range(3)]
        for reader in readers:
            reader.start()
        load = Load(cluster).start()
        took = kill_leader_repeatedly(cluster, load, kills, between)
        time.sleep(between)
        tally = load.stop()
        time.sleep(SETTLE)
        faults = [reader.check() for reader in readers]
        streams = [reader.finish() for reader in readers]
        found = audit(cluster.url, tally.acknowledged)
        check = cluster.ordergate("db", "check")
    finally:
        for reader in readers:
            reader.finish()
        cluster.stop()
        delete_keys(prefix)
    acknowledged = set(tally.acknowledged.values())
    missing = [len(acknowledged - {m["order"]["id"] for m in s if m["type"] == "order"}) for s in streams]
    return {
        "bench": "failover_stream", "kills": kills, "takeover_p50_s": round(statistics.median(took), 3),
        "takeover_max_s": round(max(took), 3), "orders_acknowledged": found.acknowledged,
        "orders_found": found.found, "lost": len(found.lost), "duplicates": len(found.duplicates),
        "ws_clients": len(readers), "ws_messages": [len(s) for s in streams],
        "ws_reconnects": [r.connections - 1 for r in readers], "ws_gaps": sum(f.gaps for f in faults),
        "ws_out_of_order": sum(f.out_of_order for f in faults), "ws_twice": sum(f.twice for f in faults),
        "ws_resyncs": sum(f.resyncs for f in faults), "ws_orders_missing": missing,
        "db_check": check.stdout.strip() or check.stderr.strip(),
        "machine": machine.speed(), "rerun": f"python bench/failover_stream.py --kills {kills}",
    }


def main() -> None:
    """Parse the options, run the drill, print the figures as the last line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=10, help="times the leader is killed")
    parser.add_argument("--between", type=float, default=3.0, help="seconds of load before each kill")
    args = parser.parse_args()
    try:
        with tempfile.TemporaryDirectory(prefix="og-failover-stream-") as folder:
            result = drill(args.kills, args.between, Path(folder))
    finally:
        drop_created_databases()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
