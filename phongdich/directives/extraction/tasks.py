"""Tasks: segment the instructions by their numbering, then find who does what, by when.

Conventions of the item references (the annotations in seeds/expected follow them):

* the document's own numbering, joined by "." ("1", "6.a", "I.2"); dash bullets are counted
  within their parent ("1.-3" is the third dash under item 1; "+" bullets likewise "+2");
* a second, third ... task inside the same item gets "#2", "#3" ("5#2");
* the request sentence before the list, when it asks for something itself: "preamble";
* the closing sentence that assigns the follow-up of the document: "follow_up".

An item whose heading only names its addressee ("7. Sở Y tế", "1. Ban cán sự đảng UBND tỉnh
chỉ đạo ...:") is no task itself: its bullets are tasks of that addressee unless they name
their own. A task with no addressee at all is a general instruction, lead "(chung)".
"""

import re
from dataclasses import dataclass, field
from datetime import date

from .dates import find_deadlines
from .layout import (
    CLOSING_RE,
    FOLLOW_UP_RE,
    Marker,
    Paragraph,
    is_upper_line,
    marker_of,
)
from .units import (
    _PREDICATE_RE,
    _SPECIFIC_START_RE,
    is_group_addressee,
    phrase_end,
    same_addressee,
    split_units,
    starts_with_head,
)
from .vocabulary import pattern

GENERAL = "(chung)"

# Verbs that hand work to the addressee that follows ("Giao Sở Y tế ...").
# "bàn giao", "chuyển giao", "giao thông" ... are other words.
TRIGGER_RE = re.compile(
    r"(?<![\w])(?<!bàn )(?<!chuyển )(?<!được )(?<!Bàn )"
    r"(?:[Gg]iao(?! ban| thông| dịch| tiếp| lưu| nhận| hàng)(?:\s+cho)?|[Đđ]ề nghị|[Yy]êu cầu|"
    r"[Kk]êu gọi)\s+"
)
NON_TASK_RE = pattern("non_tasks", flags=re.I)
# The dateline a news item opens with: "(Cổng TTĐT) - ", "LSO - ", "ĐBP - ".
_DATELINE_RE = re.compile(r"^(?:\([^)]{1,30}\)|[A-ZĐ]{2,6})\s*[-–—]\s*")
# A unit that opens a clause and only hands the work on: "Chủ tịch UBND tỉnh yêu cầu X …".
SPEAKER_RE = re.compile(
    r"\s*(?:(?:cũng|đã|tiếp tục|đồng thời)\s+)?(?:giao(?:\s+cho)?|đề nghị|yêu cầu|kêu gọi)\s*:?\s+"
)
# Who directs, and so hands work on when they "giao/đề nghị/yêu cầu" someone: leaders, the
# concluding bodies, the province's People's Committee.
SPEAKER_SUBJECT_RE = re.compile(
    r"^(?:[Đđ]ồng chí|(?:Phó\s+)?Chủ tịch|(?:Phó\s+)?Bí thư|(?:Phó\s+)?Trưởng [Bb]an|"
    r"Thủ tướng|Ban Thường vụ|Thường trực|Ban Chỉ đạo|UBND tỉnh|Ủy ban nhân dân tỉnh|"
    r"Uỷ ban nhân dân tỉnh|Tỉnh ủy|Tỉnh uỷ|Văn phòng UBND tỉnh|[Ôô]ng|[Bb]à)\b"
)
# Adverbials that may open a sentence before its subject.
ADVERBIAL_RE = re.compile(
    r"^(?:Đồng thời|Bên cạnh đó|Trước mắt|Ngoài ra|Mặt khác|Sau đó|Trong đó|Riêng|Tiếp đó)\s*,?\s*",
    re.I,
)
# Sentences in which the concluding body records its own position: not work for anyone.
STATEMENT_RE = re.compile(
    r"^(?:Thống nhất|Đồng ý|Nhất trí|Ghi nhận|Đánh giá cao|Hoan nghênh|Cơ bản thống nhất)\b"
)
# "X phải chịu trách nhiệm trước ..." states accountability, it does not assign work.
ACCOUNTABILITY_RE = re.compile(
    r"(?:phải\s+)?chịu trách nhiệm\s*(?:trước|nếu|về|toàn diện|cá nhân|hoàn toàn|[.,;]|$)"
)
# Who works with the lead: "phối hợp (chặt chẽ) (với) Y", "chủ trì cùng Y", "cùng với Y".
COORD_RE = re.compile(
    r"(?<![\w])(?:[Pp]hối hợp(?:\s+chặt chẽ)?(?:\s+với)?|chủ trì\s*,?\s*cùng(?:\s+với)?|cùng với)\s+"
)
# A topic label opening an item ("Về công bố ca bệnh:", "Quan điểm chung:").
TOPIC_RE = re.compile(r"^(?:Về\s[^:]{1,160}|[^:,.;]{1,30}):\s*")
# A sentence that points back to the work described before it ("... nhiệm vụ trên").
ANAPHORA_RE = re.compile(
    r"\b(?:nhiệm vụ|nội dung|việc|công việc|vấn đề|phương án|kết luận)\s+(?:nêu\s+)?(?:trên|này)\b"
)
# A heading that hands its bullets to an addressee: "... chỉ đạo:", "... lãnh đạo X chỉ đạo:".
_HEADING_REST_RE = re.compile(
    r"^(?:lãnh đạo|chỉ đạo|thực hiện|triển khai|tập trung|có trách nhiệm|chủ trì)\b[^.;]{0,160}:$"
)
# The request before the list: "... yêu cầu X ... thực hiện (tốt) các nhiệm vụ sau (đây):".
_LIST_INTRO_RE = re.compile(r"\b(?:sau|sau đây|như sau)\s*:\s*$")
# Section headings of the assessment part of a conclusion.
ASSESSMENT_RE = re.compile(
    r"ĐÁNH GIÁ|TÌNH HÌNH|KẾT QUẢ|BỐI CẢNH|Đánh giá|Tình hình|Kết quả|"
    r"MỤC ĐÍCH|MỤC TIÊU|QUAN ĐIỂM|CĂN CỨ"  # a plan's aims: what it wants, not who does what
)
_SENTENCE_END_RE = re.compile(r"(?:[.!?…]+[\"”’)]?|:)\s+")


