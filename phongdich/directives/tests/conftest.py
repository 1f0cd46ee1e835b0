from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from phongdich.accounts.models import Role
from phongdich.directives import services
from phongdich.directives.models import OrgUnit
from phongdich.testing import make_user

FIXTURES = Path(__file__).parent / "fixtures"


def seeds_dir() -> Path:
    """The seed folder, or a skip that says so (a failure where CI requires the seeds), so
    the extractor's figures are never dropped from a run without anyone noticing."""
    seeds = Path(settings.SEEDS_DIR)
    if (seeds / "expected").is_dir() and any(seeds.glob("*.txt")):
        return seeds
    message = f"seed documents not found at {seeds} (set PHONGDICH_SEEDS_DIR)"
    if settings.REQUIRE_SEEDS:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def seeds() -> Path:
    return seeds_dir()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def directory(world):
    services.units_seed(by=None, province=world.province)
    return {u.name: u for u in OrgUnit.objects.all()}


@pytest.fixture
def small_text():
    return (FIXTURES / "small_conclusion.txt").read_text(encoding="utf-8")


@pytest.fixture
def small_upload(small_text):
    return SimpleUploadedFile("ket-luan.txt", small_text.encode(), content_type="text/plain")


@pytest.fixture
def confirmed(staff, directory, small_text):
    """The small conclusion imported and confirmed by the clerk."""
    document = services.document_import(by=staff.directive_clerk, text=small_text)
    services.document_confirm(by=staff.directive_clerk, document=document)
    document.refresh_from_db()
    return document


@pytest.fixture
def reporters(staff, directory, world):
    """A reporter for each district's People's Committee, linked through the directory."""
    city = directory["UBND Thành phố Thanh Hóa"]
    bim_son = directory["UBND Thị xã Bỉm Sơn"]
    reporter_a = staff.unit_reporter_a
    reporter_a.email = "baocao.a@example.org"
    reporter_a.save()
    reporter_b = make_user(
        "baocao.b", Role.UNIT_REPORTER, world.district_b, email="baocao.b@example.org"
    )
    services.membership_add(by=None, user=reporter_a, unit=city)
    services.membership_add(by=None, user=reporter_b, unit=bim_son)
    return {"a": reporter_a, "b": reporter_b, "unit_a": city, "unit_b": bim_son}
