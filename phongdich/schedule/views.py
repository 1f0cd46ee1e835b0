"""The background jobs page for the system administrator: what is queued, running, was
abandoned by a dead worker, or failed; a failed job can be run again."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tasks_db.models import DBTaskResult

from phongdich.accounts.models import Role
from phongdich.accounts.permissions import role_required

from . import selectors, services

JOB_ROLES = (Role.PROVINCE_ADMIN,)


@role_required(*JOB_ROLES)
def jobs(request):
    return render(
        request,
        "schedule/jobs.html",
        {
            "jobs": selectors.jobs_needing_attention(),
            "max_attempts": settings.TASKS_MAX_ATTEMPTS,
        },
    )


@require_POST
@role_required(*JOB_ROLES)
def job_retry(request, pk: str):
    try:
        job_id = uuid.UUID(pk)
    except ValueError:
        raise Http404 from None
    result = get_object_or_404(DBTaskResult, pk=job_id)
    try:
        services.task_result_retry(by=request.user, task_result=result)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã đưa tác vụ vào hàng đợi để chạy lại."))
    return redirect("schedule:jobs")
