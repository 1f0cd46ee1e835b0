"""Addressees: where a unit or person phrase starts, where it ends, how a list splits.

Vietnamese administrative prose puts the addressee before the verb ("Sở Y tế chủ trì, phối hợp
với ... khẩn trương ...") or after a verb of assignment ("Giao/Đề nghị/Yêu cầu X ..."). There is
no tagger here: a phrase starts at a known head word (an organisation noun, a person's role,
a plural group) and ends at the first word that begins a predicate. Both lists below are about
the language of these documents, not about any one document.
"""

import re

from .normalize import fold, name_key
from .vocabulary import entries

# Organisation nouns that open a unit name. Case-sensitive on purpose: inside prose these
# words are capitalised only when they name a body ("Ban Chỉ đạo", "Sở Y tế"). Negative
# look-aheads keep out homographs that open a sentence ("Tổ chức ...", "Ban hành ...").
ORG_HEAD = (
    r"(?:Ủy ban|Uỷ ban|UBND|HĐND|Hội đồng(?! hương)|Sở|Ban(?! hành)|Bộ(?! phận)|Văn phòng|"
    r"Tỉnh ủy|Tỉnh uỷ|Huyện ủy|Thành ủy|Thị ủy|Đảng ủy|Đảng đoàn|Ban cán sự|Mặt trận|MTTQ|"
    r"Công an|Bộ Chỉ huy|Bộ đội|Cục|Chi cục|Tổng cục|Trung tâm|Bệnh viện|BV|Trường(?! hợp)|"
    r"Đài|Báo(?! cáo)|Viễn thông|Bưu điện|Ngân hàng|Kho bạc|Bảo hiểm|Tiểu ban|Tiểu Ban|"
    r"Tổ(?! chức| quốc)|Đoàn(?! kết)|Hội(?! nghị| thảo| họp)|Liên đoàn|Tỉnh đoàn|Công ty|"
    r"Tập đoàn|Liên minh|Ngành|ngành|Thanh tra|Cảng vụ|Cảnh sát|Hải quan|Quân khu|Thường trực|"
    r"BCĐ|BCH|CDC|Tòa án|Viện kiểm sát|Chi nhánh|Phòng(?! ngừa|,| chống| bệnh| dịch)|"
    r"Trạm|Hội đồng hương)"
)
# Roles of people. A list always splits before one of these ("..., thủ trưởng các cơ quan").
ROLE_HEAD = (
    r"(?:[Tt]hủ trưởng|[Nn]gười đứng đầu|[Ll]ực lượng|[Tt]rưởng(?= các| ban| đoàn| phòng)|"
    r"Giám đốc|Phó Giám đốc|Chỉ huy trưởng|Giáo sư|GS\.|PGS\.|[Đđ]ồng chí|Các đồng chí|"
    r"[Cc]hủ tịch|Phó Chủ tịch|[Bb]í thư|Trưởng [Bb]an|Trưởng [Đđ]oàn)"
)
# Plural or collective addressees ("các địa phương", "cấp ủy, chính quyền", "nhân dân").
GROUP_HEAD = (
    r"(?:(?:[Cc]ác|[Nn]hững|[Tt]ất cả)\s+(?:đồng chí\s+)?(?:cấp|ngành|địa phương|sở|ban|cơ quan|"
    r"đơn vị|tổ chức|đoàn thể|huyện|xã|phường|thị trấn|doanh nghiệp|cơ sở|hộ|trường|bệnh viện|"
    r"lực lượng|đồng chí|thành viên|tổ|đội|hội|chi bộ|đảng|chủ|nhà|ngân hàng|công ty|tỉnh|"
    r"thành phố|quận|khu|trung tâm|cá nhân|tập thể|Sở|Ban|Bộ|UBND|Ủy ban|Huyện|Thành|Đảng|"
    r"Tổ|Hội|Ngành|Trung tâm|Bệnh viện|Ủy viên|thủ trưởng|chi nhánh|trạm|ủy ban|ủy viên)"
    r"|[Cc]ấp ủy|[Cc]ấp uỷ|[Cc]hính quyền|[Cc]án bộ|[Nn]hân dân|"
    r"[Nn]gười dân|[Đđ]ảng viên)"
)
HEAD_RE = re.compile(rf"(?:{ORG_HEAD}|{ROLE_HEAD}|{GROUP_HEAD})(?=[\s,.:;)]|$)")
_SPECIFIC_START_RE = re.compile(rf"^(?:{ORG_HEAD})\b")
# Roles a list splits before. Lower-case "chủ tịch"/"bí thư" stay with the role before them:
# "người đứng đầu cấp ủy, chủ tịch UBND các cấp" pairs the party and government heads.
_ROLE_SPLIT_RE = re.compile(
    r"^(?:[Tt]hủ trưởng|[Nn]gười đứng đầu|[Ll]ực lượng|trưởng (?:các|ban|đoàn)|Giám đốc|"
    r"Phó Giám đốc|Chỉ huy trưởng|Giáo sư|GS\.|PGS\.|[Đđ]ồng chí|Các đồng chí|Chủ tịch|"
    r"Phó Chủ tịch|Trưởng [Bb]an|Trưởng [Đđ]oàn)\b"
)
# "Các sở, ban, ngành, UBND các huyện": the local governments are members of their own.
_LOCAL_GOVERNMENTS_RE = re.compile(r"^(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân) các ")
_ORG_OR_PLURAL_SPLIT_RE = re.compile(rf"^(?:{ORG_HEAD}|[Cc]ác |[Nn]hững )")

