"""Demo projects of the four demo clinicians (some submitted with versions, some drafts), and on request many
synthetic submitted projects for load tests (bulk inserted: 10,000 in well under a minute)."""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta

from sqlalchemy import insert

from ..accounts.models import AccountStatus, Role, User
from ..accounts.services import create_user
from ..core.services import record
from ..db import db, utcnow
from ..submissions import services, supplements
from ..submissions.models import Project, ProjectVersion, StatusEvent
from ..submissions.sections import SECTIONS, VERSION_FIELDS
from ..submissions.status import TRANSITIONS, Event, Status, apply
from .people import DemoPeople

ALL_SECTIONS = [section.key for section in SECTIONS]

# (owner e-mail, how far the demo takes it, answers). "accepted" = submitted and passed the formal check.
DEMO_PROJECTS = [
    ("doctor@demo.chunfeng.cn", "accepted", dict(
        title="带远端栓子保护的可回收颅内取栓支架",
        specialty="神经介入科",
        public_summary="急性缺血性脑卒中机械取栓术中，血栓碎裂造成的远端栓塞是影响预后的重要因素。本项目面向大血管闭塞取栓，"
                       "提出一种带远端保护结构的可回收取栓支架，目标是降低术中远端栓塞发生率、提高首次再通率。"
                       "希望与有神经介入产品注册经验的企业合作开发。",
        need_problem="机械取栓已是前循环大血管闭塞的标准治疗，但回撤支架时血栓容易碎裂脱落，约10%–15%的病例出现远端或新发区域栓塞，"
                     "导致再次取栓、手术时间延长和功能预后变差。支架联合抽吸可部分缓解，但操作复杂、耗材费用高。",
        need_population="发病24小时内、经影像评估适合血管内治疗的急性前循环大血管闭塞患者（颈内动脉末端、大脑中动脉M1/M2段）。",
        need_outcome="降低术中远端栓塞及新发区域栓塞发生率，提高首次取栓完全再通率（eTICI 2c–3级），"
                     "缩短穿刺至再通时间。",
        current_practice="目前常用单纯支架取栓、直接抽吸或支架联合抽吸技术。支架回撤时血栓在导管口被剪切而碎裂；"
                         "球囊导引导管阻断血流可减少栓塞，但基层医院普及率低，且增加操作步骤和费用。",
        solution="在镍钛合金激光切割取栓支架远端集成可折叠的编织网篮。支架释放后网篮在血栓远端自膨展开，回撤时兜住碎裂的栓子一并收回导管。"
                 "支架主体采用分段交错网孔，增强对血栓的嵌合；远端网篮孔径约150微米，既拦截栓子又保证血流通过。"
                 "整套器械与0.021英寸微导管兼容。",
        innovation_points="1. 取栓支架与远端保护网篮一体化，无需另行放置保护装置；\n"
                          "2. 分段交错网孔增强血栓嵌合，减少回撤时血栓滑脱；\n"
                          "3. 网篮回收入导管时自动闭合，防止栓子逸出。",
        target_patients="急性缺血性脑卒中大血管闭塞、拟行机械取栓的患者。",
        patient_count="我国每年新发缺血性脑卒中约280万例，其中适合取栓的大血管闭塞约15万–20万例。",
        device_type="神经血管介入器械（取栓支架）",
        device_class="III",
        catalogue_category="03-13 神经和心血管手术器械—神经血管介入器械",
        pathway_hopes=["innovation"],
        stage="prototype",
        evidence="已完成三轮样品试制和体外血管模型取栓测试：在人工血栓模型中，远端碎栓逸出量较常规取栓支架减少约60%；"
                 "猪颈动脉模型的动物实验方案已通过本院动物伦理委员会审查。",
        ip_status="filed",
        ip_numbers="CN202410345678.9（发明专利申请）",
        team="李明，中山大学附属第一医院神经介入科，项目负责人，临床需求与方案设计\n"
             "陈志强，中山大学附属第一医院神经介入科，体外与动物实验\n"
             "黄伟，华南理工大学材料科学与工程学院，镍钛合金结构设计与工艺",
        cooperation=["codev", "licensing"],
    )),
    ("doctor@demo.chunfeng.cn", "draft", dict(
        title="经桡动脉入路神经介入专用长鞘",
        specialty="神经介入科",
        public_summary="经桡动脉入路可减少穿刺并发症、让患者术后早下床，但现有长鞘多为冠脉介入设计，进入颅内血管时支撑力不足。"
                       "本项目拟开发适配桡动脉的神经介入专用长鞘。",
        need_problem="神经介入手术约九成经股动脉完成，术后需卧床制动，穿刺部位血肿、假性动脉瘤等并发症并不少见。"
                     "改走桡动脉时，现有器械在主动脉弓和颈动脉迂曲处支撑不足，导管易弹出，手术时间延长。",
        need_population="需行颅内动脉瘤栓塞、颈动脉支架或取栓的患者，尤其是肥胖、凝血功能异常或难以长时间卧床者。",
    )),
    ("doctor2@demo.chunfeng.cn", "submitted", dict(
        title="基于手持广角眼底相机的早产儿视网膜病变AI筛查系统",
        specialty="眼科",
        public_summary="早产儿视网膜病变（ROP）是儿童致盲的主要原因之一，筛查依赖有经验的眼科医生，基层新生儿科难以开展。"
                       "本项目拟开发便携式广角眼底成像配合人工智能判读，在床旁完成筛查并分级转诊。寻求眼科影像企业合作开发及融资。",
        need_problem="出生体重低于2000克或胎龄小于32周的早产儿需按时接受ROP筛查，错过治疗窗口可致视网膜脱离甚至失明。"
                     "广角数字视网膜成像系统价格高、体积大，基层医院多数没有；能阅ROP眼底片的眼科医生稀缺，"
                     "县级医院常需把患儿转运到上级医院检查。",
        need_population="在新生儿重症监护病房（NICU）住院、符合国家ROP筛查标准的早产儿，尤其是县级及以下医院收治的患儿。",
        need_outcome="让基层医院在床旁完成规范的ROP筛查，需治疗病变的检出敏感度不低于95%，缩短从筛查到转诊治疗的时间，减少早产儿转运。",
        current_practice="目前主要由眼科医生用间接检眼镜检查，或用进口广角视网膜成像系统拍照后阅片。间接检眼镜依赖个人经验、没有影像留存；"
                         "进口设备价格近百万元，基层难以配置；远程阅片需人工逐张判读，效率低。",
        solution="手持式非接触广角眼底相机，采用环形LED照明与偏振消反光设计，单次拍摄视场角约120°，平板电脑实时显示。"
                 "图像上传后由深度学习模型自动识别ROP分区、分期及附加病变（plus病变），给出“需转诊/继续随访”建议，"
                 "再由上级医院眼科医生远程复核。",
        innovation_points="1. 非接触式广角成像，减少对早产儿角膜的刺激；\n2. 以中国早产儿眼底影像训练的分区分期模型；\n"
                          "3. 分级转诊流程与远程复核平台一体化。",
        target_patients="符合筛查标准的早产儿。",
        patient_count="我国每年出生早产儿约100万例，其中需ROP筛查者约20万例。",
        device_type="眼科成像设备及影像辅助诊断软件",
        device_class="III",
        catalogue_category="21-04 医用软件—影像辅助诊断软件；16-04 眼科测量诊断设备",
        pathway_hopes=["innovation", "priority"],
        stage="prototype",
        evidence="已回顾性收集本院2018–2023年ROP眼底图像约1.2万张并完成标注；初步模型在独立测试集上对需治疗ROP的敏感度为96.3%、"
                 "特异度为90.1%；手持相机原理样机已完成光学验证。",
        ip_status="filed",
        ip_numbers="CN202320567890.1（实用新型），CN202410112233.4（发明专利申请）",
        team="王芳，四川大学华西医院眼科，项目负责人\n刘洋，四川大学华西医院新生儿科，临床协作与筛查流程\n"
             "赵磊，四川大学计算机学院，图像算法",
        cooperation=["codev", "funding"],
    )),
    ("doctor2@demo.chunfeng.cn", "draft", dict(
        title="可降解青光眼微创引流支架",
        specialty="眼科",
        public_summary="开角型青光眼患者需长期用药控制眼压，依从性差；小梁切除术创伤较大。本项目设想一种可降解的微创引流支架。",
        need_problem="原发性开角型青光眼患者长期滴用降眼压药物，依从性差、费用高；小梁切除术术后瘢痕化导致手术失败的比例较高。",
    )),
    ("doctor3@demo.chunfeng.cn", "accepted", dict(
        title="不停跳经心尖人工腱索植入系统",
        specialty="心脏外科",
        public_summary="退行性二尖瓣反流是常见心脏瓣膜病，传统开胸修复创伤大，老年高危患者难以耐受。本项目提出在心脏不停跳下经心尖"
                       "植入人工腱索的微创器械，减少体外循环使用、缩短住院时间。寻求心血管器械企业合作开发或技术转让。",
        need_problem="二尖瓣后叶脱垂导致的重度反流需手术修复。标准术式需正中开胸或胸腔镜下建立体外循环、心脏停跳，"
                     "老年及合并症多的患者手术风险高，部分患者因此未能接受手术。",
        need_population="原发性（退行性）二尖瓣反流、以后叶P2区脱垂或腱索断裂为主、外科手术风险中高危的成人患者。",
        need_outcome="在不停跳、不建立体外循环的条件下把反流降至轻度以下，减少围术期并发症，缩短ICU停留和住院时间。",
        current_practice="开胸或胸腔镜下二尖瓣成形术效果确切，但需体外循环；经导管缘对缘修复（TEER）适用于高危患者，"
                         "但对腱索断裂、连枷瓣叶较宽者效果有限，残余反流较多。国外已有经心尖腱索植入器械上市，国内尚无同类产品获批。",
        solution="器械经左胸小切口、心尖穿刺进入左心室，在经食道超声引导下，头端的夹持-穿刺机构捕获脱垂瓣叶并穿入ePTFE人工腱索；"
                 "腱索另一端在心尖外固定，术中在超声实时监测下调节腱索长度直至反流消失。",
        innovation_points="1. 头端集成光纤反馈，确认瓣叶夹持到位，减少误穿；\n2. 一次进入可连续植入多根腱索；\n"
                          "3. 心尖端长度调节与锁定装置，术中可精细调节。",
        target_patients="退行性二尖瓣反流、外科手术中高危的成人患者。",
        patient_count="我国中重度二尖瓣反流患者估计超过700万人，每年接受手术者不足5万例。",
        device_type="心血管植入器械（人工腱索及输送系统）",
        device_class="III",
        catalogue_category="13-07 无源植入器械—心血管植入物",
        pathway_hopes=["innovation"],
        stage="animal",
        evidence="完成离体猪心模型植入40例，腱索植入成功率95%；完成6只实验羊急性动物实验，术后即刻反流由重度降至微量至轻度。",
        ip_status="granted",
        ip_numbers="ZL202110987654.3（发明专利）",
        team="张伟，复旦大学附属中山医院心脏外科，项目负责人\n孙晓，复旦大学附属中山医院超声科，术中影像引导\n"
             "周强，上海交通大学机械与动力工程学院，输送系统设计",
        cooperation=["codev", "transfer"],
    )),
    ("doctor3@demo.chunfeng.cn", "submitted", dict(
        title="心脏术后纵隔引流管主动防堵塞装置",
        specialty="心脏外科",
        public_summary="心脏手术后引流管被血凝块堵塞，可导致心包填塞和残留血综合征，部分患者需二次开胸。"
                       "本项目提出一种在密闭状态下主动清理引流管内血凝块的装置，可与常规引流管配套使用。",
        need_problem="心脏术后早期引流管内形成血凝块较常见，管腔部分或完全堵塞后积血不能排出，引起心包填塞、胸腔积液，"
                     "部分患者需再次开胸清除积血。护士挤压或剥离引流管效果有限，还可能产生过高负压。",
        need_population="接受体外循环心脏手术、术后留置心包和纵隔引流管的成人及儿童患者。",
        need_outcome="减少引流管堵塞和残留血相关的再次开胸、心包填塞，减少护士频繁挤压引流管的工作量。",
        current_practice="目前依靠护士定时挤压、剥离引流管或调整负压，效果取决于个人操作；国外有主动清理引流系统，价格高，国内尚未普及。",
        solution="在引流管内置一根可沿管腔往复运动的清理环，清理环通过管外磁力滑块驱动，按设定间隔自动往返，把管内血凝块推向收集瓶，"
                 "全程不打开引流系统，保持无菌密闭。",
        innovation_points="1. 管外磁力驱动，清理过程不破坏密闭引流系统；\n2. 可与常用规格引流管配套，改造成本低；\n"
                          "3. 定时自动清理，减少人工挤压。",
        target_patients="心脏外科术后留置纵隔、心包引流管的患者。",
        patient_count="我国每年心脏外科手术约25万台。",
        device_type="引流器械",
        device_class="II",
        catalogue_category="14-05 注输、护理和防护器械—非血管内导（插）管",
        pathway_hopes=["pre_review"],
        stage="prototype",
        evidence="已完成3D打印样机和体外血液模拟实验：在含血凝块的模拟引流中，管腔通畅时间较对照延长约3倍。",
        ip_status="filed",
        ip_numbers="CN202420778899.0（实用新型申请）",
        team="张伟，复旦大学附属中山医院心脏外科，项目负责人\n王丽，复旦大学附属中山医院心外监护室，护理流程与测试",
        cooperation=["transfer", "licensing"],
    )),
    ("doctor4@demo.chunfeng.cn", "submitted", dict(
        title="气囊压力自动调控并带声门下吸引的气管插管系统",
        specialty="呼吸与危重症医学科",
        public_summary="呼吸机相关性肺炎（VAP）是重症监护病房最常见的医院感染之一，与气囊压力波动和声门下分泌物误吸密切相关。"
                       "本项目把声门下吸引与气囊压力自动调控结合，降低VAP发生率、减轻护理负担。",
        need_problem="机械通气患者的气囊压力随体位、吸痰和时间波动，人工每4–8小时测压一次，常有压力不足导致分泌物沿气囊下漏、"
                     "或压力过高损伤气管黏膜；声门下分泌物吸引多为手动间断进行，执行不到位。",
        need_population="在重症监护病房接受有创机械通气、预计通气时间超过48小时的成人患者。",
        need_outcome="将气囊压力持续维持在25–30 cmH₂O，降低VAP发生率和抗菌药物使用，减少护士测压和吸引的工作量。",
        current_practice="目前使用手持气囊测压表定时测压，部分医院使用声门下吸引气管插管配合手动或持续吸引；"
                         "进口的自动气囊压力控制器价格较高、与国产插管不配套，且不具备吸引功能。",
        solution="带声门下吸引腔的气管插管配合床旁控制器：控制器持续监测气囊压力并通过微型气泵自动补气或泄压；"
                 "声门下吸引腔按分泌物蓄积情况自动间歇负压吸引，数据上传至重症信息系统，异常时报警。",
        innovation_points="1. 气囊压力持续闭环调控与声门下吸引集成于一台控制器；\n"
                          "2. 根据分泌物阻抗变化自动调节吸引间隔；\n3. 与国产气管插管通用接口。",
        target_patients="ICU有创机械通气患者。",
        patient_count="我国ICU每年有创机械通气患者约200万人次。",
        device_type="呼吸与麻醉器械（气管插管及控制器）",
        device_class="II",
        catalogue_category="08-06 呼吸、麻醉和急救器械—呼吸、麻醉用管路及附件",
        pathway_hopes=["pre_review", "priority"],
        stage="clinical",
        evidence="样机已完成电气安全和性能自测；经医院伦理委员会批准，在本院ICU完成30例可行性研究，"
                 "气囊压力达标时间比例由手动管理的62%提高到96%。",
        ip_status="granted",
        ip_numbers="ZL202221234567.8（实用新型）",
        team="林晓燕，福建医科大学附属协和医院呼吸与危重症医学科，项目负责人\n郑敏，同院重症医学科护士长，护理流程\n"
             "福州大学电气工程与自动化学院团队，控制器研发",
        cooperation=["codev", "licensing", "funding"],
    )),
    ("doctor4@demo.chunfeng.cn", "draft", dict(
        title="慢阻肺居家智能肺功能监测仪",
        specialty="呼吸与危重症医学科",
        public_summary="慢阻肺患者急性加重前往往有肺功能下降，但居家缺少可靠的监测手段。本项目拟开发便携式智能肺功能监测仪，"
                       "配合远程随访平台早期发现急性加重。",
        need_problem="慢阻肺急性加重是患者住院和死亡的主要原因，加重早期的症状和肺功能变化常被患者忽视，等到就诊时病情已较重。",
        need_population="中重度慢阻肺、过去一年有急性加重史的居家患者。",
        need_outcome="提前发现急性加重，减少急诊就诊和住院。",
    )),
]


