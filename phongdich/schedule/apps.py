from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "phongdich.schedule"
    verbose_name = "Lịch chạy định kỳ"
