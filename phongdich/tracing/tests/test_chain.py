"""The chain: breadth-first by level (a pinned number of queries, not one per node),
bounded at 500 nodes, drawn as SVG."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from phongdich.tracing import chain
from phongdich.tracing.models import Contact

from . import builders
from .test_contacts import _case_of


def _tree(world, staff):
    by = staff.commune_worker_a
    root = builders.case(world, by)
    f1 = [
        builders.contact(
            world, by, source_case=root, full_name=f"Người {i}", phone=f"09130001{i:02d}"
        )
        for i in range(3)
    ]
    builders.contact(world, by, source_contact=f1[0], full_name="Người F2", phone="0913000200")
    second = _case_of(world, by, f1[1].person)  # f1[1] became a case
    builders.contact(world, by, source_case=second, full_name="Người sau", phone="0913000300")
    return root, second


def test_the_chain_follows_contacts_who_became_cases(world, staff):
    root, second = _tree(world, staff)
    built = chain.build_chain([root])
    kinds = sorted((n.level, n.kind) for n in built.nodes)
    assert kinds == [(0, "case"), (1, "case"), (1, "f1"), (1, "f1"), (2, "f1"), (2, "f2")]
    by_key = {n.key: n for n in built.nodes}
    assert by_key[f"case:{second.pk}"].parent == f"case:{root.pk}"
    svg = chain.render_svg(built, title="x")
    assert svg.startswith("<svg") and svg.count("<rect") == 6 and svg.count("<line") == 5


def test_the_chain_costs_one_query_per_level(world, staff):
    root, _second = _tree(world, staff)
    root = type(root).objects.select_related("person").get(pk=root.pk)
    with CaptureQueriesContext(connection) as queries:
        chain.build_chain([root])
    # levels 1, 2 and an empty level 3: one query each, whatever the number of nodes
    assert len(queries) == 3


def test_the_chain_is_cut_at_its_bound(world, staff):
    root, _second = _tree(world, staff)
    built = chain.build_chain([root], max_nodes=3)
    assert len(built.nodes) == 3 and built.truncated


@pytest.mark.parametrize("name", ["<script>alert(1)</script>"])
def test_names_are_escaped_in_the_drawing(world, staff, name):
    root = builders.case(world, staff.commune_worker_a, name=name)
    svg = chain.render_svg(chain.build_chain([root]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert Contact.objects.count() == 0
