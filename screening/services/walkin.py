"""A walk-in couple not yet in any household register, registered by the clinician through the
households services (household with the husband as head, the wife, the couple, the intention
survey). Screening never writes the households tables itself.
"""
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User, Village
from households.api import couple_create, household_register, person_add, survey_record


@transaction.atomic
def walk_in_register(
    *, by: User, village: Village, address: str, husband_name: str, husband_id: str, wife_name: str, wife_id: str,
    phone: str = "", marriage_date=None, boys: int = 0, girls: int = 0, planned_timing: str = "1",
    confirmed_not_duplicate: bool = False, request=None,
):
    """Register the couple and return it. All or nothing: a refusal from any households service
    (the ID number registered already, a likely duplicate, the wife's age) rolls everything back
    and reaches the caller as that service's ``ValidationError`` (households' own exceptions:
    ``DuplicateIdNumber`` names which spouse through ``walk_in_field``)."""
    household = household_register(
        by=by, village=village, address=address, head_name=husband_name, phone=phone, id_number=husband_id,
        sex="1", confirmed_not_duplicate=confirmed_not_duplicate, request=request)
    husband = household.members.get()
    try:
        wife = person_add(household=household, by=by, name=wife_name, id_number=wife_id, sex="2", relation="1",
                          phone=phone, request=request)
    except Exception as error:
        error.walk_in_field = "wife_id"
        raise
    couple = couple_create(household=household, wife=wife, husband=husband, by=by, marriage_date=marriage_date,
                           boys=boys, girls=girls, request=request)
    survey_record(couple=couple, by=by, planned_timing=planned_timing, services_wanted=["pre_pregnancy"],
                  next_child_order=boys + girls + 1, notes=_("孕前优生健康检查时登记（服务站）"), request=request)
    return couple
