"""Chinese search: jieba words written at save time, matched by PostgreSQL full text or by LIKE.

Write time: `search_text_build()` segments the public fields with jieba (search mode: long words
and their shorter parts) and adds the two-character runs of every Chinese stretch, so a query
word is found whatever way jieba split the stored sentence. The result is stored in
`Challenge.search_text`, space-separated with a space at each end.

Query time: the query is segmented the same way (no stored text is ever segmented again), then
- PostgreSQL: `search_vector @@ plainto_tsquery('simple', words)`, where `search_vector` is the
  stored generated column to_tsvector('simple', search_text) of migration 0002, GIN-indexed (the
  'simple' configuration keeps every token as is);
- SQLite (the embedded default): one `LIKE '% word %'` per word. A scan, fine at demo sizes.
Every word must match (AND).
"""

from __future__ import annotations

import re
import threading

from django.db import connections
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

# Words of the programme's industries that jieba's general dictionary splits or misses.
DOMAIN_WORDS = [
    "氢能",
    "制氢",
    "储氢",
    "海洋牧场",
    "深远海",
    "海上风电",
    "燃料电池",
    "新材料",
    "复合材料",
    "碳纤维",
    "石墨烯",
    "生物医药",
    "海洋药物",
    "智能制造",
    "工业互联网",
    "数字孪生",
    "机器视觉",
    "防腐涂层",
    "海水淡化",
    "储能",
    "锂电池",
    "钠离子电池",
    "大模型",
    "集成电路",
    "水下机器人",
]
HAN = re.compile(r"[\u3400-\u9fff]+")
WORD = re.compile(r"[\w\u3400-\u9fff]+")
MAX_QUERY_WORDS = 12
_ready = threading.Lock()
_loaded = False


def _jieba():
    global _loaded
    import jieba

    if not _loaded:
        with _ready:
            if not _loaded:
                jieba.setLogLevel(60)
                for word in DOMAIN_WORDS:
                    jieba.add_word(word, freq=20000)
                _loaded = True
    return jieba


def search_warm() -> None:
    """Load jieba's dictionary now (about half a second). A production worker calls this at start,
    so the first search after a deploy does not wait for it while holding requests behind it."""
    _jieba().initialize()


def words(text: str) -> list[str]:
    """jieba's search-mode words of `text`, lower-cased, without punctuation or blanks."""
    out = []
    for token in _jieba().cut_for_search(text or ""):
        token = token.strip().lower()
        if token and WORD.fullmatch(token):
            out.append(token)
    return out


def search_text_build(*parts: str) -> str:
    terms: list[str] = []
    seen = set()
    text = " ".join(p for p in parts if p)
    candidates = words(text)
    for run in HAN.findall(text):
        candidates.extend(run[i : i + 2] for i in range(len(run) - 1))
    for term in candidates:
        if term not in seen:
            seen.add(term)
            terms.append(term)
    return f" {' '.join(terms)} " if terms else ""


def query_terms(query: str) -> list[str]:
    """The words a query must all match. A Chinese word jieba keeps whole but longer than two
    characters is also matched through its two-character runs, which the stored text always has."""
    terms: list[str] = []
    for token in _jieba().cut(query or ""):
        token = token.strip().lower()
        if not token or not WORD.fullmatch(token):
            continue
        if HAN.fullmatch(token) and len(token) > 2:
            parts = [token[i : i + 2] for i in range(len(token) - 1)]
        else:
            parts = [token]
        for part in parts:
            if part not in terms:
                terms.append(part)
    return terms[:MAX_QUERY_WORDS]


def search_filter(queryset: QuerySet, query: str) -> QuerySet:
    """`queryset` narrowed to rows whose search_text holds every word of `query`."""
    terms = query_terms(query)
    if not terms:
        return queryset
    table = queryset.model._meta.db_table
    if connections[queryset.db].vendor == "postgresql":
        match = RawSQL(
            f'"{table}"."search_vector" @@ plainto_tsquery(\'simple\'::regconfig, %s)',
            [" ".join(terms)],
            output_field=BooleanField(),
        )
        return queryset.filter(match)
    condition = Q()
    for term in terms:
        condition &= Q(search_text__contains=f" {term} ")
    return queryset.filter(condition)
