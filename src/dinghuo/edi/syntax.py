"""Reading and writing the EDIFACT envelope (UNA, UNB … UNZ, UNH … UNT) with pydifact.

Pure: text in, plain values out (or a `Refused` naming every problem), and back. pydifact
tokenises and escapes (release character, the UNA's separators); this module checks what
pydifact leaves to its caller: the segment counts of UNT and UNZ and their references.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from pydifact.control.characters import Characters
from pydifact.exceptions import EDISyntaxError
from pydifact.parser import Parser
from pydifact.segments import Segment, SegmentFactory
from pydifact.serializer import Serializer

Element = str | list[str]
# EANCOM's service string advice: UNA:+.? ' (a point as the decimal mark).
EANCOM_CHARACTERS = Characters(decimal_point=".")  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class Problem:
    """One thing wrong, with a stable code, in words for the partner's EDI desk."""

    code: str
    text: str
    message_ref: str = ""
    line: str = ""

    def as_json(self) -> dict[str, str]:
        return {
            "code": self.code,
            "text": self.text,
            "message": self.message_ref,
            "line": self.line,
        }


class Refused(Exception):
    """The interchange is refused whole; the first problem is the reason given first."""

    def __init__(
        self, problems: Sequence[Problem], interchange: "Interchange | None" = None
    ) -> None:
        super().__init__(problems[0].text)
        self.problems = list(problems)
        # What could be read despite the problems (its sender, its messages), if anything.
        self.interchange = interchange

    @property
    def code(self) -> str:
        return self.problems[0].code


@dataclass(frozen=True)
class Message:
    """One UNH … UNT message: its reference, type (ORDERS), version and the segments between."""

    ref: str
    type: str
    version: list[str]
    segments: list[Segment]


@dataclass(frozen=True)
class Interchange:
    sender: str
    recipient: str
    ref: str
    prepared_at: str
    test: bool
    messages: list[Message] = field(default_factory=list)


class _QuietFactory(SegmentFactory):
    """pydifact's factory without its directory check, which has no EANCOM D.96A files and
    warns on every segment; our own readers check what they use."""

    @staticmethod
    def create_segment(name: str, *elements: Any, **kwargs: Any) -> Segment:
        return SegmentFactory.create_segment(name, *elements, validate=False)


def element(segment: Segment, index: int, component: int = 0) -> str:
    """A data element (or one component of a composite) of `segment`, "" when absent."""
    if index >= len(segment.elements):
        return ""
    value = segment.elements[index]
    if isinstance(value, list):
        return str(value[component]) if component < len(value) else ""
    return str(value) if component == 0 else ""


def parse_segments(text: str) -> list[Segment]:
    """The segments of `text`, UNA and its separators honoured (422 `edi_unreadable`)."""
    try:
        return [s for s in Parser(factory=_QuietFactory()).parse(text) if s.tag != "UNA"]
    except (EDISyntaxError, ValueError, IndexError, AttributeError) as error:
        raise Refused([Problem("edi_unreadable", f"The text is not EDIFACT: {error}")]) from error


def read_interchange(text: str) -> Interchange:
    """The interchange in `text`, its counts and references checked; `Refused` otherwise."""
    segments = parse_segments(text.strip())
    if not segments or segments[0].tag != "UNB":
        raise Refused([Problem("edi_unreadable", "An interchange begins with UNB.")])
    if segments[-1].tag != "UNZ":
        raise Refused([Problem("edi_unreadable", "An interchange ends with UNZ.")])
    unb, unz = segments[0], segments[-1]
    ref = element(unb, 4)
    if not element(unb, 1) or not ref:
        raise Refused([Problem("edi_unreadable", "UNB names no sender or no reference.")])
    header = Interchange(
        sender=element(unb, 1),
        recipient=element(unb, 2),
        ref=ref,
        prepared_at=f"{element(unb, 3)}{element(unb, 3, 1)}",
        test=element(unb, 10) == "1",
    )
    try:
        messages, problems = _messages(segments[1:-1])
    except Refused as refused:
        raise Refused(refused.problems, header) from None
    read = replace(header, messages=messages)
    if element(unz, 1) != ref:
        problems.append(
            Problem(
                "edi_control_reference",
                f"UNZ closes interchange {element(unz, 1)!r} but UNB opened {ref!r}.",
            )
        )
    if element(unz, 0) != str(len(messages)):
        problems.append(
            Problem(
                "edi_message_count",
                f"UNZ counts {element(unz, 0)!r} messages; the interchange has {len(messages)}.",
            )
        )
    if problems:
        raise Refused(problems, read)
    return read


