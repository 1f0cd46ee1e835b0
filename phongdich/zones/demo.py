"""Demo zones: a street of commune A in lockdown with its food plan (households, requests,
deliveries, one household left without food for days), a building proposed and waiting
for the district, and a lifted zone with its full history. Small whatever the scale."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from . import services
from .models import FoodRequest, Zone, ZoneProposal

HOUSEHOLDS = [
    ("Số 3 ngõ 12 Hàm Rồng", "Lê Văn Bình", 4),
    ("Số 5 ngõ 12 Hàm Rồng", "Nguyễn Thị Cúc", 3),
    ("Số 8 ngõ 12 Hàm Rồng", "Trần Văn Dũng", 5),
    ("Số 11 ngõ 12 Hàm Rồng", "Phạm Thị Em", 2),
    ("Số 14 ngõ 12 Hàm Rồng", "Hoàng Văn Giang", 6),
]


def build(*, seed: int, scale: float, province, users: dict, log) -> None:
    if Zone.objects.exists():
        log("zones: already present, skipped")
        return
    commune_worker = users.get("tramyte.a")
    decider = users.get("ytehuyen") or users.get("soyte")
    relief = users.get("cuutro") or decider
    if commune_worker is None or decider is None:
        log("zones: demo accounts missing, skipped")
        return
    commune = commune_worker.jurisdiction
    today = timezone.localdate()
    with transaction.atomic():
        street = services.zone_propose(
            by=commune_worker,
            name="Ngõ 12 Hàm Rồng",
            kind=Zone.Kind.STREET,
            commune=commune,
            address="Ngõ 12, từ số 1 đến số 30",
            reason="Ổ dịch 6 ca F0 trong ngõ, chưa rõ nguồn lây",
            people_count=180,
            households_count=46,
            last_case_on=today - timedelta(days=6),
            latitude="19.83150",
            longitude="105.79420",
        )
        services.proposal_decide(
            by=decider,
            proposal=street.proposals.get(),
            approve=True,
            decision_number="215/QĐ-UBND",
            decision_date=today - timedelta(days=9),
        )
        street.refresh_from_db()
        households = [
            services.household_add(by=commune_worker, zone=street, address=a, head_name=h, people=n)
            for a, h, n in HOUSEHOLDS
        ]
        for index, household in enumerate(households[:-1]):
            request = services.food_request_create(
                by=commune_worker,
                zone=street,
                household=household,
                items="Gạo, rau, thịt, trứng",
                portions=household.people * 3,
                source=FoodRequest.Source.HOTLINE if index == 1 else FoodRequest.Source.COMMUNE,
            )
            services.delivery_record(
                by=relief,
                zone=street,
                household=household,
                request=request,
                portions=household.people * (3 if index % 2 else 2),
                items="Gạo 10 kg, rau, trứng",
                centre="Trung tâm hỗ trợ phường Hàm Rồng",
                delivered_on=today - timedelta(days=1 + index),
            )

        building = services.zone_propose(
            by=commune_worker,
            name="Chung cư Hàm Rồng, tòa B",
            kind=Zone.Kind.BUILDING,
            commune=commune,
            reason="2 ca F0 ở tầng 5, đề nghị phong tỏa tòa nhà",
            people_count=320,
            households_count=90,
        )

        lifted = services.zone_propose(
            by=commune_worker,
            name="Thôn Đông Hàm Rồng",
            kind=Zone.Kind.STREET,
            commune=commune,
            reason="Chùm ca bệnh trong thôn",
            people_count=600,
            households_count=150,
        )
        started = today - timedelta(days=40)
        services.proposal_decide(
            by=decider,
            proposal=lifted.proposals.get(),
            approve=True,
            decision_number="180/QĐ-UBND",
            decision_date=started,
        )
        lifted.refresh_from_db()
        services.zone_facts_update(
            by=commune_worker,
            zone=lifted,
            last_case_on=started + timedelta(days=5),
            last_negative_round_on=started + timedelta(days=18),
            people_count=600,
            households_count=150,
            reason="Vòng xét nghiệm toàn thôn âm tính",
        )
        services.proposal_create(
            by=commune_worker,
            zone=lifted,
            action=ZoneProposal.Action.LIFT,
            reason="Đủ 14 ngày không có ca mới, xét nghiệm âm tính",
        )
        services.proposal_decide(
            by=decider,
            proposal=lifted.proposals.get(status=ZoneProposal.Status.PENDING),
            approve=True,
            decision_number="201/QĐ-UBND",
            decision_date=started + timedelta(days=20),
            today=started + timedelta(days=20),
        )
        services.scan_lifting(today=today)
    log(f"zones: 3 zones ({building.get_status_display()} among them), 5 households")