# Words that begin a predicate: where an addressee phrase ends. Matched in lower case only,
# so capitalised words inside names ("Trung tâm Kiểm soát bệnh tật") do not cut them.
# Words that begin a predicate: where an addressee phrase ends. Matched in lower case only,
# so capitalised words inside names ("Trung tâm Kiểm soát bệnh tật") do not cut them.
PREDICATES = entries("predicates")
_PREDICATE_RE = re.compile(
    r"(?<![\w])(?:"
    + "|".join(sorted(map(re.escape, PREDICATES), key=len, reverse=True))
    + r")(?![\w])"
)
# Predicates a clause in the middle of a sentence must start with before we believe it names
# a new addressee ("..., Ủy ban Mặt trận Tổ quốc tỉnh chủ trì ...").
STRONG_PREDICATES = entries("strong_predicates")
# Words that close an addressee phrase without being predicates ("X nếu ...", "để X ...").
_BOUNDARY_RE = re.compile(
    r"(?<![\w])(?:nếu|thì|để|khi|nhằm|trong việc|về việc|giao(?! ban| thông| dịch| tiếp| lưu| nhận| hàng))(?![\w])"
)

# Contexts where a predicate word is part of a name or a noun phrase, not a verb.
_PROTECTED_BEFORE_RE = re.compile(
    r"(?:\b[Bb]an|\b[Tt]ổ|\b[Tt]iểu ban|\bcác|\bnhững|\bđại diện|\bcơ quan|\bsự|\bviệc|"
    r"\bvăn bản|\bcông tác|\bý kiến|\bnội dung|\btinh thần|\bquyền)\s$"
)
_PROTECTED_AFTER_RE = re.compile(r"^\s(?:chính trị|đảng|đoàn thể|xã hội|dân|y tế|tỉnh)\b")

_LEVEL_AFTER_RE = re.compile(
    r"^\s(?:huyện|xã|tỉnh|cơ sở|ủy|uỷ|trên|dưới|trung ương|thôn|phường|quận|thành phố|thị xã|"
    r"có thẩm quyền|độ|bách|cứu|ủy|chính quyền|bộ)\b"
)
_PERSON_NAME = r"[A-ZĐÀ-Ỹ][\wÀ-ỹ]*(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ]*){1,4}"
# "đồng chí Mai Hùng Dũng, UVTV, Phó Chủ tịch UBND tỉnh": the titles after a named person
# describe that person; keep the name only.
_TITLE_WORD = (
    r"(?:UVTV|UVBTV|TUV|Ủy viên|Uỷ viên|Tỉnh ủy viên|Phó|Chủ tịch|Giám đốc|Bí thư|Trưởng|"
    r"Chánh|Thứ trưởng|Bộ trưởng|Chỉ huy|Tổng|Viện trưởng|Hiệu trưởng)"
)
_PERSON_APPOSITIVE_RE = re.compile(
    rf"(?P<person>(?:[Đđ]ồng chí|Giáo sư|GS\.?|PGS\.?(?:\s*TS\.?)?|TS\.?|[Ôô]ng|[Bb]à)\s+"
    rf"{_PERSON_NAME})(?P<titles>(?:,\s*{_TITLE_WORD}[^,;]*?)+)(?=\s*(?:,|;|\bvà\b|$))"
)
# Emphasis inside a list of addressees introduces further addressees.
_EMPHASIS_RE = re.compile(r",?\s*(?:đặc biệt là|nhất là|trong đó có|kể cả)\s+")
# "các đơn vị: ngân hàng, bảo hiểm xã hội, doanh nghiệp" enumerates its members.
_ENUMERATION_RE = re.compile(r"^(?:các|những)\s+(?:đơn vị|cơ quan|ngành|địa phương)\s*:\s*(.+)$")