@dataclass
class Task:
    ref: str
    lead: list[str] = field(default_factory=list)
    lead_inherited: bool = False
    coordinating: list[str] = field(default_factory=list)
    deadline: date | None = None
    deadline_text: str | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)
    summary_parts: list[str] = field(default_factory=list)
    has_content: bool = False

    def add_coordinating(self, units: list[str]) -> None:
        for unit in units:
            if not any(same_addressee([unit], [known]) for known in self.coordinating + self.lead):
                self.coordinating.append(unit)

    def as_dict(self, text: str) -> dict:
        lead = self.lead or [GENERAL]
        start = min(s for s, _ in self.spans) if self.spans else None
        end = max(e for _, e in self.spans) if self.spans else None
        return {
            "ref": self.ref,
            "lead": lead,
            "coordinating": list(self.coordinating),
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "deadline_text": self.deadline_text,
            "summary": _summary(self.summary_parts),
            "span": [start, end] if start is not None else None,
            "lead_is_group": [is_group_addressee(name) for name in lead],
        }


@dataclass
class Piece:
    """A stretch of one sentence with at most one addressee."""

    start: int
    end: int
    text: str
    role: str  # task | statement | accountability | coordination
    lead: list[str] | None = None
    instruction_start: int = 0  # offset in text where the instruction begins
    coordinating: list[str] = field(default_factory=list)
    unit_first: bool = False  # the clause opens with its unit ("X phối hợp …"), no "giao"


def _summary(parts: list[str]) -> str:
    text = " ".join(p.strip() for p in parts if p.strip())
    text = " ".join(text.split()).strip(" ,;:-")
    text = re.sub(r"^(?:và|đồng thời|,)\s+", "", text)
    if len(text) > 220:
        text = text[:220].rsplit(" ", 1)[0].rstrip(",;: ") + "…"
    return text[:1].upper() + text[1:]


def _coordinators(text: str, start: int = 0) -> tuple[list[str], list[tuple[int, int]]]:
    units: list[str] = []
    ranges = []
    for match in COORD_RE.finditer(text, start):
        after = match.end()
        if not starts_with_head(text[after:]):
            continue
        end = phrase_end(text, after)
        if end is None:
            clause = re.search(r"[.;]\s|[.;]?$", text[after:])
            end = after + clause.start() if clause else len(text)
            if len(text[after:end].split()) > 15:
                continue
        units += split_units(text[after:end])
        ranges.append((match.start(), end))
    return units, ranges


