"""Filters of submission lists (django-filter), applied on top of the scoping selector, so
a filter can only narrow what the actor may already see."""

import django_filters

from backend.submissions.models import ReviewState, Submission


class SubmissionFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(
        field_name="review_state", choices=ReviewState.choices, help_text="review state; repeat for several"
    )
    hamlet = django_filters.CharFilter(field_name="hamlet_code", help_text="declared hamlet code, e.g. AP01")
    volunteer = django_filters.NumberFilter(field_name="volunteer_id", help_text="volunteer id")
    form = django_filters.CharFilter(field_name="form__form_id", help_text="form_id")
    date_from = django_filters.DateFilter(field_name="survey_date", lookup_expr="gte", help_text="survey date ≥")
    date_to = django_filters.DateFilter(field_name="survey_date", lookup_expr="lte", help_text="survey date ≤")
    received_after = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")

    class Meta:
        model = Submission
        fields = []


def submissions_filter(submissions, params):
    """Apply the filters from query parameters; a malformed value is a 400 with the field named."""
    from backend.core import errors

    filtered = SubmissionFilter(params, queryset=submissions)
    if not filtered.is_valid():
        raise errors.bad_request(
            "Invalid filter. / Bộ lọc không hợp lệ.",
            fields={name: [str(e) for e in errs] for name, errs in filtered.errors.items()},
        )
    return filtered.qs
