"""A leader and two standbys under steady submits, cancels and fills; the leader is SIGKILLed twice; and a
leader whose lock's database session is cut steps down while another takes over.

Each time a standby takes over within five seconds; every acknowledged order is in the database under the
id it was acknowledged with, no client order id is held twice, and ``ordergate db check`` is clean at the
end. The ten-kill drill with takeover figures is bench/failover.py.
"""

import time
from pathlib import Path

import httpx
import psycopg
import pytest

from ordergate.adapters.store.writer_lock import APPLICATION_PREFIX
from tests.e2e.cluster import Cluster
from tests.e2e.failover import Load, audit, kill_leader, takeover
from tests.e2e.server import Server

pytestmark = [pytest.mark.e2e, pytest.mark.picks_database]  # PostgreSQL only: once per make test
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


def _role(server: Server) -> str | None:
    try:
        return str(httpx.get(f"{server.url}/ready", timeout=2).json().get("role"))
    except (httpx.HTTPError, ValueError):
        return None


def test_leader_when_its_lock_session_is_cut_then_it_steps_down_to_standby_and_the_other_leads(
    tmp_path: Path,
) -> None:
    cluster = Cluster(tmp_path)
    try:
        first, second = cluster.add(), cluster.add()
        load = Load(cluster, threads=1).start()
        time.sleep(1.0)
        assert first.process is not None
        with psycopg.connect(cluster.url, autocommit=True) as conn:  # the leader's session dies, it does not
            cut = conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name "
                               "LIKE %s", (f"{APPLICATION_PREFIX}pid {first.process.pid} %",)).fetchall()
        deadline = time.monotonic() + 15
        while (_role(first), _role(second)) != ("standby", "leader") and time.monotonic() < deadline:
            time.sleep(0.1)
        roles = (_role(first), _role(second))
        time.sleep(1.0)
        tally = load.stop()
        found = audit(cluster.url, tally.acknowledged)
        check = cluster.ordergate("db", "check")
        with psycopg.connect(cluster.url) as conn:
            epoch = conn.execute("SELECT epoch FROM cluster_leader").fetchone()
    finally:
        cluster.stop()

    assert cut == [(True,)]
    assert roles == ("standby", "leader")
    assert epoch == (2,)
    assert found.acknowledged > 10 and (found.lost, found.duplicates) == ([], [])
    assert (check.returncode, check.stdout.strip()) == (0, "all invariants hold"), check.stderr + check.stdout
