from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "phongdich.audit"
    verbose_name = "Nhật ký truy cập"
