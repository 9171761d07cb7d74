"""Bulk import and export: the catalogue, prices, contract prices, stock counts and companies
(with their users and addresses) in and out as CSV and Excel files; orders and invoices out.

One column layout per kind (`formats`), shared by export and import, so that an export
imported again changes nothing. Imports run in the worker (`tasks`), first as a dry run.
"""
