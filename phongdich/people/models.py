from django.db import models
from django.utils.translation import gettext_lazy as _

from phongdich.geo.province import province_field
from phongdich.lib.identity import format_phone
from phongdich.lib.text import name_key


class Sex(models.TextChoices):
    MALE = "M", _("Nam")
    FEMALE = "F", _("Nữ")
    UNKNOWN = "", _("Không rõ")


class Person(models.Model):
    """One row per human, whatever role they play (F0, F1, caller, traveller, vaccinee)."""

    full_name = models.CharField(_("họ và tên"), max_length=120)
    # Folded name ("nguyen van an") and folded given name ("an"): the two prefixes people
    # search by. Kept in sync by `refresh_keys()`, called by every service that writes.
    name_key = models.CharField(max_length=120, editable=False)
    given_key = models.CharField(max_length=40, editable=False)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"), null=True, blank=True)
    sex = models.CharField(_("giới tính"), max_length=1, choices=Sex.choices, blank=True)
    # CCCD (12 digits) or old CMND (9 digits); unique when present.
    id_number = models.CharField(
        _("số CCCD/CMND"), max_length=12, null=True, blank=True, unique=True
    )
    # The CCCD typed at registration when the same CCCD is already on a person outside the
    # registering user's jurisdiction. `id_number` is unique across the province, so this
    # record cannot carry it there without the other record's commune agreeing; it is kept
    # here (shown and searched like `id_number`, so the registering commune sees the same
    # record whether or not the other exists) and a `MatchReferral` asks the other commune to
    # merge. The merge moves it into `id_number` on the kept record.
    # (db_default: bulk loaders that list their own columns, like the demo's COPY, leave it out)
    claimed_id_number = models.CharField(
        max_length=12, blank=True, default="", db_default="", db_index=True
    )
    phone = models.CharField(_("số điện thoại"), max_length=12, blank=True)  # +84XXXXXXXXX
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    # No index of its own: person_commune_idx (commune, name_key) leads with it and serves
    # the foreign key's lookups (people 0006).
    commune = models.ForeignKey(
        "geo.AdminUnit",
        null=True,
        blank=True,
        db_index=False,
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("xã/phường"),
    )
    # Province (GSO code) of the person's commune ("" without one); set by a trigger on
    # every insert path (geo.province), named by the province pages' queries.
    province = province_field()
    PROVINCE_FROM = "commune"
    # Set when this record was merged into another; such rows are hidden from searches and
    # kept only so the audit trail and old links still resolve. Indexed where set only
    # (person_merged_into_idx): nearly every row is NULL, and no query looks those up.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        db_index=False,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # serves name prefix search ordered by name: a range on SQLite, LIKE 'q%' on
            # PostgreSQL, where migration 0002 gives the key columns the "C" collation so
            # this one index serves both the prefix match and the ORDER BY
            models.Index(fields=["name_key"], name="person_name_key_idx"),
            # serves given-name search ("an") in name order with no sort of the whole group
            models.Index(fields=["given_key", "name_key"], name="person_given_name_idx"),
            # serves matching on registration: phone + name_key + birth year
            models.Index(fields=["phone", "birth_year"], name="person_phone_idx"),
            models.Index(fields=["commune", "name_key"], name="person_commune_idx"),
            # serves a province's name search in name order (people_visible_to names the
            # province): it walks that province's names only, whatever else is loaded
            models.Index(fields=["province", "name_key"], name="person_province_name_idx"),
            # the merged records of a kept one (audit trail, the foreign key's checks)
            models.Index(
                fields=["merged_into"],
                condition=models.Q(merged_into__isnull=False),
                name="person_merged_into_idx",
            ),
        ]
        verbose_name = _("người dân")

    def __str__(self) -> str:
        return self.full_name

    def refresh_keys(self) -> None:
        # Cut to the columns: one long word may be the whole name (search by a prefix that
        # long finds nothing either way), and it must not make the row unstorable.
        self.name_key = name_key(self.full_name)[: self._meta.get_field("name_key").max_length]
        given = self.name_key.rsplit(" ", 1)[-1] if self.name_key else ""
        self.given_key = given[: self._meta.get_field("given_key").max_length]
        if self.birth_date and not self.birth_year:
            self.birth_year = self.birth_date.year

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)

    @property
    def id_shown(self) -> str:
        """The CCCD as the registering commune typed it, whether it could be stored in
        `id_number` or is held in `claimed_id_number` until a merge."""
        return self.id_number or self.claimed_id_number

    @property
    def id_masked(self) -> str:
        """CCCD shown with its middle hidden, for lists and screens others can see."""
        shown = self.id_shown
        if not shown:
            return ""
        return shown[:3] + "•" * (len(shown) - 6) + shown[-3:]


class MatchReferral(models.Model):
    """A registration matched a person outside the registering user's jurisdiction.

    The registering user was given a new local record (the answer they get when nobody
    matches) and saw nothing of the other; this row asks the other person's commune (or the
    province, for a record no commune holds) to look and, if it is the same human, merge the
    new record into theirs with `person_merge`. Only the owner side sees it.
    """

    class Reason(models.TextChoices):
        ID_NUMBER = "id", _("Trùng số CCCD/CMND")
        PHONE_NAME_YEAR = "phone_name_year", _("Trùng số điện thoại, họ tên và năm sinh")
        OPEN_CASE = "open_case", _("Đang là ca F0 do đơn vị khác quản lý")

    class Status(models.TextChoices):
        OPEN = "open", _("Chờ xử lý")
        MERGED = "merged", _("Đã gộp")
        DISMISSED = "dismissed", _("Không phải cùng một người")

    existing = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="referrals_as_existing"
    )
    new_person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="referrals_as_new"
    )
    reason = models.CharField(max_length=16, choices=Reason.choices)
    # Who must look: the existing person's commune (or the unit holding their open case);
    # null when no commune holds the record, and then the province does.
    owner_unit = models.ForeignKey(
        "geo.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The unit the new record was registered in: shown to the owner so they know whom to call.
    requesting_unit = models.ForeignKey(
        "geo.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The same pair is referred once however often the new record is registered.
            models.UniqueConstraint(
                fields=["existing", "new_person"], name="match_referral_pair_uniq"
            )
        ]
        indexes = [
            # serves the owner's list: open referrals of the units in a jurisdiction
            models.Index(fields=["owner_unit", "status"], name="referral_owner_idx"),
        ]
        verbose_name = _("yêu cầu đối chiếu hồ sơ")

    def __str__(self) -> str:
        return f"{self.existing_id} ~ {self.new_person_id} ({self.reason})"
