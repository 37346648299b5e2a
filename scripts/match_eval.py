#!/usr/bin/env python3
"""Evaluate the matcher: rank companies for clinician-style queries and report top-1, top-5 and MRR.

    python scripts/match_eval.py --candidates data/match-candidates.tsv --queries data/match-queries-dev.tsv
    python scripts/match_eval.py --candidates a.tsv --candidates b.tsv --queries q.tsv --distractors 3000 -v

Candidates TSV: header with company, product, description (extra columns ignored); the rows of one company
are concatenated into one profile. Queries TSV: header with query, expected_company. ``--distractors N``
adds N synthetic device-company profiles (see ``synth_profiles``) to test ranking among look-alikes.
The last line printed is always ``top1=0.xxx top5=0.xxx mrr=0.xxx n=N``.

The synthetic generators here are also used by scripts/bench_match.py.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "platform"))

import numpy as np  # noqa: E402

from chunfeng.textengine.embedding import Embedder, default_embedder  # noqa: E402
from chunfeng.textengine.index import Doc, EngineConfig, MatchIndex, OrgMatch  # noqa: E402

PRODUCT_LINE = "产品线"

# ---------------------------------------------------------------------------------------------------------
# Synthetic device vocabulary per specialty: space-separated diseases, products, design/technology phrases
# and benefit phrases. General device vocabulary; the distinguishing features of the evaluation companies'
# products were left out on purpose, so that distractors sound alike without describing the same device.


def _words(text: str) -> list[str]:
    return text.split()


SPECIALTIES: dict[str, tuple[str, str, str, str]] = {
    "心血管": (
        (
            "冠心病 冠状动脉狭窄 慢性完全闭塞病变 下肢动脉硬化闭塞症 股腘动脉病变 "
            "急性心肌梗死 支架内再狭窄 钙化病变 主动脉夹层 腹主动脉瘤 深静脉血栓 肺栓塞"
        ),
        (
            "药物洗脱支架 药物涂层球囊 冠脉切割球囊 血管内冲击波导管 外周覆膜支架 "
            "静脉取栓导管 主动脉覆膜支架系统 微导管 导引导丝 血管内超声导管 可降解冠脉支架 "
            "下腔静脉滤器"
        ),
        (
            "采用钴铬合金薄壁支架平台 雷帕霉素涂层抑制内膜增生 紫杉醇涂层球囊 "
            "镍钛合金自膨胀设计 聚乳酸可降解材料 亲水涂层提高通过性 体外可调节弯曲角度 "
            "全程显影标记 分支开窗设计 预装式输送系统 多层编织结构 低剖面输送鞘"
        ),
        ("降低再狭窄率 减少血管并发症 缩短手术时间 提高血管再通率 减少对比剂用量 减少内漏 避免长期双抗 提高输送通过性"),
    ),
    "结构性心脏病": (
        (
            "主动脉瓣狭窄 二尖瓣反流 三尖瓣反流 房间隔缺损 室间隔缺损 动脉导管未闭 卵圆孔未闭 "
            "非瓣膜性房颤卒中预防 心力衰竭 肥厚型心肌病"
        ),
        (
            "经导管主动脉瓣膜系统 经导管二尖瓣夹 三尖瓣修复系统 左心耳封堵器 房间隔封堵器 "
            "可降解封堵器 经导管瓣中瓣系统 心室辅助装置 人工心脏血泵 瓣膜输送系统"
        ),
        (
            "牛心包瓣叶 猪心包干瓣技术 镍钛合金自膨胀支架 瓣叶抗钙化处理 经股动脉途径 "
            "经股静脉途径 离心式血泵 可降解高分子材料 短鞘管输送 三维超声引导 "
            "裙边防瓣周漏设计"
        ),
        (
            "减少瓣周漏 降低起搏器植入率 避免开胸手术 缩短住院时间 降低卒中风险 "
            "避免金属长期留存 减少术中准备时间 改善心功能"
        ),
    ),
    "电生理": (
        "阵发性房颤 持续性房颤 室性心动过速 房扑 难治性高血压 肺动脉高压 心动过缓 病态窦房结综合征",
        (
            "脉冲电场消融导管 冷冻消融球囊 射频消融导管 三维电生理标测系统 压力感知消融导管 "
            "无导线起搏器 植入式心律转复除颤器 肾动脉去神经导管 心腔内超声导管 体表心电贴"
        ),
        "电磁定位 压力感知 冷盐水灌注 双极放电 液氮制冷 高密度标测电极 单次放电隔离肺静脉 可弯导管",
        "缩短消融时间 降低食管损伤 减少X线曝光 提高隔离成功率 降低复发率 减少周围组织损伤 长期监测心律",
    ),
    "神经介入": (
        (
            "急性缺血性卒中 大血管闭塞 颅内动脉瘤 宽颈动脉瘤 颈动脉狭窄 颅内动脉狭窄 "
            "脑动静脉畸形 硬脑膜动静脉瘘 蛛网膜下腔出血"
        ),
        (
            "取栓支架 抽吸导管 血流导向装置 密网支架 弹簧圈 颅内球囊 颈动脉支架 "
            "远端栓塞保护装置 颅内支架 中间导管 液体栓塞剂"
        ),
        (
            "镍钛合金激光切割 开环设计 显影标记 大腔径 铂钨丝显影 封闭网孔结构 "
            "球囊导引导管近端阻断 超柔软远端 电解脱设计 亲水涂层"
        ),
        "提高首次再通率 减少远端栓塞 降低复发率 减少穿支闭塞 缩短取栓时间 减少围术期卒中 提高瘤腔闭塞率",
    ),
    "神经调控": (
        ("帕金森病 特发性震颤 难治性癫痫 肌张力障碍 慢性疼痛 抑郁症 重度耳聋 脊髓损伤 膀胱过度活动症 脑卒中后偏瘫"),
        (
            "脑深部电刺激系统 迷走神经刺激器 脊髓电刺激系统 骶神经刺激器 人工耳蜗 "
            "经颅磁刺激仪 脑机接口系统 神经外科手术导航定位系统 立体定向手术机器人 "
            "植入式脑电采集装置"
        ),
        ("可充电脉冲发生器 闭环自适应刺激 远程程控 兼容核磁扫描 骨标记点配准 无框架立体定向 高通道柔性电极 定向电极"),
        "改善震颤和僵直 减少癫痫发作 减少药物用量 恢复听觉 提高定位精度 缩短手术时间 改善运动功能",
    ),
    "骨科": (
        (
            "腰椎间盘突出 脊柱侧弯 骨质疏松性椎体压缩骨折 股骨颈骨折 膝骨关节炎 "
            "髋关节发育不良 骨肿瘤 骨缺损 前交叉韧带损伤 肩袖撕裂"
        ),
        (
            "人工膝关节 人工髋关节假体 椎弓根螺钉系统 椎间融合器 3D打印钛合金植入物 "
            "可吸收骨钉 骨科手术机器人 椎体成形球囊 人工椎体 关节镜刨削器 骨水泥"
        ),
        (
            "多孔钽金属结构 激光选区熔化 模块化设计 羟基磷灰石涂层 可降解镁合金 "
            "机械臂辅助置钉 术中三维影像导航 高交联聚乙烯衬垫"
        ),
        "促进骨长入 降低翻修率 提高置钉精度 减少辐射暴露 缩短康复时间 减少神经损伤 避免二次取出手术",
    ),
    "眼科": (
        (
            "白内障 高度近视 青光眼 糖尿病视网膜病变 年龄相关性黄斑变性 角膜盲 角膜溃疡 "
            "干眼症 圆锥角膜 视网膜脱离 早产儿视网膜病变"
        ),
        (
            "人工晶状体 有晶体眼后房屈光晶体 眼科飞秒激光 青光眼引流装置 生物工程角膜 "
            "生物羊膜 角膜交联仪 眼底照相机 光学相干断层扫描仪 眼内填充物"
        ),
        "景深延长设计 非球面光学面 疏水性丙烯酸材料 胶原交联 预装式推注器 准分子激光 微创引流 广角成像",
        "改善夜间视力 减少眩光 降低眼压 缓解角膜供体短缺 促进上皮愈合 矫正超高度近视 减少手术并发症",
    ),
    "影像AI": (
        ("肺结节 糖尿病视网膜病变 青光眼 乳腺癌 结直肠息肉 脑出血 骨折 冠状动脉狭窄 胃早癌 甲状腺结节 宫颈癌"),
        (
            "眼底图像辅助诊断软件 肺结节CT辅助检测软件 冠脉血流储备分数计算软件 "
            "结肠镜息肉辅助检测软件 乳腺X线辅助诊断软件 骨折X线辅助检测软件 "
            "病理切片辅助诊断软件 超声甲状腺结节辅助诊断软件 头颅CT出血辅助分诊软件 "
            "胃镜早癌辅助诊断软件"
        ),
        "基于深度学习 迁移学习 病灶热力图 结构化报告 三维重建 多中心训练数据 卷积神经网络分割 云端部署",
        "减少漏诊 提高筛查效率 辅助基层医生 缩短阅片时间 提高诊断一致性 优化工作流程 提示转诊建议",
    ),
    "手术机器人": (
        "前列腺癌 肾癌 结直肠癌 妇科肿瘤 肺癌 冠心病 脊柱退变 膝关节炎 脑出血 结构性心脏病",
        (
            "腔镜手术机器人 单孔手术机器人 血管介入手术机器人 骨科手术机器人 "
            "经自然腔道手术机器人 支气管镜机器人 穿刺手术机器人 神经外科手术机器人 "
            "结构性心脏病介入机器人"
        ),
        "主从控制 四臂构型 腕式器械 力反馈 三维高清内窥镜 导管自动推进 光学导航定位 5G远程手术",
        "降低术者辐射 提高操作稳定性 创伤更小 降低采购成本 缩短学习曲线 提高缝合精度",
    ),
    "体外诊断": (
        ("结直肠癌 膀胱癌 宫颈癌 肝癌 肺癌 重症联合免疫缺陷 脓毒症 结核病 新生儿遗传代谢病 心肌梗死 耐药菌感染"),
        (
            "基因甲基化检测试剂盒 荧光定量PCR检测试剂盒 染色体异常检测试剂盒 "
            "化学发光免疫分析仪 POCT快速检测卡 循环肿瘤DNA检测试剂盒 新生儿筛查试剂盒 "
            "数字PCR系统 微流控芯片 高通量测序仪"
        ),
        "荧光原位杂交 磁微粒化学发光 胶体金 血浆游离DNA 宫颈脱落细胞 唾液样本 多重PCR 单分子测序",
        "早期筛查 无创取样 辅助诊断 复发监测 快速出结果 提高检出率 替代有创检查",
    ),
    "康复": (
        "脑卒中后偏瘫 脊髓损伤 膝关节术后 帕金森病步态障碍 脑瘫 老年跌倒 肩周炎 慢性腰痛",
        (
            "下肢外骨骼机器人 上肢康复机器人 功能性电刺激仪 智能康复手套 平衡训练系统 "
            "可穿戴步态监测设备 智能假肢 经皮神经电刺激仪"
        ),
        "肌电信号控制 虚拟现实训练 惯性传感器 柔性驱动 远程康复指导 脑电意图识别",
        "加快功能恢复 居家康复 减少陪护负担 提高训练依从性 量化评估康复效果",
    ),
    "呼吸麻醉": (
        ("慢性阻塞性肺疾病 急性呼吸窘迫综合征 阻塞性睡眠呼吸暂停 哮喘 肺癌 困难气道 术后肺部并发症 新生儿呼吸窘迫"),
        (
            "有创呼吸机 高流量呼吸湿化治疗仪 家用无创呼吸机 可视喉镜 麻醉深度监测仪 "
            "体外膜肺氧合系统 支气管内活瓣 电磁导航支气管镜 雾化吸入装置 双腔气管插管"
        ),
        "自适应压力调节 肺复张通气 脑电双频指数 磁悬浮离心泵 一次性可视镜片 电磁导航定位 低阻力呼气阀",
        "降低插管失败率 缩短机械通气时间 便携家用 减少呼吸机相关肺炎 精准麻醉",
    ),
    "消化内镜": (
        "胃癌 早期食管癌 结直肠息肉 胆管结石 消化道出血 胃食管反流病 胰腺囊肿 小肠出血",
        ("磁控胶囊胃镜 电子结肠镜 一次性十二指肠镜 内镜止血夹 内镜黏膜下剥离刀 超声内镜穿刺针 胆道镜 内镜吻合夹"),
        "放大内镜 无线传输图像 窄带成像 一次性使用避免交叉感染 高频电切 可旋转重复开闭",
        "无痛无麻醉检查 提高早癌检出率 减少穿孔 缩短检查时间 避免外科手术",
    ),
    "肿瘤治疗": (
        "子宫肌瘤 肝癌 胰腺癌 前列腺癌 乳腺癌 骨转移 肺癌 头颈部肿瘤 肾肿瘤 甲状腺结节",
        (
            "高强度聚焦超声治疗系统 质子治疗系统 碳离子治疗系统 微波消融针 冷冻消融系统 "
            "放射性粒子植入系统 直线加速器 纳米刀不可逆电穿孔系统 射频消融电极"
        ),
        "超声引导 多叶光栅 调强放疗 磁共振温度监测 水冷循环针杆 CT引导",
        "无创消融 保护周围正常组织 保留器官 缩短疗程 减少复发 无需开刀",
    ),
    "影像设备": (
        "心肌缺血 骨转移 脑卒中 乳腺癌 冠心病 肺结节 阿尔茨海默病",
        (
            "单光子发射计算机断层成像系统 正电子发射断层成像系统 磁共振成像系统 多排螺旋CT "
            "移动式数字X射线摄影系统 光子计数CT 便携超声诊断仪 乳腺断层合成系统"
        ),
        "宽体探测器 能谱成像 低剂量迭代重建 超导磁体 数字化光导 人工智能重建",
        "降低辐射剂量 提高诊断准确率 缩短扫描时间 床旁检查 早期发现病变",
    ),
}
CITIES = _words("北京 上海 深圳 苏州 杭州 广州 南京 武汉 成都 天津 重庆 西安 无锡 常州 珠海 厦门 长沙 郑州")
BRAND_CHARS = "康泰瑞华德盛安博迈创微心脉恒信誉健宁维远锐科诺思源领普惠明辰鑫浩宇睿立精准融达新启"
SUFFIXES = _words(
    "医疗科技有限公司 医疗器械有限公司 生物科技有限公司 医学科技股份有限公司 生命科学有限公司 "
    "医疗技术有限公司 智能科技有限公司 医疗设备有限公司"
)
LAY_PROBLEMS = _words(
    "现有产品效果不理想 进口产品太贵基层用不起 手术风险高很多病人不能耐受 操作复杂学习曲线长 "
    "术后并发症多 早期很难发现 复发率高 病人很痛苦 医生辐射暴露多 检查需要麻醉"
)


@dataclass(frozen=True)
class SynthRow:
    company: str
    product: str
    description: str


def _company_name(rng: random.Random) -> str:
    brand = "".join(rng.sample(BRAND_CHARS, 2))
    return f"{rng.choice(CITIES)}{brand}{rng.choice(SUFFIXES)}"


def _vocab(rng: random.Random, specialty: str | None) -> list[list[str]]:
    return [_words(part) for part in SPECIALTIES[specialty or rng.choice(list(SPECIALTIES))]]


def synth_description(rng: random.Random, specialty: str | None = None) -> tuple[str, str]:
    """(product, description) of a plausible device of one specialty (random if None)."""
    diseases, products, designs, benefits = _vocab(rng, specialty)
    product = rng.choice(products)
    d1, d2 = rng.sample(designs, 2)
    b1, b2 = rng.sample(benefits, 2)
    disease, other = rng.sample(diseases, 2)
    text = rng.choice(
        [
            f"用于{disease}患者的{product};{d1},{d2},{b1},{b2}。适用于{other}等。",
            f"{d1}的{product},{d2};适用于{disease}和{other},可{b1}并{b2}。",
            f"国产{product},{d1}、{d2},用于{disease}的诊疗,{b1},{b2}。",
            f"针对{disease}的{product}:{d1};{d2};临床上可{b1}、{b2},也可用于{other}。",
        ]
    )
    return product, text


def synth_profiles(n: int, seed: int = 0) -> list[SynthRow]:
    """n distractor device makers (one to three products each, mostly of one specialty)."""
    rng = random.Random(seed)
    rows: list[SynthRow] = []
    for i in range(n):
        company = f"{_company_name(rng)}#{i}"  # suffix keeps names unique and never equal to a real one
        specialty = rng.choice(list(SPECIALTIES))
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            product, description = synth_description(rng, specialty if rng.random() < 0.8 else None)
            rows.append(SynthRow(company, product, description))
    return rows


def synth_idea(rng: random.Random, specialty: str | None = None) -> str:
    """A clinician's idea in lay language, ~60-150 characters."""
    diseases, products, designs, benefits = _vocab(rng, specialty)
    disease = rng.choice(diseases)
    return rng.choice(
        [
            f"{disease}的病人{rng.choice(LAY_PROBLEMS)},想设计一种{rng.choice(designs)}的"
            f"{rng.choice(products)},能够{rng.choice(benefits)},最好还能{rng.choice(benefits)}",
            f"临床上{disease}{rng.choice(LAY_PROBLEMS)},{rng.choice(LAY_PROBLEMS)},希望开发国产"
            f"{rng.choice(products)},{rng.choice(designs)},{rng.choice(benefits)}",
            f"我们科室每年收治很多{disease}患者,现有的{rng.choice(products)}{rng.choice(LAY_PROBLEMS)},"
            f"想用{rng.choice(designs)}的方法改进,目标是{rng.choice(benefits)}和{rng.choice(benefits)}",
        ]
    )


