"""Rebuild the per-person coverage summary from people and doses (after a raw load of
people, say), set-based; prints the rows written or removed. The daily job's statement."""

from django.core.management.base import BaseCommand

from phongdich.vaccination.person_status import reconcile


class Command(BaseCommand):
    help = "Tính lại bảng tình trạng tiêm chủng từng người (dùng cho độ bao phủ)."

    def handle(self, *args, **options):
        self.stdout.write(f"{reconcile()} rows written or removed")
