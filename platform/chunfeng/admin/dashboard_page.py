"""The administrator dashboard as a page: the period form (GET, from/to), the charts and figures of that period,
one chart as a CSV download (headers in the reader's language, times in the platform's zone), recent activity in
words. A bad date, or an end before the start, is refused beside its field with a 400 (the page then shows every
period's figures and says so)."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import DateField
from wtforms.validators import Optional, ValidationError

from ..core.recent import Recent
from ..db import utcnow
from ..exports import csv_bytes, download, export_time
from . import dashboard as figures
from . import services
from .activity import recent_activity
from .forms import FilterForm

REVIEWER_ROWS = 20
ACTIVITY_ROWS = 10
# The charts and the reviewers' table count thousands of rows: counted at most once a minute per worker (at once
# after a change made through this worker), and the page says when.
FIGURES = Recent("admin.dashboard")
BAD_DATE = _l("Enter a date as YYYY-MM-DD, for example 2026-03-01.")


class PeriodForm(FilterForm):
    """?from=YYYY-MM-DD&to=YYYY-MM-DD, both optional."""

    date_from = DateField(_l("From"), name="from", validators=[Optional()])
    date_to = DateField(_l("To"), name="to", validators=[Optional()])

    def validate_date_from(self, field) -> None:
        self._readable(field)

    def validate_date_to(self, field) -> None:
        self._readable(field)
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))

    @staticmethod
    def _readable(field) -> None:
        """A date that cannot be read says how to write one (in the reader's language)."""
        if field.raw_data and field.raw_data[0].strip() and field.data is None:
            field.errors[:] = []
            raise ValidationError(BAD_DATE)


def period_from_request() -> tuple[PeriodForm, figures.Period | None]:
    """The form and its period; None when the form is refused."""
    form = PeriodForm(request.args)
    if not form.validate():
        return form, None
    return form, figures.Period(form.date_from.data, form.date_to.data)


def page():
    form, period = period_from_request()
    shown = period or figures.ALL_TIME
    csv_args = _period_args(shown)
    counted = FIGURES.kept((shown, str(get_locale())), lambda: (
        # an autoescaped template's output, kept to be placed in the page as it is
        Markup(render_template("admin/_charts.html", charts=figures.charts(shown), csv_args=csv_args)),  # noqa: S704  # nosec B704
        figures.reviewer_table(REVIEWER_ROWS)))
    charts_html, reviewers = counted.value
    return render_template(
        "admin/dashboard.html", form=form, period=shown, refused=period is None,
        charts_html=charts_html, pending=services.pending_count(), period_means=figures.PERIOD_MEANS,
        reviewers=reviewers, reviewer_rows=REVIEWER_ROWS, counted_at=counted.at,
        activity=recent_activity(ACTIVITY_ROWS), period_text=describe(shown),
    ), 200 if period is not None else 400


def chart_csv(key: str):
    """One chart's figures: a short heading (title, period, time of export), then the table as on the page."""
    form, period = period_from_request()
    if period is None:
        return page()
    chart = figures.chart(key, period)
    if chart is None:
        abort(404)
    rows = [
        [str(chart.title)],
        [_("Period"), describe(period)],
        [_("Exported at"), export_time(utcnow())],
        [],
        [_("Category"), *(str(s.label) for s in chart.series)],
        *([str(label), *values] for label, values in chart.rows()),
    ]
    span = "-".join(d.isoformat() for d in (period.start, period.end) if d) or "all"
    return download(csv_bytes(rows), f"{chart.key}-{span}.csv")


def describe(period: figures.Period) -> str:
    if period.is_open:
        return _("All time")
    start = period.start.isoformat() if period.start else _("the beginning")
    end = period.end.isoformat() if period.end else _("today")
    return _("%(start)s to %(end)s", start=start, end=end)


def _period_args(period: figures.Period) -> dict[str, str]:
    args = {}
    if period.start:
        args["from"] = period.start.isoformat()
    if period.end:
        args["to"] = period.end.isoformat()
    return args
