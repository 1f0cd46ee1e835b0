from django import forms
from django.utils.translation import gettext_lazy as _

from phongdich.accounts.models import Role, User
from phongdich.geo.models import AdminUnit
from phongdich.lib.bounds import (
    DOCUMENT_MAX_LENGTH,
    LONG_TEXT_MAX_LENGTH,
    BoundedDateField,
    SeparatedNamesField,
    max_length,
)
from phongdich.lib.idempotency import SubmissionKeyForm

from .models import (
    Document,
    Official,
    OfficialAlias,
    OrgUnit,
    OrgUnitAlias,
    Task,
    TaskAssignment,
    TaskIndicator,
)


def _unit_choices():
    # Communes are reached through their district (see directory.GROUP_RULES); listing
    # hundreds of them in every select would bury the units a clerk actually assigns.
    return OrgUnit.objects.filter(is_active=True).exclude(kind=OrgUnit.Kind.COMMUNE)


class ImportForm(SubmissionKeyForm):
    file = forms.FileField(
        label=_("Tệp văn bản (.txt, .docx, .pdf)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.docx,.pdf"}),
    )
    text = forms.CharField(
        label=_("Hoặc dán nội dung văn bản"),
        required=False,
        max_length=DOCUMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
    )

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Hãy chọn tệp hoặc dán nội dung văn bản."))
        return data


class DocumentForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = ["title", "number", "issuer", "meeting_date", "issued_date", "signer"]
        field_classes = {"meeting_date": BoundedDateField, "issued_date": BoundedDateField}


