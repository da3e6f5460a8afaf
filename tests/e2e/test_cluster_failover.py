"""A leader and two standbys under steady submits, cancels and fills; the leader is SIGKILLed twice.

Each time a standby takes over within five seconds; every acknowledged order is in the database under the
id it was acknowledged with, no client order id is held twice, and ``ordergate db check`` is clean at the
end. The ten-kill drill with takeover figures is bench/failover.py.
"""

import time
from pathlib import Path

import pytest

from tests.e2e.cluster import Cluster
from tests.e2e.failover import Load, audit, kill_leader, takeover

pytestmark = pytest.mark.e2e
TAKEOVER_LIMIT = 5.0
KILLS = 2


def test_leader_when_killed_twice_under_load_then_taken_over_each_time_and_no_acknowledged_order_lost(
    tmp_path: Path,
) -> None:
    cluster = Cluster(tmp_path)
    try:
        for _ in range(3):
            cluster.add()
        load = Load(cluster).start()
        took = []
        for kill in range(KILLS):
            time.sleep(1.0)  # steady load on this leader first
            _, died = kill_leader(cluster)
            took.append(takeover(load, died, f"probe-{kill}"))
        time.sleep(1.0)
        tally = load.stop()
        found = audit(cluster.url, tally.acknowledged)
        check = cluster.ordergate("db", "check")
    finally:
        cluster.stop()

    assert max(took) < TAKEOVER_LIMIT, f"takeovers took {took}"
    assert found.acknowledged > 20 and tally.cancels > 0
    assert (found.lost, found.duplicates) == ([], [])
    assert (check.returncode, check.stdout.strip()) == (0, "all invariants hold"), check.stderr + check.stdout
