"""Demo data: checkpoints at the province's gates, listed epidemic areas, travellers who
declared and passed, hand-overs to communes A and B, home quarantines, a late transit vehicle,
a pharmacy with reports and a citizen report.

Deterministic for a seed, except the random short codes, QR nonces and link tokens (which must
be unguessable). Goes through the services, so the audit trail is real; volume is small.
"""

import random
from datetime import timedelta

from django.utils import timezone

from phongdich.geo.models import AdminUnit

from . import services
from .models import Checkpoint, EpidemicArea, Passage, TransitEscort

GIVEN = ["An", "Bình", "Cường", "Dung", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Minh", "Nam", "Thảo"]
FAMILY = ["Nguyễn", "Lê", "Trần", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu"]
# Origins of the demo's travellers; the national outline of provinces and districts is
# loaded, so a district of another province (412 Thành phố Vinh) is a real unit too.
ORIGINS = [
    ("01", "Hà Nội"),
    ("79", "TP Hồ Chí Minh"),
    ("74", "Bình Dương"),
    ("412", "TP Vinh, Nghệ An"),
]
# (code, level) of the listed epidemic areas, with the basis written as an officer would.
AREAS = [("79", 4), ("74", 3), ("412", 3)]


def build(*, seed: int, scale: float, province, users: dict, log) -> None:
    if Passage.objects.filter(idempotency_key__startswith=f"demo-{seed}-").exists():
        log("checkpoints: demo data already present")
        return  # building again changes nothing
    rng = random.Random(seed + 6)
    officer = users["chot"]
    worker_a, worker_b = users["tramyte.a"], users["tramyte.b"]
    commune_a, commune_b = worker_a.jurisdiction, worker_b.jurisdiction
    gate_north = AdminUnit.objects.get(code="381")
    checkpoints = [
        Checkpoint.objects.get_or_create(
            name="Chốt Bỉm Sơn (QL1A, cửa ngõ phía Bắc)",
            defaults={"unit": gate_north, "gate": "QL1A - giáp Ninh Bình"},
        )[0],
        Checkpoint.objects.get_or_create(
            name="Chốt ga Thanh Hóa",
            defaults={"unit": commune_a.parent, "gate": "Ga Thanh Hóa", "kind": "rail"},
        )[0],
        Checkpoint.objects.get_or_create(
            name="Chốt Nghi Sơn (QL1A, cửa ngõ phía Nam)",
            defaults={"unit": province, "gate": "QL1A - giáp Nghệ An"},
        )[0],
    ]
    today = timezone.localdate()
    origins = {}
    for code, name in ORIGINS:
        origins[name] = AdminUnit.objects.filter(code=code).first()
    for code, level in AREAS:
        unit = AdminUnit.objects.filter(code=code).first()
        if unit and not EpidemicArea.objects.filter(unit=unit).exists():
            # Through the service, as the health officer would: audited, so the list page
            # can say who changed it last.
            services.epidemic_area_add(
                by=users["soyte"],
                unit=unit,
                level=level,
                valid_from=today - timedelta(days=14),
                note=f"Cấp độ {level} theo công bố của {unit.label()}",
            )
    count = max(12, int(1500 * scale))
    for i in range(count):
        origin_name = rng.choice(list(origins))
        destination = commune_a if i % 3 else commune_b
        passing = i % 10 == 9
        declaration, _raw = services.declaration_submit(
            data={
                "full_name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                "birth_year": rng.randint(1950, 2010),
                "phone": f"091{rng.randint(1000000, 9999999)}",
                "travel_mode": rng.choice(["car", "motorbike", "bus", "train"]),
                "vehicle_number": f"{rng.randint(11, 99)}A-{rng.randint(100, 999)}.{rng.randint(10, 99)}",
                "arrival_date": today,
                "origin": origins[origin_name],
                "origin_text": origin_name,
                "destination_commune": None if passing else destination,
                "destination_address": "Nghệ An" if passing else f"Số {rng.randint(1, 200)}",
                "symptoms": ["cough"] if rng.random() < 0.08 else [],
                "vaccine_doses": rng.choice([None, 0, 1, 2, 2, 3]),
                "checkpoint": checkpoints[i % 2],
            }
        )
        assessment = services.assess(declaration)
        decision = assessment.suggestion.decision
        if decision == "centralised" or (decision == "let_through" and i % 3 == 0):
            # Officers may be stricter than the suggestion; the demo has no quarantine site of
            # its own (the facilities app owns them), so hand-over stands in for centralised.
            # A traveller passing through has no commune here to be handed to: escorted
            # through to the exit instead (at scale 1 a passing traveller with symptoms
            # made the hand-over refuse and stopped the whole demo build).
            decision = "transit" if passing else "handover"
        passage, _ = services.passage_record(
            by=officer,
            declaration=declaration,
            checkpoint=checkpoints[0],
            decision=decision,
            idempotency_key=f"demo-{seed}-{i:06d}",
            temperature=f"{rng.uniform(36.0, 37.4):.1f}",
            exit_checkpoint=checkpoints[2] if decision == "transit" else None,
        )
        handover = getattr(passage, "handover", None) if decision == "handover" else None
        if handover is None or i % 4 == 0:
            continue  # stays pending in the commune's arrivals list
        worker = worker_a if handover.commune_id == commune_a.pk else worker_b
        if i % 7 == 0:
            services.handover_no_show(by=worker, handover=handover)
            continue
        services.handover_confirm(by=worker, handover=handover)
        services.quarantine_start(
            by=worker,
            handover=handover,
            on=today - timedelta(days=rng.randint(0, 6)),
            policy_key="2022-early",
        )
    now = timezone.now()
    TransitEscort.objects.create(
        vehicle_number="37B-012.34",
        people_count=3,
        entry_checkpoint=checkpoints[0],
        exit_checkpoint=checkpoints[2],
        entered_at=now - timedelta(hours=6),
        due_by=now - timedelta(hours=2),
        created_by=officer,
    )
    pharmacy, _raw = services.pharmacy_register(
        name="Nhà thuốc Hàm Rồng",
        owner_name="DS. Lê Thu",
        phone="0904123456",
        address="12 Nguyễn Trãi",
        commune=commune_a,
    )
    services.pharmacy_report_submit(
        pharmacy=pharmacy,
        buyer_name="Trịnh Văn Hòa",
        buyer_phone="0905123456",
        buyer_address="4 Bà Triệu",
        commune=commune_a,
        symptoms=["cough", "fever"],
    )
    services.citizen_report_submit(
        commune=commune_a,
        address="Ngõ 7, phố Hàm Rồng",
        description="Có người từ TP.HCM về tối qua, chưa thấy khai báo.",
        anonymous=True,
    )
    log(f"checkpoints: {len(checkpoints)} checkpoints, {count} declarations and passages")
