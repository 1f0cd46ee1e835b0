"""The navigation menu, by role. Domain apps append their entries with `register`.

Each entry names a URL and the roles that see it; a link a role cannot use is never shown
(the view checks again: hiding is convenience, not security).
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from phongdich.accounts.models import Role
from phongdich.accounts.permissions import ALL_STAFF, PERSONAL_DATA_ROLES


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: tuple[str, ...]
    order: int = 100


_ITEMS: list[NavItem] = [
    NavItem(_("Trang chủ"), "home", ALL_STAFF, 0),
    NavItem(_("Tra cứu người dân"), "people:search", PERSONAL_DATA_ROLES, 10),
    NavItem(_("Địa bàn"), "geo:units", ALL_STAFF, 80),
    NavItem(_("Tài khoản"), "accounts:users", (Role.PROVINCE_ADMIN,), 90),
    NavItem(_("Nhật ký"), "audit:events", (Role.PROVINCE_ADMIN,), 95),
]


def register(item: NavItem) -> None:
    if item not in _ITEMS:
        _ITEMS.append(item)


def items_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    out = []
    for item in sorted(_ITEMS, key=lambda i: i.order):
        if user.role in item.roles:
            try:
                out.append(
                    {"label": item.label, "url": reverse(item.url_name), "name": item.url_name}
                )
            except NoReverseMatch:
                continue
    return out
