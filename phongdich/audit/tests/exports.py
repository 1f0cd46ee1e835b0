"""For any app's tests: ask for a background export through its page, run the worker's job,
and download the file, as a user would."""

import tempfile

from django.test import override_settings
from django.urls import reverse

from phongdich.audit.exports import export_run


def export_pk(response) -> int:
    assert response.status_code == 302, response.status_code
    assert "/audit/exports/" in response.url, response.url
    return int(response.url.rstrip("/").rsplit("/", 1)[-1])


def download_export(client, url: str, params: dict | None = None) -> bytes:
    with override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="exports-")):
        pk = export_pk(client.get(url, params or {}))
        export_run(export_id=pk)  # what the worker does with the job the page queued
        response = client.get(reverse("audit:export_download", args=[pk]))
        assert response.status_code == 200, response.status_code
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        return b"".join(response.streaming_content)
