"""EDI writes, one module per use case: trading partners (`partners`), receiving an
interchange of orders (`inbound`, placing through `placing`), keeping messages and preparing
what we send (`messages`), and documents from the event feed (`outbound`)."""

from dinghuo.edi.services import inbound, messages, outbound, partners, placing

__all__ = ["inbound", "messages", "outbound", "partners", "placing"]
