"""risk_limits and risk_limit_changes are projections of RiskLimitsChanged events, on SQLite and PostgreSQL."""

from typing import Any

from sqlalchemy import func, select, update

from ordergate.adapters.store import tables as t
from ordergate.adapters.store.check import check
from ordergate.adapters.store.rebuild import rebuild
from ordergate.adapters.store.risk_limits import SqlRiskLimits
from ordergate.domain.commands import SetRiskLimits
from ordergate.domain.events import RiskLimitsChanged
from ordergate.domain.ledger import Ledger
from tests.integration.booking import book, change_limits, set_limits_twice


def limit_event_seqs(trading: Any) -> list[int]:
    """Return the journal seqs of the RiskLimitsChanged events."""
    return [e.seq for e in trading.journal.read_events() if isinstance(e, RiskLimitsChanged)]


def test_limit_change_when_committed_then_limits_row_and_change_row_written(trading: Any) -> None:
    set_limits_twice(trading)
    repo = SqlRiskLimits(trading.journal.engine)
    assert repo.load_all() == {
        "default": {"max_order_qty": "1000"},
        "ACC": {"max_daily_orders": 60, "restricted_symbols": ["NVDA", "SPY"]},
    }
    changes = repo.changes("ACC")
    assert [(c["changed_by"], c["old"], c["new"]) for c in changes] == [
        ("bob", {"max_daily_orders": 50}, {"max_daily_orders": 60}),
        ("alice", {"max_daily_orders": None, "restricted_symbols": None},
         {"max_daily_orders": 50, "restricted_symbols": ["NVDA", "SPY"]}),
    ]
    assert [c["seq"] for c in reversed(changes)] == limit_event_seqs(trading)[1:]
    assert changes[0]["changed_at"] == trading.clock.now().isoformat()


def test_limits_row_when_changed_then_records_who_changed_it_last_and_when(trading: Any) -> None:
    set_limits_twice(trading)
    with trading.journal.engine.connect() as conn:
        row = conn.execute(select(t.risk_limits).where(t.risk_limits.c.account == "ACC")).one()
    assert row.updated_by == "bob"
    assert row.updated_at == trading.clock.now()


def test_several_limit_changes_when_in_one_group_commit_then_merged_in_journal_order(trading: Any) -> None:
    trading.run(
        SetRiskLimits(account=None, changes={"max_order_qty": "5"}, requested_by="a"),
        SetRiskLimits(account=None, changes={"max_order_qty": "7", "max_open_orders": 3}, requested_by="b"),
    )
    repo = SqlRiskLimits(trading.journal.engine)
    assert repo.load_all() == {"default": {"max_order_qty": "7", "max_open_orders": 3}}
    assert [c["changed_by"] for c in repo.changes("default")] == ["b", "a"]


def test_orders_and_fills_when_no_limit_changes_then_limit_tables_stay_empty(trading: Any) -> None:
    book(trading)
    with trading.journal.engine.connect() as conn:
        counts = [conn.execute(select(func.count()).select_from(table)).scalar_one()
                  for table in (t.risk_limits, t.risk_limit_changes)]
    assert counts == [0, 0]


def test_check_when_limit_projections_follow_the_journal_then_no_problems(trading: Any) -> None:
    book(trading)
    set_limits_twice(trading)
    assert check(trading.journal.engine) == []


def test_check_when_limits_row_tampered_then_reports_the_difference(trading: Any) -> None:
    set_limits_twice(trading)
    engine = trading.journal.engine
    with engine.begin() as conn:
        conn.execute(update(t.risk_limits).where(t.risk_limits.c.account == "ACC").values(limits="{}"))
    problems = check(engine)
    assert problems == ["projection differs from the journal: risk_limits ACC: limits is '{}', journal says "
                        "'{\"max_daily_orders\":60,\"restricted_symbols\":[\"NVDA\",\"SPY\"]}'"]


def test_rebuild_when_limit_tables_emptied_then_reports_and_restores_them(trading: Any) -> None:
    set_limits_twice(trading)
    engine = trading.journal.engine
    repo = SqlRiskLimits(engine)
    before = (repo.load_all(), repo.changes("ACC"), repo.changes("default"))
    with engine.begin() as conn:
        conn.execute(t.risk_limit_changes.delete())
        conn.execute(t.risk_limits.delete())
    seqs = limit_event_seqs(trading)
    found = rebuild(engine).differences
    assert sorted(found) == sorted([
        "risk_limits ACC: missing (the journal has it)", "risk_limits default: missing (the journal has it)",
        *(f"risk_limit_changes {seq}: missing (the journal has it)" for seq in seqs),
    ])
    assert (repo.load_all(), repo.changes("ACC"), repo.changes("default")) == before
    assert rebuild(engine, write=False).differences == []


def test_rebuild_when_change_row_not_in_journal_then_reports_and_removes_it(trading: Any) -> None:
    set_limits_twice(trading)
    engine = trading.journal.engine
    with engine.begin() as conn:
        conn.execute(t.risk_limit_changes.insert().values(
            id=999_999, account="ACC", changed_by="mallory", changed_at=trading.clock.now(), old="{}", new="{}"))
    assert rebuild(engine).differences == ["risk_limit_changes 999999: stored but not in the journal"]
    assert [c["changed_by"] for c in SqlRiskLimits(engine).changes("ACC")] == ["bob", "alice"]


def test_limit_change_when_after_a_restart_then_merged_onto_the_stored_row(trading: Any,
                                                                           make_trading: Any) -> None:
    change_limits(trading, {"max_daily_orders": 50})
    ledger = Ledger()
    restarted = make_trading(trading.journal, ledger, trading.clock, first_id=100)
    ledger.replay(trading.journal.read_events())
    change_limits(restarted, {"max_open_orders": 4}, who="carol")
    assert SqlRiskLimits(trading.journal.engine).load_all() == {"ACC": {"max_daily_orders": 50, "max_open_orders": 4}}
    assert rebuild(trading.journal.engine, write=False).differences == []
