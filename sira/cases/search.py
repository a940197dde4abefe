"""Finding people: one search for the case list page and the API, by name (through the keyed tokens of
PersonNameToken, never by decrypting names) or by case number; and the audited reading of the names
a list page shows."""

from django.conf import settings
from django.db.models import Case as SqlCase
from django.db.models import F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from sira.accounts.access import sees_aggregates
from sira.audit.models import AuditEvent
from sira.audit.services import record
from sira.cases import paging
from sira.cases.models import NAME_FIELDS, Case, Exploitation, Person, PersonNameToken
from sira.core import names
from sira.core.crypto import blind_index, keyed_hash, normalise, seal, unseal

CASE_NUMBER_SCORE = 100
# A search is counted up to this many matches ("100+ cases: add a name to narrow it"): counting a
# common name up to the list's cap of 1,000 would cost more than showing its first page.
SEARCH_COUNT_CAP = 100
SEARCH_TOKEN_PURPOSE = "case-search"  # noqa: S105 - a label, not a secret
# Parameters that never go into a URL or the audit log as typed: `q` (a name or a case number).
SEARCH = "q"
TOKEN = "s"  # noqa: S105 - the parameter name
PAGING = ("after", "before", "page")
NOT_IN_URLS = ("csrfmiddlewaretoken",)  # a POSTed search form carries its CSRF token


def _number_like(text: str) -> bool:
    """A case number is searched by its start, which holds a dash or a digit (TSTA-2026-12): a plain
    word is a name only, so the name search can be read through the token index alone."""
    return len(text.split()) == 1 and any(ch.isdigit() or ch in "-/" for ch in text)


def _people_with(tokens) -> QuerySet:
    return PersonNameToken.objects.filter(token__in=tokens).values("person_id")


def matching(queryset: QuerySet[Case], text: str) -> QuerySet[Case]:
    """Cases of `queryset` whose person's name matches every word of `text` (in any order, each word
    being a name part, a variant spelling of one, or the start of one), or whose case number starts
    with `text` (any case). A filter only: `ranked` orders by best match."""
    text = (text or "").strip()
    if not text:
        return queryset
    number = Q(case_number__startswith=text.upper()) if _number_like(text) else None
    name = None
    for word in names.query_words(text):
        word_match = Q(person_id__in=_people_with(names.word_tokens(word)))
        name = word_match if name is None else name & word_match
    if number is None and name is None:
        return queryset.none()
    if number is None or name is None:
        return queryset.filter(number or name)
    return queryset.filter(number | name)


def ranked(queryset: QuerySet[Case], text: str) -> QuerySet[Case]:
    """`queryset` (already `matching`) best matches first: case number, then exact words, phonetic
    variants, prefixes; then the list's order. Each row's score costs a small indexed subquery, so this
    suits a few thousand matches at most (`paginate` reads larger ones tier by tier)."""
    text = (text or "").strip()
    scores = {}
    for i, word in enumerate(names.query_words(text)):
        scores[f"_word{i}"] = Subquery(
            PersonNameToken.objects.filter(token__in=names.word_tokens(word), person_id=OuterRef("person_id"))
            .order_by("-kind")
            .values("kind")[:1],
            output_field=IntegerField(),
        )
    if _number_like(text):
        scores["_number"] = SqlCase(
            When(case_number__startswith=text.upper(), then=Value(CASE_NUMBER_SCORE)),
            default=Value(0),
            output_field=IntegerField(),
        )
    if not scores:
        return queryset
    queryset = queryset.annotate(**scores)
    total = sum((Coalesce(F(name), 0) for name in scores), Value(0))
    return queryset.annotate(search_score=total).order_by("-search_score", *Case._meta.ordering)


def search_cases(queryset: QuerySet[Case], text: str) -> QuerySet[Case]:
    """`matching` in `ranked` order: one SQL query when evaluated; nothing is decrypted."""
    return ranked(matching(queryset, text), text)


