"""The three streams of a Discourse source, each a generator of Steps (mentions, cursor, requests).

* latest   – GET /posts.json, newest first, paged with before=ID; categories and
             keywords are applied here, on our side
* search   – GET /search.json?q=QUERY order:latest after:DATE&page=N, then each topic's
             new posts in full (GET /t/ID/posts.json?post_ids[]=…): a result has only a blurb
* mentions – GET /notifications.json (offset=N), mentions, replies, quotes, group mentions
             and private messages, then the posts they are about, as for search

All three are newest-first listings read down to what the last sync stored, so they
share `walk`. Its cursor is ``{"last_id": N}`` (the newest post or notification id
stored) and, while a walk is under way, ``"walk": {"top", "at", "count"}``: where
the walk started, where to read next, how many it found. Every page is committed
with the cursor that resumes after it, so a sync killed mid-walk goes on from there
and the next one never leaves a gap or repeats a page. A sync with nothing new asks
one request per stream. The first sync of a stream reads at most `backfill` items.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from commwatch.connector import ConnectorError, Rejected, as_int, parse_time
from commwatch.model import Kind, Mention
from commwatch_discourse import parse
from commwatch_discourse.api import Api, ApiError
from commwatch_discourse.options import Options

MAX_PAGES = 100  # pages one stream reads in a sync; a longer walk resumes at the next sync
POSTS_PER_REQUEST = 50  # post_ids[] asked of /t/ID/posts.json at once
CATEGORIES_FRESH = timedelta(days=1)  # how long resolved category slugs are trusted


@dataclass
class Step:
    mentions: list[Mention | Rejected]
    cursor: dict[str, Any]
    requests: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


ReadPage = Callable[[Any], tuple[list[Any], Any]]  # position -> (items newest first, next position or None)


def walk(cursor: dict[str, Any] | None, backfill: int, read_page: ReadPage) -> Iterator[tuple[list[Any], dict]]:
    """Pages of a newest-first listing down to `last_id`, each with the cursor to commit after it."""
    state = dict(cursor or {})
    floor = as_int(state.pop("last_id", None))
    resume = state.pop("walk", None) or {}
    top, at, count = as_int(resume.get("top")), resume.get("at"), as_int(resume.get("count")) or 0
    resuming = bool(resume)
    for _ in range(MAX_PAGES):
        items, next_at = read_page(at)
        ids = [_item_id(item) for item in items]
        if top is None:
            top = max((i for i in ids if i is not None), default=floor)
        new = [item for item, i in zip(items, ids) if floor is None or i is None or i > floor]
        if floor is None:
            new = new[: max(0, backfill - count)]
        count += len(new)
        reached = floor is not None and any(i is not None and i <= floor for i in ids)
        end = reached or not items or next_at is None or next_at == at or (floor is None and count >= backfill)
        if end:
            newest = max((i for i in (top, floor) if i is not None), default=None)
            after = {**state, **({"last_id": newest} if newest is not None else {})}
        else:
            after = {**state, "walk": {"top": top, "at": next_at, "count": count}}
            if floor is not None:
                after["last_id"] = floor
        yield new, after
        if end and not resuming:
            return
        if end:  # an interrupted walk is complete: now what arrived since it began, from the top
            floor, top, at, count, resuming = as_int(after.get("last_id")), None, None, 0, False
            continue
        at = next_at


def latest(api: Api, options: Options, cursor: dict | None, numbers: dict) -> Iterator[Step]:
    """The site's new posts, filtered by category and keywords on our side."""
    state = dict(cursor or {})
    allowed = _allowed_categories(api, options, state)

    def read_page(before):
        body = api.get("the latest posts", "/posts.json", {"before": before} if before else None)
        items = _list(body, "latest_posts", api, "the latest posts")
        _learn(numbers, items)  # posts stored before are parents of new ones on the same page
        ids = [i for i in map(_item_id, items) if i is not None]
        return items, (min(ids) if ids else None)

    for items, after in walk(state, options.backfill, read_page):
        if allowed is not None:
            items = [p for p in items if not isinstance(p, dict) or as_int(p.get("category_id")) in allowed]
        found = parse.posts(items, options.site, numbers=numbers)
        if options.keywords is not None:
            found = [m for m in found if not isinstance(m, Mention) or options.keeps_text(m.title, m.text)]
        yield Step(found, after, api.take())


