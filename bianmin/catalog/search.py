"""Finding a published item by what a person at the counter types.

Staff at a village station or a hall know an item by its everyday name (低保, 残疾证), by its
pinyin typed on a phone keyboard without tones (`dibao`), by the initials of that pinyin
(`dbsq` for 低保申请, `zdsh` for 最低生活保障审核确认...) or by a code on a form (local code, basic
code, implementation code). `item_search` accepts all of these in one box.

The catalog is public (see `selectors`), so no viewer is taken; the caller narrows by tier the
way `item_list_published` does. Pinyin keys are worked out once per published version (a
published version is frozen, so its id and name identify its keys) and kept in the process.
"""

import functools
import operator
import re
import unicodedata
from collections.abc import Sequence
from typing import NamedTuple

from django.db.models import QuerySet
from pypinyin import Style, lazy_pinyin

from .models import ItemVersion
from .selectors import item_list_published, tier_q

# A few thousand published versions at most per county; each key pair is two short strings.
KEY_CACHE_SIZE = 8192
NOT_ALNUM = re.compile(r"[^0-9a-z]+")
ASCII_LETTERS = re.compile(r"[a-z]+")
# Initials typed as a sparse subsequence (`dbsq` inside 低保新申请, dbxsq) are only tried when
# nothing matches more strictly, only for words this long (shorter ones match almost anything),
# and with at most one skipped letter per three typed.
SUBSEQUENCE_MIN, SUBSEQUENCE_MAX = 3, 8


class PinyinKeys(NamedTuple):
    full: str  # 最低生活保障 -> zuidishenghuobaozhang
    initials: str  # 最低生活保障 -> zdshbz


class _Candidate(NamedTuple):
    pk: int
    name: str
    codes: tuple[str, ...]  # local, basic, implementation code, lower case
    keys: PinyinKeys


def normalize_query(text: str) -> list[str]:
    """The words of `text`: full-width forms folded (NFKC: `ｄｂ１` -> `db1`), lower case."""
    return unicodedata.normalize("NFKC", text or "").lower().split()


@functools.lru_cache(maxsize=KEY_CACHE_SIZE)
def pinyin_keys(pk: int, name: str) -> PinyinKeys:
    """Toneless pinyin of `name` and its initials, letters and digits only.

    `pk` is part of the cache key so that a version's keys are looked up by the version; the
    name alone decides the value. Non-Chinese runs (ABC, 2024) are kept as they are, lower case.
    """
    del pk
    full = "".join(lazy_pinyin(name))
    # FIRST_LETTER gives one letter per Chinese character and whole runs of anything else.
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER))
    return PinyinKeys(NOT_ALNUM.sub("", full.lower()), NOT_ALNUM.sub("", initials.lower()))


def _span(word: str, text: str) -> int | None:
    """Length of the shortest stretch of `text` that holds the letters of `word` in order (with
    others between them), or None when it holds no such stretch."""
    best = None
    start = text.find(word[0])
    while start != -1:
        pos = start
        for ch in word[1:]:
            pos = text.find(ch, pos + 1)
            if pos == -1:
                return best
        best = min(best or len(text) + 1, pos - start + 1)
        start = text.find(word[0], start + 1)
    return best


def _word_score(word: str, c: _Candidate) -> int | None:
    """How well one typed word matches a candidate (lower is better), or None for no match.

    0 a code exactly; 1 the name or a code starts with it; 2 the name contains it; 3 a code
    contains it; 4 the pinyin or its initials start with it; 5 they contain it.
    """
    name = c.name.lower()
    if word in c.codes:
        return 0
    if name.startswith(word) or any(code.startswith(word) for code in c.codes):
        return 1
    if word in name:
        return 2
    if any(word in code for code in c.codes):
        return 3
    letters = NOT_ALNUM.sub("", word)
    if not letters or not ASCII_LETTERS.search(letters):
        return None
    if c.keys.initials.startswith(letters) or c.keys.full.startswith(letters):
        return 4
    if letters in c.keys.initials or letters in c.keys.full:
        return 5
    return None


def items_published_for(tier: str | Sequence[str] | None) -> QuerySet[ItemVersion]:
    """The published items a unit of `tier` takes in (`item_list_published(tier=...)`), or of
    any of several tiers: a hall takes its own tier's items at the window and, on an
    applicant's entrustment, also the items villages may proxy (沂水 2016). Unknown tiers are
    refused as `item_list_published` refuses them."""
    if tier is None or isinstance(tier, str):
        return item_list_published(tier=tier)
    tiers = list(dict.fromkeys(tier))
    for t in tiers:
        item_list_published(tier=t)  # refuses an unknown tier
    if len(tiers) == 1:
        return item_list_published(tier=tiers[0])
    return item_list_published().filter(functools.reduce(operator.or_, map(tier_q, tiers)))


def _candidates(tier: str | Sequence[str] | None) -> list[_Candidate]:
    rows = (
        items_published_for(tier)
        .prefetch_related(None)
        .order_by()
        .values_list("pk", "name", "item__local_code", "basic_code", "implementation_code")
    )
    return [
        _Candidate(
            pk,
            name,
            tuple(code.lower() for code in (local, basic, implementation) if code),
            pinyin_keys(pk, name),
        )
        for pk, name, local, basic, implementation in rows
    ]


def item_search(
    *, q: str, tier: str | Sequence[str] | None = None, limit: int = 20
) -> list[ItemVersion]:
    """Published items (current versions) matching every word of `q`, best match first (then by
    local code, the catalog's own order).

    A word matches an item by its Chinese name (substring), a code (local, basic or
    implementation code: exact, prefix or substring), its toneless pinyin (`dibao`) or the
    initials of its pinyin (`dbsq`), each as a substring of the whole name's pinyin; when no
    item matches that way, initials typed sparsely (`dbsq` for 低保新申请) are tried as an
    ordered subsequence. `tier` narrows to the items a unit of that tier (or of any of several
    tiers) takes in, as `items_published_for` does. Blank `q` finds nothing: the picker lists
    results, never the whole catalog.
    """
    words = normalize_query(q)
    if not words or limit < 1:
        return []
    candidates = _candidates(tier)
    ranked: list[tuple[tuple, int]] = []
    for c in candidates:
        scores = [_word_score(w, c) for w in words]
        if all(s is not None for s in scores):
            ranked.append(((sum(s for s in scores if s is not None), c.codes[0]), c.pk))
    if not ranked:
        ranked = _sparse_initials(words, candidates)
    ranked.sort()
    wanted = [pk for _, pk in ranked[:limit]]
    found = ItemVersion.objects.select_related("item").in_bulk(wanted)
    return [found[pk] for pk in wanted if pk in found]


def _sparse_initials(words: list[str], candidates: list[_Candidate]) -> list[tuple[tuple, int]]:
    """Items whose initials hold every (letters-only) word as an ordered subsequence with few
    letters skipped, the tightest spans first."""
    letters = [NOT_ALNUM.sub("", w) for w in words]
    if not all(
        ASCII_LETTERS.fullmatch(w) and SUBSEQUENCE_MIN <= len(w) <= SUBSEQUENCE_MAX for w in letters
    ):
        return []
    out = []
    for c in candidates:
        spans = [_span(w, c.keys.initials) for w in letters]
        if all(
            s is not None and s <= len(w) + len(w) // 3 for s, w in zip(spans, letters, strict=True)
        ):
            out.append(((sum(s for s in spans if s is not None), c.codes[0]), c.pk))
    return out
