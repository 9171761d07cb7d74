"""`dinghuo extract_translations --fill-from` fills each language from its own file: a new
msgid's Traditional translation must never end up in the Simplified catalog."""

from pathlib import Path

import pytest

from dinghuo.core.management import catalogs


@pytest.fixture
def scratch_catalogs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(catalogs, "locale_dir", lambda: tmp_path / "locale")
    monkeypatch.setattr(
        catalogs,
        "all_msgids",
        lambda: [catalogs.Msgid("Too many rows; send fewer.", None, ("x.py", 1))],
    )
    return tmp_path


def _additions(folder: Path, language: str, text: str) -> None:
    header = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    entry = f'msgid "Too many rows; send fewer."\nmsgstr "{text}"\n'
    (folder / f"more_{language}.po").write_text(header + entry, encoding="utf-8")


def _translation(language: str) -> str:
    catalog = catalogs.read_catalog(catalogs.po_path(language), language)
    message = catalog.get("Too many rows; send fewer.")
    assert message is not None
    return str(message.string)


def test_each_language_is_filled_from_its_own_file(scratch_catalogs: Path) -> None:
    _additions(scratch_catalogs, "zh_Hant", "行數太多；請減少。")
    _additions(scratch_catalogs, "zh_Hans", "行数太多；请减少。")
    report = catalogs.update_catalogs(str(scratch_catalogs / "more_{language}.po"))
    assert report == {"zh_Hant": (1, 0), "zh_Hans": (1, 0)}
    assert _translation("zh_Hant") == "行數太多；請減少。"
    assert _translation("zh_Hans") == "行数太多；请减少。"