def tiers(queryset: QuerySet[Case], text: str) -> list[tuple[int, QuerySet[Case]]] | None:
    """The cases of `queryset` (not yet `matching`) that match `text`, as `ranked` orders them: a
    list of (score, cases of that score in the list's order), best first, for a one-word search;
    None for several words (their matches are the intersection of each word's, few). Each tier is
    read through the list's order index and stops at a page, so a common name among a million cases
    costs what a rare one does."""
    text = (text or "").strip()
    words = names.query_words(text)
    if len(words) > 1 or len(text.split()) > 1:
        return None
    parts = []
    if _number_like(text):
        by_number = Q(case_number__startswith=text.upper())
        parts.append((CASE_NUMBER_SCORE, queryset.filter(by_number)))
        queryset = queryset.exclude(by_number)
    if words:
        better: list[str] = []  # the tokens of the kinds already given their tier
        for kind, tokens in names.word_tokens_by_kind(words[0]):  # exact, phonetic, prefix, phonetic prefix
            part = queryset.filter(person_id__in=_people_with(tokens))
            if better:
                part = part.exclude(person_id__in=_people_with(better))
            parts.append((kind, part))
            better += tokens
    order = Case._meta.ordering
    return [(score, part.annotate(search_score=Value(score)).order_by(*order)) for score, part in parts]


def tier_count(parts: list[tuple[int, QuerySet[Case]]], cap: int) -> tuple[int, bool]:
    """The capped count of a one-word search, tier by tier, each stopping at what is left of the cap:
    a common name is counted from its exact spelling's cases alone (the union of all its tokens
    would read every token row of the name, 135,000 for Coulibaly among a million cases)."""
    total = 0
    for _score, part in parts:
        total += part.order_by().values("pk")[: cap + 1 - total].count()
        if total > cap:
            return cap, True
    return total, False


def paginate(queryset: QuerySet[Case], *, text: str = "", after=None, before=None, size: int = 25, cap=None):
    """One page of the cases of `queryset` that match `text`, best match first (or the list's order
    when nothing is searched). Up to the count cap the scores are computed in one query; beyond it a
    one-word search is read tier by tier. Both give the same order and the same cursors."""
    text = (text or "").strip()
    if not text:
        return paging.paginate(queryset, after=after, before=before, size=size, cap=cap)
    cap = SEARCH_COUNT_CAP if cap is None else cap
    parts = tiers(queryset, text)
    queryset = matching(queryset, text)
    counted = tier_count(parts, cap) if parts is not None else paging.capped_count(queryset, cap)
    if not counted[1]:
        parts = None  # up to the cap, one query computes the scores
    if parts is None:
        return paging.paginate(
            ranked(queryset, text), after=after, before=before, size=size, cap=cap, counted=counted
        )
    return paging.paginate_tiers(parts, after=after, before=before, size=size, cap=cap, counted=counted)


# The columns a case list shows (the page's table and the API's summary), and those it orders by.
LIST_FIELDS = (
    "id",
    "case_number",
    "organisation_id",
    "person_id",
    "identification_date",
    "identification_context",
    "identification_region__code",
    "identification_region__name_fr",
    "identification_region__name_en",
    "age_at_identification",
    "trafficking_status",
    "case_status",
    "person__id",
    "person__gender",
)


