"""The community's workspace panel: a clinician's latest needs with their marks and comments, a company's latest
challenges with their replies, and the person's latest questions and next appointments, every list of the panel
read in one statement."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from chunfeng.accounts.models import Role
from chunfeng.community.models import (
    Booking,
    BookingStatus,
    Challenge,
    ChallengeResponse,
    ChallengeStatus,
    ChallengeSuggestion,
    ClinicalNeed,
    Comment,
    Consultation,
    ConsultCategory,
    ConsultStatus,
    NeedSeeToo,
    TimeSlot,
)
from chunfeng.db import db, utcnow
from tests.community.conftest import page_text
from tests.main.test_workspace_statements import workspace_statements

LONG_QUESTION = "创新医疗器械特别审查申请时，" + "需要提交哪些临床评价资料以及检测报告，" * 5
OFFICERS = ["赵专员", "钱专员", "孙专员", "李专员", "周专员", "吴专员", "郑专员"]


def _panel(client) -> str:
    """The panel's visible text (runs of Chinese, marked with their language, read as they show)."""
    response = client.get("/dashboard?lang=en")
    response.set_data(re.sub(r'<span lang="[^"]+">([^<]*)</span>', r"\1", response.get_data(as_text=True)))
    text = page_text(response)
    return text[text.index("Community and consultations"):]


def _community_reads(statements: list[str]) -> list[str]:
    """The statements that read needs, challenges, questions or appointments (not the invitations asked of a
    clinician, which the intake's to-do list shows)."""
    tables = ("community_needs", "community_consultations", "community_bookings", "FROM community_challenges")
    return [sql for sql in statements if any(table in sql for table in tables)
            and "community_challenge_suggestions" not in sql]


def _questions_and_appointments(app, person, officers) -> None:
    """Seven questions (the sixth answered, every other one long) and seven appointments with different officers
    in the coming days, given in no particular order, besides one past and one cancelled."""
    now = utcnow()
    for n in range(7):
        db.session.add(Consultation(asker_id=person.id, category=ConsultCategory.REGISTRATION_TESTING,
                                    question=LONG_QUESTION if n % 2 else f"第{n}个问题：注册检验需要几台样机？",
                                    status=ConsultStatus.ANSWERED if n == 5 else ConsultStatus.OPEN))
    for n, days in enumerate((5, 1, 7, 3, 2, 6, 4)):
        starts = now + timedelta(days=days)
        slot = TimeSlot(officer_id=officers[n].id, starts_at=starts, ends_at=starts + timedelta(minutes=30))
        db.session.add(slot)
        db.session.flush()
        db.session.add(Booking(slot_id=slot.id, user_id=person.id, topic="注册", status=BookingStatus.BOOKED))
    for starts, status in ((now - timedelta(days=1), BookingStatus.BOOKED),
                           (now + timedelta(hours=2), BookingStatus.CANCELLED)):
        slot = TimeSlot(officer_id=officers[0].id, starts_at=starts, ends_at=starts + timedelta(minutes=30))
        db.session.add(slot)
        db.session.flush()
        db.session.add(Booking(slot_id=slot.id, user_id=person.id, topic="旧", status=status))


def test_a_clinicians_needs_questions_and_appointments_are_read_in_one_statement(app, make_user, client_for):
    clinician = make_user(Role.CLINICIAN, name="李明医生")
    others = [make_user(Role.CLINICIAN) for _ in range(2)]
    officers = [make_user(Role.OFFICER, name=name) for name in OFFICERS]
    with app.app_context():
        for n in range(7):
            need = ClinicalNeed(author_id=clinician.id, title=f"临床需求{'一二三四五六七'[n]}", problem="问题",
                                hidden=n == 4)
            db.session.add(need)
            db.session.flush()
            for other in others[:n % 3]:
                db.session.add(NeedSeeToo(need_id=need.id, user_id=other.id))
            db.session.add(Comment(need_id=need.id, author_id=others[0].id, text="同感", hidden=n == 5))
        _questions_and_appointments(app, clinician, officers)
        db.session.commit()
    client = client_for(clinician)

    assert len(_community_reads(workspace_statements(app, client))) == 1
    panel = _panel(client)
    needs = re.findall(r"临床需求(\S) · See this too: (\d) · Comments: (\d)( hidden)?", panel)
    assert needs == [("七", "0", "1", ""), ("六", "2", "0", ""), ("五", "1", "1", " hidden"), ("四", "0", "1", ""),
                     ("三", "2", "1", "")]
    long_shown = LONG_QUESTION[:57] + "..."  # the first 60 characters with the ellipsis
    assert re.findall(r"(第\d个问题：注册检验需要几台样机？|创新医疗器械特别审查申请时，\S*) · (\w+)", panel) == [
        ("第6个问题：注册检验需要几台样机？", "waiting"), (long_shown, "answered"),
        ("第4个问题：注册检验需要几台样机？", "waiting"), (long_shown, "waiting"),
        ("第2个问题：注册检验需要几台样机？", "waiting")]
    assert re.findall(r"· (\S专员)", panel) == ["钱专员", "周专员", "李专员", "郑专员", "赵专员"]  # the next five


