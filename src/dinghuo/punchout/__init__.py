"""PunchOut with cXML 1.2: a buyer's procurement suite opens a session in the portal
(PunchOutSetupRequest), gets the cart back (PunchOutOrderMessage) and later sends the purchase
order (OrderRequest), which is placed through `orders.services.place_order`."""