def _subject_at(text: str, at: int, *, strong: bool) -> tuple[int, int] | None:
    if not starts_with_head(text[at:]):
        return None
    end = phrase_end(text, at, strong=strong, max_words=14 if strong else 45)
    if end is None:
        return None
    return at, end


def _clause_lead(
    sentence: str, pos: int, *, strong: bool, anywhere: bool, issuer: str | None = None
):
    """The addressee phrase of the clause at pos as (start, end), or None.

    A unit opening the clause is its subject ("Sở Y tế chủ trì …"), unless it only speaks and
    hands the work on ("Chủ tịch UBND tỉnh yêu cầu Công an tỉnh …", "Ban Quản lý … đề nghị
    X …"): then the addressee after the verb takes it, when there is one. Without a subject,
    a verb of assignment names the addressee ("Giao Sở Y tế …"); with anywhere, it may come
    after a lead-in ("Kết luận cuộc họp, đồng chí … giao Sở Y tế …").
    """
    found = _subject_at(sentence, pos, strong=strong)
    if found:
        speaker = SPEAKER_RE.match(sentence, found[1])
        subject = sentence[found[0] : found[1]]
        # Only those who direct hand work on; "Ban Quản lý … yêu cầu các doanh nghiệp …" is
        # the management board's own task.
        if speaker and (
            SPEAKER_SUBJECT_RE.match(subject)
            or (issuer and same_addressee(split_units(subject), [issuer]))
        ):
            addressee = _subject_at(sentence, speaker.end(), strong=False)
            if addressee:
                return addressee
        return found
    triggers = (
        [TRIGGER_RE.match(sentence, pos)] if not anywhere else TRIGGER_RE.finditer(sentence, pos)
    )
    for trigger in triggers:
        if trigger is None:
            continue
        found = _subject_at(sentence, trigger.end(), strong=False)
        if found:
            return found
    return None


def analyse_sentence(sentence: str, issuer: str | None) -> list[Piece]:
    """Split a sentence where a new addressee takes over; classify each stretch."""
    adverbial = ADVERBIAL_RE.match(sentence)
    pos = adverbial.end() if adverbial else 0
    statement = bool(STATEMENT_RE.match(sentence[pos:]))
    leads: list[tuple[int, int, int]] = []  # (piece start, phrase start, phrase end)
    consumed = 0
    found = _clause_lead(sentence, pos, strong=False, anywhere=True, issuer=issuer)
    if found:
        leads.append((0, *found))
        consumed = found[1]
    cuts = {0}
    _, coordinator_ranges = _coordinators(sentence)
    for match in re.finditer(r"[,;]\s+", sentence):
        at = match.end()
        if at <= consumed or any(a <= at < b for a, b in coordinator_ranges):
            continue
        semicolon = sentence[match.start()] == ";"
        # After a short item ("kiểm tra các cơ sở sản xuất, kinh doanh, các khu ...") the comma
        # continues an enumeration, it does not open a clause with a new subject.
        previous = re.split(r"[,;]\s+", sentence[: match.start()])[-1]
        if len(previous.split()) <= 3 and not semicolon:
            continue
        clause = ADVERBIAL_RE.match(sentence[at:])
        start = at + (clause.end() if clause else 0)
        # A semicolon closes a clause: what follows may name its addressee with any verb or
        # after "đề nghị/giao"; after a comma only a strong verb or an explicit "giao" does.
        found = _clause_lead(sentence, start, strong=not semicolon, anywhere=False, issuer=issuer)
        if found:
            leads.append((match.start() + 1, *found))
            cuts.add(match.start() + 1)
            consumed = found[1]
        elif semicolon:
            cuts.add(match.start() + 1)
    bounds = sorted(cuts) + [len(sentence)]

    def leads_at(at: int) -> bool:
        return any(x[0] == at for x in leads)

    pieces = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        text = sentence[a:b]
        piece = Piece(a, b, text, "statement" if statement and a == 0 else "task")
        lead = next((x for x in leads if x[0] == a), None)
        if lead:
            _, ps, pe = lead
            units = split_units(sentence[ps:pe])
            rest = sentence[pe:b]
            piece.instruction_start = pe - a
            before = sentence[a:ps].strip(" ,;")
            piece.unit_first = not statement and (
                not before or bool(ADVERBIAL_RE.fullmatch(before))
            )
            if issuer and same_addressee(units, [issuer]):
                piece.role = "statement"
            elif re.match(r"phối hợp\s+(?!chặt chẽ|với)", rest) and not starts_with_head(
                rest[len("phối hợp ") :].lstrip()
            ):
                piece.role = "coordination"
                piece.coordinating = units
            elif ACCOUNTABILITY_RE.match(rest):
                piece.role = "accountability"
            elif piece.role == "task":
                piece.lead = units
        accountable = re.search(r"chịu trách nhiệm\s+(?:trước|nếu)", text)
        if (
            piece.role == "task"
            and accountable
            # "X rà soát …, khắc phục … và chịu trách nhiệm nếu …" is a task with a warning.
            and len(text[piece.instruction_start : accountable.start()].split()) <= 8
        ):
            piece.role = "accountability"
        if piece.role == "task" and (
            is_non_task(text)
            # "Thời gian qua, …; số ca mắc mới … giảm": the report goes on after its ";".
            or (not piece.lead and pieces and pieces[-1].role == "statement" and not leads_at(a))
        ):
            piece.role = "statement"
        coords, _ = _coordinators(text, piece.instruction_start)
        piece.coordinating += coords
        pieces.append(piece)
    return pieces


