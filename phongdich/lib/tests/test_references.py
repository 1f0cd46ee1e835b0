"""Reference numbers: short, unambiguous, not counting, and found again from what is read out."""

from datetime import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from phongdich.lib import references
from phongdich.lib.references import reference_for, reference_parse


class _Meta:
    app_label = "cases"
    object_name = "Case"


def _case(pk, when=datetime(2021, 12, 26, 9, 0)):
    return SimpleNamespace(pk=pk, created_at=timezone.make_aware(when), _meta=_Meta)


@pytest.mark.parametrize("pk", [1, 2, 3, 999, 2**15, 2**20 + 7, 2**30 - 1])
def test_the_code_round_trips_and_looks_like_a_reference(pk):
    ref = reference_for(_case(pk))
    assert ref.startswith("F0-2612-") and len(ref) == len("F0-2612-") + 6
    assert not set(ref[8:]) & set("ILOU")
    parsed = reference_parse(ref)
    assert parsed.kind.prefix == "F0" and parsed.ddmm == "2612" and parsed.pk() == pk


def test_consecutive_ids_give_unrelated_codes():
    codes = [reference_for(_case(pk))[-6:] for pk in range(1, 201)]
    assert len(set(codes)) == 200
    # No shared leading characters run (a counter would share 5 of 6 characters).
    assert len({c[:3] for c in codes}) > 150


def test_it_reads_what_people_type():
    ref = reference_for(_case(42))
    code = ref[-6:]
    typed = f"f0 2612 {code.lower().replace('0', 'o').replace('1', 'l')}"
    assert reference_parse(typed).pk() == 42
    assert reference_parse(ref.replace("-", "")).pk() == 42


@pytest.mark.parametrize(
    "text",
    ["", "F0", "XX-2612-ABCDEF", "F0-26-ABCDEF", "F0-2612-ABCDE", "F0-2612-ABCDEFG", "x" * 500],
)
def test_it_refuses_anything_else_without_raising(text):
    assert reference_parse(text) is None


def test_the_key_changes_the_codes(settings):
    before = reference_for(_case(7))
    settings.REFERENCE_KEY = "another-key"
    assert reference_for(_case(7)) != before


def test_every_kind_has_a_distinct_prefix_and_model():
    assert len({k.model for k in references.KINDS.values()}) == len(references.KINDS)