def synth_texts(n: int, seed: int, kind: str = "profile", min_len: int = 80, max_len: int = 200) -> list[str]:
    """n texts of min_len..max_len characters, each about one specialty: company profiles or ideas."""
    rng = random.Random(seed)
    out: list[str] = []
    for _ in range(n):
        target = rng.randint(min_len, max_len)
        specialty = rng.choice(list(SPECIALTIES))
        parts: list[str] = []
        size = 0
        while size < target:
            part = "。".join(synth_description(rng, specialty)) if kind == "profile" else synth_idea(rng, specialty)
            parts.append(part)
            size += len(part) + 1
        out.append("。".join(parts)[:max_len])
    return out


# ---------------------------------------------------------------------------------------------------------
# Evaluation


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def profiles_from_rows(rows: Sequence[dict[str, str]] | Sequence[SynthRow]) -> dict[str, str]:
    """One profile per company: its products and descriptions concatenated, in file order."""
    return {company: "\n".join(doc.text for doc in docs) for company, docs in _group(docs_from_rows(rows)).items()}


def docs_from_rows(rows: Sequence[dict[str, str]] | Sequence[SynthRow]) -> list[Doc]:
    """One document per product row (name and description), labelled as a product line of its company."""
    docs: list[Doc] = []
    for row in rows:
        company, product, description = (
            (row.company, row.product, row.description)
            if isinstance(row, SynthRow)
            else (row["company"].strip(), row.get("product") or "", row.get("description") or "")
        )
        if company:
            docs.append(Doc(company, PRODUCT_LINE, f"{product}。{description}"))
    return docs


