"""The page where a carrier shows a parcel's journey, from its name and tracking number.

Shipments record a carrier as free text (fulfilment), so the carrier is recognised by its
name, whatever its case or spacing. A carrier not in the table gets no link: the mail then
says the carrier and the number, which is all a person can use anyway.
"""

import re
from urllib.parse import quote

# Each carrier's public tracking page; `{number}` is the tracking number.
TRACKING_PAGES: dict[str, str] = {
    "sf express": "https://www.sf-express.com/we/ow/chn/en/waybill/waybill-detail/{number}",
    "dhl express": "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}",
    "dhl": "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={number}",
    "ups": "https://www.ups.com/track?tracknum={number}",
    "kerry express": "https://hk.kerryexpress.com/track?track={number}",
    "zto express": "https://www.zto.com/?num={number}",
    "jd logistics": "https://www.jdl.com/orderSearch/?waybillCodes={number}",
    "hongkong post ems": "https://www.hongkongpost.hk/en/mail_tracking/index.html?trackcode={number}",
}


def tracking_link(carrier: str, tracking_number: str) -> str:
    """The carrier's page for this parcel, or "" when the carrier is not known or there is
    no number."""
    name = re.sub(r"\s+", " ", carrier).strip().lower()
    page = TRACKING_PAGES.get(name)
    number = tracking_number.strip()
    if page is None or not number:
        return ""
    return page.format(number=quote(number, safe=""))