class TaskForm(forms.Form):
    # A task is a span of its document, so the document's bound is the task's.
    text = forms.CharField(
        label=_("Nội dung nhiệm vụ"),
        max_length=DOCUMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    lead_units = forms.ModelMultipleChoiceField(
        label=_("Đơn vị chủ trì (trong danh bạ)"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    # Split on ";" and line breaks like services.drafting._parse_names; each name is an assignment.
    lead_names = SeparatedNamesField(
        label=_("Chủ trì khác (ghi như văn bản, cách nhau bởi dấu ;)"),
        required=False,
        item_max_length=max_length(TaskAssignment, "name"),
        separators=r"[;\n]",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    coordinating_units = forms.ModelMultipleChoiceField(
        label=_("Đơn vị phối hợp (trong danh bạ)"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    coordinating_names = SeparatedNamesField(
        label=_("Phối hợp khác (cách nhau bởi dấu ;)"),
        required=False,
        item_max_length=max_length(TaskAssignment, "name"),
        separators=r"[;\n]",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    deadline = BoundedDateField(
        label=_("Thời hạn (dd/mm/yyyy)"),
        required=False,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
    )
    deadline_text = forms.CharField(
        label=_("Cụm từ thời hạn"), required=False, max_length=max_length(Task, "deadline_text")
    )

    def __init__(self, *args, task: Task | None = None, **kwargs):
        if task is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(task)
        super().__init__(*args, **kwargs)
        units = _unit_choices()
        self.fields["lead_units"].queryset = units
        self.fields["coordinating_units"].queryset = units

    @staticmethod
    def initial_for(task: Task) -> dict:
        initial = {
            "text": task.text,
            "deadline": task.deadline,
            "deadline_text": task.deadline_text,
        }
        for role, prefix in (
            (TaskAssignment.Role.LEAD, "lead"),
            (TaskAssignment.Role.COORDINATING, "coordinating"),
        ):
            rows = [a for a in task.assignments.all() if a.role == role]
            # A resolved single unit is a choice; groups and unknown names stay as written so
            # they are resolved (and fanned out) again on save.
            initial[f"{prefix}_units"] = [a.unit_id for a in rows if a.unit_id and not a.is_group]
            initial[f"{prefix}_names"] = "; ".join(
                a.name for a in rows if not a.unit_id or a.is_group
            )
        return initial


class ReportForm(SubmissionKeyForm):
    status = forms.ChoiceField(
        label=_("Tình trạng"),
        choices=[
            (Task.Status.IN_PROGRESS, Task.Status.IN_PROGRESS.label),
            (Task.Status.REPORTED_DONE, _("Đã hoàn thành (báo cáo để duyệt)")),
        ],
    )
    text = forms.CharField(
        label=_("Nội dung báo cáo, kết quả"),
        required=False,
        max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Nhận xét (bắt buộc khi trả lại)"),
        required=False,
        max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProposalAcceptForm(forms.Form):
    name = forms.CharField(label=_("Tên đơn vị"), max_length=max_length(OrgUnit, "name"))
    kind = forms.ChoiceField(label=_("Loại"), choices=OrgUnit.Kind.choices)


class ProposalMapForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Đơn vị có sẵn"), queryset=OrgUnit.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _unit_choices()


class MembershipForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Tài khoản báo cáo"), queryset=User.objects.none())
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=OrgUnit.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(
            role=Role.UNIT_REPORTER, is_active=True
        ).order_by("username")
        self.fields["unit"].queryset = _unit_choices()


class AliasForm(forms.Form):
    text = forms.CharField(label=_("Tên gọi khác"), max_length=max_length(OrgUnitAlias, "text"))


class OfficialForm(SubmissionKeyForm):
    name = forms.CharField(label=_("Họ tên"), max_length=max_length(Official, "name"))
    title = forms.CharField(
        label=_("Chức vụ"), max_length=max_length(Official, "title"), required=False
    )
    org = forms.ModelChoiceField(
        label=_("Đơn vị báo cáo thay (văn phòng giúp việc)"), queryset=OrgUnit.objects.none()
    )
    aliases = SeparatedNamesField(
        label=_("Cách viết khác trong văn bản (cách nhau bởi dấu ;)"),
        required=False,
        item_max_length=max_length(OfficialAlias, "text"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = _unit_choices()


class IndicatorForm(forms.Form):
    """The clerk's link of a task to a live figure: what it is read for depends on the kind
    (a campaign, facility, screening round or zone by number; a commune or district)."""

    kind = forms.ChoiceField(label=_("Chỉ số"), choices=TaskIndicator.Kind.choices)
    object_id = forms.IntegerField(
        label=_("Mã chiến dịch / cơ sở / đợt xét nghiệm / vùng"),
        required=False,
        min_value=1,
        max_value=2_147_483_647,
    )
    area = forms.ModelChoiceField(
        label=_("Địa bàn (xã hoặc huyện)"), queryset=AdminUnit.objects.none(), required=False
    )
    bed_type = forms.ChoiceField(label=_("Loại giường"), choices=(), required=False)
    target_value = forms.IntegerField(
        label=_("Số cần đạt (nếu có)"), required=False, min_value=1, max_value=2_147_483_647
    )
    target_percent = forms.IntegerField(
        label=_("Ngưỡng đạt (%)"), min_value=1, max_value=100, initial=100
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from phongdich.facilities.models import BedType

        self.fields["bed_type"].choices = [("", "—"), *BedType.choices]
        jurisdiction = getattr(user, "jurisdiction", None)
        areas = AdminUnit.objects.none()
        if jurisdiction is not None:
            areas = (
                AdminUnit.objects.filter(
                    path__startswith=jurisdiction.path, kind__in=("district", "commune")
                )
                .select_related("parent")
                .order_by("path")
            )
        self.fields["area"].queryset = areas
        self.fields["area"].label_from_instance = lambda unit: unit.label()


class MemberReviewForm(ReviewForm):
    unit = forms.ModelChoiceField(
        label=_("Đơn vị được duyệt"), queryset=OrgUnit.objects.none(), required=False
    )

    def __init__(self, *args, task=None, **kwargs):
        super().__init__(*args, **kwargs)
        if task is not None:
            self.fields["unit"].queryset = OrgUnit.objects.filter(
                assignments__task=task,
                assignments__role=TaskAssignment.Role.LEAD,
                assignments__status=Task.Status.REPORTED_DONE,
            )
        self.fields["unit"].empty_label = _("Mọi đơn vị đã báo cáo hoàn thành")