def _group(docs: Sequence[Doc]) -> dict[str, list[Doc]]:
    out: dict[str, list[Doc]] = {}
    for doc in docs:
        out.setdefault(str(doc.owner), []).append(doc)
    return out


class CachedEmbedder:
    """The engine's model with an on-disk cache of passage vectors, so that repeated evaluations of the same
    candidates skip the 40 s of embedding (queries are always embedded anew)."""

    def __init__(self, inner: Embedder, path: Path | None) -> None:
        self.inner, self.name, self.dim, self.path = inner, inner.name, inner.dim, path
        self.cache: dict[str, np.ndarray] = {}
        if path and path.exists():
            with np.load(path) as z:
                self.cache = dict(zip(z["keys"].tolist(), z["vectors"], strict=True))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        keys = [hashlib.sha256(f"{self.name}|{t}".encode()).hexdigest() for t in texts]
        missing = sorted({(k, t) for k, t in zip(keys, texts, strict=True) if k not in self.cache})
        if missing:
            vectors = self.inner.embed_passages([t for _, t in missing])
            self.cache.update({k: v for (k, _), v in zip(missing, vectors, strict=True)})
            if self.path:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                np.savez(self.path, keys=np.array(list(self.cache)), vectors=np.stack(list(self.cache.values())))
        return np.stack([self.cache[k] for k in keys]) if keys else np.zeros((0, self.dim), np.float32)


