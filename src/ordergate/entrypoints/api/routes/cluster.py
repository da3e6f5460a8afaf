"""``GET /api/v1/cluster``: the instances, their roles, the leader epoch and each one's replication lag."""

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from ordergate.entrypoints.api.deps import ContainerDep, Reader
from ordergate.entrypoints.api.exact_json import ExactJsonRoute
from ordergate.entrypoints.api.serialize import JsonResponse
from ordergate.node import Node, advertised_address, instance_name
from ordergate.service.cluster import ClusterStatus, LeaderRecord, Member, MemberStatus, NodeRole

router = APIRouter(prefix="/api/v1/cluster", tags=["system"], route_class=ExactJsonRoute)


class LeaderOut(BaseModel):
    """The leader as the database records it."""

    instance: str
    address: str = Field(description="the base URL standbys forward commands to")
    epoch: int = Field(description="raised by each new leader; a commit under an older epoch is refused")
    since: datetime | None


class InstanceOut(BaseModel):
    """One instance's last heartbeat."""

    instance: str
    address: str
    role: NodeRole
    epoch: int
    applied_seq: int = Field(description="the last journal event its ledger holds")
    lag: int = Field(description="journal events committed that it has not applied yet")
    seen_at: datetime
    alive: bool = Field(description="heard from within three heartbeats")


class ClusterOut(BaseModel):
    """The cluster as the answering instance sees it (one ``single`` instance on SQLite)."""

    instance: str = Field(description="the instance that answered")
    role: NodeRole
    leader: LeaderOut | None
    epoch: int
    last_seq: int = Field(description="the highest journal sequence number committed")
    instances: list[InstanceOut]


@router.get("", response_model=ClusterOut)
async def cluster(request: Request, container: ContainerDep, who: Reader) -> Response:
    """Show the instances, which one leads under which epoch, and how far each is behind the journal."""
    node: Node | None = getattr(request.app.state, "node", None)
    status = await node.status() if node is not None else _single(container)
    return JsonResponse(_out(status))


def _single(container: ContainerDep) -> ClusterStatus:
    settings, last = container.settings, container.engine.ledger.last_seq
    name, now = instance_name(settings), container.engine.clock.now()
    me = Member(name, advertised_address(settings), NodeRole.SINGLE, 0, last, now)
    return ClusterStatus(name, NodeRole.SINGLE, None, last, [MemberStatus(me, 0, True)])


def _leader(leader: LeaderRecord | None) -> dict[str, object] | None:
    if leader is None or not leader.instance:
        return None
    return {"instance": leader.instance, "address": leader.address, "epoch": leader.epoch, "since": leader.since}


def _out(status: ClusterStatus) -> dict[str, object]:
    return {
        "instance": status.instance, "role": status.role.value, "leader": _leader(status.leader),
        "epoch": status.leader.epoch if status.leader is not None else 0, "last_seq": status.last_seq,
        "instances": [{"instance": s.member.instance, "address": s.member.address, "role": s.member.role.value,
                       "epoch": s.member.epoch, "applied_seq": s.member.applied_seq, "lag": s.lag,
                       "seen_at": s.member.seen_at, "alive": s.alive} for s in status.members],
    }
