"""Page helpers shared by the buyer portal and the back office: how orders, approvals and
companies are named on a page (`labels`), SKU names in the reader's language (`skus`), the
reading of typed, pasted and uploaded rows of SKU and quantity (`rows`), how a page answers
HTMX (`responses`), and an order's tax per rate (`taxes`).

Both sides import these; neither imports the other, and nothing here imports either.
"""
