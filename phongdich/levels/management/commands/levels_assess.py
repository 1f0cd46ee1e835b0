"""Assess the epidemic level outside the UI, for operators and auditors:

    manage.py levels_assess --date 2021-11-20 [--rules 4800|218] [--unit CODE] [--json]

Prints every unit assessed with its inputs, each criterion's result and the level. With
--unit the units are only printed, not stored (a check); without it the day is stored as
the job would store it (reviewed and published units are left alone)."""

import json
from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from phongdich.geo.models import AdminUnit
from phongdich.geo.selectors import home_province
from phongdich.levels import rules as level_rules
from phongdich.levels import services
from phongdich.levels.thresholds import rules_in_force


class Command(BaseCommand):
    help = "Assess the epidemic level of every unit for a date and print the result."

    def add_arguments(self, parser):
        parser.add_argument("--date", required=True, help="YYYY-MM-DD")
        parser.add_argument("--rules", choices=[r.code for r in level_rules.RULE_SETS])
        parser.add_argument("--unit", help="GSO code: print this unit only, store nothing")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        try:
            day = date.fromisoformat(opts["date"])
        except ValueError as exc:
            raise CommandError("--date must be YYYY-MM-DD") from exc
        rules = rules_in_force(day, opts["rules"])
        if rules is None:
            raise CommandError("no rule set applies to this date")
        province = home_province()
        if province is None:
            raise CommandError("the home province is not loaded")
        if opts["unit"]:
            units = list(AdminUnit.objects.filter(path__startswith=province.path))
            inputs = services.compute_inputs(units, day, rules)
            wanted = [u for u in units if u.code == opts["unit"]]
            if not wanted:
                raise CommandError(f"no unit {opts['unit']} in the home province")
            rows = [
                (u, inputs[u.pk], level_rules.assess(rules, inputs[u.pk]).as_dict()) for u in wanted
            ]
        else:
            try:
                stored = services.levels_assess(
                    by=None, day=day, rules_code=rules.code, province=province
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            rows = [(a.unit, a.inputs, a.outcome) for a in stored]
        out = [
            {
                "unit": u.code,
                "name": u.name,
                "kind": u.kind,
                "day": day.isoformat(),
                "inputs": i,
                **o,
            }
            for u, i, o in rows
        ]
        if opts["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1, default=str))
            return
        for row in out:
            self.stdout.write(
                f"{row['unit']:>6} {row['name'][:40]:40} rules={row['rules']} "
                f"level={row['level']} unconfirmed={len(row['unconfirmed'])}"
            )