def is_non_task(clause: str) -> bool:
    """A situation report, appreciation, exhortation or closing formula (vocabulary/non_tasks)."""
    clause = clause.strip(" ,;")
    clause = _DATELINE_RE.sub("", clause, count=1)
    adverbial = ADVERBIAL_RE.match(clause)
    return bool(NON_TASK_RE.match(clause[adverbial.end() :] if adverbial else clause))


def _sentences(paragraph: Paragraph, skip: int = 0) -> list[tuple[int, str]]:
    """(absolute start, sentence) pairs of a paragraph, from offset skip."""
    text = paragraph.text
    out = []
    start = skip
    for match in _SENTENCE_END_RE.finditer(text, skip):
        following = text[match.end() : match.end() + 2]
        if following and (following[0].isupper() or following[0] in '"“(-'):
            out.append((paragraph.start + start, text[start : match.end()].strip()))
            start = match.end()
    if text[start:].strip():
        out.append((paragraph.start + start, text[start:].strip()))
    return [(s, t) for s, t in out if t]


def _is_generic(units: list[str]) -> bool:
    return all(is_group_addressee(u) and not _SPECIFIC_START_RE.match(u) for u in units)


class UnitBuilder:
    """Turns the text of one numbered item (or bullet) into its task and sub-tasks."""

    def __init__(
        self,
        ref: str,
        inherited: list[str],
        *,
        issuer: str | None,
        reference: date | None,
        topic: bool = False,
    ):
        self.main = Task(ref, lead=list(inherited), lead_inherited=bool(inherited))
        self.tasks = [self.main]
        self.issuer = issuer
        self.reference = reference
        self.topic = topic

    def _new(self, lead: list[str]) -> Task:
        task = Task(f"{self.main.ref}#{len(self.tasks) + 1}", lead=lead)
        self.tasks.append(task)
        return task

    def _place(self, piece: Piece) -> Task:
        lead, main = piece.lead or [], self.main
        if not main.lead or main.lead_inherited:
            if (
                main.lead_inherited
                and any(map(is_group_addressee, main.lead))
                and _is_generic(lead)
            ):
                return main
            if not main.has_content or self.topic or ANAPHORA_RE.search(piece.text):
                main.lead, main.lead_inherited = lead, False
                return main
            return self._new(lead)
        for task in self.tasks:
            if same_addressee(lead, task.lead):
                return task
        return self._new(lead)

    def feed(self, start: int, sentence: str) -> None:
        in_sentence: Task | None = None
        for piece in analyse_sentence(sentence, self.issuer):
            target = in_sentence or self.main
            if (
                piece.role == "coordination"
                and piece.unit_first
                and not self.main.lead
                and not self.main.has_content
            ):
                # "Liên đoàn Lao động tỉnh phối hợp tuyên truyền …" opening its own item:
                # nobody else leads, so the unit that "joins in" does the work.
                piece.lead, piece.role, piece.coordinating = piece.coordinating, "task", []
            if piece.role in {"statement", "accountability", "coordination"}:
                target.add_coordinating(piece.coordinating)
                continue
            if not piece.lead and not target.lead and piece.text.rstrip().endswith(":"):
                continue  # a lead-in ("Tại văn bản, … đề nghị:"): the work follows it
            if piece.lead:
                target = in_sentence = self._place(piece)
            deadlines = [d for d in find_deadlines(piece.text, self.reference) if d.date]
            if deadlines and target.deadline and deadlines[0].date != target.deadline:
                # A second deadline in its own clause is a separate piece of work.
                target = in_sentence = self._new(list(target.lead))
            if deadlines and not target.deadline:
                target.deadline, target.deadline_text = deadlines[0].date, deadlines[0].phrase
            target.add_coordinating(piece.coordinating)
            words = piece.text[piece.instruction_start :]
            if len(words.split()) >= 3:
                target.has_content = True
                target.summary_parts.append(words)
            target.spans.append((start + piece.start, start + piece.end))

    def result(self) -> list[Task]:
        return [t for t in self.tasks if t.has_content or (t.lead and not t.lead_inherited)]


