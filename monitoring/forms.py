"""Forms of the exercise pages (issue 15 point 6). They parse input; ``monitoring.exercise`` checks the rules and
writes. The series file is read by ``exercise.series_parse`` (size, encoding, rows): the kernel upload check has no
CSV kind and a series is never stored as a file, only as its parsed rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from monitoring.exercise import SPEEDS

SERIES_DIR = Path(__file__).resolve().parent / "series"
# The series shipped in the repository (monitoring/series), offered instead of an upload.
SAMPLE_SERIES = {
    "narrow_street_crush.csv": _("A steady build-up to a crush in a narrow street"),
    "fireworks_surge.csv": _("A surge when the fireworks end"),
    "boundary_hover.csv": _("A crowd hovering at a level boundary"),
}


class ExerciseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    zone = forms.TypedChoiceField(label=_("Real zone exercised"), coerce=int)
    series_file = forms.FileField(
        label=_("Count series (CSV: time, count)"),
        required=False,
        help_text=_("One row per count: a date and time (or seconds from the start), then the number of people."),
    )
    sample = forms.ChoiceField(
        label=_("Or a sample series"), required=False, choices=[("", "—"), *SAMPLE_SERIES.items()]
    )
    speed = forms.TypedChoiceField(
        label=_("Replay speed"), coerce=int, choices=[(s, f"×{s}") for s in SPEEDS], initial=10
    )
    participants = forms.TypedMultipleChoiceField(
        label=_("Exercise participants"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The exercise's alerts reach only these people."),
    )
    plan = forms.TypedChoiceField(label=_("Emergency plan drilled"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, zones: Any = (), people: Any = (), plans: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["zone"]).choices = [("", "—")] + [
            (z.pk, f"{z.name}（{z.jurisdiction.name}）") for z in zones
        ]
        cast(forms.ChoiceField, self.fields["participants"]).choices = [(u.pk, _label(u)) for u in people]
        cast(forms.ChoiceField, self.fields["plan"]).choices = [("", "—")] + [(p.pk, p.title) for p in plans]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload, sample = data.get("series_file"), data.get("sample")
        if upload and sample:
            raise forms.ValidationError(_("Upload a series or choose a sample, not both."))
        if not upload and not sample:
            self.add_error("series_file", _("Upload a count series or choose a sample."))
        return data

    def series_bytes(self) -> tuple[bytes, str]:
        """The series' raw bytes and its name (at most one byte more than the parser's limit is read)."""
        from monitoring.exercise import SERIES_MAX_BYTES

        upload, sample = self.cleaned_data.get("series_file"), self.cleaned_data.get("sample")
        if sample:
            return (SERIES_DIR / sample).read_bytes(), sample
        assert upload is not None
        return upload.read(SERIES_MAX_BYTES + 1), str(upload.name)[:200]


def _label(user: Any) -> str:
    return str(getattr(user, "display_name", "") or user.get_username())


class RecordForm(forms.Form):
    plan = forms.TypedChoiceField(label=_("Emergency plan drilled"), required=False, coerce=int, empty_value=None)
    narrative = forms.CharField(label=_("How it went"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    problems = forms.CharField(label=_("Problems found"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, plans: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["plan"]).choices = [("", "—")] + [(p.pk, p.title) for p in plans]
