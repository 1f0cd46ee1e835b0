"""manage.py import_shapes FILE --user USERNAME [--all-or-nothing]

The same import as the page (`levels.shapes.import_shapes`): a GeoJSON file of unit
outlines, matched to the units of the user's jurisdiction, the same numbered report (the
"line" is the feature's number), without the page's size cap.
"""

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError

from phongdich.levels.shapes import import_shapes
from phongdich.lib.import_command import FileImportCommand


class Command(FileImportCommand):
    help = "Nhập ranh giới đơn vị (GeoJSON) cho bản đồ cấp độ dịch."
    line_label = "vùng"

    def run_import(self, **kwargs):
        try:
            return import_shapes(**kwargs)
        except PermissionDenied:
            raise CommandError(
                "Chỉ cán bộ Sở Y tế hoặc quản trị của tỉnh được nhập ranh giới"
            ) from None

    def summary(self, result) -> str:
        return (
            f"đã ghi ranh giới {result.recorded} đơn vị / {result.features} vùng, "
            f"vùng lỗi {result.errors.total}"
        )
