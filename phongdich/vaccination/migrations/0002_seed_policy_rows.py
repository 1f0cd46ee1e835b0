"""Seed the province's editable vaccination policy rows from the built-in tables of rules.py.

Same values as `rules.BUILT_IN` on the day the rows were introduced (copied here, so later
edits of the built-in default do not change what a fresh database starts with). A table
that already holds rows is left as it is.
"""

from datetime import date

from django.db import migrations

PRODUCTS = [
    ("astrazeneca", "AstraZeneca (Vaxzevria)", 2),
    ("pfizer", "Pfizer-BioNTech (Comirnaty)", 2),
    ("moderna", "Moderna (Spikevax)", 2),
    ("verocell", "Vero Cell (Sinopharm)", 2),
    ("sputnikv", "Sputnik V", 2),
]
# key, valid_from, dose, kind, min, recommended, regulation, product, min_age, max_age, confirmed
INTERVALS = [
    (
        "az-2-maker",
        date(2021, 3, 8),
        2,
        "primary",
        28,
        84,
        "Hướng dẫn của nhà sản xuất (4–12 tuần)",
        "astrazeneca",
        None,
        None,
        False,
    ),
    (
        "az-2-7820",
        date(2021, 9, 20),
        2,
        "primary",
        56,
        84,
        "Công văn 7820/BYT-DP, 20/9/2021 (8–12 tuần)",
        "astrazeneca",
        None,
        None,
        True,
    ),
    (
        "pfizer-2",
        date(2021, 3, 8),
        2,
        "primary",
        21,
        21,
        "Bộ Y tế, khoảng cách giữa hai mũi cơ bản",
        "pfizer",
        None,
        None,
        True,
    ),
    (
        "moderna-2",
        date(2021, 3, 8),
        2,
        "primary",
        28,
        28,
        "Bộ Y tế, khoảng cách giữa hai mũi cơ bản",
        "moderna",
        None,
        None,
        True,
    ),
    (
        "verocell-2",
        date(2021, 3, 8),
        2,
        "primary",
        21,
        28,
        "Bộ Y tế, khoảng cách giữa hai mũi cơ bản",
        "verocell",
        None,
        None,
        True,
    ),
    (
        "sputnikv-2",
        date(2021, 3, 8),
        2,
        "primary",
        21,
        21,
        "Bộ Y tế, khoảng cách giữa hai mũi cơ bản",
        "sputnikv",
        None,
        None,
        True,
    ),
    (
        "booster-3-6m",
        date(2021, 11, 1),
        3,
        "booster",
        183,
        183,
        "Bộ Y tế, mũi nhắc lại 6 tháng sau liều cơ bản (cuối năm 2021)",
        "",
        18,
        None,
        False,
    ),
    (
        "booster-3-3m",
        date(2022, 1, 1),
        3,
        "booster",
        90,
        90,
        "Bộ Y tế, mũi nhắc lại 3 tháng sau liều cơ bản (đầu năm 2022)",
        "",
        18,
        None,
        False,
    ),
    (
        "booster-3-12-17",
        date(2022, 5, 1),
        3,
        "booster",
        150,
        150,
        "Bộ Y tế, mũi 3 cho trẻ 12–17 tuổi sau mũi 2 năm tháng",
        "",
        12,
        18,
        False,
    ),
    (
        "booster-4",
        date(2022, 6, 23),
        4,
        "booster",
        120,
        120,
        "Công văn 3309/BYT-DP, 23/6/2022 (mũi 4 sau mũi 3 bốn tháng, người 50 tuổi trở lên)",
        "",
        50,
        None,
        True,
    ),
]
# key, valid_from, min_age, max_age, regulation, product, confirmed
ELIGIBILITY = [
    (
        "adults",
        date(2021, 3, 8),
        18,
        None,
        "Chiến dịch tiêm chủng vắc xin COVID-19, từ 03/2021",
        "",
        False,
    ),
    (
        "12-17-pfizer",
        date(2021, 10, 1),
        12,
        18,
        "Bộ Y tế, tiêm cho trẻ 12–17 tuổi từ tháng 10/2021",
        "pfizer",
        True,
    ),
    (
        "12-17-moderna",
        date(2021, 10, 1),
        12,
        18,
        "Bộ Y tế, tiêm cho trẻ 12–17 tuổi từ tháng 10/2021",
        "moderna",
        False,
    ),
    (
        "5-11-pfizer",
        date(2022, 4, 14),
        5,
        12,
        "Bộ Y tế, tiêm cho trẻ 5 đến dưới 12 tuổi năm 2022",
        "pfizer",
        False,
    ),
    (
        "5-11-moderna",
        date(2022, 4, 14),
        5,
        12,
        "Bộ Y tế, tiêm cho trẻ 5 đến dưới 12 tuổi năm 2022",
        "moderna",
        False,
    ),
]
# key, valid_from, first, then, dose, regulation, min_age, confirmed
MIXES = [
    (
        "az-pfizer",
        date(2021, 9, 20),
        "astrazeneca",
        "pfizer",
        2,
        "AstraZeneca rồi Pfizer sau 8–12 tuần",
        18,
        True,
    ),
]


def seed(apps, schema_editor):
    Product = apps.get_model("vaccination", "VaccineProduct")
    Interval = apps.get_model("vaccination", "IntervalRow")
    Eligibility = apps.get_model("vaccination", "EligibilityRow")
    Mix = apps.get_model("vaccination", "MixRow")
    if Product.objects.exists():
        return
    products = {}
    for code, name, primary in PRODUCTS:
        products[code] = Product.objects.create(
            code=code, name=name, primary_doses=primary, regulation="", confirmed=True
        )
    for key, start, dose, kind, low, rec, regulation, product, min_age, max_age, ok in INTERVALS:
        Interval.objects.create(
            key=key,
            valid_from=start,
            dose_number=dose,
            kind=kind,
            min_days=low,
            recommended_days=rec,
            regulation=regulation,
            product=products.get(product),
            min_age=min_age,
            max_age=max_age,
            confirmed=ok,
        )
    for key, start, min_age, max_age, regulation, product, ok in ELIGIBILITY:
        Eligibility.objects.create(
            key=key,
            valid_from=start,
            min_age=min_age,
            max_age=max_age,
            regulation=regulation,
            product=products.get(product),
            confirmed=ok,
        )
    for key, start, first, then, dose, regulation, min_age, ok in MIXES:
        Mix.objects.create(
            key=key,
            valid_from=start,
            first=products[first],
            then=products[then],
            dose_number=dose,
            regulation=regulation,
            min_age=min_age,
            confirmed=ok,
        )


class Migration(migrations.Migration):
    dependencies = [("vaccination", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
