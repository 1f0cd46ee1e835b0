"""Link the free-text team names of points, pools and samples to team records.

Each distinct name in a commune becomes one SamplingTeam of that commune (or the existing one
of that name), and the rows carrying it point at it; the text stays as the label. A name is
linked only when it is unambiguous: spellings in one commune that differ only in case or
spacing ("Tổ 1", "tổ 1") could be one team or two, so those rows keep their label alone and
an officer links them by hand. One UPDATE per (table, commune, name), never a save per row;
running it again links nothing twice (it reads only rows without a team)."""

import unicodedata

from django.db import migrations


def _clean(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def link(apps, schema_editor):
    team_model = apps.get_model("labtests", "SamplingTeam")
    tables = [apps.get_model("labtests", name) for name in ("SamplingPoint", "Pool", "Sample")]
    # (commune, folded name) → {clean spelling: {model: [raw values]}}
    groups: dict[tuple[int, str], dict[str, dict]] = {}
    for model in tables:
        pending = (
            model.objects.filter(sampling_team__isnull=True)
            .exclude(team="")
            .values_list("commune_id", "team")
            .distinct()
        )
        for commune_id, raw in pending.iterator():
            clean = _clean(raw)
            if not clean:
                continue
            spellings = groups.setdefault((commune_id, clean.casefold()), {})
            spellings.setdefault(clean, {}).setdefault(model, []).append(raw)
    for (commune_id, _key), spellings in groups.items():
        if len(spellings) != 1:
            continue  # ambiguous: left for an officer
        [(name, by_model)] = spellings.items()
        team, _created = team_model.objects.get_or_create(unit_id=commune_id, name=name[:120])
        for model, raws in by_model.items():
            model.objects.filter(
                sampling_team__isnull=True, commune_id=commune_id, team__in=raws
            ).update(sampling_team=team)


class Migration(migrations.Migration):
    dependencies = [("labtests", "0008_sampling_teams")]

    # Going back drops the columns and tables (0008), which is the whole undo.
    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
