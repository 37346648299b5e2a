"""scripts/match_eval.py: metrics on tiny TSV files, the output contract, and the synthetic generators."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "match_eval.py"
LAST_LINE = re.compile(r"^top1=\d\.\d{3} top5=\d\.\d{3} mrr=\d\.\d{3} n=\d+$")


def _load_script():
    spec = importlib.util.spec_from_file_location("match_eval", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is created
    spec.loader.exec_module(module)
    return module


match_eval = _load_script()

CANDIDATES = (
    "company\tproduct\tdescription\tsource_url\n"
    "神经公司\t可调节颅内取栓支架\t用于急性缺血性卒中的机械取栓,体外调节直径,全程显影。\thttp://x\n"
    "眼科公司\t三焦点人工晶状体\t白内障摘除后植入,提供远中近视力。\thttp://y\n"
    "眼科公司\t飞秒激光\t白内障手术中切割晶状体。\thttp://y\n"
    "器械公司\t白内障手术器械\t白内障超声乳化手术用的一次性器械。\thttp://z\n"
)
QUERIES = (
    "query\texpected_company\n"
    "脑梗病人取栓时想要能调节直径、全程显影的取栓支架\t神经公司\n"
    "白内障术后想看远看近都清楚的三焦点人工晶状体\t器械公司\n"
)


@pytest.fixture
def tsv(tmp_path: Path) -> tuple[Path, Path]:
    candidates, queries = tmp_path / "candidates.tsv", tmp_path / "queries.tsv"
    candidates.write_text(CANDIDATES, encoding="utf-8")
    queries.write_text(QUERIES, encoding="utf-8")
    return candidates, queries


def test_known_ranks_give_known_figures(tsv: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    # query 1 finds 神经公司 first; query 2 expects 器械公司, which comes second after 眼科公司
    candidates, queries = tsv
    assert match_eval.main(["--candidates", str(candidates), "--queries", str(queries)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["top1=0.500 top5=1.000 mrr=0.750 n=2"]


def test_verbose_prints_each_query_with_readable_reasons_before_the_last_line(
    tsv: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # header, one line per query, the query embedding time when a model ran, then the metrics line
    from chunfeng.textengine.terms import Segmenter

    candidates, queries = tsv
    match_eval.main(["--candidates", str(candidates), "--queries", str(queries), "-v"])
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("profiles=3 documents=4 queries=2 semantic=")
    per_query = out[1:3]
    assert per_query[0].startswith("[1] ") and per_query[1].startswith("[2] ") and "top1=眼科公司" in per_query[1]
    middle = out[3:-1]
    assert middle == [] if out[0].endswith("semantic=off") else (len(middle) == 1 and "query_embed_ms=" in middle[0])
    assert LAST_LINE.match(out[-1])
    seg = Segmenter.get()
    for line in per_query:
        reasons = line.split("reasons=", 1)[1].split("|")
        assert reasons and all(len(r) >= 2 and not seg.is_generic(r) for r in reasons), line
    assert per_query[0].endswith("reasons=全程显影|取栓支架|直径")


def test_rows_of_one_company_form_one_profile(tsv: tuple[Path, Path]) -> None:
    profiles = match_eval.profiles_from_rows(match_eval.read_tsv(tsv[0]))
    assert list(profiles) == ["神经公司", "眼科公司", "器械公司"]
    assert "三焦点人工晶状体" in profiles["眼科公司"] and "飞秒激光" in profiles["眼科公司"]
    assert "http" not in profiles["眼科公司"]  # extra columns are ignored


def test_candidate_files_are_unioned_and_missing_companies_count_as_misses(
    tmp_path: Path, tsv: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    extra = tmp_path / "extra.tsv"
    extra.write_text(
        "company\tproduct\tdescription\n另一家\t人工晶状体推注器\t白内障手术植入晶状体。\n", "utf-8"
    )
    queries = tmp_path / "q.tsv"
    queries.write_text("query\texpected_company\n人工晶状体推注器\t另一家\n取栓支架\t不存在的公司\n", "utf-8")
    match_eval.main(["--candidates", str(tsv[0]), "--candidates", str(extra), "--queries", str(queries)])
    captured = capsys.readouterr()
    assert captured.out.splitlines()[-1] == "top1=0.500 top5=0.500 mrr=0.500 n=2"
    assert "不存在的公司" in captured.err


def test_distractors_are_deterministic_plausible_and_never_real_names() -> None:
    rows = match_eval.synth_profiles(200, seed=3)
    assert rows == match_eval.synth_profiles(200, seed=3) and rows != match_eval.synth_profiles(200, seed=4)
    profiles = match_eval.profiles_from_rows(rows)
    assert len(profiles) == 200 and all(
        "#" in name and name.endswith(tuple("0123456789")) for name in profiles
    )
    lengths = [len(text) for text in profiles.values()]
    assert min(lengths) >= 30 and max(lengths) <= 600
    specialties_seen = {
        name
        for name, vocab in match_eval.SPECIALTIES.items()
        if any(vocab[1].split()[0] in t for t in profiles.values())
    }
    assert len(specialties_seen) >= 5  # spread across specialties, not one


def test_synth_texts_respect_length_bounds() -> None:
    for kind in ("profile", "idea"):
        texts = match_eval.synth_texts(300, seed=1, kind=kind, min_len=80, max_len=200)
        assert all(60 <= len(t) <= 200 for t in texts)
        assert sum(len(t) for t in texts) / len(texts) > 100


def test_script_runs_standalone_with_distractors(tsv: tuple[Path, Path]) -> None:
    candidates, queries = tsv
    cmd = [sys.executable, str(SCRIPT), "--candidates", str(candidates), "--queries", str(queries)]
    done = subprocess.run(
        [*cmd, "--distractors", "300", "--seed", "1"], capture_output=True, text=True, check=True
    )
    last = done.stdout.strip().splitlines()[-1]
    assert LAST_LINE.match(last) and last.endswith(" n=2")
