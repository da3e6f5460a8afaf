"""Snapshots of the fold: a start from the newest valid one and the journal's tail gives the fold a full replay
gives; a snapshot that does not match the journal is ignored with a warning; ``db check`` verifies one."""

from dataclasses import replace
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from sqlalchemy import Engine, update
from structlog.testing import capture_logs

from ordergate.adapters.store import snapshot_codec
from ordergate.adapters.store import tables as t
from ordergate.adapters.store.check import check
from ordergate.adapters.store.snapshot_check import check_snapshot, compare
from ordergate.adapters.store.snapshot_codec import SCHEMA_VERSION, encode, take
from ordergate.adapters.store.snapshots import SqlSnapshots, checksum
from ordergate.bootstrap import fold_builder
from ordergate.config import Settings
from ordergate.domain.commands import ReplaceOrder
from ordergate.domain.enums import OrderStatus
from ordergate.domain.errors import DuplicateClientOrderId
from ordergate.domain.ledger import Ledger
from ordergate.fold_wiring import Fold, restore_fold
from tests.integration.booking import book, set_limits_twice
from tests.unit.builders import T0, buy, fill_report, replace_report, status_report


def builder() -> Any:
    """Return a maker of folds wired as the server's."""
    return fold_builder(Settings(_env_file=None))


def full_replay(trading: Any) -> Fold:
    """Return a server-wired fold of the whole journal."""
    fold = builder()()
    fold.ledger.replay(trading.journal.read_events())
    return fold


def trade_more(trading: Any, tag: str) -> None:
    """Trade past a snapshot: a replaced order (its fingerprint is no longer its terms), a fill, a denial."""
    order = trading.reply(buy(qty="20", client_order_id=f"replaced-{tag}")).order
    trading.run(status_report(order.id, OrderStatus.NEW))
    trading.reply(ReplaceOrder(order_id=order.id, qty=Decimal("25"), limit_price=Decimal("229.50")))
    trading.run(replace_report(trading.ledger.orders[order.id], "25", "229.50"))
    trading.run(fill_report(order.id, "5", "229.50", fill_id=f"{tag}-f"))
    trading.reply(buy(qty="999999999", client_order_id=f"denied-{tag}"))
    trading.reply(buy(qty="3", client_order_id=f"extended-{tag}", extended_hours=True))


def save_snapshot(engine: Engine, ledger: Ledger, body: bytes | None = None) -> int:
    """Store a snapshot of a server-wired ledger (or ``body`` in its place) as the server does."""
    copy = take(ledger)
    return SqlSnapshots(engine).save(copy.seq, SCHEMA_VERSION, body or encode(copy), T0)


@pytest.fixture
def snapshotted(trading: Any) -> Any:
    """A journal with trading on both sides of a stored snapshot, and a limit change before it."""
    set_limits_twice(trading)
    book(trading)
    trade_more(trading, "before")
    save_snapshot(trading.journal.engine, full_replay(trading).ledger)
    trade_more(trading, "after")
    return trading


def restore(trading: Any) -> tuple[Fold, Any, list[dict[str, Any]]]:
    """Restore a fold as a start does; return it, how, and the log lines."""
    with capture_logs() as logs:
        fold, restored = restore_fold(builder(), trading.journal, SqlSnapshots(trading.journal.engine),
                                      trading.journal.engine)
    return fold, restored, logs


def test_start_when_a_snapshot_is_stored_then_it_replays_only_the_tail_and_equals_a_full_replay(
        snapshotted: Any) -> None:
    fold, restored, _ = restore(snapshotted)
    assert restored.snapshot_id is not None and 0 < restored.replayed < snapshotted.ledger.last_seq
    full = full_replay(snapshotted)
    assert compare(take(full.ledger), take(fold.ledger)) == []
    assert take(fold.ledger).parts == take(full.ledger).parts  # marks too: both from the journal here
    assert fold.order_stats.summary() == full.order_stats.summary()
    assert fold.engine.expiry._heap == full.engine.expiry._heap  # the open DAY orders are scheduled again


def test_restored_fold_when_a_client_order_id_is_reused_then_idempotency_holds_as_before(snapshotted: Any) -> None:
    fold, _, _ = restore(snapshotted)
    for client_id, same in (("replaced-before", buy(qty="20")), ("extended-before", buy(qty="3", extended_hours=True))):
        original = fold.ledger.orders[fold.ledger.by_client_id[(same.account, client_id)]]
        again = fold.engine.submits.handle(replace(same, client_order_id=client_id))
        assert again.created is False and again.order is original
    with pytest.raises(DuplicateClientOrderId):
        fold.engine.submits.handle(buy(qty="3", client_order_id="extended-before"))


