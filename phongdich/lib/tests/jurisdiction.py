"""Background imports are their owner's only: commune A's worker never reaches the
progress page or the error list of an import commune B's worker uploaded."""


def _import_of_b(world, staff):
    from phongdich.lib.models import ImportJob

    job = ImportJob.objects.create(
        owner=staff.commune_worker_b,
        jurisdiction=world.commune_b,
        kind="vaccination.doses",
        mode="keep_good",
        filename="mui-tiem.csv",
        status=ImportJob.Status.DONE,
        result={"recorded": 1, "errors": {"entries": [{"line": 2, "errors": ["x"]}], "total": 1}},
    )
    return {"pk": job.pk}


RECORDS_IN_COMMUNE_B = {"imports:job": _import_of_b, "imports:errors": _import_of_b}
