from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "phongdich.schedule"
    verbose_name = "Lịch chạy định kỳ"

    def ready(self):
        from django.utils.translation import gettext_lazy as _
        from django_tasks.signals import task_finished, task_started

        from phongdich.web.navigation import NavItem, register

        from . import leases

        register(NavItem(_("Tác vụ nền"), "schedule:jobs", ("province_admin",), 96))

        task_started.connect(leases.on_task_started, dispatch_uid="schedule.lease_take")
        task_finished.connect(leases.on_task_finished, dispatch_uid="schedule.lease_release")
