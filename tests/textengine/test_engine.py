"""The matching engine on small known corpora: ranking, explanations, re-ranking and the top-k kernels."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from chunfeng.textengine.engine import (
    Match,
    RerankWeights,
    TextIndex,
    VectorizerConfig,
    dense_chunked_top_k,
    explain,
    pair_bonus,
    rerank,
    rerank_projects,
    sparse_top_k,
)
from chunfeng.textengine.text import GENERIC_TERMS, normalize, shared_segments, terms

PROFILES = [
    (
        "neuro",
        "可调节颅内取栓支架。用于急性缺血性卒中的机械取栓;支架圆丝编织,体外手动调节直径,植入全程显影。",
    ),
    ("valve", "经导管主动脉瓣膜系统。牛心包瓣叶自膨胀瓣膜,治疗主动脉瓣狭窄,输送系统可回收、重新定位。"),
    ("eye", "三焦点人工晶状体。白内障摘除后植入,同时提供远、中、近视力,减少术后对眼镜的依赖。"),
    ("ortho", "骨科手术机器人。机械臂辅助精准定位,用于脊柱椎弓根螺钉置入,减少透视辐射。"),
    ("ivd", "尿路上皮癌染色体异常检测试剂盒。检测尿液脱落细胞中的染色体异常,辅助膀胱癌诊断和复发监测。"),
    ("carotid", "颈动脉双层密网支架。双层密网结构覆盖颈动脉斑块,治疗颈动脉狭窄并减少围术期栓塞。"),
]
THROMBECTOMY_IDEA = (
    "急性脑梗大血管堵塞的病人做取栓时,现有取栓支架尺寸固定,想设计一种术中能调节直径、X线下全程显影的取栓器械"
)


@pytest.fixture(scope="module")
def index() -> TextIndex:
    return TextIndex(PROFILES)


def test_thrombectomy_idea_ranks_the_thrombectomy_stent_maker_first(index: TextIndex) -> None:
    [matches] = index.query([THROMBECTOMY_IDEA], k=3)
    assert [m.target_id for m in matches][0] == "neuro"
    assert matches[0].score > 1.5 * matches[1].score
    assert all(isinstance(m, Match) and 0 < m.score <= 1 for m in matches)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


@pytest.mark.parametrize(
    ("idea", "expected"),
    [
        ("老年人主动脉瓣重度狭窄不能开胸,想经导管植入可以回收重新定位的人工瓣膜", "valve"),
        ("白内障手术后希望远中近都看得清,不再依赖眼镜的人工晶状体", "eye"),
        ("膀胱癌术后复查很痛苦,想用尿液里脱落细胞的染色体异常做检测", "ivd"),
        ("颈动脉狭窄放支架后斑块掉下来栓塞,想要网孔更密的双层支架", "carotid"),
    ],
)
def test_lay_ideas_find_their_device(index: TextIndex, idea: str, expected: str) -> None:
    assert index.query([idea], k=1)[0][0].target_id == expected


def test_english_text_is_matched_on_words() -> None:
    docs = [
        (
            "stent",
            "Adjustable intracranial thrombectomy stent retriever, fully radiopaque, for ischemic stroke.",
        ),
        (
            "lens",
            "Trifocal intraocular lens implanted after cataract surgery for near and far vision.",
        ),
        ("robot", "Orthopaedic surgical robot arm guiding pedicle screw placement in spine surgery."),
    ]
    index = TextIndex(docs)
    [matches] = index.query(
        ["A stroke thrombectomy device: retriever stents visible under X-ray"], k=3, n_reasons=5
    )
    assert [m.target_id for m in matches] == ["stent"]
    assert set(matches[0].reasons) == {"retriever", "stent", "stroke", "thrombectomy"}  # 'stents' folded


def test_mixed_text_keeps_latin_codes_as_words() -> None:
    assert terms(normalize("QFR测量"), 2, frozenset()) == ["qfr", "测", "量", "测量"]
    assert "q" not in terms(normalize("QFR"), 2, frozenset())


def test_normalize_folds_width_case_and_punctuation() -> None:
    assert normalize("ＡＩ辅助（Ⅲ类）,  眼底。") == "ai辅助 iii类 眼底"


def test_generic_words_leave_no_characters_behind() -> None:
    out = terms(normalize("提高血管再通率的系统"), 2, GENERIC_TERMS)
    assert "提" not in out and "高" not in out and "系" not in out and "的" not in out
    assert "血管" in out and "再通" in out


def test_explanation_merges_ngrams_into_the_shared_word(index: TextIndex) -> None:
    reasons = index.explain(THROMBECTOMY_IDEA, "neuro", n=5)
    assert reasons[0] in {"取栓支架", "全程显影"}
    assert "取栓支架" in reasons
    assert not {"栓支", "取栓"} & set(reasons)  # parts of a longer shared word are not repeated
    assert all(len(r) > 1 for r in reasons) and not set(reasons) & GENERIC_TERMS


def test_explain_only_uses_substrings_both_texts_contain() -> None:
    # '取栓' and '支架' are shared, but '取栓支架' is not in the target: no invented merge
    assert set(shared_segments("取栓支架", "机械取栓 颈动脉支架")) == {"取栓", "支架"}
    reasons = explain("取栓支架的设计", "机械取栓用的颈动脉支架")
    assert set(reasons) == {"取栓", "支架"}


def test_explain_falls_back_to_single_characters_only_when_nothing_longer_is_shared() -> None:
    assert set(explain("心脏", "脏器和心肌")) == {"心", "脏"}
    assert set(explain("心脏瓣膜的", "心脏和瓣膜的")) == {
        "心脏",
        "瓣膜",
    }  # no '心', '的' once words are shared
    assert explain("完全不同", "另外一句") == ()


def test_query_reasons_are_the_index_explanations(index: TextIndex) -> None:
    [matches] = index.query([THROMBECTOMY_IDEA], k=2, n_reasons=2)
    assert matches[0].reasons == index.explain(THROMBECTOMY_IDEA, "neuro", n=2)
    assert index.query([THROMBECTOMY_IDEA], k=1, n_reasons=0)[0][0].reasons == ()


def test_query_excludes_ids_and_honours_k_and_min_score(index: TextIndex) -> None:
    [matches] = index.query([THROMBECTOMY_IDEA], k=10, exclude_ids={"neuro", "unknown-id"})
    ids = [m.target_id for m in matches]
    assert "neuro" not in ids and len(ids) == len(set(ids)) <= len(PROFILES) - 1
    [high] = index.query([THROMBECTOMY_IDEA], k=10, min_score=0.2)
    assert [m.target_id for m in high] == ["neuro"]
    assert index.query([THROMBECTOMY_IDEA], k=0) == [[]]
    assert index.query(["ZZZ", "量子计算"], k=3) == [[], []]  # nothing shared: no zero-score padding


def test_top_k_all_pairs_agrees_with_query(index: TextIndex) -> None:
    ideas = [("a", THROMBECTOMY_IDEA), ("b", "白内障术后的人工晶状体"), ("c", "脊柱手术机器人置钉")]
    projects = TextIndex(ideas, vectorizer=index.vectorizer)
    batch = index.top_k(projects, k=3)
    single = index.query([text for _, text in ideas], k=3, n_reasons=0)
    assert [[m.target_id for m in row] for row in batch] == [[m.target_id for m in row] for row in single]
    assert np.allclose(
        [m.score for row in batch for m in row], [m.score for row in single for m in row], atol=1e-5
    )
    assert [row[0].target_id for row in batch] == ["neuro", "eye", "ortho"]
    explained = index.top_k(projects, k=1, n_reasons=2)[0][0]
    assert explained.reasons == index.explain(THROMBECTOMY_IDEA, "neuro", n=2) != ()


def test_pair_fits_one_vocabulary_for_both_directions() -> None:
    profiles, projects = TextIndex.pair(
        PROFILES, [("p1", THROMBECTOMY_IDEA), ("p2", "可回收的经导管主动脉瓣膜")]
    )
    assert profiles.vectorizer is projects.vectorizer
    assert [row[0].target_id for row in profiles.top_k(projects, k=1)] == ["neuro", "valve"]
    back = projects.top_k(profiles, k=1)  # each profile's best project
    assert back[0][0].target_id == "p1" and back[1][0].target_id == "p2"
    with pytest.raises(ValueError, match="vectoriser|vectorizer"):
        TextIndex(PROFILES).top_k(TextIndex([("x", "另一个词表的文字")]), k=1)


def test_near_duplicates_and_self_exclusion() -> None:
    docs = [*PROFILES, ("neuro-copy", PROFILES[0][1].replace("用于", "适用于"))]
    index = TextIndex(docs)
    assert index.near_duplicates(threshold=0.9) == [("neuro", "neuro-copy", pytest.approx(1.0, abs=0.05))]
    rows = index.top_k(index, k=2, exclude_self=True)
    assert all(doc_id not in [m.target_id for m in row] for (doc_id, _), row in zip(docs, rows, strict=True))
    assert rows[0][0].target_id == "neuro-copy" and all(len(row) == 2 for row in rows)


def test_an_empty_side_of_a_pair_matches_nothing() -> None:
    profiles, projects = TextIndex.pair(PROFILES, [])
    assert len(projects) == 0 and projects.query([THROMBECTOMY_IDEA]) == [[]]
    assert projects.top_k(profiles, k=3) == [[] for _ in PROFILES] and profiles.top_k(projects, k=3) == []


def test_invalid_corpora_raise_value_error() -> None:
    with pytest.raises(ValueError, match="unique"):
        TextIndex([("a", "取栓支架"), ("a", "人工晶状体")])
    with pytest.raises(ValueError):
        TextIndex([("a", "的 了 和")])  # only stop words: no vocabulary


def test_index_survives_pickling(index: TextIndex) -> None:
    clone = pickle.loads(pickle.dumps(index))  # noqa: S301 - our own object, as an app cache would store it
    assert clone.query([THROMBECTOMY_IDEA], k=3) == index.query([THROMBECTOMY_IDEA], k=3)


def test_sparse_top_k_equals_dense_baseline_on_random_data() -> None:
    rng = np.random.default_rng(7)
    queries = sp.random(40, 300, density=0.05, format="csr", random_state=rng, dtype=np.float32)
    targets_t = sp.random(300, 120, density=0.05, format="csr", random_state=rng, dtype=np.float32)
    fast = sparse_top_k(queries, targets_t, k=5, n_threads=2)
    slow = dense_chunked_top_k(queries, targets_t, k=5, chunk=7)
    full = (queries @ targets_t).toarray()
    assert np.array_equal(fast.indices, slow.indices)
    assert np.allclose(fast.scores, slow.scores, atol=1e-6)
    for row, best in zip(full, fast.indices, strict=True):
        expected = [j for j in np.argsort(-row, kind="stable")[:5] if row[j] > 0]
        assert list(best[: len(expected)]) == expected and (best[len(expected) :] == -1).all()


def test_idf_power_changes_the_weighting() -> None:
    plain = TextIndex(PROFILES, config=VectorizerConfig(idf_power=1.0))
    rooted = TextIndex(PROFILES, config=VectorizerConfig(idf_power=0.5))
    assert not np.allclose(plain.matrix.toarray(), rooted.matrix.toarray())
    assert np.allclose(sp.linalg.norm(rooted.matrix, axis=1), 1.0, atol=1e-5)
    q = rooted.transform([THROMBECTOMY_IDEA])  # later texts are weighted like the fitted matrix
    assert np.isclose(
        (q @ rooted.matrix_t).toarray().max(), rooted.query([THROMBECTOMY_IDEA], k=1)[0][0].score
    )


# --- structured re-ranking ---------------------------------------------------------------------------------

TEXT_MATCHES = [Match("a", 0.40, ("取栓",)), Match("b", 0.38, ("支架",)), Match("c", 0.20, ())]


def test_rerank_bonuses_reorder_close_matches_and_say_why() -> None:
    project = {"device_class": "III", "stage": "prototype", "region": "广东省", "cooperation": {"licensing"}}
    profiles = {
        "a": {"region": "上海市"},
        "b": {
            "region": "广东省",
            "registration_classes": {"II", "III"},
            "cooperation": {"licensing", "codev"},
        },
        "c": {"region": "广东省", "registration_classes": {"III"}, "stages": {"prototype"}},
    }
    ranked = rerank(TEXT_MATCHES, project, profiles)
    assert [m.target_id for m in ranked] == ["b", "a", "c"]
    b = ranked[0]
    assert b.reasons == ("支架", "region:广东省", "class:III", "cooperation:licensing")
    assert b.score == pytest.approx(0.38 * (1 + 0.05 + 0.06 + 0.05))
    assert ranked[1] == TEXT_MATCHES[0]  # no signal: unchanged
    assert TEXT_MATCHES[1].reasons == ("支架",)  # pure: inputs untouched


def test_rerank_keeps_text_similarity_dominant() -> None:
    project = {"device_class": "III", "stage": "prototype", "region": "广东省", "cooperation": {"licensing"}}
    everything = {
        "region": "广东省",
        "registration_classes": {"III"},
        "stages": {"prototype"},
        "cooperation": {"licensing"},
    }
    ranked = rerank(TEXT_MATCHES, project, {"c": everything})
    assert ranked[-1].target_id == "c"  # 0.20 can at most become 0.24: never above 0.38
    assert ranked[-1].score == pytest.approx(0.20 * 1.2)
    assert pair_bonus(project, everything, RerankWeights(max_bonus=0.1))[0] == pytest.approx(0.1)


def test_investor_stage_mismatch_filters_and_match_adds_reason() -> None:
    project = {"stage": "idea"}
    profiles = {
        "a": {"kind": "investor", "investor_stages": {"clinical"}},
        "b": {"investor_stages": {"idea"}},
    }
    ranked = rerank(TEXT_MATCHES, project, profiles)
    assert [m.target_id for m in ranked] == ["b", "c"]
    assert ranked[0].reasons[-1] == "stage:idea"
    kept = rerank(TEXT_MATCHES, project, profiles, RerankWeights(filter_investor_stage=False))
    assert {m.target_id for m in kept} == {"a", "b", "c"}


def test_rerank_projects_is_the_other_direction() -> None:
    investor = {"investor_stages": {"clinical", "animal"}, "region": "浙江省"}
    projects = {
        "a": {"stage": "idea"},
        "b": {"stage": "animal", "region": "浙江省"},
        "c": {"stage": "clinical"},
    }
    ranked = rerank_projects(TEXT_MATCHES, investor, projects)
    assert [m.target_id for m in ranked] == ["b", "c"]
    assert ranked[0].reasons[-2:] == ("stage:animal", "region:浙江省")


def test_engine_imports_no_flask_and_no_application_module() -> None:
    package = Path(__file__).resolve().parents[2] / "platform" / "chunfeng" / "textengine"
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
        }
        imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                     if node.level == 0}
        relative = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level}
        assert not any(module.split(".")[0] in {"flask", "flask_sqlalchemy"} for module in imported), path.name
        assert not any(module.startswith("chunfeng.") for module in imported), path.name
        assert all(module and "." not in module for module in relative), path.name


def test_importing_the_engine_loads_no_flask():
    import subprocess
    import sys
    from pathlib import Path

    code = "import sys, chunfeng.textengine.engine; print('flask' in sys.modules)"
    platform_dir = Path(__file__).resolve().parents[2] / "platform"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={"PYTHONPATH": str(platform_dir), "PATH": "/usr/bin:/bin"})
    assert result.stdout.strip() == "False"
