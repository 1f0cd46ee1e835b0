"""The level thresholds as dated policy rows (`LevelRule`): the seed written from the
regulations' values in `rules.py`, the rule set in force on a day built from the rows, and
the health department's change of a value (a new row from a date, audited).

`rules.py` keeps the pure engine and the regulations' original values (what the seed
writes and what a reader can check against RULES.md); what the engine applies on a day is
`rules_in_force(day)`, read from the rows."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.accounts.models import Role
from phongdich.audit.services import audit_record
from phongdich.geo.models import AdminUnit
from phongdich.lib.locks import key_lock

from . import rules as level_rules

# Coverage thresholds are written in percent on the page and in the rows.
PERCENT_KEYS = {"adults_at_least_one", "over_50_full", "population_full", "high_risk_full"}
# Who may change a threshold: the health department of the province, and its admin.
EDIT_ROLES = (Role.HEALTH_OFFICER, Role.PROVINCE_ADMIN)


def _column(value) -> str:
    if value is True:
        return "met"
    if value is False:
        return "not_met"
    return str(value)


def _cell_key(cell: tuple) -> str:
    return f"cell.{cell[0]}.{_column(cell[1])}"


def seed_rows(rule_sets=level_rules.RULE_SETS) -> list[dict]:
    """The regulations' values as row fields (the data migration writes these)."""
    out = []
    for rs in rule_sets:
        for band in rs.case_bands:
            out.append(
                dict(
                    rules=rs.code,
                    kind="band",
                    key=f"band.{band.level}",
                    valid_from=rs.valid_from,
                    value=Decimal(str(band.lower)),
                    regulation=band.source,
                    confirmed=band.confirmed,
                )
            )
        for t in rs.thresholds.values():
            value = t.value * 100 if t.key in PERCENT_KEYS else t.value
            out.append(
                dict(
                    rules=rs.code,
                    kind="threshold",
                    key=t.key,
                    valid_from=rs.valid_from,
                    value=Decimal(str(round(value, 3))),
                    regulation=t.source,
                    confirmed=t.confirmed,
                )
            )
        for cell, (lvl, confirmed) in rs.matrix.items():
            out.append(
                dict(
                    rules=rs.code,
                    kind="cell",
                    key=_cell_key(cell),
                    valid_from=rs.valid_from,
                    level=lvl,
                    regulation=rs.source,
                    confirmed=confirmed,
                )
            )
    return out


def rows_in_force(code: str, day: date) -> dict:
    """The latest active row of each key of a rule set with `valid_from` ≤ day (one query).
    A key whose first row is dated after `day` (the rule set's start was moved earlier than
    the seed's date) takes its first row: the value the rule set starts with."""
    from .models import LevelRule

    rows = LevelRule.objects.filter(rules=code, active=True).order_by("key", "valid_from", "pk")
    return pick_in_force(rows, day)


def pick_in_force(rows, day: date) -> dict:
    """From one rule set's rows ordered by key and date, each key's row in force on `day`
    (rows_in_force without the query, for a caller that asks for many days)."""
    found = {}
    for row in rows:
        if row.valid_from <= day or row.key not in found:
            found[row.key] = row
    return found


def start_rows() -> dict:
    """The start row in force of each rule set (its newest), in one query."""
    from .models import RuleSetStart

    return {row.rules: row for row in RuleSetStart.objects.order_by("rules", "pk")}


def rule_set_starts() -> dict[str, date]:
    """Each rule set's start day as the policy rows set it (the regulations' dates where a
    deployment has no row)."""
    starts = {rs.code: rs.valid_from for rs in level_rules.RULE_SETS}
    starts.update({code: row.starts_on for code, row in start_rows().items()})
    return starts


def apply_rows(rs: level_rules.RuleSet, rows: dict) -> level_rules.RuleSet:
    """The rule set with each value, source and flag taken from its row. A key without a row
    keeps the regulation's value (a row can be deactivated; the seed writes every key)."""
    bands = []
    for band in rs.case_bands:
        row = rows.get(f"band.{band.level}")
        if row is not None:
            lower = float(row.value)
            band = replace(band, lower=lower, source=row.regulation, confirmed=row.confirmed)
        bands.append(band)
    # Band labels read from the next band's lower bound, so relabel once all are known.
    bands = [replace(b, label=_band_label_from(rs, i, bands)) for i, b in enumerate(bands)]
    thresholds = {}
    for key, t in rs.thresholds.items():
        row = rows.get(key)
        if row is not None:
            value = float(row.value)
            if key in PERCENT_KEYS:
                value = value / 100
            t = replace(t, value=value, source=row.regulation, confirmed=row.confirmed)
        thresholds[key] = t
    matrix = {}
    for cell, current in rs.matrix.items():
        row = rows.get(_cell_key(cell))
        matrix[cell] = (row.level, row.confirmed) if row is not None else current
    return replace(rs, case_bands=tuple(bands), thresholds=thresholds, matrix=matrix)


def _g(value: float) -> str:
    return f"{value:g}"


