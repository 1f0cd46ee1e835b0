from django.db import models
from django.utils.translation import gettext_lazy as _

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
    phone = models.CharField(_("số điện thoại"), max_length=12, blank=True)  # +84XXXXXXXXX
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    commune = models.ForeignKey(
        "geo.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("xã/phường"),
    )
    # Set when this record was merged into another; such rows are hidden from searches and
    # kept only so the audit trail and old links still resolve.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
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
    def id_masked(self) -> str:
        """CCCD shown with its middle hidden, for lists and screens others can see."""
        if not self.id_number:
            return ""
        return self.id_number[:3] + "•" * (len(self.id_number) - 6) + self.id_number[-3:]