# Supplementary material a demo clinician added after submitting: title -> (reason, text added to the evidence).
DEMO_SUPPLEMENTS = {
    "基于手持广角眼底相机的早产儿视网膜病变AI筛查系统": (
        "补充前瞻性验证的初步结果，供形式审查和评审参考。",
        "\n补充（前瞻性验证）：2026年3月至9月在本院NICU前瞻性纳入早产儿186例，手持相机拍摄成功率97.8%，"
        "AI判读对需治疗ROP的敏感度为95.2%，与两名眼科医生复核结果一致性Kappa值0.87。",
    ),
}


def seed(people: DemoPeople, extra_projects: int = 0, extra_companies: int = 0) -> None:
    admin = people.first(Role.ADMIN)
    for email, how_far, answers in DEMO_PROJECTS:
        _demo_project(people.by_email[email], admin, how_far, answers)
    if extra_projects:
        bulk_projects(extra_projects, people.password)


def _demo_project(owner: User, admin: User, how_far: str, answers: dict) -> Project:
    project = services.create_project(owner, answers)
    complete = how_far != "draft"
    for section in SECTIONS[1:]:
        if complete or any(name in answers for name in section.fields):
            values = dict(answers, attests_no_patient_data=complete)
            services.save_section(project, section.key, values, project.lock_version)
    if complete:
        services.submit(project, owner, project.lock_version)
    if how_far == "submitted" and answers["title"] in DEMO_SUPPLEMENTS:
        reason, added = DEMO_SUPPLEMENTS[answers["title"]]
        supplements.supplement(project, owner, reason, {"evidence": project.evidence + added}, [],
                               project.lock_version, [])
    if how_far == "accepted":
        apply(project, Event.PASS_FORMAL_CHECK, admin, note="材料齐全，形式审查通过。")
    db.session.flush()
    return project


