"""Directives API for the provincial document-management systems: confirmed documents,
their tasks with each member unit's status, and progress reports (read, and written by a
unit reporter's token with an Idempotency-Key). Scoped like the pages: overview roles see
every confirmed document, a unit reporter only the tasks of their own units."""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from phongdich.lib import idempotency
from phongdich.lib.apierrors import error_body, responses
from phongdich.lib.bounds import OFFSET_MAX, ApiId, ApiText

from . import selectors, services
from .models import Document, ProgressReport, Task

router = Router(tags=["directives"])

PAGE_MAX = 200


class DocumentOut(Schema):
    id: int
    number: str
    kind: str
    title: str
    issuer: str
    meeting_date: date | None
    issued_date: date | None
    signer: str
    confirmed_at: datetime | None


class MemberOut(Schema):
    unit: str
    role: str
    group: str
    status: str
    reported_at: datetime | None


class TaskOut(Schema):
    id: int
    document_id: int
    number: str  # as the document writes it ("1.", "2-", "Một là")
    text: str
    deadline: date | None
    recurrence: str
    status: str
    members: list[MemberOut]

    @staticmethod
    def resolve_members(obj: Task) -> list[dict]:
        return [
            {
                "unit": a.unit.name,
                "role": a.role,
                "group": a.group_name,
                "status": a.status,
                "reported_at": a.reported_at,
            }
            for a in obj.assignments.all()
            if a.unit_id
        ]


class ReportOut(Schema):
    id: int
    task_id: int
    unit: str | None
    status: str
    text: str
    period: date | None
    at: datetime

    @staticmethod
    def resolve_unit(obj: ProgressReport) -> str | None:
        return obj.unit.name if obj.unit_id else None


class ReportIn(Schema):
    status: Literal[tuple(services.REPORTABLE)]
    text: ApiText(ProgressReport, "text") = ""


def _require(request, roles) -> None:
    if not request.user.has_role(*roles):
        raise HttpError(403, "Không có quyền.")


def _task(request, pk: ApiId) -> Task:
    try:
        return selectors.task_get(request.user, pk)
    except Task.DoesNotExist:
        raise HttpError(404, "Không tìm thấy.") from None


@router.get("/documents", response=responses({200: list[DocumentOut]}))
def document_list(
    request,
    offset: int = Query(0, ge=0, le=OFFSET_MAX),
    limit: int = Query(50, ge=1, le=PAGE_MAX),
):
    """Confirmed documents, newest first (overview roles)."""
    _require(request, selectors.OVERVIEW_ROLES)
    qs = Document.objects.filter(status=Document.Status.CONFIRMED).defer(
        "text", "references", "replaces"
    )
    return list(qs.order_by("-confirmed_at", "-pk")[offset : offset + limit])


@router.get("/documents/{pk}/tasks", response=responses({200: list[TaskOut]}, 404))
def document_tasks(request, pk: ApiId):
    """A confirmed document's tasks, each with its member units' statuses."""
    _require(request, selectors.TASK_ROLES)
    tasks = selectors.tasks_visible_to(request.user).filter(document_id=pk)
    return list(
        tasks.prefetch_related(selectors._assignments_prefetch()).order_by("position", "pk")
    )


@router.get("/tasks/{pk}", response=responses({200: TaskOut}, 404))
def task_detail(request, pk: ApiId):
    _require(request, selectors.TASK_ROLES)
    return _task(request, pk)


@router.get("/tasks/{pk}/reports", response=responses({200: list[ReportOut]}, 404))
def task_reports(request, pk: ApiId):
    _require(request, selectors.TASK_ROLES)
    return list(_task(request, pk).reports.all())


@router.post(
    "/tasks/{pk}/reports",
    response=responses({200: ReportOut, 201: ReportOut}, 404, 409),
    openapi_extra={"parameters": [idempotency.OPENAPI_HEADER]},
)
def task_report(request, pk: ApiId, payload: ReportIn, response: HttpResponse):
    """Report the caller's unit's part of a task (a unit reporter's token). Send an
    Idempotency-Key: a retry returns the report already stored (200), never a second."""
    _require(request, selectors.REPORTER_ROLES)
    task = _task(request, pk)
    try:
        unit = services.check_reporter_owns(request.user, task)
    except PermissionDenied:
        raise HttpError(404, "Không tìm thấy.") from None
    try:
        submission = idempotency.api_submission(request, payload)
        report = services.task_report(
            by=request.user,
            task=task,
            unit=unit,
            status=payload.status,
            text=payload.text,
            submission=submission,
        )
    except idempotency.SubmissionConflict as exc:
        return Status(409, error_body(409, " ".join(exc.messages)))
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    if report.submission_replayed:
        response[idempotency.REPLAYED_HEADER] = "true"
        return Status(200, report)
    return Status(201, report)
