import importlib.util
from pathlib import Path


def _i18n_script():
    path = Path(__file__).resolve().parents[2] / "scripts" / "i18n.py"
    spec = importlib.util.spec_from_file_location("i18n_script", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_message_in_code_and_templates_has_a_chinese_translation():
    gaps = _i18n_script().missing()
    assert not gaps, f"untranslated messages (run scripts/i18n.py update, then translate): {gaps}"


def test_form_validation_messages_are_in_chinese(client):
    page = client.post("/account/register", data={"email": "not-an-email"}).get_data(as_text=True)
    assert "无效的 Email 地址" in page and "该字段是必填字段" in page
    assert "This field is required" not in page


def test_no_message_is_translated_differently_by_two_domains():
    # Flask-Babel merges the domain catalogues, so a clash would let one domain's wording override another's.
    assert _i18n_script().conflicts() == {}
