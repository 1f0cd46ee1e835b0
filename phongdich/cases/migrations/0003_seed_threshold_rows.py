"""Seed the province's clinical threshold rows with the values of `rules.THRESHOLDS` on the
day the rows were introduced (copied, so later edits of the built-in default do not change
what a fresh database starts with)."""

from datetime import date

from django.db import migrations

THRESHOLDS = [
    # key, value, note, regulation, valid_from, confirmed
    ("two_rat_window_hours", 8, "", "Công văn 11042/BYT-DP, 29/12/2021", date(2021, 12, 29), True),
    (
        "rr_danger_adult",
        20,
        "≥ 20/phút",
        "Quyết định 261/QĐ-BYT, 31/01/2022",
        date(2022, 1, 31),
        True,
    ),
    (
        "rr_danger_child_5_12",
        30,
        "5 – < 12 tuổi: ≥ 30/phút",
        "Quyết định 261/QĐ-BYT, 31/01/2022",
        date(2022, 1, 31),
        True,
    ),
    (
        "rr_danger_child_1_5",
        40,
        "1 – < 5 tuổi: ≥ 40/phút",
        "Quyết định 528/QĐ-BYT, 03/3/2022",
        date(2022, 3, 3),
        True,
    ),
    (
        "rr_danger_infant_2_12m",
        50,
        "2 – 12 tháng: ≥ 50/phút",
        "Quyết định 528/QĐ-BYT, 03/3/2022",
        date(2022, 3, 3),
        True,
    ),
    (
        "rr_danger_infant_lt_2m",
        60,
        "< 2 tháng: ≥ 60/phút",
        "Quyết định 528/QĐ-BYT, 03/3/2022",
        date(2022, 3, 3),
        True,
    ),
    (
        "spo2_danger_adult_at_most",
        96,
        "SpO2 ≤ 96%",
        "Quyết định 261/QĐ-BYT, 31/01/2022",
        date(2022, 1, 31),
        True,
    ),
    (
        "spo2_danger_child_below",
        96,
        "SpO2 < 96%",
        "Quyết định 528/QĐ-BYT, 03/3/2022",
        date(2022, 3, 3),
        True,
    ),
    (
        "pulse_danger_above",
        120,
        "> 120/phút",
        "Quyết định 261/QĐ-BYT, 31/01/2022",
        date(2022, 1, 31),
        True,
    ),
    (
        "pulse_danger_below",
        50,
        "< 50/phút",
        "Quyết định 261/QĐ-BYT, 31/01/2022",
        date(2022, 1, 31),
        True,
    ),
    (
        "bp_systolic_danger_below",
        90,
        "< 90 mmHg",
        "Quyết định 261/QĐ-BYT, 31/01/2022",
        date(2022, 1, 31),
        True,
    ),
    (
        "bp_diastolic_danger_below",
        60,
        "< 60 mmHg",
        "Quyết định 261/QĐ-BYT, 31/01/2022",
        date(2022, 1, 31),
        True,
    ),
    (
        "child_fever_danger_above",
        39,
        "> 39 °C",
        "Quyết định 528/QĐ-BYT, 03/3/2022",
        date(2022, 3, 3),
        True,
    ),
    ("home_care_rr_below", 20, "", "Quyết định 261/QĐ-BYT, 31/01/2022", date(2022, 1, 31), True),
    ("home_care_spo2_above", 96, "", "Quyết định 261/QĐ-BYT, 31/01/2022", date(2022, 1, 31), True),
    (
        "release_min_days_with_negative_rat",
        7,
        "",
        "Quyết định 250/QĐ-BYT, 28/01/2022",
        date(2022, 1, 28),
        True,
    ),
    (
        "release_days_fully_vaccinated",
        10,
        "",
        "Quyết định 250/QĐ-BYT, 28/01/2022",
        date(2022, 1, 28),
        True,
    ),
    (
        "release_days_not_fully_vaccinated",
        14,
        "",
        "Quyết định 250/QĐ-BYT, 28/01/2022",
        date(2022, 1, 28),
        True,
    ),
    (
        "severity_severe_rr_above",
        25,
        "",
        "Quyết định 4689/QĐ-BYT, 06/10/2021",
        date(2021, 10, 6),
        True,
    ),
    (
        "severity_severe_spo2_below",
        94,
        "",
        "Quyết định 4689/QĐ-BYT, 06/10/2021",
        date(2021, 10, 6),
        True,
    ),
    (
        "severity_critical_rr_above",
        30,
        "",
        "Quyết định 4689/QĐ-BYT, 06/10/2021",
        date(2021, 10, 6),
        False,
    ),
    (
        "severity_critical_rr_below",
        10,
        "",
        "Quyết định 4689/QĐ-BYT, 06/10/2021",
        date(2021, 10, 6),
        False,
    ),
    ("risk_age_at_least", 50, "", "Quyết định 261/QĐ-BYT, 31/01/2022", date(2022, 1, 31), True),
]


def seed(apps, schema_editor):
    Row = apps.get_model("cases", "ThresholdRow")
    for key, value, note, regulation, valid_from, confirmed in THRESHOLDS:
        Row.objects.get_or_create(
            key=key,
            defaults={
                "value": value,
                "note": note,
                "regulation": regulation,
                "valid_from": valid_from,
                "confirmed": confirmed,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_threshold_rows")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
