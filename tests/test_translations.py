"""Every text a person reads is translated: no bare text in templates, no msgid without its
Traditional and Simplified Chinese translation, catalogs that compile."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType

from dinghuo.core.management import catalogs

# Attributes whose value a person reads (tooltips, placeholders, screen readers, the labels of
# stacked table cells, confirmation dialogs).
VISIBLE_ATTRIBUTES = frozenset(
    {"title", "placeholder", "alt", "aria-label", "label", "data-label", "hx-confirm"}
)
_BUTTON_INPUTS = frozenset({"submit", "button", "reset"})
# Where a template tag or variable stood: its output is translated (or data) elsewhere.
_HOLE = "\x00"
_TRANSLATED_BLOCKS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}


def _has_words(text: str) -> bool:
    return any(character.isalpha() for character in text.replace(_HOLE, ""))


class _VisibleText(HTMLParser):
    """Collects text nodes and visible attribute values that contain letters."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_code = 0
        self.found: list[tuple[int, str]] = []

    def _report(self, text: str) -> None:
        text = " ".join(text.split()).strip(_HOLE + " ")
        self.found.append((self.getpos()[0], text.replace(_HOLE, "{…}")))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self.in_code += 1
        values = dict(attrs)
        for name, value in attrs:
            if value and name in VISIBLE_ATTRIBUTES and _has_words(value):
                self._report(f'{tag} {name}="{value}"')
        value = values.get("value")
        if tag == "input" and values.get("type") in _BUTTON_INPUTS and value and _has_words(value):
            self._report(f'input value="{value}"')

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self.in_code:
            self.in_code -= 1

    def handle_data(self, data: str) -> None:
        if not self.in_code and _has_words(data):
            self._report(data)


def untranslated_text(source: str) -> list[tuple[int, str]]:
    """(line, text) of each piece of visible text of a Django template that does not go
    through {% translate %} or {% blocktranslate %}."""
    html: list[str] = []
    closing: str | None = None  # inside a block whose text needs no check, until this tag
    for token in Lexer(source).tokenize():
        lines = "\n" * token.contents.count("\n")
        if closing is not None:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == closing:
                closing = None
            html.append(lines)
            continue
        if token.token_type == TokenType.TEXT:
            html.append(token.contents)
        elif token.token_type == TokenType.COMMENT:
            html.append(lines)
        elif token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0]
            if name in _TRANSLATED_BLOCKS:
                closing = _TRANSLATED_BLOCKS[name]
            elif name == "comment":
                closing = "endcomment"
            html.append(_HOLE + lines)
        else:  # a {{ variable }}
            html.append(_HOLE + lines)
    parser = _VisibleText()
    parser.feed("".join(html))
    parser.close()
    return parser.found


# --- the checker itself ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        '{% load i18n %}<h1>{% translate "Cart" %}</h1>',
        "{% load i18n %}<p>{% blocktranslate with n=count %}{{ n }} lines{% endblocktranslate %}</p>",
        "{% load i18n %}<p>{% blocktranslate trimmed count n=count %}\n one line\n"
        "{% plural %}\n {{ n }} lines\n{% endblocktranslate %}</p>",
        "<td>{{ line.sku }}</td><td>{{ line.total|money:order.currency }}</td> · — 12 / 3",
        "<script>document.title = 'Cart';</script><style>.a::after{content:'x'}</style>",
        "{# TODO words #}{% comment %}Some notes here{% endcomment %}<!-- an HTML comment -->",
        '<input type="hidden" name="next" value="orders"><a href="/cart/" class="button">{{ x }}</a>',
        '<input placeholder="{% translate \'SKU code\' %}" aria-label="{{ label }}">',
        '{% if a %}<p lang="{{ code }}">{{ name }}</p>{% endif %}',
    ],
)
def test_translated_or_data_only_templates_pass(source: str) -> None:
    assert untranslated_text(source) == []


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("<h1>Cart</h1>", [(1, "Cart")]),
        ("<p>\n  Total: {{ total }} ({{ n }} lines)\n</p>", [(1, "Total: {…} ({…} lines)")]),
        ('{% load i18n %}\n<input placeholder="SKU code">', [(2, 'input placeholder="SKU code"')]),
        ('<input type="submit" value="Send">', [(1, 'input value="Send"')]),
        ('<td data-label="Price">{{ p }}</td>', [(1, 'td data-label="Price"')]),
        ("<button>購物車</button>", [(1, "購物車")]),
        ("{% if x %}Nothing here{% endif %}", [(1, "Nothing here")]),
    ],
)
def test_bare_text_is_found_with_its_line(source: str, found: list[tuple[int, str]]) -> None:
    assert untranslated_text(source) == found


# --- the project's templates and catalogs ----------------------------------------------------