# --- synthetic projects for load tests ---------------------------------------------------------------------

# (specialty, device ideas, problem, population): combined with the phrases below into varied projects.
_THEMES = [
    ("神经介入科", ["取栓支架", "血流导向装置", "弹簧圈解脱系统", "颅内球囊扩张导管", "抽吸导管"],
     "颅内血管病变介入治疗中器械通过性差、血栓易碎裂", "急性缺血性脑卒中和颅内动脉瘤患者"),
    ("心脏外科", ["人工腱索输送系统", "瓣膜成形环", "心尖封堵器", "术后引流管清理装置", "心脏固定器"],
     "开胸手术创伤大、体外循环相关并发症多", "瓣膜病和冠心病需手术治疗的患者"),
    ("心血管内科", ["可降解冠脉支架", "药物涂层球囊", "左心耳封堵器", "射频消融导管", "压力导丝"],
     "支架内再狭窄和长期抗栓治疗带来出血风险", "冠心病和房颤患者"),
    ("眼科", ["手持眼底相机", "青光眼引流支架", "角膜塑形镜监测装置", "玻璃体切割头", "人工晶状体推注器"],
     "基层缺乏眼底筛查设备与阅片医生", "糖尿病视网膜病变、青光眼和早产儿患者"),
    ("呼吸与危重症医学科", ["气囊压力控制器", "便携式肺功能仪", "经鼻高流量湿化装置", "支气管镜活检钳", "雾化给药装置"],
     "机械通气相关并发症和慢阻肺急性加重发现晚", "ICU机械通气和慢阻肺患者"),
    ("骨科", ["椎弓根螺钉导航模板", "可吸收骨折固定钉", "膝关节置换截骨导板", "脊柱融合器", "外固定支架"],
     "置钉偏差和内固定取出二次手术", "脊柱退变、骨折和关节炎患者"),
    ("普通外科", ["腹腔镜切割吻合器", "疝修补补片", "可吸收止血夹", "胆道取石网篮", "负压伤口治疗装置"],
     "吻合口瘘和术后伤口愈合不良", "胃肠道肿瘤和疝手术患者"),
    ("泌尿外科", ["输尿管软镜鞘", "防结壳双J管", "前列腺消融导管", "膀胱冲洗监测装置", "碎石吸引装置"],
     "结石残留和导管相关感染", "泌尿系结石和前列腺增生患者"),
    ("妇产科", ["宫颈扩张球囊", "产后出血宫腔压迫球囊", "胎心监护贴片", "宫腔镜刨削器", "盆底康复训练仪"],
     "产后出血处理不及时和宫腔操作损伤", "孕产妇和妇科手术患者"),
    ("儿科", ["新生儿无创通气接口", "儿童静脉留置针固定装置", "新生儿经皮胆红素仪", "儿童雾化面罩", "婴儿输液泵"],
     "儿童专用器械缺乏、成人器械尺寸不合适", "新生儿和儿童住院患者"),
    ("麻醉科", ["可视喉镜", "神经阻滞超声引导针", "麻醉深度监测电极", "困难气道导管", "术后镇痛泵"],
     "困难气道插管失败和区域阻滞定位不准", "全麻和区域麻醉手术患者"),
    ("康复医学科", ["上肢康复机器人", "吞咽功能训练仪", "下肢外骨骼", "步态分析鞋垫", "经颅磁刺激线圈定位器"],
     "康复训练依赖治疗师、训练量不足", "脑卒中和脊髓损伤后康复患者"),
]
_QUALIFIERS = ["可回收", "一次性使用", "智能", "可视化", "微创", "一体化", "便携式", "可降解", "自适应", "低成本"]
_OUTCOMES = ["减少并发症", "缩短手术时间", "提高一次成功率", "降低医疗费用", "减轻护理负担", "实现早期发现"]
_PROVINCES = [("广东省", "广州市"), ("四川省", "成都市"), ("上海市", "上海市"), ("福建省", "福州市"),
              ("浙江省", "杭州市"), ("江苏省", "南京市"), ("湖北省", "武汉市"), ("北京市", "北京市"),
              ("山东省", "济南市"), ("陕西省", "西安市")]
