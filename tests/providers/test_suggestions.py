"""Providers suggested for an incubated project: ranked by the text engine with labelled reasons, filtered by device
class, region, specialty and category, and shown at the milestone they serve."""

from __future__ import annotations

from chunfeng.accounts.models import Role
from chunfeng.db import db
from chunfeng.incubation.models import Incubation, MilestoneKey
from chunfeng.matching.models import OrgProfile, ProfileKind, ProfileStatus, ShareGrant
from chunfeng.providers import suggestions
from tests.conftest import login

from .conftest import CDMO, LAB, MONDAY, SITE, at, provider

OPHTHALMIC_LAB = dict(kind="lab", summary="眼科光学器械检验：人工晶状体、角膜接触镜。", region="上海市",
                      device_classes=["II", "III"], categories="眼科器械", standards="GB 11417 眼科光学",
                      turnaround_days=40)
CLASS_III_ONLY = dict(LAB, summary="植入器械检验，取栓支架与导管性能检验。", device_classes=["III"])


def test_labs_are_ranked_by_the_engine_with_reasons_and_filtered_by_device_class(app, start, make_provider):
    started = start()  # a class II stent (取栓支架) in the registration test
    _a, neuro_id = make_provider(LAB, organization="神经介入检验所", admin=started.admin)
    _b, eye_id = make_provider(OPHTHALMIC_LAB, organization="眼科检验所", admin=started.admin)
    _c, class3_id = make_provider(CLASS_III_ONLY, organization="三类检验所", admin=started.admin)
    _d, _pending = make_provider(LAB, approved=False, organization="待审检验所", admin=started.admin)
    with app.test_request_context():
        incubation = db.session.get(Incubation, started.incubation_id)
        found = suggestions.suggest(incubation, MilestoneKey.REGISTRATION_TESTING, limit=None)
        ids = [s.provider.id for s in found]
        assert ids == [neuro_id, eye_id], "class III only and unapproved labs are left out; the neuro lab first"
        assert found[0].score > found[1].score
        terms = {term for term, _label in found[0].reasons}
        assert terms & {"取栓", "支架", "神经介入", "导管"} and all(label for _t, label in found[0].reasons)
        anywhere = suggestions.suggest(incubation, MilestoneKey.REGISTRATION_TESTING,
                                       suggestions.Filters(device_class=""), limit=None)
        assert class3_id in [s.provider.id for s in anywhere]
        in_beijing = suggestions.suggest(incubation, MilestoneKey.REGISTRATION_TESTING,
                                         suggestions.Filters(region="北京市"), limit=None)
        assert in_beijing == []


def test_trial_sites_serve_clinical_evaluation_and_cdmos_the_submission(app, client, start, make_provider):
    started = start()
    make_provider(LAB, organization="神经介入检验所", admin=started.admin)
    _s, site_id = make_provider(SITE, organization="首都医科大学附属医院临床试验机构", admin=started.admin)
    _m, cdmo_id = make_provider(CDMO, organization="苏州精工医疗器械", admin=started.admin)
    with app.test_request_context():
        incubation = db.session.get(Incubation, started.incubation_id)
        by_key = suggestions.suggestions_by_milestone(incubation)
        assert [s.provider.id for s in by_key[MilestoneKey.CLINICAL_EVALUATION]] == [site_id]
        assert [s.provider.id for s in by_key[MilestoneKey.REGISTRATION_SUBMISSION]] == [cdmo_id]
        assert provider(site_id).kind.value == "trial_site"
    with at(MONDAY):
        login(client, started.officer.email)
        page = client.get(f"/incubation/project/{started.project_id}").get_data(as_text=True)
        assert 'data-milestone="clinical_evaluation"' in page and "首都医科大学附属医院临床试验机构" in page
        assert "推荐用于" in page
        found = client.get(f"/providers/project/{started.project_id}?specialty=眼科").get_data(as_text=True)
        assert f'data-provider="{site_id}"' not in found
        found = client.get(f"/providers/project/{started.project_id}?specialty=神经介入").get_data(as_text=True)
        assert f'data-provider="{site_id}"' in found


def test_no_cdmo_is_suggested_when_a_connected_company_manufactures(app, start, make_provider, make_user):
    started = start()
    make_provider(CDMO, organization="苏州精工医疗器械", admin=started.admin)
    company = make_user(Role.ENTERPRISE, organization="神经介入器械有限公司")
    with app.test_request_context():
        incubation = db.session.get(Incubation, started.incubation_id)
        assert [s.provider.name for s in suggestions.suggestions_by_milestone(incubation)[
            MilestoneKey.REGISTRATION_SUBMISSION]] == ["苏州精工医疗器械"]
        db.session.add(OrgProfile(organization_id=company.organization_id, kind=ProfileKind.ENTERPRISE,
                                  status=ProfileStatus.APPROVED, business_scope="神经介入器械",
                                  manufacturing_capability="取栓支架生产线，十万级洁净车间",
                                  registration_experience=[], cooperation_modes=[], stages=[]))
        db.session.add(ShareGrant(project_id=started.project_id, organization_id=company.organization_id))
        db.session.commit()
        assert suggestions.has_manufacturer(incubation)
        assert MilestoneKey.REGISTRATION_SUBMISSION not in suggestions.suggestions_by_milestone(incubation)
