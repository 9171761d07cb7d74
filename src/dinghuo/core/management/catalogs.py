"""The pages' message catalogs, with Babel: extract the msgids, update the .po, compile the .mo.

No system gettext is needed. Templates are turned into Python-like source by Django's own
`templatize` (what `makemessages` feeds to xgettext), so `{% translate %}` and
`{% blocktranslate %}` give exactly the msgids Django looks up at run time; Babel's Python
extractor then reads them, and the `gettext` calls of the Python modules.
"""

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from django.conf import settings
from django.utils.translation.template import templatize

SOURCE_ROOT = Path(__file__).resolve().parents[2]  # src/dinghuo
# The catalogs kept in the repo (Django's locale directory names).
LANGUAGES = ("zh_Hant", "zh_Hans")
DOMAIN = "django"
# The gettext functions whose literal arguments are msgids (Babel's spec: argument positions,
# "c" for the context).
KEYWORDS: dict[str, tuple[int | tuple[int, str], ...] | None] = {
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "phrase": (1,),  # dinghuo.core.phrases: the English template is the msgid
    "_": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
_TEMPLATE_SUFFIXES = {".html", ".txt"}
_SKIPPED_DIRS = {"migrations", "__pycache__", "locale", "static"}


@dataclass(frozen=True)
class Msgid:
    """One message the code or a template asks to translate, and where."""

    id: str | tuple[str, ...]  # singular, or (singular, plural)
    context: str | None
    location: tuple[str, int]


def locale_dir() -> Path:
    """Where the catalogs are (settings.LOCALE_PATHS[0])."""
    return Path(settings.LOCALE_PATHS[0])


def po_path(language: str) -> Path:
    """The .po file of `language` (a Django locale directory name such as zh_Hant)."""
    return locale_dir() / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def template_files(root: Path = SOURCE_ROOT) -> list[Path]:
    """Every template of every app: files under a `templates` directory."""
    return sorted(
        path
        for path in root.rglob("*")
        if path.suffix in _TEMPLATE_SUFFIXES
        and "templates" in path.relative_to(root).parts
        and not _SKIPPED_DIRS.intersection(path.relative_to(root).parts)
    )


def python_files(root: Path = SOURCE_ROOT) -> list[Path]:
    """The Python modules of the project, without migrations."""
    return sorted(
        path
        for path in root.rglob("*.py")
        if not _SKIPPED_DIRS.intersection(path.relative_to(root).parts)
    )


def _messages(source: bytes, method: str, filename: str) -> Iterator[Msgid]:
    for lineno, message, _comments, context in extract(
        method, BytesIO(source), keywords=KEYWORDS, strip_comment_tags=True
    ):
        yield Msgid(message, context, (filename, lineno))


def template_msgids(path: Path) -> list[Msgid]:
    """The msgids of one template, as Django will look them up."""
    source = path.read_text(encoding="utf-8")
    # templatize keeps the template's indentation around its gettext() calls; xgettext does
    # not mind, Python's tokenizer (Babel's) does. Each call stays on its line.
    code = "\n".join(line.lstrip() for line in templatize(source, origin=str(path)).split("\n"))
    return list(_messages(code.encode("utf-8"), "python", _relative(path)))


def python_msgids(path: Path) -> list[Msgid]:
    """The msgids of the gettext calls of one Python module."""
    return list(_messages(path.read_bytes(), "python", _relative(path)))


def all_msgids() -> list[Msgid]:
    """Every msgid of the project's templates and Python modules."""
    found: list[Msgid] = []
    for path in template_files():
        found.extend(template_msgids(path))
    for path in python_files():
        found.extend(python_msgids(path))
    return found


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(SOURCE_ROOT.parent))
    except ValueError:
        return str(path)


def _new_catalog(language: str | None = None) -> Catalog:
    return Catalog(
        locale=language,
        domain=DOMAIN,
        header_comment=_HEADER,
        project="Dinghuo",
        version="1",
        copyright_holder="the Dinghuo authors",
        msgid_bugs_address="the issue tracker of Dinghuo",
        last_translator="the Dinghuo authors",
        language_team="the Dinghuo authors",
        fuzzy=False,
    )


