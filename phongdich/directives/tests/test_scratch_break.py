import pytest

from phongdich.directives.services import follow_up

from .test_overview_figures import test_the_stored_figures_follow_every_change_of_the_services as t


def test_scratch_it_fails_without_the_bump(monkeypatch, staff, confirmed, reporters, small_text):
    monkeypatch.setattr(follow_up, "figures_changed", lambda: None)
    with pytest.raises(AssertionError) as info:
        t(staff, confirmed, reporters, small_text)
    assert "stored == counted" in str(info.value) or "==" in str(info.value)
    print("FAILED AS EXPECTED:", str(info.value)[:300])