def find_predicate(text: str, start: int = 0, *, strong: bool = False) -> re.Match[str] | None:
    """First predicate word in text[start:] that is used as a verb (not inside a name)."""
    allowed = STRONG_PREDICATES if strong else None
    depth = 0
    for match in _PREDICATE_RE.finditer(text, start):
        depth = text.count("(", start, match.start()) - text.count(")", start, match.start())
        if depth > 0:
            continue
        if _PROTECTED_BEFORE_RE.search(text[max(0, match.start() - 12) : match.start()]):
            continue
        if match.group(0) == "cấp" and (
            _LEVEL_AFTER_RE.match(text[match.end() : match.end() + 14])
            or re.search(
                r"(?:[Cc]ác|mọi|từng|[Hh]ai|[Bb]a|4)\s$",
                text[max(0, match.start() - 6) : match.start()],
            )
        ):
            continue  # "UBND cấp xã", "tổ cấp cứu": a level or a noun, not "to supply"
        if match.group(0) in {"tổ chức", "lãnh đạo"} and _PROTECTED_AFTER_RE.match(
            text[match.end() : match.end() + 14]
        ):
            continue
        if allowed is not None and match.group(0) not in allowed:
            return None
        return match
    return None


def starts_with_head(text: str) -> bool:
    return bool(HEAD_RE.match(text))


_VI_UPPER = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
# Known names, longest first, and the localities that close a name ("… tỉnh", "… huyện Trần
# Văn Thời", "… Tỉnh ủy"); "xã hội" is a word, not a commune.
_KNOWN_NAME_RE = re.compile(
    "|".join(re.escape(n) for n in sorted(entries("unit_names"), key=len, reverse=True))
)
_LOCALITY_RE = re.compile(
    r"(?<![\w])(?:(?:[Tt]ỉnh|[Hh]uyện|[Tt]hị|[Tt]hành|[Đđ]ảng) (?:ủy|uỷ)|tỉnh|huyện|thị xã|thành phố|thị trấn|xã(?! hội)|phường|quận|Tỉnh ủy|Tỉnh uỷ|"
    rf"Huyện ủy|Thành ủy|Thị ủy)(?:\s+[{_VI_UPPER}][\w]*){{0,4}}(?![\w])"
)
_CONTINUES_RE = re.compile("|".join(f"(?:{p})" for p in entries("name_continuations")))
_NEXT_WORD_RE = re.compile(r"\s+([a-zđà-ỹ][\wà-ỹ]*)")


def name_end(text: str, start: int, limit: int) -> int | None:
    """Where a unit's name that starts at text[start] ends by its shape, before limit.

    After a known name, or after a locality, a lower-case word that does not continue the
    name begins the predicate, even a verb no vocabulary lists ("Trung tâm Kiểm soát bệnh tật
    tỉnh dự trữ …", "Sở Thông tin và Truyền thông nhắn tin …"). None when the shape says
    nothing (the name runs to the end of the clause, or is followed by punctuation).
    """
    ends = []
    known = _KNOWN_NAME_RE.match(text, start)
    if known:
        ends.append(known.end())
    ends += [m.end() for m in _LOCALITY_RE.finditer(text, start, limit)]
    for end in sorted(set(ends)):
        if end >= limit:
            break
        if _CONTINUES_RE.match(text, end):
            continue
        # A locality followed by the next locality word is absorbed by the loop above.
        later = _LOCALITY_RE.match(text, end + 1) if text[end : end + 1] == " " else None
        if later:
            continue
        following = _NEXT_WORD_RE.match(text, end)
        if following:
            return following.start(1)  # where the predicate word starts, as for a known verb
    return None


def phrase_end(
    text: str, start: int = 0, *, strong: bool = False, max_words: int = 45
) -> int | None:
    """Where the addressee phrase beginning at text[start] ends, or None if no verb follows."""
    predicate = find_predicate(text, start, strong=strong)
    boundary = _BOUNDARY_RE.search(text, start)
    ends = [m.start() for m in (predicate, boundary) if m]
    if not strong:
        clause = re.search(r"[.;:]\s|[.;:]?$", text[start:])
        shape = name_end(text, start, start + (clause.start() if clause else len(text)))
        if shape is not None:
            ends.append(shape)
            predicate = predicate or shape
    if not predicate:
        return None
    end = min(ends)
    if len(text[start:end].split()) > max_words or end == start:
        return None
    # A phrase cannot end on a connective: "UBND tỉnh và | hướng dẫn ..." is not an addressee.
    if re.search(r"(?:\bvà|\bcủa|\bvới|\bcho|,)\s*$", text[start:end]):
        return None
    # Stop at the end of the clause too: a predicate in a later sentence is not ours.
    if re.search(r"[.;]\s", text[start:end]):
        return None
    return end


