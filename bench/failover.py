"""Failover drill: a leader and two standbys on PostgreSQL under steady load; SIGKILL the leader N times.

Three real ``ordergate serve`` processes on one fresh database in the local PostgreSQL (127.0.0.1:5432,
``ORDERGATE_TEST_PG_URL`` as the tests use it). Two client threads keep submitting orders (a third market
orders that fill, the rest resting limit orders, every other one of those canceled) to any running
instance; standbys forward them to the leader; a client retries the same client order id until an instance
acknowledges it. Every few seconds the leader is killed with SIGKILL; the time until a probe order is
acknowledged by the new leader is the takeover time; the killed instance is started again as a standby.
At the end every acknowledged order must be in the database under its acknowledged id, no client order id
twice, and ``ordergate db check`` clean.

Printed last, as one JSON line: kills, takeover p50 and max (seconds), orders acknowledged and found,
lost, duplicates, db check, the clients' retries by answer status (0: no answer), the machine's speed.

Run:  .venv/bin/python bench/failover.py [--kills 10] [--between 3]
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
from tests.e2e.failover import Load, audit, kill_leader, takeover  # noqa: E402


def drill(kills: int, between: float, folder: Path) -> dict[str, Any]:
    """Run the drill and return its figures."""
    cluster = Cluster(folder)
    try:
        for _ in range(3):
            cluster.add()
        load = Load(cluster).start()
        took = []
        for kill in range(kills):
            time.sleep(between)
            killed, died = kill_leader(cluster)
            took.append(takeover(load, died, f"probe-{kill}"))
            killed.start()  # back as a standby
            print(f"kill {kill + 1}: takeover {took[-1]:.3f}s", file=sys.stderr, flush=True)
        time.sleep(between)
        tally = load.stop()
        found = audit(cluster.url, tally.acknowledged)
        check = cluster.ordergate("db", "check")
    finally:
        cluster.stop()
    return {
        "bench": "failover", "kills": kills, "takeover_p50_s": round(statistics.median(took), 3),
        "takeover_max_s": round(max(took), 3), "orders_acknowledged": found.acknowledged,
        "orders_found": found.found, "lost": len(found.lost), "duplicates": len(found.duplicates),
        "cancels": tally.cancels, "db_check": check.stdout.strip() or check.stderr.strip(),
        "retries_by_status": {str(k): v for k, v in sorted(tally.retries.items())},
        "machine": machine.speed(), "rerun": f"python bench/failover.py --kills {kills}",
    }


def main() -> None:
    """Parse the options, run the drill, print the figures as the last line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=10, help="times the leader is killed")
    parser.add_argument("--between", type=float, default=3.0, help="seconds of load before each kill")
    args = parser.parse_args()
    try:
        with tempfile.TemporaryDirectory(prefix="og-failover-") as folder:
            result = drill(args.kills, args.between, Path(folder))
    finally:
        drop_created_databases()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
