"""Every form refuses what its model cannot store, before any service runs.

The probe walks every form class of every app: each text field must have a bound no larger
than the column it fills, and refuse an over-long value and a NUL character; each choice
refuses a value that is not a choice; each number has a floor and a ceiling; each date
refuses year 1 and year 9999. A form added later is
probed too (the first test makes sure it is declared below).
"""

import importlib
import inspect

import pytest
from django import forms
from django.core.exceptions import FieldDoesNotExist

from phongdich.accounts.models import ApiToken, User
from phongdich.cases import models as cases
from phongdich.checkpoints import models as checkpoints
from phongdich.directives import models as directives
from phongdich.facilities import models as facilities
from phongdich.geo.models import AdminUnit
from phongdich.hotline import models as hotline
from phongdich.labtests import models as labtests
from phongdich.levels import models as levels
from phongdich.lib.bounds import DOCUMENT_MAX_LENGTH
from phongdich.people.models import Person
from phongdich.quarantine import models as quarantine
from phongdich.supplies import models as supplies
from phongdich.tracing import models as tracing
from phongdich.vaccination import models as vaccination
from phongdich.zones import models as zones

APPS = (
    "accounts",
    "people",
    "cases",
    "hotline",
    "checkpoints",
    "directives",
    "vaccination",
    "facilities",
    "supplies",
    "reports",
    "levels",
    "labtests",
    "zones",
    "tracing",
    "quarantine",
)