_HEADER = """\
# The texts of Dinghuo's pages. `dinghuo extract_translations` updates the msgids and
# `dinghuo compile_translations` builds the .mo (git-ignored). Same licence as Dinghuo."""


def _template_catalog(msgids: list[Msgid]) -> Catalog:
    catalog = _new_catalog()
    for msgid in msgids:
        catalog.add(msgid.id, locations=[msgid.location], context=msgid.context)
    return catalog


def read_catalog(path: Path, language: str) -> Catalog:
    """A .po file as a Babel catalog."""
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def update_catalogs(additions: str | None = None) -> dict[str, tuple[int, int]]:
    """Bring every language's .po up to the current msgids: new ones added empty, gone ones
    dropped, translations kept. `additions` (a path with `{language}` in it) names .po files
    whose translations fill empty entries, e.g. one a helper wrote beside their templates.
    Answers, per language, (msgids, untranslated)."""
    msgids = all_msgids()
    report: dict[str, tuple[int, int]] = {}
    for language in LANGUAGES:
        # A template per language: Babel's update puts the template's own message objects into
        # the catalog for new msgids, so a shared template would carry one language's
        # translations into the next.
        template = _template_catalog(msgids)
        path = po_path(language)
        catalog = read_catalog(path, language) if path.exists() else _new_catalog(language)
        # Keep the file's dates: a run that finds nothing new changes nothing.
        template.creation_date = catalog.creation_date
        catalog.update(template, no_fuzzy_matching=True)
        if additions:
            extra = Path(additions.format(language=language))
            if extra.exists():
                _fill_from(catalog, read_catalog(extra, language))
        path.parent.mkdir(parents=True, exist_ok=True)
        with _atomic(path) as handle:
            write_po(
                handle,
                catalog,
                width=100,
                sort_output=True,
                ignore_obsolete=True,
                include_lineno=False,
            )
        untranslated = sum(1 for message in catalog if message.id and not _translated(message))
        report[language] = (sum(1 for message in catalog if message.id), untranslated)
    return report


def _fill_from(catalog: Catalog, source: Catalog) -> None:
    for message in source:
        if not message.id or not _translated(message):
            continue
        existing = catalog.get(message.id, context=message.context)
        if existing is not None and not _translated(existing):
            existing.string = message.string


def _translated(message: object) -> bool:
    string = getattr(message, "string", None)
    if isinstance(string, tuple | list):
        return all(string)
    return bool(string)


def compile_catalogs() -> list[str]:
    """Write the .mo beside every language's .po; answers the problems found (a placeholder
    missing from a translation, …), in which case nothing is written for that language."""
    problems: list[str] = []
    for language in LANGUAGES:
        path = po_path(language)
        if not path.exists():
            continue
        catalog = read_catalog(path, language)
        found = [
            f"{path.name} ({language}): {message.id!r}: {error}"
            for message, errors in catalog.check()
            for error in errors
        ]
        if found:
            problems.extend(found)
            continue
        with _atomic(path.with_suffix(".mo")) as handle:
            write_mo(handle, catalog, use_fuzzy=False)
    return problems


def compile_if_stale() -> list[str]:
    """Compile when a .mo is missing or older than its .po (cheap otherwise)."""
    for language in LANGUAGES:
        po = po_path(language)
        mo = po.with_suffix(".mo")
        if po.exists() and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
            return compile_catalogs()
    return []


class _atomic:
    """Write a file through a temporary one, so that a reader (another test worker, a
    running server) never sees half of it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> BytesIO:
        self.buffer = BytesIO()
        return self.buffer

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is not None:
            return
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        with os.fdopen(fd, "wb") as handle:
            handle.write(self.buffer.getvalue())
        os.chmod(temporary, 0o644)  # mkstemp makes it private; catalogs are not secret
        os.replace(temporary, self.path)
