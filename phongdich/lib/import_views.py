"""The progress page of a background import (lib.background_imports), shared by every
kind: the state and a bar refreshed every 2 s (htmx; a meta refresh without JavaScript),
then the report: the kind's counts, the refusal, the line errors and their XLSX."""

from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from phongdich.accounts.permissions import ALL_STAFF, role_required

from . import background_imports
from .files import xlsx_response
from .imports import ErrorReport


def _job(request, pk: int):
    job = background_imports.import_for(request.user, pk)
    if job is None:
        raise Http404
    return job


def _context(request, job) -> dict:
    spec = background_imports.get_kind(job.kind)
    result = job.result or {}
    try:
        back = reverse(spec.back_url) if spec else ""
    except NoReverseMatch:
        back = ""
    return {
        "job": job,
        "title": spec.title if spec else job.kind,
        "stage": (spec.stages or {}).get(job.stage, "") if spec else "",
        "summary": spec.summary(result) if spec and job.status == job.Status.DONE else "",
        "refusal": result.get("refusal", ""),
        "report": ErrorReport.from_dict(result.get("errors")),
        "back": back,
    }


@role_required(*ALL_STAFF)
def import_status(request, pk: int):
    job = _job(request, pk)
    if job.finished:
        background_imports.import_report_read(by=request.user, job=job)
    context = _context(request, job)
    if request.htmx:
        return render(request, "lib/_import_status.html", context)
    return render(request, "lib/import_job.html", context)


@role_required(*ALL_STAFF)
def import_errors(request, pk: int):
    job = _job(request, pk)
    report = ErrorReport.from_dict((job.result or {}).get("errors"))
    background_imports.import_report_read(by=request.user, job=job)
    return xlsx_response(report.workbook(), f"loi-nhap-tep-{job.pk}.xlsx")