@dataclass
class Node:
    marker: Marker | None
    ref: str
    head: Paragraph | None = None
    paragraphs: list[Paragraph] = field(default_factory=list)
    children: list["Node"] = field(default_factory=list)
    dash_count: int = 0
    plus_count: int = 0


def build_tree(paragraphs: list[Paragraph]) -> Node:
    root = Node(None, "")
    stack = [root]
    for paragraph in paragraphs:
        marker = marker_of(paragraph.text)
        if marker is None:
            stack[-1].paragraphs.append(paragraph)
            continue
        while len(stack) > 1 and stack[-1].marker.level >= marker.level:
            stack.pop()
        parent = stack[-1]
        if marker.kind == "dash":
            parent.dash_count += 1
            ref = _join(parent.ref, f"-{parent.dash_count}")
        elif marker.kind == "plus":
            parent.plus_count += 1
            ref = _join(parent.ref, f"+{parent.plus_count}")
        elif marker.kind == "decimal":
            # "1.2" already carries its parent's number; only a Roman section prefixes it.
            section = next((n.ref for n in stack if n.marker and n.marker.kind == "roman"), "")
            ref = _join(section, marker.label)
        else:
            ref = _join(parent.ref, marker.label)
        node = Node(marker, ref, head=paragraph)
        parent.children.append(node)
        stack.append(node)
    return root


def _join(prefix: str, own: str) -> str:
    return f"{prefix}.{own}" if prefix else own


def _heading(text: str) -> tuple[bool, list[str]]:
    """Is this item text only a heading? If so, the addressee it hands to its children."""
    body = text.strip()
    topic = TOPIC_RE.match(body)
    if topic and body.startswith("Về") and not body[topic.end() :].strip():
        return True, []
    if starts_with_head(body):
        end = phrase_end(body, 0)
        if end is None and len(body.split()) <= 30 and not re.search(r"[.;]\s", body):
            return True, split_units(body.rstrip(":. "))
        if end is not None and _HEADING_REST_RE.match(body[end:].strip()):
            return True, split_units(body[:end])
    trigger = TRIGGER_RE.match(body)
    if trigger:
        end = phrase_end(body, trigger.end())
        if end is not None and _HEADING_REST_RE.match(body[end:].strip()):
            return True, split_units(body[trigger.end() : end])
        # "1. Giao Sở Y tế:" followed by a) b) items: the bare addressee is the heading.
        rest = body[trigger.end() :].strip()
        if (
            end is None
            and rest.endswith(":")
            and len(rest.split()) <= 30
            and not re.search(r"[.;]\s", rest)
            and starts_with_head(rest)
        ):
            return True, split_units(rest.rstrip(":. "))
    if len(body.split()) <= 6 and not re.search(r"[.;]", body):
        return True, []  # a label such as "Vinh danh, khen thưởng"
    if body.endswith(":") and len(body.split()) <= 12 and body.startswith("Về"):
        return True, []
    return False, []