def _templates() -> list[Path]:
    found = catalogs.template_files()
    assert found, "no templates found: the search for them is broken"
    return found


def test_no_template_shows_untranslated_text() -> None:
    problems = [
        f"{path.relative_to(catalogs.SOURCE_ROOT)}:{line}: {text}"
        for path in _templates()
        for line, text in untranslated_text(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "Wrap these in {% translate %} / {% blocktranslate %}:\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize("language", catalogs.LANGUAGES)
def test_every_msgid_has_a_translation(language: str) -> None:
    path = catalogs.po_path(language)
    assert path.exists(), f"{path} is missing: run `dinghuo extract_translations`"
    catalog = catalogs.read_catalog(path, language)
    missing = sorted(
        {
            f"{msgid.location[0]}: {msgid.id!r}"
            for msgid in catalogs.all_msgids()
            if not _translated(catalog, msgid)
        }
    )
    assert not missing, (
        f"No {language} translation in {path.name} for these (run `make translations`, then "
        "translate the empty entries):\n" + "\n".join(missing)
    )


def _translated(catalog: object, msgid: catalogs.Msgid) -> bool:
    key = msgid.id[0] if isinstance(msgid.id, tuple) else msgid.id
    message = catalog.get(key, context=msgid.context)  # type: ignore[attr-defined]
    if message is None:
        return False
    string = message.string
    return all(string) if isinstance(string, tuple | list) else bool(string)


def test_catalogs_compile_and_keep_every_placeholder(tmp_path: Path, settings: object) -> None:
    source = catalogs.locale_dir()
    for language in catalogs.LANGUAGES:
        target = tmp_path / language / "LC_MESSAGES"
        target.mkdir(parents=True)
        (target / "django.po").write_bytes(catalogs.po_path(language).read_bytes())
    settings.LOCALE_PATHS = [tmp_path]  # type: ignore[attr-defined]
    assert catalogs.compile_catalogs() == []
    for language in catalogs.LANGUAGES:
        assert (tmp_path / language / "LC_MESSAGES" / "django.mo").stat().st_size > 0
    assert source != tmp_path


def test_a_translation_with_a_placeholder_the_code_does_not_give_is_refused(
    tmp_path: Path, settings: object
) -> None:
    target = tmp_path / "zh_Hant" / "LC_MESSAGES"
    target.mkdir(parents=True)
    (target / "django.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, python-format\nmsgid "Only %(available)s available now."\nmsgstr "現貨只有 %(availble)s。"\n',
        encoding="utf-8",
    )
    settings.LOCALE_PATHS = [tmp_path]  # type: ignore[attr-defined]
    problems = catalogs.compile_catalogs()
    assert len(problems) == 1 and "Only %(available)s" in problems[0]
    assert not (target / "django.mo").exists()


# Characters our catalogs use that differ between the scripts (Traditional, then the
# Simplified form at the same position), taken from OpenCC's t2s table; 覆 is left out, being
# Simplified too (覆盖). A Simplified catalog
# showing a Traditional form, or the other way round, reads as a mistake to a native reader.
TRADITIONAL = (
    "並併來倉個備價儲內兩凍別刪則動參員問單國團執報審寫將尋屬帳幣庫廣張後從態應戶採揀換擇據敗數"
    "於時暫會條標檔檢欄決沒況瀏為無狀現產發確碼稱約級組結絕絡給經線編總聯職處號裝複規覽訂計記設"
    "許註詢試認語說請謝讀變負貨貴買貸費貼資賣購蹤車較載輯輸這進運過達適選郵釋錄鐘間階電頁項須預"
    "題額類顯餘驟"
)
SIMPLIFIED = (
    "并并来仓个备价储内两冻别删则动参员问单国团执报审写将寻属帐币库广张后从态应户采拣换择据败数"
    "于时暂会条标档检栏决没况浏为无状现产发确码称约级组结绝络给经线编总联职处号装复规览订计记设"
    "许注询试认语说请谢读变负货贵买贷费贴资卖购踪车较载辑输这进运过达适选邮释录钟间阶电页项须预"
    "题额类显余骤"
)


@pytest.mark.parametrize(
    ("language", "foreign"),
    [
        ("zh_Hans", set(TRADITIONAL) - set(SIMPLIFIED)),
        ("zh_Hant", set(SIMPLIFIED) - set(TRADITIONAL)),
    ],
)
def test_each_chinese_catalog_is_written_in_its_own_script(
    language: str, foreign: set[str]
) -> None:
    assert len(TRADITIONAL) == len(SIMPLIFIED)
    text = catalogs.po_path(language).read_text("utf-8")
    wrong = sorted(
        {
            (line.strip(), ch)
            for line in text.splitlines()
            if line.startswith("msgstr")
            for ch in line
            if ch in foreign
        }
    )
    assert not wrong, f"{language}: characters of the other script: {wrong[:10]}"