@dataclass(frozen=True)
class EvalResult:
    top1: float
    top5: float
    mrr: float
    n: int
    ranks: tuple[int | None, ...]  # 1-based rank of the expected company per query (None = not found)

    def line(self) -> str:
        return f"top1={self.top1:.3f} top5={self.top5:.3f} mrr={self.mrr:.3f} n={self.n}"


def evaluate(
    docs: Sequence[Doc],
    queries: Sequence[tuple[str, str]],
    config: EngineConfig = EngineConfig(),
    embedder: Embedder | None = None,
    n_reasons: int = 0,
) -> tuple[EvalResult, list[list[OrgMatch]], float]:
    """Rank all companies for each (query, expected_company): metrics, the ranked matches and the median
    milliseconds of embedding one query (0 without a model).

    A company that shares no term with the query has no rank (a miss, adding 0 to the MRR).
    """
    index = MatchIndex.build(docs, config=config, embedder=embedder)
    n_owners = len({d.owner for d in docs})
    results, embed_ms = [], []
    for query, _ in queries:
        emb = None
        if embedder is not None:
            t0 = time.perf_counter()
            emb = embedder.embed_queries([query])[0]
            embed_ms.append((time.perf_counter() - t0) * 1000)
        results.append(index.match(query, k=n_owners, n_reasons=n_reasons, query_embedding=emb))
    ranks: list[int | None] = []
    for (_, expected), matches in zip(queries, results, strict=True):
        ids = [m.target_id for m in matches]
        ranks.append(ids.index(expected) + 1 if expected in ids else None)
    n = len(queries)
    top1 = sum(r == 1 for r in ranks) / n if n else 0.0
    top5 = sum(r is not None and r <= 5 for r in ranks) / n if n else 0.0
    mrr = sum(1.0 / r for r in ranks if r is not None) / n if n else 0.0
    med = statistics.median(embed_ms) if embed_ms else 0.0
    return EvalResult(top1, top5, mrr, n, tuple(ranks)), results, med


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=Path, action="append", required=True)
    parser.add_argument("--queries", type=Path, action="append", required=True)
    parser.add_argument("--distractors", type=int, default=0, help="add N synthetic company profiles")
    parser.add_argument("--seed", type=int, default=0)
    defaults = EngineConfig()
    for name in (
        "ngram_max",
        "prune_char_df",
        "bm25_k1",
        "bm25_b",
        "expansion_weight",
        "second_weight",
        "n_candidates",
        "semantic_weight",
    ):
        kind = type(getattr(defaults, name))
        parser.add_argument("--" + name.replace("_", "-"), type=kind, default=getattr(defaults, name))
    parser.add_argument("--lexical", action="store_true", help="first stage only (as without the model)")
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path.home() / ".cache" / "chunfeng" / "match_eval.npz",
        help="passage embedding cache ('' to disable)",
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)

    rows: list = [row for path in args.candidates for row in read_tsv(path)]
    rows += synth_profiles(args.distractors, args.seed)
    docs = docs_from_rows(rows)
    queries = [(r["query"], r["expected_company"].strip()) for path in args.queries for r in read_tsv(path)]
    owners = {str(d.owner) for d in docs}
    missing = {expected for _, expected in queries} - owners
    if missing:
        print(f"warning: expected companies not among candidates: {sorted(missing)}", file=sys.stderr)
    config = EngineConfig(**{k: getattr(args, k) for k in asdict(EngineConfig()) if hasattr(args, k)})
    embedder = None if args.lexical else default_embedder()
    if embedder is not None:
        embedder = CachedEmbedder(embedder, args.cache if str(args.cache) else None)
    result, matches, embed_ms = evaluate(docs, queries, config, embedder, n_reasons=3 if args.verbose else 0)
    if args.verbose:
        mode = f"semantic={embedder.name}" if embedder else "semantic=off"
        print(f"profiles={len(owners)} documents={len(docs)} queries={len(queries)} {mode}")
        for (query, expected), rank, found in zip(queries, result.ranks, matches, strict=True):
            top = found[0] if found else None
            fields = "|".join(r.field for r in top.reasons) if top else ""
            reasons = "|".join(r.term for r in top.reasons) if top else ""
            print(
                f"[{rank or '-'}] {query[:30]}... expected={expected} top1={top.target_id if top else '-'} "
                f"fields={fields} reasons={reasons}"
            )
        if embedder:
            print(f"query_embed_ms={embed_ms:.1f} (median, one idea)")
    print(result.line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