class TaskExtractor:
    def __init__(self, text: str, *, issuer: str | None, reference: date | None):
        self.text = text
        self.issuer = issuer
        self.reference = reference
        self.tasks: list[Task] = []

    def _unit(
        self,
        ref: str,
        inherited: list[str],
        parts: list[tuple[Paragraph, int]],
        topic: bool = False,
    ) -> list[Task]:
        builder = UnitBuilder(
            ref, inherited, issuer=self.issuer, reference=self.reference, topic=topic
        )
        for paragraph, skip in parts:
            for start, sentence in _sentences(paragraph, skip):
                builder.feed(start, sentence)
        return builder.result()

    def walk(self, node: Node, inherited: list[str]) -> None:
        if node.marker.kind == "roman" and ASSESSMENT_RE.search(node.head.text):
            return  # "I. ĐÁNH GIÁ TÌNH HÌNH": what happened, not what to do
        parts: list[tuple[Paragraph, int]] = []
        lead_for_children = inherited
        heading_coordinating: list[str] = []
        topic = False
        if node.head is not None:
            head_text = node.head.text[node.marker.length :]
            is_heading, heading_lead = _heading(head_text)
            if is_heading:
                lead_for_children = heading_lead or inherited
                # "X chủ trì, phối hợp với Y:" hands Y to every bullet X leads below.
                heading_coordinating = _coordinators(head_text)[0] if heading_lead else []
            else:
                skip = node.marker.length
                match = TOPIC_RE.match(head_text)
                if match:
                    topic = head_text.startswith("Về")
                    skip += match.end()
                parts.append((node.head, skip))
        parts += [(p, 0) for p in node.paragraphs]
        if parts:
            produced = self._unit(node.ref, lead_for_children, parts, topic=topic)
            self.tasks += produced
            if produced and produced[0].ref == node.ref:
                lead_for_children = produced[0].lead or lead_for_children
        first_child_task = len(self.tasks)
        for child in node.children:
            self.walk(child, lead_for_children)
        if heading_coordinating:
            for task in self.tasks[first_child_task:]:
                if task.lead == lead_for_children:
                    task.add_coordinating(heading_coordinating)

    def preamble(self, paragraphs: list[Paragraph]) -> None:
        """The request before the list becomes a task only if it asks for more than the list."""
        count = 0
        for paragraph in paragraphs:
            for start, sentence in _sentences(paragraph):
                trigger = TRIGGER_RE.search(sentence)
                if not trigger or not starts_with_head(sentence[trigger.end() :]):
                    continue
                text = sentence
                if _LIST_INTRO_RE.search(sentence):
                    cut = re.search(r",?\s*đồng thời\b", sentence[trigger.end() :])
                    if not cut:
                        continue
                    text = sentence[: trigger.end() + cut.start()]
                count += 1
                ref = "preamble" if count == 1 else f"preamble#{count}"
                builder = UnitBuilder(ref, [], issuer=self.issuer, reference=self.reference)
                builder.feed(start, text)
                self.tasks += builder.result()[:1]

    def unnumbered(self, paragraphs: list[Paragraph]) -> None:
        """Text without numbered items (công văn, công điện, news of them).

        Every paragraph that gives an addressee work is an item, ref "pN" (its line in the
        normalised text); a paragraph opening with a verb continues the lead of the one
        before it, or of the intro that names it ("yêu cầu Sở Y tế … sau:"). The recipients
        after "Kính gửi", headlines, bylines, captions and, from their heading on, related
        articles are not read; nor are paragraphs without an addressee.
        """
        lead: list[str] = []
        recipients = False
        follow_ups = 0
        for paragraph in paragraphs:
            text = paragraph.text
            if RELATED_RE.match(text):
                break
            marker = marker_of(text)
            if _RECIPIENTS_HEAD_RE.match(text):
                recipients = True
                continue
            if recipients and marker and marker.kind == "dash":
                continue
            recipients = False
            skip = marker.length if marker and marker.kind in {"dash", "plus"} else 0
            body = text[skip:]
            if NOISE_RE.match(text) or (not _CLOSED_RE.search(body) and len(body.split()) < 25):
                continue
            if body.endswith(":"):
                lead = intro_addressee(body)
                continue
            if FOLLOW_UP_RE.search(body) and re.search(r"theo dõi|đôn đốc", body):
                follow_ups += 1
                ref = "follow_up" if follow_ups == 1 else f"follow_up#{follow_ups}"
                self.tasks += self._unit(ref, [], [(paragraph, skip)])[:1]
                continue
            if CLOSING_RE.search(body):
                continue
            ref = f"p{paragraph.index + 1}"
            inherited = lead if lead and _opens_with_verb(body) else []
            produced = [t for t in self._unit(ref, inherited, [(paragraph, skip)]) if t.lead]
            self.tasks += _renumber(produced, ref)
            lead = list(produced[-1].lead) if produced else []

    def closing(self, paragraphs: list[Paragraph]) -> None:
        count = 0
        for paragraph in paragraphs:
            if not FOLLOW_UP_RE.search(paragraph.text):
                continue
            count += 1
            ref = "follow_up" if count == 1 else f"follow_up#{count}"
            produced = self._unit(ref, [], [(paragraph, 0)])
            self.tasks += produced[:1]


