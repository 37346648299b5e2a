"""The regulator's view: the province's funnel, a table behind each chart and a CSV export."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _

from .. import policy
from ..core.web import current_actor
from ..exports import csv_response
from . import funnel
from .blueprint import bp


def _province() -> str:
    if "province" in request.args:
        return request.args.get("province", "").strip()[:40]
    user = current_actor()
    return user.organization.province if user.organization else ""


@bp.route("/catalogue/regulator")
@policy.guard("catalogue.regulator")
def regulator():
    province = _province()
    stages = funnel.funnel(province)
    return render_template("catalogue/regulator.html", stages=stages, province=province,
                           provinces=funnel.provinces(), chart=funnel.chart(stages),
                           median_chart=funnel.median_chart(stages))


@bp.route("/catalogue/regulator.csv")
@policy.guard("catalogue.regulator")
def regulator_csv():
    province = _province()
    header = [_("Stage"), _("Count"), _("Median days from the previous stage"), _("Overdue now")]
    return csv_response(f"funnel-{province or 'all'}.csv", header, funnel.csv_rows(funnel.funnel(province)))