_STAGES = ["idea", "design", "prototype", "animal", "clinical"]
_CLASSES = ["I", "II", "II", "III", "III"]
_MODES = ["transfer", "licensing", "codev", "funding"]
_DEFAULTS = {"device_class": "unknown", "stage": "idea", "ip_status": "none", "cooperation": [], "pathway_hopes": [],
             "attests_no_patient_data": False}


def _synthetic_clinicians(password: str, count: int = 10) -> list[User]:
    clinicians = []
    for n, (province, city) in enumerate(_PROVINCES[:count], start=1):
        theme = _THEMES[n % len(_THEMES)]
        user = create_user(email=f"clinician{n}@load.chunfeng.cn", name=f"测试医生{n:02d}", password=password,
                           role=Role.CLINICIAN, organization=f"{city}第{n}人民医院", province=province,
                           department=theme[0], status=AccountStatus.ACTIVE)
        clinicians.append(user)
    db.session.flush()
    return clinicians


def _synthetic_answers(rng: random.Random) -> dict:
    specialty, ideas, problem, population = rng.choice(_THEMES)
    idea, qualifier, outcome = rng.choice(ideas), rng.choice(_QUALIFIERS), rng.choice(_OUTCOMES)
    title = f"{qualifier}{idea}"
    return dict(
        title=title, specialty=specialty,
        public_summary=f"针对{problem}的问题，本项目提出一种{title}，面向{population}，目标是{outcome}。",
        need_problem=f"临床上{problem}，现有器械难以满足需要。", need_population=population,
        need_outcome=f"{outcome}，改善患者预后。",
        current_practice=f"目前多采用传统{idea}或人工操作，效果依赖医生经验。",
        solution=f"{title}：结构与工作原理见附件说明。", innovation_points=f"1. {qualifier}设计；2. 操作简便。",
        device_type=idea, device_class=rng.choice(_CLASSES), stage=rng.choice(_STAGES),
        cooperation=sorted(rng.sample(_MODES, rng.randint(1, 3)), key=_MODES.index),
        attests_no_patient_data=True,
    )


