from dinghuo.pricing.queries import price_book

def test_smoke(world, django_assert_num_queries):
    ids = [s.pk for s in world.skus.values()]
    with django_assert_num_queries(2):
        book = price_book(world.tenant.pk, company_id=world.company.pk, sku_ids=ids)
    r = book.resolve(world.skus["A-1"].pk, 12)
    print(r.steps, r.as_json())
    assert r.unit_price == 9
    print(book.ladder(world.skus["A-1"].pk))
