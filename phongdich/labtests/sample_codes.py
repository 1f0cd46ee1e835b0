"""The province code every new sample names itself (issue 17, migration 0012).

On PostgreSQL `labtests_sample` is partitioned by `province`, and an INSERT is routed to its
partition before the fill trigger (geo.province) runs: a row written without the code would
go to the DEFAULT partition, the trigger would set its code, and PostgreSQL would refuse to
move it. So `Sample.save()` and `Sample.objects.bulk_create` name it, from the commune each
sample holds (no query), or from one query of the paths of communes given by id only."""

from django.db import models

from phongdich.geo.province import province_of_path, province_of_unit


def name_codes(samples) -> None:
    """Fill `province` of the samples that do not name it yet."""
    unnamed = [sample for sample in samples if not sample.province]
    ids = set()
    for sample in unnamed:
        if sample._meta.get_field("commune").is_cached(sample):
            sample.province = province_of_unit(sample.commune)
        elif sample.commune_id is not None:
            ids.add(sample.commune_id)
    if not ids:
        return
    from phongdich.geo.models import AdminUnit

    paths = dict(AdminUnit.objects.filter(pk__in=ids).values_list("pk", "path"))
    for sample in unnamed:
        if not sample.province and sample.commune_id in paths:
            sample.province = province_of_path(paths[sample.commune_id])


class SampleQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        name_codes(objs)
        return super().bulk_create(objs, *args, **kwargs)
