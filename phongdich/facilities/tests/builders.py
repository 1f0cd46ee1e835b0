from phongdich.facilities.models import Facility, FacilityStaff
from phongdich.testing import make_user


def site(world, unit=None, kind=Facility.Kind.ISOLATION_SITE, name="Khu cách ly Hàm Rồng", **beds):
    return Facility.objects.create(name=name, kind=kind, unit=unit or world.commune_a, **beds)


def officer_of(facility, username="coso"):
    user = make_user(username, "facility_officer", None)
    FacilityStaff.objects.create(user=user, facility=facility)
    return user