# The models whose columns each form fills (fields are matched by name).
FORM_MODELS = {
    "levels.ReviewForm": [levels.Assessment],
    "levels.PublishForm": [],
    "levels.ThresholdChangeForm": [levels.LevelRule],
    "levels.RuleStartChangeForm": [levels.RuleSetStart],
    "levels.ShapeImportForm": [],
    "tracing.ContactForm": [Person, tracing.Contact],
    "tracing.StatusForm": [tracing.Contact],
    "tracing.QuarantineForm": [],
    "tracing.ImportForm": [],
    "tracing.ClusterForm": [tracing.Cluster],
    "tracing.ClusterCaseForm": [],
    "tracing.ClusterSourceForm": [tracing.Cluster],
    "reports.BriefingForm": [],
    "accounts.UserCreateForm": [User],
    "accounts.ApiTokenForm": [ApiToken],
    "people.PersonForm": [Person],
    "people.MergeForm": [],
    "people.ReferralForm": [],
    "cases.PersonFieldsMixin": [Person],
    "cases.CaseRegisterForm": [Person, cases.Case, labtests.Sample],
    "cases.ImportForm": [labtests.Sample],
    "cases.CheckForm": [cases.HealthCheck],
    "cases.LinkSendForm": [cases.CaseLinkSend],
    "cases.AlertActionForm": [cases.Alert],
    "cases.AlertResolveForm": [cases.Alert],
    "cases.TransferOverrideForm": [cases.Case],
    "cases.TransferForm": [cases.Transfer],
    "cases.ReleaseForm": [],
    "cases.DeathForm": [cases.Death],
    "cases.DossierForm": [],
    "cases.MedicineBagForm": [cases.MedicineBag],
    "cases.MobileVisitForm": [cases.MobileStationVisit],
    "cases.VerifyForm": [],
    "cases.OverrideForm": [],
    "cases.SelfDeclareForm": [Person],
    "cases.ReportForm": [cases.DailyReport],
    "hotline.CallForm": [hotline.Ticket, zones.Household],
    "hotline.PublicTicketForm": [hotline.Ticket],
    "hotline.ReplyForm": [hotline.TicketMessage],
    "hotline.CitizenReplyForm": [hotline.TicketMessage],
    "hotline.ForwardForm": [hotline.TicketEvent],
    "hotline.VersionForm": [hotline.TicketEvent],
    "hotline.ReliefForm": [hotline.ReliefRequest],
    "hotline.FulfilForm": [hotline.Fulfilment],
    "hotline.SupportForm": [hotline.SupportPayment],
    "checkpoints.DeclarationForm": [checkpoints.Declaration],
    "checkpoints.LookupForm": [checkpoints.Declaration],
    "checkpoints.PassageForm": [checkpoints.Passage],
    "checkpoints.QuarantineCheckForm": [checkpoints.QuarantineCheck],
    "quarantine.CheckForm": [quarantine.DailyCheck],
    "quarantine.ReasonForm": [quarantine.Quarantine],
    "quarantine.EndChangeForm": [quarantine.Quarantine],
    "quarantine.AdmitForm": [],
    "quarantine.OpenForm": [quarantine.Quarantine, Person],
    "quarantine.SampleForm": [labtests.Sample],
    "checkpoints.TransitForm": [checkpoints.TransitEscort],
    "checkpoints.ForecastImportForm": [checkpoints.ForecastImport],
    "checkpoints.CitizenReportForm": [checkpoints.CitizenReport],
    "checkpoints.PharmacyForm": [checkpoints.Pharmacy],
    "checkpoints.PharmacyReportForm": [checkpoints.PharmacyReport],
    "checkpoints.EpidemicAreaForm": [checkpoints.EpidemicArea],
    "directives.ImportForm": [],
    "directives.DocumentForm": [directives.Document],
    "directives.TaskForm": [directives.Task],
    "directives.ReportForm": [directives.ProgressReport],
    "directives.ReviewForm": [directives.ReviewAction],
    "directives.MemberReviewForm": [directives.ReviewAction],
    "directives.IndicatorForm": [directives.TaskIndicator],
    "directives.ProposalAcceptForm": [directives.OrgUnit],
    "directives.ProposalMapForm": [],
    "directives.MembershipForm": [],
    "directives.AliasForm": [directives.OrgUnitAlias],
    "directives.OfficialForm": [directives.Official],
    "vaccination.DoseFieldsForm": [vaccination.Dose],
    "vaccination.DoseForm": [Person, vaccination.Dose],
    "vaccination.ReviewMatchForm": [],
    "vaccination.ImportForm": [],
    "vaccination.OutreachFilterForm": [],
    "vaccination.OutcomeForm": [vaccination.OutreachOutcome],
    "vaccination.RiskImportForm": [],
    "vaccination.RiskFlagForm": [vaccination.RiskFlag],
    "vaccination.RiskFlagEndForm": [],
    "vaccination.ReminderChannelForm": [vaccination.ReminderChannel],
    "vaccination.PopulationBandImportForm": [],
    "vaccination.CampaignForm": [vaccination.Campaign],
    "vaccination.LinkSendForm": [vaccination.AefiLinkSend],
    "vaccination.CampaignTargetForm": [vaccination.CampaignTarget],
    "vaccination.CampaignTaskLinkForm": [],
    "vaccination.AefiForm": [vaccination.Aefi],
    "vaccination.PublicAefiForm": [vaccination.Aefi],
    "vaccination.AefiStatusForm": [vaccination.Aefi],
    "vaccination.AefiReopenForm": [vaccination.AefiStatusChange],
    "vaccination.AefiReportForm": [],
    "facilities.FacilityForm": [facilities.Facility],
    "facilities.FacilityCreateForm": [facilities.Facility],
    "facilities.CapacityForm": [facilities.CapacityChange],
    "facilities.OccupancyReportForm": [facilities.OccupancyReport],
    "facilities.AdmitForm": [facilities.Stay],
    "facilities.StaffForm": [User],
    "facilities.ReadinessPlanForm": [facilities.ReadinessPlan],
    "supplies.MovementForm": [supplies.StockEntry],
    "supplies.TransferForm": [supplies.StockEntry],
    "supplies.CorrectionForm": [supplies.StockEntry],
    "supplies.RequestForm": [supplies.SupplyRequest],
    "supplies.DecideForm": [supplies.SupplyRequest],
    "supplies.FulfilForm": [supplies.StockEntry],
    "supplies.ProcurementForm": [supplies.Procurement],
    "supplies.AdvanceForm": [supplies.Procurement],
    "supplies.DocumentForm": [supplies.ProcurementDocument],
    "labtests.SampleFieldsForm": [labtests.Sample, labtests.Pool],
    "labtests.SampleForm": [Person, labtests.Sample, labtests.Pool],
    "labtests.ResultForm": [labtests.Sample],
    "labtests.RejectForm": [],
    "labtests.PoolForm": [labtests.Pool],
    "labtests.OrderSampleForm": [labtests.Sample],
    "labtests.CampaignForm": [labtests.Campaign],
    "labtests.ImportForm": [],
    "labtests.RoundForm": [labtests.ScreeningRound],
    "labtests.PointForm": [labtests.SamplingPoint],
    "labtests.PointSampleForm": [Person, labtests.Sample],
    "labtests.TeamForm": [labtests.SamplingTeam],
    "labtests.ShiftForm": [labtests.TeamShift],
    "labtests.ShiftEditForm": [labtests.TeamShift],
    "labtests.ShiftCancelForm": [labtests.TeamShift],
    "labtests.TeamLinkForm": [labtests.Sample],
    "zones.ZoneForm": [zones.Zone, zones.ZoneProposal],
    "zones.ProposalForm": [zones.ZoneProposal],
    "zones.DecideForm": [zones.ZoneProposal],
    "zones.FactsForm": [zones.Zone, zones.ZoneChange],
    "zones.HouseholdForm": [zones.Household],
    "zones.FoodRequestForm": [zones.FoodRequest],
    "zones.DeliveryForm": [zones.Delivery],
    "zones.CitizenFoodForm": [zones.FoodRequest],
    "zones.HouseholdLinkSendForm": [zones.HouseholdLinkSend],
    "zones.CheckpointAttachForm": [],
}
# Typed forms of values stored normalised (digits only, +84…): the form bounds what a person
# types, and its clean_<field> turns it into what fits the column.
NORMALISED = {"phone", "caller_phone", "id_number", "reporter_phone", "buyer_phone"}
NOT_A_CHOICE = "zzz-not-a-choice"


