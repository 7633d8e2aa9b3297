"""Reading the free text a session had before speakers were entities ("中国海洋大学 王教授；海尔集团 李博士").

Used by the data migration (copied there, as migrations must not follow code changes) and by
`session_people_from_text`, which links sessions created from text (the demo, old imports).
"""

import re

SEPARATORS = re.compile(r"[;；、,，/]+")
TITLES = ("院士", "教授", "研究员", "副教授", "副研究员", "高级工程师", "博士", "主任", "处长", "局长")


def split_speakers(text: str) -> list[tuple[str, str]]:
    """[(name, organisation)]: "机构 姓名" splits at the last space; a lone name has no organisation."""
    people = []
    for part in SEPARATORS.split(text or ""):
        part = " ".join(part.split())
        if not part:
            continue
        organisation, _, name = part.rpartition(" ")
        people.append((name[:80], organisation[:120]))
    return people


def title_of(name: str) -> str:
    """ "王教授" -> "教授": the title the old text carried inside the name, if any."""
    return next((title for title in sorted(TITLES, key=len, reverse=True) if name.endswith(title)), "")
