def test_place_order_smoke(world):
    api = world.client()
    r = api.place(world.order_body(("A-1", 12), ("B-2", 12)))
    assert r.status_code == 201, r.content
    print(r.json())
