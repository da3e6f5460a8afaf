"""Two paper venues behind the real server, set from the environment: orders are routed over the REST API,
the venues and each decision are shown over REST and by the CLI (whole ids, --json), and in /metrics."""

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.helpers import submit, wait_for_status
from tests.e2e.server import Server

pytestmark = pytest.mark.e2e
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
ENV = {
    "ORDERGATE_VENUES__PAPER_EXTRA": json.dumps([
        {"id": "paper_lowfee", "commission_per_share": "0.001", "min_commission": "0", "ack_latency": 0.01},
    ]),
    "ORDERGATE_ROUTING__VENUES": json.dumps({"AAPL": ["paper", "paper_lowfee"]}),
    "ORDERGATE_ROUTING__ACCOUNTS": json.dumps({"PAPER": "lowest_cost"}),
}


@pytest.fixture
def routed(tmp_path: Path) -> Iterator[Server]:
    srv = Server(tmp_path, env_extra=ENV).start()
    yield srv
    srv.stop()


def cli(server: Server, *args: str, terminal_columns: int | None = None) -> str:
    env = server.env()
    env.pop("COLUMNS", None)
    if terminal_columns is not None:
        env.update({"COLUMNS": str(terminal_columns), "TTY_COMPATIBLE": "1"})
    result = subprocess.run([sys.executable, "-m", "ordergate.entrypoints.cli", *args], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_two_paper_venues_when_orders_routed_over_rest_then_decisions_and_statistics_are_shown(routed: Server) -> None:
    with routed.client() as c:
        by_default = submit(c, symbol="AAPL", side="buy", type="market", qty="2").json()  # account: lowest_cost
        pinned = submit(c, symbol="AAPL", side="buy", type="market", qty="2", route="paper").json()
        single = submit(c, symbol="MSFT", side="buy", type="market", qty="1").json()
        for order in (by_default, pinned, single):
            wait_for_status(c, order["id"], {"filled"})
        route = c.get(f"/api/v1/orders/{by_default['id']}/route").json()
        venues = {v["id"]: v for v in c.get("/api/v1/venues/").json()["venues"]}
        no_choice = c.get(f"/api/v1/orders/{single['id']}/route").json()
        metrics = c.get("/metrics").text

    assert (by_default["venue"], pinned["venue"], single["venue"]) == ("paper_lowfee", "paper", "paper")
    assert route["policy"] == "lowest_cost" and route["candidates"][0]["venue"] == "paper_lowfee"
    assert (no_choice["policy"], no_choice["candidates"]) == (None, [])
    assert venues["paper_lowfee"]["state"] == "ready" and venues["paper_lowfee"]["symbols"] == ["AAPL"]
    assert venues["paper_lowfee"]["stats"]["orders_today"] == 1
    assert venues["paper_lowfee"]["stats"]["fill_rate"] == 1.0
    assert venues["paper"]["stats"]["ack_latency_ms"]["samples"] == 1  # MSFT trades at one venue: not learned from
    assert 'ordergate_venue_state{venue="paper_lowfee"} 0.0' in metrics

    as_json = json.loads(cli(routed, "venues", "--json"))
    assert {v["id"] for v in as_json["venues"]} == {"paper", "paper_lowfee"}
    screen = ANSI.sub("", cli(routed, "venues", terminal_columns=80))
    assert "paper_lowfee" in screen and all(len(line) <= 80 for line in screen.splitlines()), screen
    explained = ANSI.sub("", cli(routed, "venues", "--route", by_default["id"], terminal_columns=80))
    assert by_default["id"] in explained and "lowest_cost" in explained, explained
    assert "Child orders at venues" in explained and route["children"][0]["id"] in explained, explained
    assert all(len(line) <= 80 for line in explained.splitlines()), explained
    assert [(c["venue"], c["status"]) for c in route["children"]] == [("paper_lowfee", "filled")]


def test_route_naming_an_unknown_venue_then_422_names_the_route_field(routed: Server) -> None:
    with routed.client() as c:
        answer = submit(c, symbol="AAPL", side="buy", type="market", qty="1", route="nyse")
    assert answer.status_code == 422
    [problem] = answer.json()["detail"]
    assert (problem["loc"], problem["type"]) == (["body", "route"], "known_route")