def strip_appositives(phrase: str) -> str:
    return _PERSON_APPOSITIVE_RE.sub(lambda m: m.group("person"), phrase)


def _split_points(segment: str) -> list[int]:
    """Offsets where a list of addressees starts a new member."""
    specific = bool(_SPECIFIC_START_RE.match(segment))
    points = []
    depth = 0
    # A known name holds its own "và" ("Văn phòng HĐND và UBND huyện"): never split inside.
    inside = [(m.start(), m.end()) for m in _KNOWN_NAME_RE.finditer(segment)]
    for i, ch in enumerate(segment):
        if any(a < i < b for a, b in inside):
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if depth:
            continue
        for sep in (", ", "; ", " và "):
            if segment.startswith(sep, i):
                rest = segment[i + len(sep) :]
                if (
                    _ROLE_SPLIT_RE.match(rest)
                    or (specific and _ORG_OR_PLURAL_SPLIT_RE.match(rest))
                    or (sep == ", " and _LOCAL_GOVERNMENTS_RE.match(rest))
                ):
                    points.append(i)
    return points


def split_units(phrase: str) -> list[str]:
    """Split an addressee phrase into its members, keeping each as written.

    A list that opens with a named body ("Ban Dân vận Tỉnh ủy, Đảng đoàn ... và các tổ chức")
    splits before every further body; a list that opens with a collective ("cấp ủy, chính
    quyền, ...", "Các cấp, các ngành, ...") is one addressee, except before a person's role
    ("..., thủ trưởng các cơ quan") and after "đặc biệt là / nhất là".
    """
    phrase = strip_appositives(clean_phrase(phrase))
    if not phrase:
        return []
    members: list[str] = []
    for part in _EMPHASIS_RE.split(phrase):
        part = clean_phrase(part)
        enumeration = _ENUMERATION_RE.match(part)
        if enumeration:
            members += [
                clean_phrase(x)
                for x in re.split(r",\s*|\s+và\s+", enumeration.group(1))
                if x.strip()
            ]
            continue
        cuts = [0, *_split_points(part), len(part)]
        for a, b in zip(cuts, cuts[1:], strict=False):
            piece = part[a:b]
            piece = re.sub(r"^(?:,|;|\s+và)\s*", "", piece)
            piece = clean_phrase(piece)
            if piece:
                members.append(piece)
    return members


def clean_phrase(phrase: str) -> str:
    phrase = " ".join(phrase.split())
    phrase = re.sub(r"^(?:cho|đối với|với|cùng)\s+", "", phrase)
    phrase = re.sub(r"\s*\((?:để )?(?:phối hợp|b/c|biết|thực hiện)\)$", "", phrase)
    return phrase.strip(" ,;:.-–")


# Collective addressees the Django layer fans out to one task per member unit.
_GROUP_RE = re.compile(
    r"^(?:cac|nhung|toan the|moi)\b"
    r"|\bcac (?:huyen|xa|so|ban|nganh|dia phuong|co quan|don vi|cap|to chuc|doan the|"
    r"doanh nghiep|phuong|thi tran|benh vien|truong|thanh vien|dong chi|tinh|thanh pho|quan)\b"
    r"|\bcap (?:huyen|xa|tinh|co so)\b|\bcac cap\b|\btoan tinh\b|\bdia phuong\b"
)


def is_group_addressee(name: str) -> bool:
    """True when name stands for several units ("UBND các huyện, thành phố", "các sở, ngành").

    A named body ("Sở Y tế"), a person ("đồng chí Nguyễn Lộc Hà") or the general marker
    "(chung)" is not a group.
    """
    if not name or name.strip() == "(chung)":
        return False
    key = fold(name)
    if re.match(r"^(?:dong chi|giao su|ong|ba)\s+[^\s,]+", key) and name.split()[1][:1].isupper():
        return False
    return bool(_GROUP_RE.search(key))


def same_addressee(a: list[str], b: list[str]) -> bool:
    """Two addressee lists name the same body ("các địa phương" ≈ "các địa phương trong tỉnh")."""
    if not a or not b:
        return False
    ka, kb = [name_key(x) for x in a], [name_key(x) for x in b]
    if ka == kb:
        return True
    if len(ka) == len(kb) == 1:
        x, y = ka[0], kb[0]
        return x.startswith(y) or y.startswith(x)
    return False