def ignored_because(trading: Any, reason: str) -> None:
    """Assert a start ignored the stored snapshot for ``reason`` and replayed the whole journal."""
    fold, restored, logs = restore(trading)
    assert restored.snapshot_id is None and restored.replayed == trading.ledger.last_seq
    warnings = [line for line in logs if line["event"] == "snapshot_ignored"]
    assert warnings and warnings[0]["log_level"] == "warning"
    assert reason in f"{warnings[0].get('reason')} {warnings[0].get('differences')}"
    assert compare(take(full_replay(trading).ledger), take(fold.ledger)) == []


def test_start_when_snapshot_checksum_does_not_match_then_ignored_with_a_warning(snapshotted: Any) -> None:
    with snapshotted.journal.engine.begin() as conn:
        conn.execute(update(t.snapshots).values(checksum=checksum(b"something else")))
    ignored_because(snapshotted, "checksum")


def test_start_when_snapshot_schema_is_another_version_then_ignored_with_a_warning(trading: Any) -> None:
    book(trading)
    body = encode(take(full_replay(trading).ledger)).replace(
        b'"schema":%d' % SCHEMA_VERSION, b'"schema":%d' % (SCHEMA_VERSION + 1), 1)
    save_snapshot(trading.journal.engine, full_replay(trading).ledger, body)
    ignored_because(trading, "schema: version")


def test_start_when_snapshot_sequence_is_beyond_the_journal_then_ignored_with_a_warning(snapshotted: Any) -> None:
    with snapshotted.journal.engine.begin() as conn:
        conn.execute(update(t.snapshots).values(seq=snapshotted.ledger.last_seq + 10))
    ignored_because(snapshotted, "beyond the journal")


def test_start_when_snapshot_fold_disagrees_with_the_projections_then_ignored_with_a_warning(trading: Any) -> None:
    book(trading)
    state = msgspec.json.decode(encode(take(full_replay(trading).ledger)))
    state["ledger"]["accounts"][0]["balances"]["USD"]["cash"] = "1.00"  # well formed, checksummed, wrong
    save_snapshot(trading.journal.engine, full_replay(trading).ledger, msgspec.json.encode(state))
    ignored_because(trading, "the fold disagrees")


def test_start_when_the_newest_snapshot_is_bad_then_the_one_before_it_is_used(snapshotted: Any) -> None:
    engine = snapshotted.journal.engine
    newest = save_snapshot(engine, full_replay(snapshotted).ledger)
    with engine.begin() as conn:
        conn.execute(update(t.snapshots).where(t.snapshots.c.id == newest).values(checksum="0" * 64))
    fold, restored, _ = restore(snapshotted)
    assert restored.snapshot_id is not None and restored.snapshot_id != newest
    assert compare(take(full_replay(snapshotted).ledger), take(fold.ledger)) == []


def test_save_when_more_than_two_snapshots_then_only_the_newest_two_are_kept(snapshotted: Any) -> None:
    engine = snapshotted.journal.engine
    ledger = full_replay(snapshotted).ledger
    ids = [save_snapshot(engine, ledger) for _ in range(3)]
    assert [info.id for info in SqlSnapshots(engine).newest_first()] == ids[:0:-1]


def test_db_check_when_snapshot_matches_then_no_problem(snapshotted: Any) -> None:
    assert check(snapshotted.journal.engine, lambda: builder()().ledger) == []


def test_db_check_when_snapshot_differs_from_a_full_replay_then_names_it(trading: Any) -> None:
    book(trading)
    ledger = full_replay(trading).ledger
    state = msgspec.json.decode(encode(take(ledger)))
    state["parts"]["order_stats"][0] += 1  # the submitted count
    save_snapshot(trading.journal.engine, ledger, msgspec.json.encode(state))
    problems = check_snapshot(trading.journal.engine, lambda: builder()().ledger)
    assert len(problems) == 1 and "differs from a full replay: state part order_stats" in problems[0]


def test_start_when_the_orders_span_many_chunks_then_they_come_back_in_order(trading: Any,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot_codec, "CHUNK", 2)
    book(trading)
    trade_more(trading, "chunked")
    save_snapshot(trading.journal.engine, full_replay(trading).ledger)
    fold, restored, _ = restore(trading)
    assert restored.snapshot_id is not None and len(fold.ledger.orders) > 4
    assert compare(take(full_replay(trading).ledger), take(fold.ledger)) == []
