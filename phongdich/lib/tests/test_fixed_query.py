"""lib.query.FixedQuery: a hot read compiled once per process, run with new values, giving
what the queryset gives (instances with their select_related rows, or values_list tuples)
on both databases."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from phongdich.accounts.models import ApiToken
from phongdich.accounts.services import api_token_authenticate, api_token_create
from phongdich.checkpoints import selectors
from phongdich.checkpoints.models import Checkpoint
from phongdich.geo.models import AdminUnit
from phongdich.lib.query import FixedQuery, Param
from phongdich.testing import make_user

CODE = AdminUnit._meta.get_field("code")
PATH = AdminUnit._meta.get_field("path")


def test_it_gives_the_querysets_instances_with_their_related_rows(world, django_assert_num_queries):
    read = FixedQuery(
        lambda: AdminUnit.objects.select_related("parent").filter(code=Param("code", CODE))
    )
    with django_assert_num_queries(1):
        (commune,) = read.rows(code=world.commune_a.code)
        # The parent came with the row: no second query.
        assert commune.parent.code == world.district_a.code
    assert commune == world.commune_a and commune.name == world.commune_a.name
    assert read.rows(code="00000") == []


def test_it_compiles_once_and_binds_new_values_each_time(world, django_assert_num_queries):
    read = FixedQuery(
        lambda: (
            AdminUnit.objects.filter(path__startswith=Param("path", PATH))
            .values_list("code", "kind")
            .order_by("code")
        )
    )
    assert read.rows(path=world.district_b.path) == [
        (world.commune_b.code, "commune"),
        (world.district_b.code, "district"),
    ]
    # No ORM compilation on later runs: the SQL of the first is run again.
    with mock.patch.object(SQLCompiler, "as_sql", side_effect=AssertionError("recompiled")):
        with django_assert_num_queries(1):
            rows = read.rows(path=world.commune_a.path)
    assert rows == [(world.commune_a.code, "commune")]


def test_a_datetime_is_prepared_as_a_lookup_would_prepare_it(staff):
    """SQLite keeps datetimes as naive UTC text: the bound value must be compared the same
    way (an expired token must not pass, a live one must)."""
    token, raw = api_token_create(by=staff.hotline_agent, name="lab")
    read = FixedQuery(
        lambda: ApiToken.objects.filter(
            pk=token.pk, expires_at__gt=Param("now", ApiToken._meta.get_field("expires_at"))
        ).values_list("pk")
    )
    assert read.rows(now=timezone.now()) == [(token.pk,)]
    assert read.rows(now=token.expires_at + timedelta(seconds=1)) == []
    assert api_token_authenticate(raw) == staff.hotline_agent
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert api_token_authenticate(raw) is None


def test_it_refuses_querysets_it_cannot_give_back(world):
    read = FixedQuery(lambda: AdminUnit.objects.filter(code=Param("code", CODE)).values("code"))
    with pytest.raises(TypeError):
        read.rows(code=world.commune_a.code)


def test_a_scan_finds_only_an_active_checkpoint_inside_the_officers_area(world, staff):
    """selectors.checkpoint_for checks the area on the row (a district officer outside it,
    an inactive checkpoint and a missing id all get None, as the scoped queryset gave)."""
    inside = Checkpoint.objects.create(name="Chốt QL1A", unit=world.district_b)
    closed = Checkpoint.objects.create(name="Chốt cũ", unit=world.district_b, active=False)
    officer = staff.checkpoint_officer
    district_a_officer = make_user("chot.a", officer.role, world.district_a)
    assert selectors.checkpoint_for(officer, inside.pk) == inside
    assert selectors.checkpoint_for(officer, inside.pk).unit == world.district_b
    assert selectors.checkpoint_for(district_a_officer, inside.pk) is None
    assert selectors.checkpoint_for(officer, closed.pk) is None
    assert selectors.checkpoint_for(officer, inside.pk + 1000) is None
    officer.is_active = False
    assert selectors.checkpoint_for(officer, inside.pk) is None
    for user, pk in ((officer, inside.pk), (district_a_officer, inside.pk)):
        scoped = selectors.checkpoints_for(user).filter(pk=pk).first()
        assert selectors.checkpoint_for(user, pk) == scoped
