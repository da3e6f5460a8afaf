"""The database's writer lock on SQLite (a lock file) and PostgreSQL (an advisory lock)."""

import os
import threading
from pathlib import Path

import pytest

from ordergate.adapters.store.writer_lock import (
    FileWriterLock,
    NoWriterLock,
    WriterLockHeld,
    shown_url,
    writer_lock_for,
)
from tests.databases import new_postgres_database


def test_try_acquire_when_another_holds_the_lock_then_refuses_until_it_is_released(db_url: str) -> None:
    first, second = writer_lock_for(db_url), writer_lock_for(db_url)
    try:
        assert first.try_acquire()
        assert not second.try_acquire()
        assert not second.held
        first.release()
        assert second.try_acquire()
        assert not first.try_acquire()
    finally:
        first.release()
        second.release()


def test_hold_when_another_holds_the_lock_then_raises_naming_the_database_and_the_holders_pid(db_url: str) -> None:
    with writer_lock_for(db_url), pytest.raises(WriterLockHeld) as refused:
        writer_lock_for(db_url).hold()
    message = str(refused.value)
    assert message.startswith(f"another ordergate process (pid {os.getpid()} on ")
    assert f"holds the database {shown_url(db_url)}: only one may write it at a time" in message


def test_acquire_when_another_holds_the_lock_then_waits_until_it_is_released(db_url: str) -> None:
    holder, waiter = writer_lock_for(db_url), writer_lock_for(db_url)
    holder.hold()
    got = threading.Event()
    thread = threading.Thread(target=lambda: (waiter.acquire(), got.set()))
    thread.start()
    try:
        assert not got.wait(0.5)  # still held: the waiter waits
        holder.release()
        assert got.wait(10)
        assert waiter.held
        assert not holder.try_acquire()
    finally:
        holder.release()
        thread.join(10)
        waiter.release()


def test_lock_when_released_by_exiting_its_block_then_free_for_the_next_writer(db_url: str) -> None:
    with writer_lock_for(db_url) as lock:
        assert lock.held
    assert not lock.held
    with writer_lock_for(db_url) as again:
        assert again.held


def test_sqlite_lock_is_a_file_beside_the_database_holding_the_holders_pid(tmp_path: Path) -> None:
    lock = writer_lock_for(f"sqlite:///{tmp_path / 'ordergate.db'}")
    assert isinstance(lock, FileWriterLock)
    assert lock.path == tmp_path / "ordergate.db.writer.lock"
    with lock:
        assert lock.path.read_text().startswith(f"pid {os.getpid()} on ")


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_sqlite_needs_no_lock_file(url: str, tmp_path: Path) -> None:
    assert isinstance(writer_lock_for(url), NoWriterLock)


@pytest.mark.postgres
def test_postgres_locks_of_two_databases_on_one_server_are_independent() -> None:
    one, other = writer_lock_for(new_postgres_database()), writer_lock_for(new_postgres_database())
    try:
        assert one.try_acquire()
        assert other.try_acquire()
    finally:
        one.release()
        other.release()


@pytest.mark.postgres
def test_postgres_refusal_when_the_url_has_a_password_then_never_shows_it() -> None:
    url = new_postgres_database().replace("postgresql://postgres@", "postgresql://postgres:s3cret-pw@")
    with writer_lock_for(url), pytest.raises(WriterLockHeld) as refused:  # trust auth ignores the password
        writer_lock_for(url).hold()
    assert "s3cret-pw" not in str(refused.value)
    assert "postgresql://postgres:***@" in str(refused.value)
