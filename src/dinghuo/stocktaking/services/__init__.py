"""Stock counts: start a count, count (blind), review, post or cancel; stock itself changes
only through inventory's services."""

from dinghuo.stocktaking.services.counting import record_count
from dinghuo.stocktaking.services.posting import COUNT_REASON, post_count
from dinghuo.stocktaking.services.sessions import (
    cancel_count,
    send_back,
    start_count,
    submit_count,
)

__all__ = [
    "COUNT_REASON",
    "cancel_count",
    "post_count",
    "record_count",
    "send_back",
    "start_count",
    "submit_count",
]
