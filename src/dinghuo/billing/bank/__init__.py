"""Bank statements: the files banks send (ISO 20022 CAMT.053, SWIFT MT940) read into one
neutral `Statement` (`statement.py`), and the rule that matches a credit to the open
invoices it pays (`matching.py`), both pure (no database); the reads of imported statements
and lines for the API and pages (`queries.py`). `billing.services.bank` writes."""

from dinghuo.billing.bank import camt053, mt940
from dinghuo.billing.bank.statement import Entry, MalformedStatement, Statement

FORMATS = (camt053.FORMAT, mt940.FORMAT)

__all__ = ["FORMATS", "Entry", "MalformedStatement", "Statement", "detect", "parse"]


def detect(content: bytes) -> str:
    """The format of a file by its first characters: XML is CAMT.053, SWIFT blocks (`{1:`)
    or tags (`:20:`) MT940."""
    head = content[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return camt053.FORMAT
    if head.startswith((b"{1:", b":20:", b"{4:")) or b"\n:20:" in head:
        return mt940.FORMAT
    raise MalformedStatement("The file is neither a CAMT.053 (XML) nor an MT940 statement.")


def parse(content: bytes, format: str | None = None) -> Statement:
    """The statement in `content`, read as `format` (camt053, mt940; by default the format
    its first characters show); 422 `malformed_statement` for a file that is not one."""
    chosen = format or detect(content)
    if chosen == camt053.FORMAT:
        return camt053.parse(content)
    if chosen == mt940.FORMAT:
        return mt940.parse(content)
    raise MalformedStatement(f"Unknown statement format {chosen!r}: camt053 or mt940.")