# One synthetic project in RELEASED_EVERY went through review and was released for matching (the pages companies
# browse then have rows at scale); the others wait for the formal check.
RELEASED_EVERY = 5
TO_MATCHING = (Event.SUBMIT, Event.PASS_FORMAL_CHECK, Event.START_REVIEW, Event.DECIDE_SELECTED,
               Event.RELEASE_FOR_MATCHING)


def bulk_projects(count: int, password: str, seed_value: int = 2026) -> int:
    """Insert `count` projects, each with version 1 and its status events, in a few bulk statements: submitted,
    or (one in RELEASED_EVERY) released for matching."""
    rng = random.Random(seed_value)  # nosec B311
    owners = _synthetic_clinicians(password)
    start = utcnow().replace(microsecond=0) - timedelta(days=120)
    done = 0
    for offset in range(0, count, 2000):
        batch = [(_synthetic_answers(rng), rng.choice(owners), start + timedelta(minutes=17 * (offset + i)))
                 for i in range(min(2000, count - offset))]
        _insert_batch(batch)
        done += len(batch)
    record("demo.bulk_projects", None, count=done)
    return done


def _path(released: bool) -> list[tuple[Status, Status, Event]]:
    """(from, to, event) along the project lifecycle's transitions: submitted, or on to matching."""
    steps, status = [], Status.DRAFT
    for event in TO_MATCHING if released else TO_MATCHING[:1]:
        reached = TRANSITIONS[(status, event)]
        steps.append((status, reached, event))
        status = reached
    return steps