def search(api: Api, options: Options, cursor: dict | None, numbers: dict) -> Iterator[Step]:
    """Posts matching `query`, newest first, each read in full."""
    state = dict(cursor or {})
    since = state.get("since")
    q = f"{options.query} order:latest" + (f" after:{since}" if since else "")
    topics: dict[int, dict] = {}

    def read_page(page):
        page = page or 1
        body = api.get("the search", "/search.json", {"q": q, "page": page})
        items = _list(body, "posts", api, "the search", missing_ok=True)
        for topic in body.get("topics") or []:
            if isinstance(topic, dict) and as_int(topic.get("id")) is not None:
                topics[as_int(topic["id"])] = parse.topic_info(topic)
        grouped = body.get("grouped_search_result")
        more = isinstance(grouped, dict) and bool(grouped.get("more_full_page_results"))
        return items, (page + 1 if more and items else None)

    newest_day = None
    for items, after in walk(state, options.backfill, read_page):
        for item in items:  # the day of the newest result: the next search starts the day before it
            created = _created(item)
            if created is not None and (newest_day is None or created > newest_day):
                newest_day = created
        if "walk" not in after and newest_day is not None:
            after["since"] = (newest_day - timedelta(days=1)).date().isoformat()
        found = in_full(api, items, options, topics, numbers, extra={"search": options.query})
        yield Step(found, after, api.take())


def mentions(api: Api, options: Options, cursor: dict | None, numbers: dict) -> Iterator[Step]:
    """Notifications of the key's user that a manager answers, as the posts they are about."""

    def read_page(offset):
        body = api.get("the notifications", "/notifications.json", {"offset": offset} if offset else None)
        items = _list(body, "notifications", api, "the notifications")
        more = bool(body.get("load_more_notifications")) if isinstance(body, dict) else False
        return items, ((offset or 0) + len(items) if more and items else None)

    for items, after in walk(cursor, options.backfill, read_page):
        wanted, notes, rejects = [], {}, []
        for n in items:
            kind = parse.NOTIFICATION_TYPES.get(as_int(n.get("notification_type"))) if isinstance(n, dict) else None
            if kind is None:
                continue  # likes, badges, follows: nothing to answer
            data = n.get("data") if isinstance(n.get("data"), dict) else {}
            post_id, topic_id = as_int(data.get("original_post_id")), as_int(n.get("topic_id"))
            if post_id is None or topic_id is None:
                rejects.append(Rejected(f"a {kind} notification without the post it is about", n))
                continue
            notes.setdefault(post_id, kind)
            topic = {"id": topic_id, "title": data.get("topic_title") or n.get("fancy_title"), "slug": n.get("slug")}
            if kind == "private_message":
                topic["archetype"] = "private_message"
            wanted.append({"id": post_id, "topic_id": topic_id, "_topic": topic})
        found = in_full(api, wanted, options, {}, numbers, notes=notes)
        yield Step(rejects + found, after, api.take())


