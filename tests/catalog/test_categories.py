from django.utils import translation

from dinghuo.catalog.models import Category
from tests.catalog.support import catalogue_state, events_of, patch, problem


def _create(api, code="hand", **extra):
    return api.post("/categories", {"code": code, "name": {"en": "Hand tools"}, **extra})


def test_create_category_with_translations_and_parent(world):
    tools = Category.objects.get(tenant=world.tenant, code="tools")
    body = {
        "code": "hand",
        "name": {"en": "Hand tools", "zh-hant": "手工具"},
        "parent_id": tools.pk,
    }

    r = world.client().post("/categories", body)

    assert r.status_code == 201
    created = Category.objects.get(tenant=world.tenant, code="hand")
    assert r.json() == {
        "id": created.pk,
        "code": "hand",
        "name": {"en": "Hand tools", "zh-hant": "手工具", "zh-hans": None},
        "parent_id": tools.pk,
    }
    [event] = events_of("category.created")
    assert (event.tenant_id, event.aggregate_type, event.aggregate_id) == (
        world.tenant.pk,
        "category",
        created.pk,
    )
    assert event.payload["code"] == "hand"


def test_create_category_needs_an_english_name(world):
    before = catalogue_state()

    r = world.client().post("/categories", {"code": "hand", "name": {"zh-hant": "手工具"}})

    assert problem(r) == (422, "validation_failed", [("name.en", "name_required")])
    assert catalogue_state() == before


def test_create_category_refuses_unknown_language_and_bad_code(world):
    before = catalogue_state()
    api = world.client()

    unknown_language = api.post("/categories", {"code": "hand", "name": {"en": "x", "fr": "y"}})
    python_name = api.post("/categories", {"code": "hand", "name": {"en": "x", "zh_hant": "y"}})
    bad_code = api.post("/categories", {"code": "hand tools", "name": {"en": "x"}})
    too_long = api.post("/categories", {"code": "hand", "name": {"en": "x" * 201}})

    assert problem(unknown_language) == (422, "invalid_request", [("name.fr", "extra_forbidden")])
    assert problem(python_name) == (422, "invalid_request", [("name.zh_hant", "extra_forbidden")])
    assert problem(bad_code) == (422, "invalid_request", [("code", "string_pattern_mismatch")])
    assert problem(too_long) == (422, "invalid_request", [("name.en", "string_too_long")])
    assert catalogue_state() == before


def test_create_category_with_a_taken_code_is_a_conflict(world):
    before = catalogue_state()

    r = _create(world.client(), code="tools")

    assert problem(r) == (409, "code_taken", [("code", "code_taken")])
    assert catalogue_state() == before


def test_parent_of_another_tenant_is_unknown(world, other_world):
    theirs = Category.objects.get(tenant=other_world.tenant, code="tools")
    before = catalogue_state()

    r = _create(world.client(), parent_id=theirs.pk)

    assert problem(r) == (422, "validation_failed", [("parent_id", "unknown_parent")])
    assert catalogue_state() == before


def test_patch_changes_only_the_languages_given(world):
    api = world.client()
    category_id = api.post(
        "/categories", {"code": "hand", "name": {"en": "Hand tools", "zh-hans": "手工具"}}
    ).json()["id"]

    r = patch(api, f"/categories/{category_id}", {"name": {"zh-hant": "手工具"}})

    assert r.status_code == 200
    assert r.json()["name"] == {"en": "Hand tools", "zh-hant": "手工具", "zh-hans": "手工具"}
    [event] = events_of("category.updated")
    assert event.payload["changed"] == ["name"]


def test_patch_under_a_zh_hant_request_still_writes_english(world):
    api = world.client()
    category_id = _create(api).json()["id"]

    # LocaleMiddleware leaves the request's language active; put back the one before.
    with translation.override(translation.get_language()):
        r = patch(
            api,
            f"/categories/{category_id}",
            {"name": {"en": "Tools"}},
            **{"Accept-Language": "zh-hant"},
        )

    assert r.status_code == 200
    category = Category.objects.get(pk=category_id)
    assert (category.name_en, category.name_zh_hant) == ("Tools", None)


def test_patch_cannot_put_a_category_below_itself(world):
    api = world.client()
    tools = Category.objects.get(tenant=world.tenant, code="tools")
    hand_id = _create(api, parent_id=tools.pk).json()["id"]
    before = catalogue_state()

    below_child = patch(api, f"/categories/{tools.pk}", {"parent_id": hand_id})
    below_self = patch(api, f"/categories/{tools.pk}", {"parent_id": tools.pk})

    assert problem(below_child) == (422, "validation_failed", [("parent_id", "category_cycle")])
    assert problem(below_self) == (422, "validation_failed", [("parent_id", "category_cycle")])
    assert catalogue_state() == before


def test_patch_refuses_removing_the_english_name_or_a_null_code(world):
    api = world.client()
    category_id = _create(api).json()["id"]
    before = catalogue_state()

    blank = patch(api, f"/categories/{category_id}", {"name": {"en": "  "}})
    null_code = patch(api, f"/categories/{category_id}", {"code": None})

    assert problem(blank) == (422, "validation_failed", [("name.en", "name_required")])
    assert problem(null_code) == (422, "invalid_request", [("code", "value_error")])
    assert catalogue_state() == before


def test_patch_to_a_taken_code_is_a_conflict(world):
    api = world.client()
    category_id = _create(api).json()["id"]
    before = catalogue_state()

    r = patch(api, f"/categories/{category_id}", {"code": "tools"})

    assert problem(r) == (409, "code_taken", [("code", "code_taken")])
    assert catalogue_state() == before


def test_patch_that_changes_nothing_records_no_event(world):
    api = world.client()
    category_id = _create(api).json()["id"]

    r = patch(api, f"/categories/{category_id}", {"code": "hand", "name": {"en": "Hand tools"}})

    assert r.status_code == 200
    assert events_of("category.updated") == []


def test_list_categories_by_cursor(world):
    api = world.client()
    for code in ("a", "b", "c"):
        _create(api, code=code)

    first = api.get("/categories", limit=2).json()
    second = api.get("/categories", limit=2, after=first["next_cursor"]).json()

    assert [c["code"] for c in first["items"]] == ["tools", "a"]
    assert [c["code"] for c in second["items"]] == ["b", "c"]
    assert second["next_cursor"] is None


def test_another_tenant_cannot_see_or_change_a_category(world, other_world):
    category_id = _create(world.client()).json()["id"]
    theirs = other_world.client()
    before = catalogue_state()

    read = theirs.get(f"/categories/{category_id}")
    change = patch(theirs, f"/categories/{category_id}", {"name": {"en": "Mine"}})

    assert problem(read) == (404, "not_found", [])
    assert problem(change) == (404, "not_found", [])
    assert [c["code"] for c in theirs.get("/categories").json()["items"]] == ["tools"]
    assert catalogue_state() == before


def test_idempotent_create_answers_the_same_once(world):
    api = world.client()
    body = {"code": "hand", "name": {"en": "Hand tools"}}

    first = api.post("/categories", body, key="cat-1")
    again = api.post("/categories", body, key="cat-1")
    other = api.post("/categories", {**body, "code": "other"}, key="cat-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert problem(other) == (409, "idempotency_key_reused", [])
    assert Category.objects.filter(tenant=world.tenant, code="hand").count() == 1
    assert len(events_of("category.created")) == 1
