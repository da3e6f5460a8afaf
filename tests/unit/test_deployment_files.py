"""The container files agree with each other and with the code: compose, Prometheus, Grafana, Dockerfile."""

import json
import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
INSTANCES = ["ordergate-1", "ordergate-2", "ordergate-3"]
METRIC = re.compile(r"\bordergate_[a-z0-9_]+")
HISTOGRAM_SUFFIX = re.compile(r"_(bucket|sum|count)$")


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def dashboard_queries() -> list[str]:
    dashboard = json.loads((DEPLOY / "grafana" / "dashboards" / "ordergate.json").read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]


def source_text() -> str:
    return "\n".join(path.read_text() for path in (ROOT / "src" / "ordergate").rglob("*.py"))


def test_compose_when_read_then_three_instances_on_postgres_and_redis_beside_the_monitoring() -> None:
    services = compose()["services"]

    assert {"postgres", "redis", "prometheus", "grafana", *INSTANCES} <= services.keys()
    for name in INSTANCES:
        env = services[name]["environment"]
        assert services[name]["build"] == "."
        assert re.match(r"postgresql://\w+:[^@]+@postgres:5432/ordergate$", env["ORDERGATE_DATABASE_URL"])
        assert env["ORDERGATE_REDIS_URL"] == "redis://redis:6379/0"
        assert env["ORDERGATE_CLUSTER__ADVERTISE_URL"] == f"http://{name}:8000"


def test_prometheus_when_read_then_scrapes_every_instance_of_the_compose_file() -> None:
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    targets = [t for job in config["scrape_configs"] for group in job["static_configs"] for t in group["targets"]]

    assert targets == [f"{name}:8000" for name in INSTANCES]


def test_haproxy_when_read_then_balances_over_every_instance_checked_on_health() -> None:
    config = (DEPLOY / "haproxy" / "haproxy.cfg").read_text()

    assert "option httpchk GET /health" in config
    assert re.findall(r"^\s+server (\S+) \1:8000 check$", config, flags=re.MULTILINE) == INSTANCES


def test_dashboard_when_read_then_every_metric_it_queries_is_one_ordergate_exports() -> None:
    names = {HISTOGRAM_SUFFIX.sub("", name) for query in dashboard_queries() for name in METRIC.findall(query)}
    code = source_text()

    assert {"ordergate_orders_total", "ordergate_risk_denials_total", "ordergate_venue_state",
            "ordergate_cluster_leader", "ordergate_cluster_lag_events"} <= names
    assert sorted(name for name in names if f'"{name}"' not in code) == []


def test_dashboard_when_read_then_its_data_source_is_the_provisioned_one() -> None:
    source = yaml.safe_load((DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yaml").read_text())
    uid = source["datasources"][0]["uid"]
    dashboard = json.loads((DEPLOY / "grafana" / "dashboards" / "ordergate.json").read_text())

    assert {panel["datasource"]["uid"] for panel in dashboard["panels"] if panel["type"] != "row"} == {uid}


def test_dockerfile_when_read_then_slim_base_by_default_unprivileged_user_and_health_check() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert re.search(r"^ARG BASE_IMAGE=python:3\.\d+-slim", dockerfile, flags=re.MULTILINE)
    assert re.search(r"^USER ordergate$", dockerfile, flags=re.MULTILINE)
    assert "HEALTHCHECK" in dockerfile and (DEPLOY / "healthcheck.py").exists()