def _band_label_from(rs, index: int, bands: list) -> str:
    band = bands[index]
    if index == len(bands) - 1:
        return f"{'>' if rs.case_bands_exclusive else '≥'} {_g(band.lower)}"
    upper = bands[index + 1].lower
    if index == 0:
        return f"< {_g(upper)}"
    if rs.case_bands_exclusive and index == len(bands) - 2:
        return f"{_g(band.lower)} – {_g(upper)}"
    return f"{_g(band.lower)} – < {_g(upper)}"


def rules_in_force(
    day: date, code: str | None = None, starts: dict[str, date] | None = None
) -> level_rules.RuleSet | None:
    """The rule set for `day` (or the one named) with the rows in force on that day; the
    switch from one rule set to the next is the start day of the rows (`rule_set_starts`,
    read once by a caller that asks for many days)."""
    starts = rule_set_starts() if starts is None else starts
    rs = level_rules.rules_for(day, code, starts)
    if rs is None:
        return None
    rs = replace(rs, valid_from=starts.get(rs.code, rs.valid_from))
    return apply_rows(rs, rows_in_force(rs.code, day))


def rules_by_day(days) -> dict:
    """`rules_in_force` of each day, in two queries whatever the number of days; days with
    the same rows share one RuleSet object."""
    from .models import LevelRule

    starts = rule_set_starts()
    rows: dict[str, list] = {}
    for row in LevelRule.objects.filter(active=True).order_by("rules", "key", "valid_from", "pk"):
        rows.setdefault(row.rules, []).append(row)
    out, built = {}, {}
    for day in days:
        rs = level_rules.rules_for(day, None, starts)
        if rs is None:
            out[day] = None
            continue
        chosen = pick_in_force(rows.get(rs.code, ()), day)
        key = (rs.code, tuple(sorted(r.pk for r in chosen.values())))
        if key not in built:
            rs = replace(rs, valid_from=starts.get(rs.code, rs.valid_from))
            built[key] = apply_rows(rs, chosen)
        out[day] = built[key]
    return out


def label_of(row) -> str:
    """What a row sets, in words (the threshold's label, the band, the matrix cell)."""
    from . import labels

    if row.kind == "band":
        return _("F0 mới cộng đồng /100.000 dân/tuần: cấp %(level)s từ") % {
            "level": row.key.split(".")[1]
        }
    if row.kind == "threshold":
        label = str(labels.CRITERIA.get(row.key) or labels.THRESHOLDS.get(row.key) or row.key)
        return f"{label} (%)" if row.key in PERCENT_KEYS else label
    _cell, first, second = row.key.split(".")
    if row.rules == "4800":
        column = _("đạt tiêu chí tiêm chủng") if second == "met" else _("chưa đạt tiêm chủng")
        return _("Ma trận: nhóm F0 %(row)s, %(column)s") % {"row": first, "column": column}
    column = {"high": _("cao"), "medium": _("trung bình"), "low": _("thấp")}.get(second, second)
    return _("Ma trận: mức lây nhiễm %(row)s, năng lực đáp ứng %(column)s") % {
        "row": first,
        "column": column,
    }


def check_may_edit(user) -> None:
    unit = getattr(user, "jurisdiction", None)
    if user.role not in EDIT_ROLES or unit is None or unit.kind != AdminUnit.Kind.PROVINCE:
        raise PermissionDenied


def validate_value(row, value, level) -> None:
    if row.kind == "cell":
        if level not in level_rules.LEVELS:
            raise ValidationError(_("Cấp độ phải từ 1 đến 4."))
        return
    if value is None or value < 0:
        raise ValidationError(_("Giá trị phải là số không âm."))
    if row.key in PERCENT_KEYS and value > 100:
        raise ValidationError(_("Tỉ lệ phải từ 0 đến 100 %."))
    if row.kind == "band":
        rows = rows_in_force(row.rules, row.valid_from)
        level = int(row.key.split(".")[1])
        below = rows.get(f"band.{level - 1}")
        above = rows.get(f"band.{level + 1}")
        if level == 1 and value != 0:
            raise ValidationError(_("Cấp 1 luôn bắt đầu từ 0."))
        if below is not None and value <= below.value:
            raise ValidationError(
                _("Ngưỡng phải lớn hơn ngưỡng của cấp %(level)s (%(value)s).")
                % {"level": level - 1, "value": _g(float(below.value))}
            )
        if above is not None and value >= above.value:
            raise ValidationError(
                _("Ngưỡng phải nhỏ hơn ngưỡng của cấp %(level)s (%(value)s).")
                % {"level": level + 1, "value": _g(float(above.value))}
            )