def test_a_companys_challenges_questions_and_appointments_are_read_in_one_statement(app, make_user, client_for):
    company = make_user(Role.ENTERPRISE, name="王经理", organization="深圳迈瑞康医疗器械有限公司")
    clinicians = [make_user(Role.CLINICIAN) for _ in range(3)]
    officers = [make_user(Role.OFFICER, name=name) for name in OFFICERS]
    with app.app_context():
        for n in range(6):
            challenge = Challenge(org_id=company.organization_id, author_id=company.id, title=f"企业挑战{n}号",
                                  description="说明", hidden=n == 3)
            db.session.add(challenge)
            db.session.flush()
            for clinician in clinicians[:n % 4]:
                db.session.add(ChallengeResponse(challenge_id=challenge.id, clinician_id=clinician.id, message="可以"))
        _questions_and_appointments(app, company, officers)
        db.session.commit()
    client = client_for(company)

    assert len(_community_reads(workspace_statements(app, client))) == 1
    panel = _panel(client)
    assert re.findall(r"企业挑战(\d)号 · Replies: (\d)( hidden)?", panel) == [
        ("5", "1", ""), ("4", "0", ""), ("3", "3", " hidden"), ("2", "2", ""), ("1", "1", "")]
    assert panel.count(" · waiting") == 4 and panel.count(" · answered") == 1
    assert re.findall(r"· (\S专员)", panel) == ["钱专员", "周专员", "李专员", "郑专员", "赵专员"]


def test_the_clinician_is_asked_to_answer_the_open_challenges_a_company_invited_them_to(app, make_user, client_for):
    clinician = make_user(Role.CLINICIAN, name="李明医生")
    company = make_user(Role.ENTERPRISE, name="王经理", organization="深圳迈瑞康医疗器械有限公司")
    now = utcnow()
    with app.app_context():
        for n, (invited_hours_ago, status, hidden, answered) in enumerate((
                (5, ChallengeStatus.OPEN, False, False), (1, ChallengeStatus.OPEN, False, False),
                (None, ChallengeStatus.OPEN, False, False), (2, ChallengeStatus.CLOSED, False, False),
                (3, ChallengeStatus.OPEN, True, False), (4, ChallengeStatus.OPEN, False, True))):
            challenge = Challenge(org_id=company.organization_id, author_id=company.id, title=f"企业挑战{n}号",
                                  description="说明", status=status, hidden=hidden)
            db.session.add(challenge)
            db.session.flush()
            invited = None if invited_hours_ago is None else now - timedelta(hours=invited_hours_ago)
            db.session.add(ChallengeSuggestion(challenge_id=challenge.id, clinician_id=clinician.id, rank=n + 1,
                                               score=0.5, invited_at=invited))
            if answered:
                db.session.add(ChallengeResponse(challenge_id=challenge.id, clinician_id=clinician.id, message="好"))
        db.session.commit()
        ids = list(db.session.scalars(select(Challenge.id).order_by(Challenge.id)))
    client = client_for(clinician)

    reads = [sql for sql in workspace_statements(app, client) if "community_challenge_suggestions" in sql]
    assert len(reads) == 1 and "description" not in reads[0]  # the names the list shows, not the challenge's text
    page = client.get("/dashboard?lang=en").get_data(as_text=True)
    asked = page[page.index("Asked of you"):]
    asked = re.sub(r'<span lang="[^"]+">([^<]*)</span>', r"\1", asked[:asked.index("</ul>")])
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', asked) == [
        (f"/community/challenges/{ids[n]}", f"深圳迈瑞康医疗器械有限公司 invites you to share your clinical view on "
                                            f"&#34;企业挑战{n}号&#34;.") for n in (1, 0)]
