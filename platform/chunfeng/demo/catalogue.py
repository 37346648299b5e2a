"""Demo catalogue: the approved incubation's product listed by its company (with the clinician's origin story), two
more listed products and one awaiting review; a hospital's equipment office that admitted one product, bought it and
used it, a committee member's opinion, a second hospital whose assessment is overdue, and a regulator."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from ..accounts.models import AccountStatus, Role, User
from ..accounts.services import create_user
from ..catalogue import admission, listings, purchases
from ..catalogue.models import HospitalFunction, Listing
from ..core.clock import local_today
from ..db import db
from ..incubation.involvement import granted_organization_ids
from ..incubation.models import Incubation, IncubationStatus
from ..matching import connections
from ..matching.common import MatchingError
from .people import DemoPeople

STAFF = [
    # role, e-mail, name, organisation, province, department, title, hospital function
    (Role.HOSPITAL, "equipment@demo.chunfeng.cn", "梁科长", "中山大学附属第一医院", "广东省", "设备处", "科长",
     HospitalFunction.EQUIPMENT_OFFICE),
    (Role.HOSPITAL, "committee@demo.chunfeng.cn", "罗主任", "中山大学附属第一医院", "广东省", "医疗器械管理委员会",
     "委员", HospitalFunction.DEVICE_COMMITTEE),
    (Role.HOSPITAL, "equipment2@demo.chunfeng.cn", "冯科长", "广东省人民医院", "广东省", "医学工程处", "科长",
     HospitalFunction.EQUIPMENT_OFFICE),
    (Role.REGULATOR, "regulator@demo.chunfeng.cn", "韩处长", "广东省卫生健康委员会", "广东省", "医政医管处", "处长",
     None),
]

PRODUCTS = [
    # name, registration number, class, pathway, specialty, summary, days since approval
    ("一次性使用可调弯电生理标测导管", "粤械注准20252070318", "II", "priority", "心血管内科",
     "头端可双向调弯，减少房颤消融术中导管更换次数。", 240),
    ("眼底彩照人工智能辅助诊断软件", "国械注准20253210455", "III", "innovation", "眼科",
     "基层医院眼底照片自动筛查糖尿病视网膜病变并分级。", 150),
]


def _staff(people: DemoPeople) -> dict[str, User]:
    made = {}
    for role, email, name, org, province, department, title, function in STAFF:
        user = create_user(email=email, name=name, password=people.password, role=role, organization=org,
                           province=province, department=department, title=title, status=AccountStatus.ACTIVE)
        people.by_email[email] = user
        if function is not None:
            admission.set_function(user, function)
        made[email.split("@")[0]] = user
    return made


def _apply(owner: User, admin: User | None, values: dict, listed_on: date | None,
           incubation: Incubation | None = None) -> Listing:
    listing = listings.create_listing(owner, values, incubation)
    listings.submit(listing, owner)
    if listed_on is not None and admin is not None:
        listings.list_product(listing, admin, on=listed_on)
    return listing


def _from_incubation(companies: list[User]) -> tuple[User, Incubation] | None:
    """The approved incubation and a company holding the clinician's grant for it: when no company holds one yet,
    the first company that may ask connects, and the clinician accepts (which grants)."""
    approved = db.session.scalars(select(Incubation).where(Incubation.status == IncubationStatus.APPROVED)).first()
    if approved is None:
        return None
    granted = granted_organization_ids(approved.project)
    owner = next((c for c in companies if c.organization_id in granted), None)
    for company in companies if owner is None else ():
        try:
            connection = connections.request_connection(approved.project, company,
                                                        "产品已获批，希望合作推进入院和首购。")
            connections.decide_connection(connection, approved.project.owner, accept=True)
        except MatchingError:
            continue
        owner = company
        break
    return (owner, approved) if owner is not None else None


def seed(people: DemoPeople, extra_projects: int = 0, extra_companies: int = 0) -> None:  # noqa: ARG001
    admins, companies = people.all(Role.ADMIN), people.all(Role.ENTERPRISE)
    if not admins or not companies:
        return
    admin, today = admins[0], local_today()
    staff = _staff(people)
    listed: list[Listing] = []
    origin = _from_incubation(companies)
    if origin is not None:
        owner, incubation = origin
        values = {**listings.prefill(incubation), "registration_no": "国械注准20263130127",
                  "province": listings.prefill(incubation)["province"] or "广东省"}
        values["device_class"] = values["device_class"] or "III"
        listed_on = min(today, incubation.approved_on + timedelta(days=20))
        listed.append(_apply(owner, admin, values, listed_on, incubation))
    for n, (name, number, device_class, pathway, specialty, summary, days) in enumerate(PRODUCTS):
        owner = companies[n % len(companies)]
        listed.append(_apply(owner, admin, {
            "name": name, "registration_no": number, "device_class": device_class, "pathway": pathway,
            "specialty": specialty, "province": owner.organization.province or "广东省", "summary": summary,
            "approved_on": today - timedelta(days=days)}, today - timedelta(days=days - 30)))
    _apply(companies[-1], None, {
        "name": "便携式床旁超声膀胱容量测定仪", "registration_no": "粤械注准20262060077", "device_class": "II",
        "pathway": "regular", "specialty": "泌尿外科", "province": "广东省",
        "summary": "护士床旁快速测定膀胱残余尿量，减少不必要的导尿。", "approved_on": today - timedelta(days=60)}, None)
    first = listed[0]
    office, committee = staff["equipment"], staff["committee"]
    received = max(first.listed_on, today - timedelta(days=70))
    span = (today - received).days  # admitted, bought and used within it, however recently the product was listed

    def after(days: int, share: float) -> date:
        return received + timedelta(days=min(days, int(span * share)))

    assessment = admission.declare_interest(first, office, received)
    admission.change(assessment, "start", office)
    admission.record_opinion(assessment, committee, "support", "临床需求明确，同类进口产品价格高，建议准入。")
    admission.change(assessment, "admit", office, on=after(24, 0.4))
    purchases.record_order(assessment, office, after(35, 0.6), 20, Decimal("76000.00"))
    purchases.record_first_use(assessment, office, after(41, 0.8))
    listings.set_market_access(first, first.organization.members[0], "C1234567890123456789", received,
                               after(10, 0.2))
    if len(listed) > 1:
        overdue_from = max(listed[1].listed_on, today - timedelta(days=45))
        admission.declare_interest(listed[1], staff["equipment2"], overdue_from)
    db.session.flush()
