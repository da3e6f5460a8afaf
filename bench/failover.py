"""Failover drill: a leader and two standbys on PostgreSQL under steady load; SIGKILL the leader, cut its network.

Three real ``ordergate serve`` processes on one fresh database in the local PostgreSQL (127.0.0.1:5432,
``ORDERGATE_TEST_PG_URL`` as the tests use it). Two client threads keep submitting orders (a third market
orders that fill, the rest resting limit orders, every other one of those canceled) to any running
instance; standbys forward them to the leader; a client retries the same client order id until an instance
acknowledges it. Every few seconds the leader is killed with SIGKILL; the time until a probe order is
acknowledged by the new leader is the takeover time; the killed instance is started again as a standby.
Then (as root, where ``ip netns`` works: each instance runs in a network namespace of its own, see
tests/e2e/netns.py) the leader's link is cut ``--cuts`` times: a standby must take over, and the cut
leader, its link back, must have stepped down to standby.
At the end every acknowledged order must be in the database under its acknowledged id, no client order id
twice, and ``ordergate db check`` clean.

Printed last, as one JSON line: kills and cuts with their takeover p50 and max (seconds), orders
acknowledged and found, lost, duplicates, db check, the clients' retries by answer status (0: no answer),
the machine's speed.

Run:  .venv/bin/python bench/failover.py [--kills 10] [--cuts 5] [--between 3]
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.e2e, which starts real servers as the e2e tests do

import machine  # noqa: E402  (beside this file)
from tests.databases import drop_created_databases  # noqa: E402
from tests.e2e.cluster import Cluster  # noqa: E402
from tests.e2e.failover import Load, audit, kill_leader_repeatedly, takeover  # noqa: E402
from tests.e2e.netns import DatabaseRelay, Namespace, allow_forwarding, netns_problem  # noqa: E402
from tests.e2e.server import Server  # noqa: E402


def _role(server: Server) -> str | None:
    try:
        return str(httpx.get(f"{server.url}/ready", timeout=1).json().get("role"))
    except (httpx.HTTPError, ValueError):
        return None


def _start_cluster(folder: Path, spaces: list[Namespace]) -> Cluster:
    cluster = Cluster(folder)
    for index in range(3):
        if spaces:
            space = spaces[index]
            cluster.add(host=space.inner_ip, launcher=space.launcher(), database_host=space.host_ip)
        else:
            cluster.add()
    return cluster


def _cuts(cluster: Cluster, load: Load, spaces: list[Namespace], cuts: int, between: float) -> list[float]:
    took = []
    for cut in range(cuts):
        time.sleep(between)
        leader = cluster.leader()
        space = spaces[cluster.instances.index(leader)]
        space.cut()
        cut_at = time.monotonic()
        took.append(takeover(load, cut_at, f"probe-cut-{cut}"))
        space.mend()
        deadline = time.monotonic() + 30
        while _role(leader) != "standby" and time.monotonic() < deadline:  # it stepped down and rebuilt
            time.sleep(0.1)
        print(f"cut {cut + 1}: takeover {took[-1]:.3f}s; the cut leader is {_role(leader)}", file=sys.stderr,
              flush=True)
    return took


def drill(kills: int, cuts: int, between: float, folder: Path) -> dict[str, Any]:
    """Run the drill (cuts only where network namespaces can be made) and return its figures."""
    problem = netns_problem() if cuts else "no cuts asked"
    spaces = [Namespace(i) for i in range(3)] if problem is None else []
    relay = DatabaseRelay([s.host_ip for s in spaces])
    try:
        for space in spaces:
            space.create()
        if spaces:
            allow_forwarding(True)
            relay.start()
        cluster = _start_cluster(folder, spaces)
        try:
            load = Load(cluster).start()
            killed = kill_leader_repeatedly(cluster, load, kills, between)
            cut = _cuts(cluster, load, spaces, cuts, between) if spaces else []
            time.sleep(between)
            tally = load.stop()
            found = audit(cluster.url, tally.acknowledged)
            check = cluster.ordergate("db", "check")
        finally:
            cluster.stop()
    finally:
        if spaces:
            relay.stop()
            allow_forwarding(False)
        for space in spaces:
            space.delete()
    return {
        "bench": "failover", "kills": kills, "takeover_p50_s": _p50(killed), "takeover_max_s": _max(killed),
        "cuts": len(cut), "cut_takeover_p50_s": _p50(cut), "cut_takeover_max_s": _max(cut),
        "cuts_skipped_because": problem if not spaces else None,
        "orders_acknowledged": found.acknowledged, "orders_found": found.found, "lost": len(found.lost),
        "duplicates": len(found.duplicates), "cancels": tally.cancels,
        "db_check": check.stdout.strip() or check.stderr.strip(),
        "retries_by_status": {str(k): v for k, v in sorted(tally.retries.items())},
        "retry_samples": {str(k): v for k, v in sorted(tally.samples.items())},
        "machine": machine.speed(), "rerun": f"python bench/failover.py --kills {kills} --cuts {cuts}",
    }


def _p50(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def _max(values: list[float]) -> float | None:
    return round(max(values), 3) if values else None


def main() -> None:
    """Parse the options, run the drill, print the figures as the last line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=10, help="times the leader is killed")
    parser.add_argument("--cuts", type=int, default=5, help="times the leader's network is cut (needs root)")
    parser.add_argument("--between", type=float, default=3.0, help="seconds of load before each kill or cut")
    args = parser.parse_args()
    try:
        with tempfile.TemporaryDirectory(prefix="og-failover-") as folder:
            result = drill(args.kills, args.cuts, args.between, Path(folder))
    finally:
        drop_created_databases()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