def _form_modules(app):
    """The app's forms.py and any forms_<part>.py beside it (an app may split its forms)."""
    from pathlib import Path

    package = importlib.import_module(f"phongdich.{app}")
    names = ["forms"] + sorted(p.stem for p in Path(package.__file__).parent.glob("forms_*.py"))
    return [importlib.import_module(f"phongdich.{app}.{name}") for name in names]


def _form_classes():
    for app in APPS:
        for module in _form_modules(app):
            for name, obj in vars(module).items():
                if (
                    inspect.isclass(obj)
                    and issubclass(obj, forms.BaseForm)
                    and obj.__module__ == module.__name__
                ):
                    yield f"{app}.{name}", obj


def _instance(cls, data=None):
    """A bound form with every queryset its __init__ takes filled in."""
    offered = {
        "communes": AdminUnit.objects.all(),
        "units": None,
        "facilities": AdminUnit.objects.all(),
        "checkpoints": checkpoints.Checkpoint.objects.all(),
    }
    accepted = inspect.signature(cls.__init__).parameters
    kwargs = {k: v for k, v in offered.items() if k in accepted}
    if "units" in kwargs:
        kwargs["units"] = (
            hotline.ResponsibleUnit.objects.all()
            if cls.__module__.endswith("hotline.forms")
            else AdminUnit.objects.all()
        )
    return cls(data=data, files={}, **kwargs)


FORMS = sorted(_form_classes())


def test_every_form_is_declared_here():
    assert {name for name, _cls in FORMS} == set(FORM_MODELS)


def _column_bound(models, name):
    for model in models:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        # A TextField has no column length: the DOCUMENT_MAX_LENGTH ceiling is its bound.
        if getattr(field, "max_length", None) is not None:
            return field.max_length
    return None


@pytest.mark.parametrize(("name", "cls"), FORMS, ids=[name for name, _cls in FORMS])
def test_every_text_field_is_bounded_by_its_column(db, name, cls):
    form = _instance(cls)
    for field_name, field in form.fields.items():
        if not isinstance(field, forms.CharField):
            continue
        assert field.max_length is not None, f"{name}.{field_name} has no max_length"
        assert field.max_length <= DOCUMENT_MAX_LENGTH, f"{name}.{field_name}"
        column = _column_bound(FORM_MODELS[name], field_name)
        if column is not None and field_name not in NORMALISED:
            assert field.max_length <= column, (
                f"{name}.{field_name}: form allows {field.max_length}, column holds {column}"
            )


@pytest.mark.parametrize(("name", "cls"), FORMS, ids=[name for name, _cls in FORMS])
def test_every_field_refuses_overlong_nul_and_non_choices(db, name, cls):
    fields = _instance(cls).fields
    for field_name, field in fields.items():
        if isinstance(field, forms.FileField | forms.BooleanField):
            continue
        bad = []
        if isinstance(field, forms.CharField):
            bad += [("x" * (field.max_length or DOCUMENT_MAX_LENGTH) + "x"), "ab\x00cd"]
        elif isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            bad += [[NOT_A_CHOICE]]
        elif isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
            bad += [NOT_A_CHOICE]
        elif isinstance(field, forms.DateTimeField):
            bad += ["01/01/0001 00:00", "31/12/9999 23:59", "0001-01-01T00:00"]
        elif isinstance(field, forms.DateField):
            bad += ["01/01/0001", "31/12/9999", "0001-01-01"]
        elif isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
            assert field.max_value is not None, f"{name}.{field_name} has no ceiling"
            assert field.min_value is not None, f"{name}.{field_name} has no floor"
            bad += [str(10**30), "-" + str(10**30)]
        for value in bad:
            form = _instance(cls, {field_name: value})
            form.is_valid()
            assert field_name in form.errors, (name, field_name, repr(value)[:40])
            assert all(str(message) for message in form.errors[field_name])
