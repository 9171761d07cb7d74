"""HTTP endpoints of this app (mounted by dinghuo.api.root)."""

from ninja import Router

router = Router(tags=["catalog"])
