from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "phongdich.audit"
    verbose_name = "Nhật ký truy cập"

    def ready(self):
        from . import export_kinds  # noqa: F401 - registers the audit log's export
