import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError
from django.http import QueryDict
from django.test import RequestFactory

from phongdich.checkpoints.models import CitizenReport, FollowUp
from phongdich.lib import idempotency
from phongdich.lib.idempotency import Submission, SubmissionConflict, submit_once


def _report(world, submission, **extra):
    return CitizenReport.objects.create(
        commune=world.commune_a,
        address="Ngõ 4",
        description="Có người về",
        **idempotency.fields(submission),
        **extra,
    )


def test_it_creates_once_per_key_and_marks_the_replay(world, staff):
    submission = Submission.of(user=staff.province_admin, key="k" * 20, content={"a": 1})
    first = submit_once(CitizenReport, submission, lambda: _report(world, submission))
    again = submit_once(CitizenReport, submission, lambda: _report(world, submission))
    assert first.pk == again.pk and CitizenReport.objects.count() == 1
    assert (first.submission_replayed, again.submission_replayed) == (False, True)


def test_it_refuses_a_key_sent_again_with_other_content(world, staff):
    first = Submission.of(user=staff.province_admin, key="k" * 20, content={"a": 1})
    other = Submission.of(user=staff.province_admin, key="k" * 20, content={"a": 2})
    submit_once(CitizenReport, first, lambda: _report(world, first))
    with pytest.raises(SubmissionConflict):
        submit_once(CitizenReport, other, lambda: _report(world, other))
    assert CitizenReport.objects.count() == 1


def test_keys_are_scoped_to_the_caller(world, staff):
    mine = Submission.of(user=staff.province_admin, key="k" * 20, content={})
    theirs = Submission.of(user=staff.hotline_agent, key="k" * 20, content={})
    anonymous = Submission.of(user=AnonymousUser(), key="k" * 20, content={})
    assert len({mine.key, theirs.key, anonymous.key}) == 3
    for submission in (mine, theirs, anonymous):
        submit_once(CitizenReport, submission, lambda s=submission: _report(world, s))
    assert CitizenReport.objects.count() == 3


def test_the_loser_of_a_race_keeps_none_of_its_work(world, monkeypatch):
    submission = Submission.of(user=None, key="k" * 20, content={})
    winner = _report(world, submission)
    # The winner was not yet committed when the loser looked: its look-up found nothing.
    real = idempotency.earlier
    calls = []
    monkeypatch.setattr(
        idempotency,
        "earlier",
        lambda m, s: calls.append(1) or (None if len(calls) == 1 else real(m, s)),
    )

    def loser():
        FollowUp.objects.create(kind="report", commune=world.commune_a, summary="side effect")
        return _report(world, submission)

    got = submit_once(CitizenReport, submission, loser)
    assert got.pk == winner.pk and got.submission_replayed
    assert not FollowUp.objects.exists()


def test_it_does_not_hide_another_integrity_error(world):
    submission = Submission.of(user=None, key="k" * 20, content={})

    def broken():
        raise IntegrityError("some other constraint")

    with pytest.raises(IntegrityError):
        submit_once(CitizenReport, submission, broken)


class ReportForm(idempotency.SubmissionKeyForm):
    address = forms.CharField()


def test_the_form_renders_a_fresh_key_and_fingerprints_the_answers_only():
    first, second = ReportForm(), ReportForm()
    assert first["submission_key"].value() != second["submission_key"].value()
    posts = [
        QueryDict(f"csrfmiddlewaretoken={token}&submission_key={'k' * 24}&address=Ngo+4")
        for token in ("aaa", "bbb")
    ]
    submissions = []
    for data in posts:
        form = ReportForm(data)
        assert form.is_valid()
        assert form.answers() == {"address": "Ngo 4"}
        submissions.append(form.submission(AnonymousUser()))
    assert submissions[0] == submissions[1]
    edited = ReportForm(QueryDict(f"submission_key={'k' * 24}&address=Ngo+5"))
    assert edited.is_valid()
    assert edited.submission(AnonymousUser()).fingerprint != submissions[0].fingerprint


def test_the_form_treats_a_malformed_or_missing_key_as_none():
    for data in (
        "address=x",
        "address=x&submission_key=short",
        "address=x&submission_key=a%20b%20c%20d%20e",
    ):
        form = ReportForm(QueryDict(data))
        assert form.is_valid()
        assert form.submission(AnonymousUser()) is None


def test_a_conflict_gives_the_form_a_new_key():
    form = ReportForm(QueryDict(f"submission_key={'k' * 24}&address=x"))
    assert form.is_valid()
    form.add_error(None, SubmissionConflict())
    assert form["submission_key"].value() != "k" * 24
    assert "đã được gửi trước đó" in form.non_field_errors()[0]


def test_the_api_reads_the_header_and_refuses_a_malformed_key():
    factory = RequestFactory()
    request = factory.post("/api/x", HTTP_IDEMPOTENCY_KEY="0b7c5a4e-7f1d-4c1e-9a57-1b2f8c3d4e5f")
    request.user = AnonymousUser()
    submission = idempotency.api_submission(request, {"a": 1})
    assert submission.key == "anon:0b7c5a4e-7f1d-4c1e-9a57-1b2f8c3d4e5f"
    request = factory.post("/api/x")
    request.user = AnonymousUser()
    assert idempotency.api_submission(request, {"a": 1}) is None
    request = factory.post("/api/x", HTTP_IDEMPOTENCY_KEY="no spaces allowed")
    request.user = AnonymousUser()
    with pytest.raises(idempotency.ValidationError):
        idempotency.api_submission(request, {"a": 1})
