"""Reconciliation with the venues: the recent runs and what they could not explain, by class; run one now."""

from typing import TYPE_CHECKING

from fastapi import APIRouter
from starlette.responses import Response

from ordergate.entrypoints.api.deps import ContainerDep, Reader, RiskOfficer
from ordergate.entrypoints.api.exact_json import ExactJsonRoute
from ordergate.entrypoints.api.serialize import JsonResponse
from ordergate.service.reconcile_report import CLASSES

if TYPE_CHECKING:
    from ordergate.bootstrap import Container

router = APIRouter(prefix="/api/v1", tags=["reconciliation"], route_class=ExactJsonRoute)


@router.get("/reconciliation")
async def reconciliation(container: ContainerDep, who: Reader) -> Response:
    """Return the recent reconciliation runs (newest first) and the discrepancies found since start, by class.

    Also the venue reports the engine refused (``refused_reports``) and the fills it applied with a flag
    (``flagged_fills``: late, after the order ended; inferred, from a venue's cumulative quantity).
    """
    who.require_all_accounts("the firm's reconciliation")
    return JsonResponse(_view(container))


@router.post("/reconciliation", responses={503: {"description": "the engine is not running"}})
async def reconcile_now(container: ContainerDep, who: RiskOfficer) -> Response:
    """Reconcile every venue now and return the runs it made."""
    who.require_all_accounts("reconciling every venue")
    if container.reconciler is None or not container.loop.running:
        return JsonResponse({"detail": "the engine is not running"}, status_code=503)
    runs = await container.reconciler.run_all(f"requested by {who.requested_by}")
    return JsonResponse({"runs": [run.summary() for run in runs]})


def _view(container: "Container") -> dict[str, object]:
    reconciler, engine = container.reconciler, container.engine
    counts = dict.fromkeys(CLASSES, 0)
    runs: list[dict[str, object]] = []
    if reconciler is not None:
        counts.update(reconciler.discrepancies)
        runs = [run.summary() for run in reversed(reconciler.runs)]
    return {
        "discrepancies_by_class": counts,
        "refused_reports": dict(engine.reports.anomalies),
        "flagged_fills": dict(engine.reports.flagged),
        "runs": runs,
    }