def _insert_batch(batch: list[tuple[dict, User, object]]) -> None:
    now = utcnow()
    paths = {released: _path(released) for released in (False, True)}
    rows = []
    for position, (answers, owner, at) in enumerate(batch):
        released = position % RELEASED_EVERY == RELEASED_EVERY - 1
        rows.append(dict(answers, owner_id=owner.id, status=paths[released][-1][1], lock_version=2,
                         saved_sections=ALL_SECTIONS, submitted_at=at, created_at=at, updated_at=at,
                         published_at=min(at + timedelta(days=30), now) if released else None))
    ids = db.session.scalars(insert(Project).returning(Project.id, sort_by_parameter_order=True), rows).all()
    versions, events = [], []
    for project_id, row, (answers, owner, at) in zip(ids, rows, batch, strict=True):
        content = {
            "schema": services.VERSION_SCHEMA, "project_id": project_id, "version": 1,
            "submitted_at": at.isoformat() + "Z",
            "submitter": {"id": owner.id, "name": owner.name, "organization": owner.org_name},
            "fields": {name: answers.get(name, _DEFAULTS.get(name, "")) for name in VERSION_FIELDS},
            "attachments": [],
        }
        versions.append(dict(project_id=project_id, number=1, content=content, created_at=at, created_by_id=owner.id,
                             sha256=hashlib.sha256(services.canonical_json(content)).hexdigest(), base_lock_version=1))
        for step, (before, after, event) in enumerate(paths[row["status"] == Status.MATCHING]):
            events.append(dict(project_id=project_id, from_status=before.value, to_status=after.value,
                               event=event.value, note="", actor_id=owner.id if step == 0 else None,
                               at=min(at + timedelta(days=6 * step), now)))
    db.session.execute(insert(ProjectVersion), versions)
    db.session.execute(insert(StatusEvent), events)