# Lines of a news page around the directive, and the heading of its related articles.
NOISE_RE = pattern("page_noise", flags=re.I, whole=True)
RELATED_RE = pattern("related_headings", flags=re.I, whole=True)
_RECIPIENTS_HEAD_RE = re.compile(r"^(?:Kính gửi|KÍNH GỬI)\s*:?")
# A paragraph that can hold work ends like a sentence or a list entry; a headline does not.
_CLOSED_RE = re.compile(r"(?:[.;:!?…]|\./\.)[\"”’)]?\s*$")


def _opens_with_verb(text: str) -> bool:
    """ "Bố trí khu cách ly …", "Đồng thời tổ chức …": a paragraph with no subject."""
    adverbial = ADVERBIAL_RE.match(text)
    rest = text[adverbial.end() :] if adverbial else text
    return bool(_PREDICATE_RE.match(rest[:1].lower() + rest[1:]))


def intro_addressee(text: str) -> list[str]:
    """The unit a list intro hands its items to ("… yêu cầu Sở Y tế thực hiện … sau:")."""
    if not text.endswith(":"):
        return []
    sentence = re.split(r"(?<=[.!?])\s+", text)[-1]
    for trigger in TRIGGER_RE.finditer(sentence):
        found = _subject_at(sentence, trigger.end(), strong=False)
        if found:
            units = split_units(sentence[found[0] : found[1]])
            return [] if any(map(is_group_addressee, units)) else units
    return []


def _renumber(tasks: list[Task], ref: str) -> list[Task]:
    """After dropping a paragraph's empty first task, its "#2" becomes the paragraph's ref."""
    for k, task in enumerate(tasks, start=1):
        task.ref = ref if k == 1 else f"{ref}#{k}"
    return tasks


def split_body(paragraphs: list[Paragraph], end: int) -> tuple[int, int, int]:
    """(first item, first closing paragraph, end of body) as paragraph indexes."""
    tops = [
        p.index
        for p in paragraphs[:end]
        if (m := marker_of(p.text)) and m.kind in {"roman", "arabic", "decimal"}
    ]
    if not tops:
        return end, end, end
    first, last_top = tops[0], tops[-1]
    closing = end
    for p in paragraphs[last_top + 1 : end]:
        if marker_of(p.text):
            continue
        if CLOSING_RE.search(p.text) or (is_upper_line(p.text) and len(p.text.split()) <= 8):
            closing = p.index
            break
    return first, closing, end


def extract_tasks(
    paragraphs: list[Paragraph],
    text: str,
    *,
    body_end: int,
    issuer: str | None,
    reference: date | None,
) -> list[dict]:
    first, closing, end = split_body(paragraphs, body_end)
    extractor = TaskExtractor(text, issuer=issuer, reference=reference)
    extractor.preamble(paragraphs[:first])
    if first < closing:
        root = build_tree(paragraphs[first:closing])
        # "… yêu cầu Sở Y tế thực hiện các nhiệm vụ sau:" hands its items to that unit.
        intro = intro_addressee(paragraphs[first - 1].text) if first else []
        for child in root.children:
            extractor.walk(child, intro)
    else:
        extractor.tasks = []
        extractor.unnumbered(paragraphs[:end])
        return [task.as_dict(text) for task in extractor.tasks]
    extractor.closing([p for p in paragraphs[closing:end] if not is_upper_line(p.text)])
    return [task.as_dict(text) for task in extractor.tasks]
