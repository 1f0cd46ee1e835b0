"""Directives hold no personal data: documents, tasks and units are organisational records.
Their boundary is per unit (a reporter sees only their units' tasks), tested in
test_views.py rather than by commune."""

_REASON = "organisational record, no personal data; per-unit boundary in test_views.py"

RECORDS_IN_COMMUNE_B: dict = {}
NOT_PERSONAL = {
    f"directives:{name}": _REASON
    for name in (
        "document",
        "document_progress",
        "document_retry",
        "document_update",
        "document_confirm",
        "export_document",
        "task",
        "task_edit",
        "task_split",
        "task_merge",
        "task_delete",
        "task_report",
        "task_review",
        "task_assign",
        "task_indicator",
        "attachment",
        "alias_add",
        "proposal_action",
    )
}
