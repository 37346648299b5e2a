"""Demo community: open clinical needs from ICU, geriatrics and paediatrics, a company challenge, comments and
"see too"s, two answered consultations published in the FAQ and an officer's appointment times next week."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from ..accounts.models import AccountStatus, Role
from ..accounts.services import create_user
from ..community import services
from ..community.models import ChallengeKind, ConsultCategory, NeedVisibility
from ..core.clock import local_today
from ..db import db

# Lead users the community needs beyond the platform-wide demo people (Sichuan and Chongqing answer the
# regulator's call with a lead-user community, so two of them are from there).
EXTRA_CLINICIANS = [
    ("icu-nurse@demo.chunfeng.cn", "周静护士长", "四川大学华西医院", "四川省", "重症医学科", "护士长"),
    ("paediatrics@demo.chunfeng.cn", "刘洋医生", "重庆医科大学附属儿童医院", "重庆市", "儿科", "副主任医师"),
    ("geriatrics@demo.chunfeng.cn", "陈慧医生", "重庆医科大学附属第一医院", "重庆市", "老年医学科", "主任医师"),
]

NEEDS = [
    ("icu-nurse@demo.chunfeng.cn", dict(
        title="俯卧位通气时气管插管固定易移位",
        problem="重症患者俯卧位通气和翻身时，胶布或系带固定的气管插管容易移位甚至非计划拔管；面部受压处胶布还会造成"
                "压力性损伤。护士每班需要多次检查插管深度，夜间人手紧张时风险更高。",
        population="ICU 机械通气患者，尤其是 ARDS 俯卧位通气、躁动或面部水肿的患者。",
        outcome="翻身和俯卧位时插管深度不变，非计划拔管减少；固定处不再出现面部压力性损伤；护士能一眼看出深度变化。",
        specialty="重症医学科", visibility=NeedVisibility.PUBLIC)),
    ("geriatrics@demo.chunfeng.cn", dict(
        title="居家和病房老年人夜间跌倒难以及时发现",
        problem="高龄患者夜间起床如厕时跌倒，常在数小时后才被发现，错过处理时机。现有呼叫器需要患者主动按下，"
                "跌倒后往往做不到；床旁摄像头涉及隐私，患者和家属不愿接受。",
        population="80 岁以上住院或居家老人，合并认知障碍、帕金森病或服用镇静药物者风险更高。",
        outcome="跌倒后一分钟内通知护士或家属，不用摄像头，误报少到护士愿意一直开着。",
        specialty="老年医学科", visibility=NeedVisibility.PUBLIC)),
    ("paediatrics@demo.chunfeng.cn", dict(
        title="婴幼儿静脉穿刺困难，反复穿刺痛苦大",
        problem="婴幼儿血管细、皮下脂肪厚，肥胖和脱水患儿尤甚，静脉穿刺一次成功率低，常需反复穿刺，患儿哭闹，"
                "家长焦虑，护患矛盾多。现有血管显像仪对深静脉显示不清，价格也高。",
        population="3 岁以下住院和急诊患儿，尤其是脱水、肥胖或长期输液的患儿。",
        outcome="首次穿刺成功率明显提高，护士能在床旁快速找到合适的静脉。",
        specialty="儿科", visibility=NeedVisibility.PUBLIC)),
    ("doctor4@demo.chunfeng.cn", dict(
        title="无创通气面罩漏气与鼻梁压伤",
        problem="长时间无创通气时，面罩为减少漏气需要绑得很紧，鼻梁和面颊压伤常见；绑松了又漏气，人机不同步。",
        population="慢阻肺急性加重、心源性肺水肿等需要长时间无创通气的患者。",
        outcome="漏气少且不压伤皮肤，患者能耐受更长时间的无创通气，减少插管。",
        specialty="呼吸与危重症医学科", visibility=NeedVisibility.COMPANIES)),
]

COMMENTS = [
    (0, "doctor4@demo.chunfeng.cn", "我们科也有同样问题，俯卧位时口腔分泌物多，胶布很快就松了。"),
    (0, "company@demo.chunfeng.cn", "请问目前每班检查插管深度主要靠刻度目测吗？是否需要把深度变化做成监护报警？"),
    (2, "icu-nurse@demo.chunfeng.cn", "成人ICU水肿患者也类似，期待能兼顾深静脉显示。"),
]

SEE_TOO = [(0, "doctor4@demo.chunfeng.cn"), (1, "icu-nurse@demo.chunfeng.cn"), (2, "icu-nurse@demo.chunfeng.cn"),
           (1, "paediatrics@demo.chunfeng.cn")]

CHALLENGE = dict(
    title="招募 ICU 护士参与新一代床旁监护仪可用性评价",
    description="我们正在开发新一代床旁多参数监护仪，希望邀请 3–5 家医院重症医学科的护士参与形成性可用性评价："
                "报警设置、俯卧位时的导联和管路管理、夜间报警疲劳。每次评价约 2 小时，在贵院模拟病房进行，"
                "按规定支付劳务费。",
    kind=ChallengeKind.USABILITY, specialty="重症医学科",
)

FAQ = [
    ("doctor2@demo.chunfeng.cn", ConsultCategory.CLASSIFICATION,
     "我们设计了一款根据眼底照片判断糖尿病视网膜病变的人工智能软件，只给出转诊建议，按几类医疗器械管理？",
     "依据《人工智能医用软件产品分类界定指导原则》：算法在医疗应用中成熟度低的人工智能医用软件，用于辅助决策"
     "（如病变识别、给出转诊等诊疗建议）的，按第三类医疗器械管理；用于非辅助决策（如数据处理、测量，只提供临床参考"
     "信息）的，按第二类管理。算法成熟度高的，按《医疗器械分类目录》相应类别管理。给出转诊建议属于辅助决策，"
     "如无同类产品上市，一般按第三类管理。类别不确定时可先提交分类界定申请。",
     "提示转诊的眼底图像人工智能软件按几类医疗器械管理？"),
    ("company3@demo.chunfeng.cn", ConsultCategory.REGISTRATION_TESTING,
     "第二类有源器械注册检验需要送几台样品？同一注册单元内的不同型号都要检吗？",
     "样品数量由注册申请人根据产品技术要求中的检验项目与承检机构确认，以能完成全部检验项目为准（有源设备常见为"
     "1 至 2 台，含破坏性试验时可能更多）。同一注册单元内应选择能代表其他型号安全性和有效性的典型型号检验，"
     "其他型号与典型型号的差异部分做差异性检验。",
     "第二类有源医疗器械注册检验需要送几台样品？不同型号都要检验吗？"),
]


def _extra_clinicians(people) -> None:
    for email, name, org, province, department, title in EXTRA_CLINICIANS:
        people.by_email[email] = create_user(
            email=email, name=name, password=people.password, role=Role.CLINICIAN, organization=org,
            province=province, department=department, title=title, status=AccountStatus.ACTIVE)


def _slots_next_week(officer) -> None:
    today = local_today()
    monday = today + timedelta(days=7 - today.weekday())
    for day, hour, online, place in ((0, 9, True, "腾讯会议，预约后发送会议号"), (2, 14, False, "服务站二楼 203 室"),
                                     (4, 10, True, "腾讯会议，预约后发送会议号")):
        start = datetime.combine(monday + timedelta(days=day), time(hour))
        services.create_slot(officer, start, 45, 3, online, place, "分类界定、注册检验、创新通道申报")


def seed(people, extra_projects: int = 0, extra_companies: int = 0) -> None:
    _extra_clinicians(people)
    person = people.by_email.__getitem__
    needs = [services.create_need(person(email), **fields) for email, fields in NEEDS]
    for index, email, text in COMMENTS:
        services.add_comment(needs[index], person(email), text)
    for index, email in SEE_TOO:
        services.toggle_see_too(needs[index], person(email))
    services.toggle_follow(needs[0], person("company@demo.chunfeng.cn"))
    db.session.flush()
    challenge = services.create_challenge(person("company@demo.chunfeng.cn"), **CHALLENGE)
    if challenge.suggestions:  # the company invites its best-suggested clinician; another one already replied
        services.invite(challenge.suggestions[0], person("company@demo.chunfeng.cn"))
    services.respond(challenge, person("doctor4@demo.chunfeng.cn"),
                     "我科有俯卧位通气经验，可以安排两名护士参加评价，时间请提前两周沟通。", True, False)
    officer = people.first(Role.OFFICER)
    expert = people.by_email.get("expert3@demo.chunfeng.cn") or people.first(Role.EXPERT)
    for email, category, question, answer, faq_question in FAQ:
        consultation = services.ask(person(email), category, question, publish_consent=True)
        services.answer(consultation, expert if category == ConsultCategory.CLASSIFICATION else officer, answer)
        services.publish_faq(consultation, officer, faq_question, answer)
    services.ask(person("paediatrics@demo.chunfeng.cn"), ConsultCategory.SPECIAL_REVIEW,
                 "儿童专用的静脉显像设备能否申请优先审批？需要准备哪些材料？")
    _slots_next_week(officer)