def for_list(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """A case list that reads only the columns it shows and decrypts nothing: the person's identity and
    the narrative stay unread (the names of a page are read apart, by `read_list_names`)."""
    forms = Prefetch("exploitations", queryset=Exploitation.objects.only("id", "case_id", "form"))
    return (
        queryset.select_related("person", "identification_region").only(*LIST_FIELDS).prefetch_related(forms)
    )


def shows_names_on_list(user) -> bool:
    """Whoever sees a case on the list may see its name there, except the national roles, who work on
    aggregates and never see a name on a list."""
    return user.is_authenticated and not sees_aggregates(user)


def read_list_names(cases: list[Case], *, by, request=None) -> list[Case]:
    """Give each case of a list page its person's name (`case.list_name`), decrypting only those names,
    in one query, and record one identity-read audit event listing the cases shown."""
    if not cases or not shows_names_on_list(by):
        return cases
    people = Person.objects.filter(pk__in={c.person_id for c in cases}).only("id", *NAME_FIELDS)
    full_names = {p.pk: p.full_name for p in people}
    for case in cases:
        case.list_name = full_names.get(case.person_id, "")
    record(
        AuditEvent.Action.VIEW_IDENTITY,
        actor=by,
        request=request,
        cases=[c.pk for c in cases],
        fields=list(NAME_FIELDS),
    )
    return cases


def rebuild_name_tokens(person_model, token_model, *, batch_size: int = 500) -> int:
    """Recompute every person's name tokens and exact-name blind indexes from the decrypted names (after
    a blind-index key change, or to build them the first time). Takes the model classes so a migration
    can pass its historical models. Returns the number of persons."""
    count = 0
    people = person_model.objects.only("id", *NAME_FIELDS).order_by("pk")
    batch = []
    for person in people.iterator(chunk_size=batch_size):
        batch.append(person)
        if len(batch) >= batch_size:
            _rebuild_batch(person_model, token_model, batch)
            count += len(batch)
            batch = []
    if batch:
        _rebuild_batch(person_model, token_model, batch)
        count += len(batch)
    return count


def _rebuild_batch(person_model, token_model, batch) -> None:
    token_model.objects.filter(person_id__in=[p.pk for p in batch]).delete()
    rows = []
    for person in batch:
        tokens = names.name_tokens(*(getattr(person, f) for f in NAME_FIELDS))
        rows += [token_model(person_id=person.pk, kind=k, token=t) for t, k in tokens.items()]
        person.first_name_index = blind_index(person.first_name or "")
        person.last_name_index = blind_index(person.last_name or "")
    token_model.objects.bulk_create(rows, batch_size=1000)
    person_model.objects.bulk_update(batch, ["first_name_index", "last_name_index"])


# ---------------------------------------------------------------------------------------------------
# A search outside URLs and logs. A name typed in the search box is sent by POST; the pages that follow
# (next page, export) carry an encrypted token (`s`) standing for it, bound to the user and valid for
# SIRA_SEARCH_TOKEN_MINUTES, so web-server logs, browser history and bookmarks hold no name. The audit
# log records a keyed hash of the search, never the words.


def search_token(user, text: str) -> str:
    return seal(SEARCH_TOKEN_PURPOSE, {"u": user.pk, "q": text})


def search_text(user, token: str) -> str | None:
    """The search a token stands for, or None if it is not this user's or has expired."""
    payload = unseal(SEARCH_TOKEN_PURPOSE, token, max_age=settings.SIRA_SEARCH_TOKEN_MINUTES * 60)
    if not payload or payload.get("u") != user.pk or not isinstance(payload.get("q"), str):
        return None
    return payload["q"]


def tokenised(params, user) -> dict:
    """The parameters of a list or export as a URL may carry them: the search replaced by its token,
    empty values and paging dropped."""
    out = {k: v for k, v in _items(params) if v and k not in (SEARCH, TOKEN, *PAGING, *NOT_IN_URLS)}
    text = str(params.get(SEARCH) or "").strip()
    if text:
        out[TOKEN] = search_token(user, text)
    elif params.get(TOKEN):
        out[TOKEN] = params.get(TOKEN)
    return out


def _items(params):
    if hasattr(params, "lists"):
        return [(k, v) for k, values in params.lists() for v in values]
    return [(k, v) for k, v in params.items()]


def resolve(params, user):
    """`params` (a QueryDict or dict) with a search token replaced by the search it stands for, and
    whether a token had expired. What CaseFilter is given on every read path."""
    from django.http import QueryDict

    resolved = QueryDict(mutable=True)
    for key, value in _items(params):
        if key != TOKEN:
            resolved.appendlist(key, value)
    token = params.get(TOKEN)
    if not token:
        return resolved, False
    text = search_text(user, token)
    if text is not None:
        resolved[SEARCH] = text
    return resolved, text is None


def audit_filters(params, *, skip=("format",)) -> dict:
    """The filters of an export as the audit log records them: the search as a keyed hash only (who
    holds the key can check whether a given name was searched; the log alone reveals none)."""
    filters = {k: v for k, v in params.items() if v and k not in (*skip, SEARCH, TOKEN, *PAGING)}
    text = str(params.get(SEARCH) or "").strip()
    if text:
        filters["search_hash"] = keyed_hash("search", normalise(text))
    return filters


def rebuild_stale_name_tokens(*, batch_size: int = 500) -> int:
    """After a new blind-index key is put first: rebuilds, one short transaction per batch, the name
    tokens of the persons whose exact-name indexes are not yet under it (the others are done: a run
    that stopped is resumed by running it again). Returns the number of persons rebuilt."""
    from django.db import transaction

    count, last = 0, 0
    while True:
        batch = list(
            Person.objects.filter(pk__gt=last)
            .only("id", "first_name_index", "last_name_index", *NAME_FIELDS)
            .order_by("pk")[:batch_size]
        )
        if not batch:
            return count
        last = batch[-1].pk
        stale = [
            p
            for p in batch
            if not (p.first_name or p.last_name)
            or (p.first_name_index, p.last_name_index)
            != (blind_index(p.first_name or ""), blind_index(p.last_name or ""))
        ]
        if stale:
            with transaction.atomic():
                _rebuild_batch(Person, PersonNameToken, stale)
            count += len(stale)