def in_full(api: Api, items: list[Any], options: Options, topics: dict[int, dict], numbers: dict, *,
            extra: dict | None = None, notes: dict[int, str] | None = None) -> list[Mention | Rejected]:  # fmt: skip
    """Each item (a search result, or a post a notification names) as its whole post, read from its
    topic; an item whose post cannot be read (deleted since, or private) keeps what the item had."""
    by_topic: dict[int, list[int]] = {}
    for item in items:
        if isinstance(item, dict) and _item_id(item) is not None and as_int(item.get("topic_id")) is not None:
            by_topic.setdefault(as_int(item["topic_id"]), []).append(_item_id(item))
    full: dict[int, dict] = {}
    for topic_id, ids in by_topic.items():
        for start in range(0, len(ids), POSTS_PER_REQUEST):
            chunk = ids[start : start + POSTS_PER_REQUEST]
            try:
                body = api.get(f"the posts of topic {topic_id}", f"/t/{topic_id}/posts.json",
                               {"post_ids[]": chunk, "include_raw": "true"})  # fmt: skip
            except ApiError as exc:
                if exc.status in (403, 404, 410):
                    continue  # deleted, or a private topic: the item is all there is
                raise
            stream = body.get("post_stream") if isinstance(body, dict) else None
            for post in (stream.get("posts") if isinstance(stream, dict) else None) or []:
                if isinstance(post, dict) and _item_id(post) is not None:
                    full[_item_id(post)] = post
    out: list[Mention | Rejected] = []
    for item in items:
        post_id = _item_id(item) if isinstance(item, dict) else None
        post = full.get(post_id, item) if post_id is not None else item
        if post is item and isinstance(item, dict) and "_topic" in item:
            out.append(Rejected("the post this notification is about could not be read (deleted, or private)", None,
                                str(post_id)))  # fmt: skip
            continue
        topic_id = as_int(post.get("topic_id")) if isinstance(post, dict) else None
        topic = topics.get(topic_id) or (item.get("_topic") if isinstance(item, dict) else None)
        note = {"notification": notes[post_id]} if notes and post_id in notes else {}
        found = parse.posts([post], options.site, topic=topic, numbers=numbers, extra={**(extra or {}), **note})
        for m in found:
            if isinstance(m, Mention) and note.get("notification") in ("mentioned", "group_mentioned"):
                m.kind = Kind.MENTION
        out += found
    return out


# Pieces ------------------------------------------------------------------------------------------


def _allowed_categories(api: Api, options: Options, state: dict) -> set[int] | None:
    """The category ids a post may be in (the chosen ones and their subcategories), or None for all.
    Resolved from /site.json and kept in the cursor for CATEGORIES_FRESH."""
    if not (options.category_ids or options.category_slugs):
        return None
    wanted = sorted(map(str, options.category_ids)) + sorted(options.category_slugs)
    cached = state.get("categories")
    if isinstance(cached, dict) and cached.get("for") == wanted and _fresh(cached.get("at")):
        return {i for i in cached.get("ids", []) if isinstance(i, int)}
    body = api.get("the site's categories", "/site.json")
    categories = body.get("categories") if isinstance(body, dict) else None
    if not isinstance(categories, list):
        raise ConnectorError(f"Discourse at {api.host} sent /site.json without its categories")
    by_slug = {}
    for c in categories:
        if isinstance(c, dict) and as_int(c.get("id")) is not None:
            by_slug[str(c.get("slug", "")).lower()] = as_int(c["id"])
    unknown = sorted(options.category_slugs - by_slug.keys())
    if unknown:
        raise ConnectorError(
            f"sources option categories: Discourse at {api.host} has no category {', '.join(map(repr, unknown))} "
            f"(it has {', '.join(sorted(by_slug)[:12])})"
        )
    chosen = set(options.category_ids) | {by_slug[s] for s in options.category_slugs}
    for c in categories:  # subcategories of a chosen category are in it too
        if isinstance(c, dict) and as_int(c.get("parent_category_id")) in chosen and as_int(c.get("id")) is not None:
            chosen.add(as_int(c["id"]))
    state["categories"] = {"for": wanted, "ids": sorted(chosen), "at": datetime.now(timezone.utc).isoformat()}
    return chosen


def _fresh(at: Any) -> bool:
    try:
        return datetime.now(timezone.utc) - parse_time(at) < CATEGORIES_FRESH
    except Exception:
        return False


def _list(body: Any, key: str, api: Api, label: str, *, missing_ok: bool = False) -> list[Any]:
    value = body.get(key, [] if missing_ok else None) if isinstance(body, dict) else None
    if not isinstance(value, list):
        raise ConnectorError(f"Discourse at {api.host} sent {label} without a list of {key}")
    return value


def _learn(numbers: dict, items: list[Any]) -> None:
    for item in items:
        if isinstance(item, dict) and _item_id(item) is not None:
            topic, number = as_int(item.get("topic_id")), as_int(item.get("post_number"))
            if topic is not None and number is not None:
                numbers[(topic, number)] = str(_item_id(item))


def _item_id(item: Any) -> int | None:
    value = item.get("id") if isinstance(item, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _created(item: Any):
    try:
        return parse_time(item.get("created_at")) if isinstance(item, dict) else None
    except Exception:
        return None
