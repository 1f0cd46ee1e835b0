from phongdich.cases import demo
from phongdich.cases.models import Alert, Case, DailyReport
from phongdich.people.models import Person


def test_the_demo_builds_consistent_queues(world, staff):
    Person.objects.bulk_create(
        Person(
            full_name=f"Người {i}",
            name_key=f"nguoi {i}",
            given_key=str(i),
            birth_year=1950 + i % 60,
            commune=world.commune_a if i % 2 else world.commune_b,
        )
        for i in range(300)
    )
    users = {
        "tramyte.a": staff.commune_worker_a,
        "tramyte.b": staff.commune_worker_b,
        "ytehuyen": staff.district_health_officer_a,
        "soyte": staff.province_health_officer,
    }
    lines = []
    demo.build(seed=1, scale=0.001, province=world.province, users=users, log=lines.append)
    assert Case.objects.filter(commune=world.commune_a).count() >= 60
    for case in Case.objects.all():
        open_alerts = Alert.objects.filter(case=case, status__in=Alert.OPEN_STATES).count()
        assert case.open_alerts == open_alerts
    assert DailyReport.objects.filter(status="published").count() == 1
    assert "/cases/c/" in lines[-1]
    demo.build(seed=1, scale=0.001, province=world.province, users=users, log=lines.append)
    assert "skipped" in lines[-1]
