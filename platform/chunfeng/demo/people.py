"""A realistic Chinese demo: hospitals, clinicians, experts, enterprises, investors and staff.

Passwords are generated
on the first run and written to instance/demo-logins.txt (readable by the owner only), never hard-coded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from ..accounts.models import Role, User
from ..extensions import db

SERVICE_STATION = "广东省药品监督管理局医疗器械创新服务站"
DEMO_PEOPLE = [
    # role, e-mail, name, organisation, province, department, title
    (Role.ADMIN, "admin@demo.chunfeng.cn", "平台管理员", SERVICE_STATION, "广东省", "", "管理员"),
    (Role.OFFICER, "officer@demo.chunfeng.cn", "陈专员", SERVICE_STATION, "广东省", "", "项目专员"),
    (Role.CLINICIAN, "doctor@demo.chunfeng.cn", "李明医生", "中山大学附属第一医院", "广东省", "神经介入科",
     "主任医师"),
    (Role.CLINICIAN, "doctor2@demo.chunfeng.cn", "王芳医生", "四川大学华西医院", "四川省", "眼科", "副主任医师"),
    (Role.CLINICIAN, "doctor3@demo.chunfeng.cn", "张伟医生", "复旦大学附属中山医院", "上海市", "心脏外科",
     "主治医师"),
    (Role.CLINICIAN, "doctor4@demo.chunfeng.cn", "林晓燕医生", "福建医科大学附属协和医院", "福建省",
     "呼吸与危重症医学科", "主任医师"),
    (Role.EXPERT, "expert@demo.chunfeng.cn", "赵建国教授", "广东省人民医院", "广东省", "心血管内科",
     "主任医师"),
    (Role.EXPERT, "expert2@demo.chunfeng.cn", "孙丽华教授", "北京协和医院", "北京市", "神经内科", "主任医师"),
    (Role.EXPERT, "expert3@demo.chunfeng.cn", "周海涛研究员", "华南理工大学生物医学工程学院", "广东省", "生物医学工程",
     "研究员"),
    (Role.EXPERT, "expert4@demo.chunfeng.cn", "吴敏教授", "四川大学华西医院", "四川省", "眼科", "主任医师"),
    (Role.ENTERPRISE, "company@demo.chunfeng.cn", "刘经理", "深圳迈瑞康医疗器械有限公司", "广东省", "研发部",
     "研发总监"),
    (Role.ENTERPRISE, "company2@demo.chunfeng.cn", "黄经理", "上海微创介入医疗科技有限公司", "上海市", "业务发展部",
     "总监"),
    (Role.ENTERPRISE, "company3@demo.chunfeng.cn", "郑经理", "成都视康医学影像科技有限公司", "四川省", "产品部",
     "产品经理"),
    (Role.INVESTOR, "investor@demo.chunfeng.cn", "何投资经理", "粤港澳大湾区医疗健康产业基金", "广东省", "投资部",
     "投资总监"),
]


@dataclass
class DemoPeople:
    password: str
    by_email: dict[str, User] = field(default_factory=dict)

    def first(self, role: Role) -> User:
        return next(u for u in self.by_email.values() if u.role == role)

    def all(self, role: Role) -> list[User]:
        return [u for u in self.by_email.values() if u.role == role]


def already_seeded() -> bool:
    return db.session.scalar(select(User.id).where(User.email == DEMO_PEOPLE[0][1])) is not None


def logins_file() -> Path:
    return Path(current_app.instance_path) / "demo-logins.txt"


def write_logins(people: DemoPeople) -> None:
    path = logins_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"Demo password for every account below: {people.password}"]
    lines += [f"  {user.role.value:<11} {user.email:<28} {user.name}" for user in people.by_email.values()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
