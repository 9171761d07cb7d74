"""Request and response bodies of buying, and the functions that shape the answers: one
module per part of the API (carts with checkout and repricing, requisition lists, quotes, the
company's catalogue) and what they share (`schemas.shared`)."""