def _messages(segments: list[Segment]) -> tuple[list[Message], list[Problem]]:
    """Split UNH … UNT groups, with the problems of each UNT's segment count and reference."""
    messages: list[Message] = []
    problems: list[Problem] = []
    opened: Segment | None = None
    body: list[Segment] = []
    for segment in segments:
        if segment.tag == "UNH":
            if opened is not None:
                raise Refused(
                    [Problem("edi_unreadable", "A UNH comes before the UNT of the last.")]
                )
            opened, body = segment, []
        elif segment.tag == "UNT":
            if opened is None:
                raise Refused([Problem("edi_unreadable", "A UNT closes no message.")])
            problems += _trailer_problems(opened, segment, len(body) + 2)
            messages.append(_message(opened, body))
            opened = None
        elif opened is None:
            raise Refused(
                [Problem("edi_unreadable", f"Segment {segment.tag} stands outside a message.")]
            )
        else:
            body.append(segment)
    if opened is not None:
        raise Refused([Problem("edi_unreadable", "The last message has no UNT.")])
    if not messages:
        raise Refused([Problem("edi_unreadable", "The interchange holds no message.")])
    return messages, problems


def _message(unh: Segment, body: list[Segment]) -> Message:
    identifier = unh.elements[1] if len(unh.elements) > 1 else []
    version = [str(v) for v in identifier] if isinstance(identifier, list) else [str(identifier)]
    return Message(ref=element(unh, 0), type=version[0], version=version[1:], segments=body)


def _trailer_problems(unh: Segment, unt: Segment, counted: int) -> list[Problem]:
    ref, problems = element(unh, 0), []
    if element(unt, 0) != str(counted):
        problems.append(
            Problem(
                "edi_segment_count",
                f"UNT of message {ref} counts {element(unt, 0)!r} segments; "
                f"it has {counted} (UNH and UNT included).",
                message_ref=ref,
            )
        )
    if element(unt, 1) != ref:
        problems.append(
            Problem(
                "edi_control_reference",
                f"UNT closes message {element(unt, 1)!r} but UNH opened {ref!r}.",
                message_ref=ref,
            )
        )
    return problems


# --- writing ---------------------------------------------------------------------------------


def segment(tag: str, *elements: Element) -> Segment:
    """A segment to write; trailing empty elements are dropped, as EDIFACT asks."""
    values = list(elements)
    while values and values[-1] in ("", []):
        values.pop()
    return Segment(tag, *values)


def write_interchange(
    *,
    sender: str,
    recipient: str,
    ref: str,
    prepared_at: datetime,
    test: bool,
    messages: list[tuple[str, list[str], list[Segment]]],
) -> str:
    """An interchange with UNA, UNB, each (reference, type and version, body) as UNH … UNT
    with its segment count, and UNZ with the message count. EANCOM: UNOC 3, GLNs (14)."""
    unb = segment(
        "UNB",
        ["UNOC", "3"],
        [sender, "14"],
        [recipient, "14"],
        [prepared_at.strftime("%y%m%d"), prepared_at.strftime("%H%M")],
        ref,
        *(["", "", "", "", "", "1"] if test else []),
    )
    body: list[Segment] = [unb]
    for message_ref, identifier, segments in messages:
        body.append(segment("UNH", message_ref, identifier))
        body.extend(segments)
        body.append(segment("UNT", str(len(segments) + 2), message_ref))
    body.append(segment("UNZ", str(len(messages)), ref))
    return Serializer(EANCOM_CHARACTERS).serialize(body, with_una_header=True)


def segment_lines(text: str) -> list[str]:
    """The text one segment a line, for people to read (the release character respected)."""
    lines, current, escaped = [], [], False
    terminator = text[8] if text.startswith("UNA") and len(text) > 8 else "'"
    release = text[6] if text.startswith("UNA") and len(text) > 6 else "?"
    for char in text:
        current.append(char)
        if escaped:
            escaped = False
        elif char == release:
            escaped = True
        elif char == terminator:
            lines.append("".join(current).strip())
            current = []
    tail = "".join(current).strip()
    return [line for line in [*lines, tail] if line]
