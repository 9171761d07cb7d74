"""The catalogue's forms in the back office: a product, a SKU, a category, each with its
names in the three languages the catalogue keeps (English, Traditional and Simplified
Chinese).

A form checks the shape of what was typed; whether a code is free, a GTIN's check digit
right or a category may sit below another is the catalogue services' call (the API's), and
their problems are shown next to the field they are about (`catalog_field`).
"""

from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dinghuo.catalog.models import Category
from dinghuo.catalog.texts import LANGUAGES, Texts, column
from dinghuo.core.errors import FieldError

# The label of each language, as a person reads it beside a translated field.
LANGUAGE_NAMES: dict[str, Promise] = {
    "en": _("English"),
    "zh-hant": _("Traditional Chinese"),
    "zh-hans": _("Simplified Chinese"),
}
MAX_ORDER_UNITS = 1_000_000_000


def _add_translated(
    form: forms.Form, field_name: str, label: Promise, *, max_length: int, long: bool = False
) -> None:
    """One field per language (`name_en`, `name_zh_hant`, …); English is required for names."""
    for lang in LANGUAGES:
        required = field_name == "name" and lang == "en"
        widget = forms.Textarea(attrs={"rows": 3}) if long else forms.TextInput()
        form.fields[column(field_name, lang)] = forms.CharField(
            label=f"{label} ({LANGUAGE_NAMES[lang]})",
            max_length=max_length,
            required=required,
            widget=widget,
            help_text=_("Required: buyers whose language has no name read this one.")
            if required
            else _("Optional: empty shows the English name."),
        )


def texts_of(data: dict[str, Any], field_name: str) -> Texts:
    """The translations typed into a form, as the catalogue services take them."""
    return {lang: data.get(column(field_name, lang)) or "" for lang in LANGUAGES}


def translated_initial(obj: Any, *field_names: str) -> dict[str, Any]:
    """A row's stored translations, to fill a form with."""
    return {
        column(name, lang): getattr(obj, column(name, lang)) or ""
        for name in field_names
        for lang in LANGUAGES
    }


def catalog_field(problem: FieldError) -> str:
    """The form field a catalogue service's problem is about: `name.en` → `name_en`,
    `category_id` → `category`, `parent_id` → `parent`."""
    field = problem.field.replace(".", "_").replace("-", "_")
    return field.removesuffix("_id")


def category_choices(categories: list[Category], *, blank: Promise) -> list[tuple[str, str]]:
    """Every category, each below its parent and indented by its depth, for a select."""
    children: dict[int | None, list[Category]] = {}
    for category in sorted(categories, key=lambda c: (str(c.name).lower(), c.pk)):
        children.setdefault(category.parent_id, []).append(category)
    choices: list[tuple[str, str]] = [("", str(blank))]

    def walk(parent_id: int | None, depth: int) -> None:
        for category in children.get(parent_id, []):
            choices.append((str(category.pk), "— " * depth + str(category.name)))
            walk(category.pk, depth + 1)

    walk(None, 0)
    return choices


class _Translated(forms.Form):
    """The bound fields of each translated text, in the order of `LANGUAGES` (for templates)."""

    @property
    def name_fields(self) -> list[forms.BoundField]:
        return [self[column("name", lang)] for lang in LANGUAGES]

    @property
    def description_fields(self) -> list[forms.BoundField]:
        return [self[column("description", lang)] for lang in LANGUAGES]


class ProductForm(_Translated):
    """A product: its code, names and descriptions, category, and whether it is offered."""

    code = forms.CharField(
        label=_("Product code"),
        max_length=64,
        help_text=_("Unique among your products; shown on order lines and in files."),
    )
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    allow_backorder = forms.BooleanField(
        label=_("May be ordered beyond the stock available"),
        required=False,
        help_text=_("The rest waits for the next receipt."),
    )
    is_active = forms.BooleanField(
        label=_("Offered to buyers"),
        required=False,
        initial=True,
        help_text=_("Untick to archive: it leaves the catalogue and can no longer be ordered."),
    )

    def __init__(self, data: Any = None, *, categories: list[Category], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        _add_translated(self, "name", _("Name"), max_length=300)
        _add_translated(self, "description", _("Description"), max_length=5000, long=True)
        category = self.fields["category"]
        assert isinstance(category, forms.TypedChoiceField)
        category.choices = category_choices(categories, blank=_("No category"))


class SkuForm(_Translated):
    """A SKU of a product: what a buyer orders, in which unit and multiples."""

    code = forms.CharField(
        label=_("SKU code"),
        max_length=64,
        help_text=_("Unique among your SKUs; buyers order by it."),
    )
    unit = forms.CharField(
        label=_("Unit"), max_length=16, initial="pc", help_text=_("For example pc, box, kg.")
    )
    min_order_quantity = forms.IntegerField(
        label=_("Minimum order quantity"),
        min_value=1,
        max_value=MAX_ORDER_UNITS,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    pack_size = forms.IntegerField(
        label=_("Pack size"),
        min_value=1,
        max_value=MAX_ORDER_UNITS,
        initial=1,
        help_text=_("Buyers order in multiples of this."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    gtin = forms.CharField(
        label=_("GTIN (barcode number)"),
        max_length=14,
        required=False,
        help_text=_("8, 12, 13 or 14 digits with the check digit; empty when it has none."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    is_active = forms.BooleanField(
        label=_("Offered to buyers"),
        required=False,
        initial=True,
        help_text=_("Untick to archive: it can no longer be ordered."),
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        _add_translated(self, "name", _("Name"), max_length=300)
        # A SKU's own name is optional: without one it is shown with its product's.
        for lang in LANGUAGES:
            name = self.fields[column("name", lang)]
            name.required = False
            name.help_text = _("Optional: empty shows the product's name.")

    def clean_gtin(self) -> str:
        return str(self.cleaned_data["gtin"]).strip()


class CategoryForm(_Translated):
    """A category: its code, names, and the category it sits below."""

    code = forms.SlugField(
        label=_("Code"),
        max_length=64,
        help_text=_("Letters, digits, hyphens or underscores; unique among your categories."),
    )
    parent = forms.TypedChoiceField(
        label=_("Sits below"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, data: Any = None, *, categories: list[Category], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        _add_translated(self, "name", _("Name"), max_length=200)
        parent = self.fields["parent"]
        assert isinstance(parent, forms.TypedChoiceField)
        parent.choices = category_choices(categories, blank=_("Top level"))