@transaction.atomic
def rule_change(
    *,
    by,
    row,
    valid_from: date,
    value: Decimal | None = None,
    level: int | None = None,
    regulation: str,
    confirmed: bool,
    note: str = "",
):
    """A new value for the key of `row` from `valid_from` (a new row; the old one stays and
    still applies before that day). Audited with the value before and after."""
    from .models import LevelRule

    check_may_edit(by)
    if valid_from <= row.valid_from:
        raise ValidationError(
            _("Ngày áp dụng phải sau ngày %(day)s của giá trị hiện hành.")
            % {"day": row.valid_from.strftime("%d/%m/%Y")}
        )
    probe = LevelRule(rules=row.rules, kind=row.kind, key=row.key, valid_from=valid_from)
    validate_value(probe, value, level)
    new = LevelRule(
        rules=row.rules,
        kind=row.kind,
        key=row.key,
        valid_from=valid_from,
        value=value if row.kind != "cell" else None,
        level=level if row.kind == "cell" else None,
        regulation=regulation.strip(),
        confirmed=confirmed,
        note=note.strip(),
        created_by=by,
    )
    new.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            new.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("Đã có giá trị của ngưỡng này áp dụng từ ngày %(day)s.")
            % {"day": valid_from.strftime("%d/%m/%Y")}
        ) from exc
    audit_record(
        actor=by,
        action="levels.threshold",
        target=new,
        changes={
            "before": {
                "value": None if row.value is None else str(row.value),
                "level": row.level,
                "valid_from": row.valid_from.isoformat(),
            },
            "after": {
                "value": None if new.value is None else str(new.value),
                "level": new.level,
                "valid_from": valid_from.isoformat(),
                "regulation": new.regulation,
                "confirmed": confirmed,
            },
        },
    )
    return new


def start_seed_rows(rule_sets=level_rules.RULE_SETS) -> list[dict]:
    """Each rule set's start day from the regulations (the data migration writes these)."""
    return [
        dict(rules=rs.code, starts_on=rs.valid_from, regulation=rs.source, confirmed=True)
        for rs in rule_sets
    ]


@transaction.atomic
def rule_start_change(
    *,
    by,
    code: str,
    starts_on: date,
    regulation: str,
    confirmed: bool,
    note: str = "",
    based_on: int | None = None,
):
    """A new start day for the rule set `code` (a new row; the one before stays as history).
    Rule sets keep their order: each starts after the one before it and before the next, so
    every day has at most one rule set. Audited with the day before and after.

    `based_on` is the start row the editor was shown (its pk, 0 when the regulation's day
    had no row yet): the officer confirms the change against the day in force, so when
    another officer changed it meanwhile the change is refused with who set what, rather
    than silently replacing a day this officer never saw. None skips the check (scripts)."""
    from .models import RuleSetStart

    check_may_edit(by)
    codes = [rs.code for rs in level_rules.RULE_SETS]
    if code not in codes:
        raise ValidationError(_("Bộ tiêu chí không hợp lệ."))
    # Serialise changes of the starts, so two editors cannot cross two rule sets' days, and
    # the second of two simultaneous changes reads the first one's row below.
    key_lock("levels.rule_starts")
    before = start_rows().get(code)
    if based_on is not None and before is None and based_on != 0:
        raise ValidationError(_("Ngày áp dụng đã thay đổi. Hãy tải lại trang rồi đổi tiếp."))
    if based_on is not None and before is not None and before.pk != based_on:
        raise ValidationError(
            _(
                "Ngày áp dụng của %(rules)s vừa được %(who)s đổi thành %(day)s lúc %(at)s. "
                "Hãy xem lại ngày mới trước khi đổi tiếp."
            )
            % {
                "rules": code,
                "who": (
                    (before.created_by.get_full_name() or before.created_by.username)
                    if before.created_by
                    else _("hệ thống")
                ),
                "day": before.starts_on.strftime("%d/%m/%Y"),
                "at": timezone.localtime(before.created_at).strftime("%H:%M %d/%m/%Y"),
            }
        )
    starts = rule_set_starts()
    i = codes.index(code)
    if i > 0 and starts_on <= starts[codes[i - 1]]:
        raise ValidationError(
            _("Ngày áp dụng phải sau ngày áp dụng của %(rules)s (%(day)s).")
            % {"rules": codes[i - 1], "day": starts[codes[i - 1]].strftime("%d/%m/%Y")}
        )
    if i + 1 < len(codes) and starts_on >= starts[codes[i + 1]]:
        raise ValidationError(
            _("Ngày áp dụng phải trước ngày áp dụng của %(rules)s (%(day)s).")
            % {"rules": codes[i + 1], "day": starts[codes[i + 1]].strftime("%d/%m/%Y")}
        )
    new = RuleSetStart(
        rules=code,
        starts_on=starts_on,
        regulation=regulation.strip(),
        confirmed=confirmed,
        note=note.strip(),
        created_by=by,
    )
    new.full_clean()
    new.save()
    audit_record(
        actor=by,
        action="levels.rules_start",
        target=new,
        changes={
            "rules": code,
            "before": starts[code].isoformat(),
            "before_regulation": before.regulation if before else "",
            "after": starts_on.isoformat(),
            "regulation": new.regulation,
            "confirmed": confirmed,
        },
    )
    return new
