"""Transmission chains: from a case (or a cluster's cases), the tree of source case →
contacts → contacts who became cases → their contacts, breadth-first by level with `__in`
(two queries per level, not one per node), bounded at MAX_NODES; drawn as SVG on the
server (no JavaScript, no CDN)."""

from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from .models import Contact

MAX_NODES = 500
MAX_LEVELS = 30  # a chain deeper than this is cut; each level costs two queries


@dataclass
class Node:
    key: str  # "case:<id>" or "contact:<id>"
    label: str
    kind: str  # "case", "f1", "f2"
    level: int
    parent: str | None
    record: object = None
    children: list = field(default_factory=list)


@dataclass
class Chain:
    nodes: list[Node]
    truncated: bool

    @property
    def records(self):
        return [n.record for n in self.nodes if n.record is not None]


def _contacts_of(case_ids, contact_ids):
    from django.db.models import Q

    if not case_ids and not contact_ids:
        return []
    return list(
        Contact.objects.filter(Q(source_case__in=case_ids) | Q(source_contact__in=contact_ids))
        .select_related("person", "became_case__person")
        .order_by("pk")
    )


def build_chain(cases, *, max_nodes: int = MAX_NODES) -> Chain:
    """The chain below `cases` (Case rows with `person` selected)."""
    nodes: dict[str, Node] = {}
    truncated = False

    def add(node: Node) -> bool:
        nonlocal truncated
        if node.key in nodes:
            return False
        if len(nodes) >= max_nodes:
            truncated = True
            return False
        nodes[node.key] = node
        if node.parent and node.parent in nodes:
            nodes[node.parent].children.append(node.key)
        return True

    level_cases = []
    for case in cases:
        if add(Node(f"case:{case.pk}", case.person.full_name, "case", 0, None, case)):
            level_cases.append(case)
    level_contacts: list[Contact] = []
    alias: dict[str, str] = {}  # a contact who became a case is drawn as that case
    level = 0
    while (level_cases or level_contacts) and not truncated and level < MAX_LEVELS:
        level += 1
        found = _contacts_of([c.pk for c in level_cases], [c.pk for c in level_contacts])
        level_cases, level_contacts = [], []
        for contact in found:
            parent = (
                f"case:{contact.source_case_id}"
                if contact.source_case_id
                else f"contact:{contact.source_contact_id}"
            )
            parent = alias.get(parent, parent)
            case = contact.became_case
            if case is not None:
                # the contact who became a case is drawn as that case, whose own contacts follow
                node = Node(f"case:{case.pk}", case.person.full_name, "case", level, parent, case)
                alias[f"contact:{contact.pk}"] = node.key
                if add(node):
                    level_cases.append(case)
                    level_contacts.append(contact)  # their F2 (listed while an F1) follow too
                continue
            kind = f"f{contact.generation}"
            if add(
                Node(
                    f"contact:{contact.pk}", contact.person.full_name, kind, level, parent, contact
                )
            ):
                level_contacts.append(contact)
    if level >= MAX_LEVELS and (level_cases or level_contacts):
        truncated = True
    return Chain(nodes=list(nodes.values()), truncated=truncated)


BOX_W, BOX_H, GAP_X, GAP_Y, PAD = 170, 34, 50, 12, 10
COLOURS = {"case": "#c62828", "f1": "#ef6c00", "f2": "#f9a825"}


def render_svg(chain: Chain, *, title: str = "") -> str:
    """Levels left to right, each level's nodes top to bottom; an edge from each node to
    its parent. Plain SVG the page embeds (and prints)."""
    by_level: dict[int, list[Node]] = {}
    for node in chain.nodes:
        by_level.setdefault(node.level, []).append(node)
    position = {}
    for level, nodes in by_level.items():
        for index, node in enumerate(nodes):
            position[node.key] = (
                PAD + level * (BOX_W + GAP_X),
                PAD + index * (BOX_H + GAP_Y),
            )
    width = PAD * 2 + (max(by_level, default=0) + 1) * (BOX_W + GAP_X)
    height = PAD * 2 + max((len(n) for n in by_level.values()), default=1) * (BOX_H + GAP_Y)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chain" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title, {chr(34): "&quot;"})}">'
    ]
    for node in chain.nodes:
        if node.parent in position:
            x1, y1 = position[node.parent]
            x2, y2 = position[node.key]
            parts.append(
                f'<line x1="{x1 + BOX_W}" y1="{y1 + BOX_H // 2}" x2="{x2}" y2="{y2 + BOX_H // 2}" '
                'stroke="#888" stroke-width="1"/>'
            )
    for node in chain.nodes:
        x, y = position[node.key]
        colour = COLOURS.get(node.kind, "#555")
        label = escape(node.label[:24])
        tag = "F0" if node.kind == "case" else node.kind.upper()
        parts.append(
            f'<g class="node node-{node.kind}"><rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" '
            f'rx="4" fill="#fff" stroke="{colour}" stroke-width="2"/>'
            f'<text x="{x + 6}" y="{y + 21}" font-size="12" fill="#222">'
            f'<tspan font-weight="bold" fill="{colour}">{tag}</tspan> {label}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
