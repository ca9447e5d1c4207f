#!/usr/bin/env python3
"""Generate the demo connector's sample data: raw API response bodies about "Acme Cloud".

    python tools/make_demo_data.py            # rewrites connectors/commwatch_demo/data/
    python tools/make_demo_data.py --out DIR  # writes the same files under DIR instead

Everything here is invented: the brand, the people, the handles and every sentence.
The output is deterministic (fixed seed), so regenerating gives byte-identical files
unless this script changes.

Storyline, relative to the anchor (2026-01-15T12:00:00Z, "now" for the demo):
  Jan 9 15:00   Acme DB billing change announced (per-request pricing from Feb 1,
                free tier 5 GB → 1 GB): questions, anger, a few "cheaper for us".
  Jan 12 13:47–17:20  Acme Edge outage (502s, expired certificate, status page green
                for 40 minutes, dashboard login down): the spike of the week.
  Jan 13 10:00  postmortem published; SLA credits; refund demands continue.
  Jan 14 16:00  Acme Deploy v3 launch video: mostly praise.
  throughout    praise, bug reports, questions, feature requests, sarcasm, crypto scams
                impersonating support, other languages (es, de, pt, ja, fr).

Files are shaped and paged as the real APIs page:
  x/        GET /2/tweets/search/recent pages (newest first, next_token)
  reddit/   Listings: r/acme/new, r/acme/comments, site search, /message/inbox
  youtube/  commentThreads.list pages (order=time, textFormat=plainText) and
            comments.list?parentId=… pages for threads whose inline replies are partial
manifest.json names the anchor, each stream's files in fetch order, the request each
file answers, and how many mentions each file holds (t4 private messages and ids that
only appear in an `errors` array are not mentions).
"""

from __future__ import annotations

import html
import json
import random
import re
import string
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

SEED = 20260115
UTC = timezone.utc
ANCHOR = datetime(2026, 1, 15, 12, 0, 0, tzinfo=UTC)
WINDOW_START = ANCHOR - timedelta(days=7)
BILLING_AT = datetime(2026, 1, 9, 15, 0, 0, tzinfo=UTC)
OUTAGE_START = datetime(2026, 1, 12, 13, 47, 0, tzinfo=UTC)
OUTAGE_END = datetime(2026, 1, 12, 17, 20, 0, tzinfo=UTC)
POSTMORTEM_AT = datetime(2026, 1, 13, 10, 0, 0, tzinfo=UTC)
LAUNCH_AT = datetime(2026, 1, 14, 16, 0, 0, tzinfo=UTC)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "connectors" / "commwatch_demo" / "data"

BRAND_CHANNEL_ID = "UCacmecloud0000000000000"
PRODUCTS = ["Acme Deploy", "Acme DB", "Acme Edge"]
REGIONS = ["eu-west", "us-east", "fra1", "iad1", "ap-south", "sfo2"]

rng = random.Random(SEED)


# ----------------------------------------------------------------------------------------
# Text banks: (topic, lang, text). Topics steer the timestamps; {slots} are filled at random.
# ----------------------------------------------------------------------------------------

PRAISE = [
    "Moved our side project to Acme Deploy last weekend and deploys went from 6 minutes to 40 seconds. Very happy.",
    "{product} just keeps working. Three months, zero pages at 3am. That's all I want from infra.",
    "shoutout to @acmecloud support, a real human answered my DB question in {mins} minutes on a Sunday",
    "Acme DB point-in-time restore saved my afternoon. Dropped the wrong table, restored to 14:02, done.",
    "The new Acme Cloud dashboard is so much faster ❤️",
    "tried {product} for a hackathon, had an app with a database & custom domain in under an hour",
    "ok the acme-cli autocomplete is chef's kiss",
    "Our p95 dropped from 180ms to 45ms after putting static assets behind Acme Edge. Not sponsored, just impressed.",
    "love how @acmecloud writes changelogs like a human being",
    "Been on Acme Cloud since the beta. Still the least stressful part of my stack ❤️",
    "Acme DB branching for test data is genuinely great. Every PR gets its own copy of staging.",
    "Acme Edge image resizing replaced a whole service we used to run. Deleted 2k lines of code today 🎉",
    "Whoever designed the Acme Deploy build cache: thank you. Cold builds 4 min, warm builds 35 s.",
    "My students deployed their first web apps on Acme Deploy today. Zero tears. That is a first.",
    "Acme support refunded a mistaken charge within a day without me even asking twice. Respect.",
    "Finally migrated off our hand-rolled nginx boxes onto Acme Edge & Acme Deploy. Sleeping better already.",
]

LAUNCH = [
    "Acme Deploy v3 preview environments are the best thing to happen to our PR reviews this year",
    "Acme Deploy v3 rollbacks are one click and actually fast. Finally.",
    "Just tried Acme Deploy v3. Preview URL per branch, comments posted on the PR automatically. Love it ❤️",
    "The Acme Deploy v3 launch video was 9 minutes and I understood all of it. More of this please @acmecloud",
    "Acme Deploy v3 build cache cut our monorepo builds from 11 min to 3. Whoa.",
    "Upgraded to Acme Deploy v3, rollback saved us within the first hour lol",
    "Is it just me or is Acme Deploy v3 already slower to start builds than v2? Queued for {mins} min",
    "Acme Deploy v3 looks nice but after Monday I need reliability more than features tbh",
]

BUG = [
    "@acmecloud Acme DB connections drop every ~{mins} min with ECONNRESET since yesterday. Anyone else?",
    "acme-cli {ver} crashes on `acme deploy --prod` with 'unexpected token <': it gets HTML back instead of JSON",
    "Acme Deploy build logs stop streaming after ~2 min but the build keeps going. Have to refresh to see anything.",
    "Custom domain on Acme Edge stuck on 'verifying certificate' for 9 hours now @acmecloud",
    "Env vars with a = in the value get truncated in Acme Deploy. FOO=a=b becomes FOO=a. Fun one to debug.",
    "The Acme DB console shows UTC but the query editor uses local time?? Spent an hour chasing a 'missing' row",
    "Acme Edge cache purge says success but the old asset is still served from {region} 20 min later",
    "Acme Deploy health checks fail when the app listens on 0.0.0.0 & IPv6 at the same time. Repro in the forum.",
    "Getting 'quota exceeded' on Acme DB with 12% of my storage used. Support ticket #{ticket} @acmecloud",
    "acme-cli login loops forever in WSL. Browser says success, terminal says waiting…",
    "Acme Edge strips the Vary header from our responses and now mobile users get the desktop page",
    "Since this morning Acme DB read replicas are ~{n}s behind the primary. Normal is < 1 s.",
]

QUESTION = [
    "Does Acme DB support logical replication to an external Postgres? Docs are vague @acmecloud",
    "Is there a way to pin an Acme Deploy build to a specific Node version? .nvmrc seems ignored",
    "Anyone running Acme Edge in front of a websocket app? Does it proxy upgrades properly?",
    "what's the difference between Acme Deploy instances and workers? pricing page doesn't explain",
    "Can I get an invoice with my VAT number on it from Acme Cloud? Finance is asking",
    "@acmecloud is there an ETA for Acme DB in a South America region?",
    "Does Acme Edge count cache hits against bandwidth? Trying to estimate our bill",
    "How do people do zero-downtime migrations on Acme DB? Locking a 40M row table scares me",
    "anyone know if Acme Deploy preview envs work with monorepos yet?",
    "Can two Acme Cloud teams share one Acme DB cluster or is it one per team?",
]

FEATURE = [
    "Would kill for IPv6 on Acme Edge @acmecloud",
    "Acme Deploy really needs per-branch env vars",
    "please let us set a spending cap on Acme DB before the new pricing kicks in",
    "Dear @acmecloud: audit logs for the dashboard please. Who deleted that domain? Nobody knows.",
    "Feature request: Acme Edge rules in a file in the repo instead of clicking in the dashboard",
    "An Acme Cloud Terraform provider that covers Acme DB users & roles would make my week",
]

NEUTRAL = [
    "Writing a comparison of Acme Deploy vs other PaaS options for my team. Will share the notes.",
    "Acme Cloud is hiring SREs in Lisbon apparently",
    "Reading the Acme Edge docs on cache keys. Dense but complete.",
    "Migrating 3 services to Acme Deploy this sprint. Wish me luck",
    "Acme DB vs running our own Postgres: spreadsheet says Acme wins until ~2 TB",
    "Meetup tonight: 'Edge caching in practice' with someone from Acme Cloud. Free pizza.",
]

BILLING = [
    "@acmecloud so Acme DB goes per-request on Feb 1 and the free tier shrinks from 5GB to 1GB. Did anyone ask customers?",
    "Ran last month's traffic through the new Acme DB pricing calculator: ${old} → ${new}. That's not a 'simplification'",
    "The billing email says 'most customers will pay less'. Which customers? Show the math @acmecloud",
    "Acme DB new pricing is actually cheaper for us (low traffic, big storage). Mixed feelings posting this",
    "3 weeks notice for a pricing change that 5x's our bill is wild @acmecloud",
    "Looking at alternatives to Acme DB after the billing change. Recommendations welcome",
    "was charged twice for January on Acme Cloud, the invoice shows the old AND the new plan",
    "Does the new Acme DB pricing count reads from read replicas as requests??",
    "Read the Acme DB pricing FAQ twice. Still can't tell what a 'request unit' is.",
    "Hobby projects on the Acme DB free tier: 1GB is tight but fine for most side projects tbh",
    "We're on an annual Acme contract, does the new DB pricing apply to us before renewal? @acmecloud",
]

REFUND = [
    "@acmecloud I want a refund for Monday's downtime. Our checkout was dead for 3 hours.",
    "Still waiting on my refund from Acme Cloud, ticket #{ticket} open for 6 days. Nobody answers.",
    "Double charged again. Refund please @acmecloud, this is the second time",
    "SLA credits are not a refund. We lost real sales during the Acme Edge outage.",
    "If the Acme DB invoice isn't fixed by Friday we dispute the charge and talk to a lawyer about a lawsuit",
    "Requested a refund for the unused months after the pricing change. Let's see how that goes @acmecloud",
    "Acme Cloud support says refunds for the outage are 'under review'. Under review since Tuesday.",
]

OUTAGE = [
    "is acme edge down?? getting 502 on everything in {region}",
    "@acmecloud Acme Edge returning 502s for all our domains right now",
    "Our whole storefront is down because Acme Edge is down. Status page: all systems operational. Cool.",
    "40 minutes into the Acme Edge outage and still no update on the status page @acmecloud",
    "ACME EDGE IS DOWN AGAIN. Second time this quarter. We are moving.",
    "Can't even log in to the Acme Cloud dashboard to see what's wrong. Login page just spins",
    "TLS errors from Acme Edge: NET::ERR_CERT_DATE_INVALID. Did someone forget to renew a cert?",
    "the acme outage took out our checkout for {hours} hours. Someone from @acmecloud please call me.",
    "Acme Edge outage = on-call day ruined. Not even a weekend. A Monday. Somehow worse.",
    "Were we hacked or is it Acme? Every request 502s and the dashboard won't load",
    "Acme Edge down, Acme Deploy deploys stuck in 'pending', Acme DB fine. At least the data is safe?",
    "@acmecloud 2 hours. No ETA. No post. Our customers are emailing us and we have nothing to tell them.",
    "Acme Edge back for us in {region}. Still 502 in us-east.",
    "Looks like Acme Edge is recovering, first 200 in {hours} hours 🙏",
    "Told the CEO it's 'an upstream provider issue'. He asked which one. Now he knows about Acme Cloud.",
]

POSTMORTEM = [
    "Acme Cloud published the postmortem for Monday's Acme Edge outage: expired internal cert + a bad config push.",
    "Credit where due: the Acme Edge postmortem is detailed, names the mistakes and has real action items.",
    "The Acme postmortem says the status page was updated 'manually'. That explains the 40 green minutes.",
    "Postmortem read. The cert expired at 13:45 UTC and nobody was alerted. In 2026.",
    "SLA credit from Acme showed up on the invoice today. 10% of the month for 3.5 hours down. Hmm.",
]

SARCASM = [
    "great, another outage, love it",
    "love paying for five nines and getting five hours of downtime. thanks @acmecloud",
    "Oh good, the Acme status page is green. Must be my imagination that nothing loads.",
    "Nothing says 'simplified pricing' like a 5x bill. Thanks Acme 🙃",
    "cool cool cool, Acme DB pricing change announced on a Friday afternoon, very normal",
    "Acme Edge: making my CDN the single point of failure since 2021 👏",
    "wow the postmortem blames an expired certificate. in 2026. incredible stuff",
    "Can't wait for Acme Deploy v4: now with outages in preview environments too",
]

SPAM = [
    "🚀 Acme Cloud users: claim your outage compensation in ETH now! Connect wallet at acme-refunds[.]xyz",
    "Acme Cloud Support here 👋 DM us your account email and password to get your refund faster",
    "FREE 1000 USDT airdrop for Acme Cloud customers!! Limited spots 👉 bit.ly/acme-airdrop-2026",
    "Earn $5000/week from home like I did, no experience needed. DM me ACME",
    "Your Acme account has been hacked! Verify now at acme-cloud-security[.]support or lose your data",
    "💰💰 Acme Edge outage victims: our recovery team got my $4,200 back in 24h. Contact @acme_recovery_pro",
]

FOREIGN = [
    ("outage", "es", "¿Alguien más tiene problemas con Acme Edge? Todo me da error 502 desde hace una hora"),
    ("launch", "es", "Me encanta Acme Deploy, desplegué mi app en cinco minutos ❤️"),
    ("refund", "es", "Quiero un reembolso. Tres horas sin servicio y nadie responde @acmecloud"),
    ("billing", "es", "Con el nuevo precio de Acme DB vamos a pagar el triple. Buscando alternativas."),
    ("outage", "de", "Acme Edge ist schon wieder down. Unser Shop ist seit 14 Uhr nicht erreichbar."),
    ("billing", "de", "Die neue Preisgestaltung von Acme DB ist eine Frechheit. Wir zahlen jetzt das Fünffache."),
    ("launch", "de", "Ehrlich gesagt: Acme Deploy v3 ist richtig gut geworden. Die Rollbacks funktionieren endlich."),
    ("general", "de", "Weiß jemand, ob Acme DB eine Region in Frankfurt plant? Wegen DSGVO wäre das wichtig."),
    ("general", "pt", "Alguém sabe se o Acme DB vai ter região em São Paulo? A latência daqui é horrível"),
    ("outage", "pt", "Acme Edge caiu de novo?? meu site tá fora do ar"),
    ("general", "pt", "Adorei o novo painel da Acme Cloud, muito mais rápido 👏"),
    ("refund", "pt", "Fui cobrado duas vezes pela Acme Cloud e o suporte não responde. Quero meu dinheiro de volta."),
    ("outage", "ja", "Acme Edgeが落ちてる？502エラーばかり出る"),
    ("launch", "ja", "Acme Deployのプレビュー環境、便利すぎる。チームみんな喜んでる"),
    ("billing", "ja", "Acme DBの新料金、うちだと3倍くらいになりそう…"),
    ("outage", "fr", "Acme Edge est en panne depuis 40 minutes et la page de statut est toute verte. Bravo."),
    ("refund", "fr", "Je demande un remboursement pour la panne de lundi, notre boutique était hors ligne tout l'après-midi."),
    ("general", "fr", "Super tuto sur Acme Deploy, merci ! Ça marche du premier coup."),
]

REPLY_GENERIC = [
    "same here",
    "+1, also seeing this in {region}",
    "Same. Opened a ticket, no answer yet.",
    "happened to us too last week, support fixed it in a day",
    "this. exactly this.",
    "Did you try clearing the build cache? Fixed it for me",
    "Following, we have the same question",
    "lol same, I thought it was my code for an hour",
    "You can work around it with a redeploy, not great but it works",
    "It's back for me now",
    "We moved off Acme for this exact reason",
    "hard disagree, it's been rock solid for us",
    "Thanks for posting this, saved me a debugging session",
    "any update from them?",
    "they replied to me in DMs, asked for the project id",
]

BRAND_REPLY = [
    "Hi {name}, sorry about this. We're investigating elevated 502s on Acme Edge. Updates: status.acmecloud.example",
    "Thanks for flagging! Could you DM us your project ID so we can look at the build logs?",
    "We're really sorry. SLA credits are applied automatically; for refunds reply to your ticket and we'll escalate it.",
    "Heads up: Acme Cloud will never ask for your password or crypto. Please report accounts impersonating us.",
    "Good question! Replica reads are billed at half a request unit. We'll make the pricing page clearer.",
    "Acme Edge is recovering in all regions. We'll publish a full postmortem within 24 hours.",
    "That's a bug on our side, a fix for the env var parsing ships tomorrow. Thanks for the clear repro!",
    "We hear you on the notice period. Existing projects keep the current DB pricing until March 1.",
]


def fill(text: str, **extra: str) -> str:
    old = rng.choice([29, 38, 45, 60, 112])
    slots = {
        "product": rng.choice(PRODUCTS),
        "region": rng.choice(REGIONS),
        "mins": str(rng.randint(3, 55)),
        "hours": rng.choice(["2", "3", "3.5", "4"]),
        "ticket": str(rng.randint(40000, 99999)),
        "ver": f"2.{rng.randint(3, 9)}.{rng.randint(0, 14)}",
        "n": str(rng.randint(4, 40)),
        "old": str(old),
        "new": str(old * rng.choice([3, 4, 5, 6])),
        "name": "there",
    }
    slots.update(extra)
    return text.format_map(slots)


def bank(topic: str, texts: list[str], lang: str = "en") -> list[tuple[str, str, str]]:
    return [(topic, lang, t) for t in texts]


ENGLISH = (
    bank("general", PRAISE)
    + bank("launch", LAUNCH)
    + bank("general", BUG)
    + bank("general", QUESTION)
    + bank("general", FEATURE)
    + bank("general", NEUTRAL)
    + bank("billing", BILLING)
    + bank("refund", REFUND)
    + bank("outage", OUTAGE)
    + bank("postmortem", POSTMORTEM)
    + bank("sarcasm", SARCASM)
    + bank("spam", SPAM)
)


# ----------------------------------------------------------------------------------------
# Time, ids and small helpers
# ----------------------------------------------------------------------------------------


def clamp(t: datetime) -> datetime:
    if t >= ANCHOR - timedelta(minutes=3):
        t = ANCHOR - timedelta(seconds=rng.randint(180, 6 * 3600))
    if t < WINDOW_START:
        t = WINDOW_START + timedelta(seconds=rng.randint(0, 6 * 3600))
    return t.replace(microsecond=0)


def expo(mean_hours: float) -> timedelta:
    return timedelta(hours=rng.expovariate(1 / mean_hours))


def when(topic: str) -> datetime:
    if topic == "outage":
        if rng.random() < 0.8:
            t = OUTAGE_START + timedelta(seconds=rng.randint(90, int((OUTAGE_END - OUTAGE_START).total_seconds())))
        else:
            t = OUTAGE_END + expo(3)
    elif topic == "billing":
        t = BILLING_AT + expo(36)
    elif topic == "postmortem":
        t = POSTMORTEM_AT + expo(12)
    elif topic == "launch":
        t = LAUNCH_AT + expo(5)
    elif topic == "refund":
        t = OUTAGE_START + timedelta(hours=1) + expo(20) if rng.random() < 0.6 else BILLING_AT + expo(40)
    elif topic in ("sarcasm", "spam"):
        t = (OUTAGE_START + expo(10)) if rng.random() < 0.5 else WINDOW_START + timedelta(seconds=rng.randint(0, 7 * 86400))
    else:
        t = WINDOW_START + timedelta(seconds=rng.randint(0, 7 * 86400))
    return clamp(t)


def after(parent: datetime, mean_minutes: float = 40) -> datetime:
    t = parent + timedelta(minutes=rng.expovariate(1 / mean_minutes)) + timedelta(seconds=rng.randint(20, 300))
    if t >= ANCHOR - timedelta(minutes=2):
        t = parent + (ANCHOR - timedelta(minutes=2) - parent) * rng.random()
    return t.replace(microsecond=0)


ALNUM = string.ascii_letters + string.digits
B36 = string.digits + string.ascii_lowercase
_used: set[str] = set()


def token(alphabet: str, length: int, prefix: str = "") -> str:
    while True:
        value = prefix + "".join(rng.choice(alphabet) for _ in range(length))
        if value not in _used:
            _used.add(value)
            return value


def etag() -> str:
    return token(ALNUM + "-_", 27)


def first_names() -> list[str]:
    return [
        "ana", "ben", "chloe", "dev", "elif", "farid", "greta", "hiro", "ines", "jonas", "kemi", "lars", "mei",
        "nadia", "omar", "priya", "quinn", "rosa", "sam", "tariq", "uma", "vik", "wen", "ximena", "yusuf", "zoe",
        "aiko", "bruno", "carla", "dmitri", "emeka", "fatima", "gus", "hana", "ivan", "jade", "kofi", "lena",
        "mateo", "nora", "otto", "paula", "rafa", "sofia", "theo", "valentina", "will", "yara",
    ]


SURNAMES = [
    "Okafor", "Lindqvist", "Moreau", "Tanaka", "Silva", "Novak", "Haddad", "Kowalski", "Fischer", "Costa",
    "Nakamura", "Reyes", "Brennan", "Petrov", "Achebe", "Santos", "Weber", "Ito", "Dubois", "Kaur",
]
HANDLE_SUFFIXES = ["dev", "codes", "ops", "builds", "_sre", "ships", "hq", "_io", "writes", "tech", "", "_"]


def person() -> tuple[str, str]:
    first = rng.choice(first_names())
    last = rng.choice(SURNAMES)
    handle = first + rng.choice(["", "_", "."]) + rng.choice([last.lower(), rng.choice(HANDLE_SUFFIXES)])
    handle = handle.replace(".", "_").strip("_") + (str(rng.randint(1, 99)) if rng.random() < 0.35 else "")
    return handle, f"{first.capitalize()} {last}"


def dump(path: Path, payload: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def paginate(items: list, sizes: list[int]) -> list[list]:
    pages, i = [], 0
    for size in sizes:
        if i >= len(items):
            break
        pages.append(items[i : i + size])
        i += size
    if i < len(items):
        pages[-1].extend(items[i:])
    return pages


# ----------------------------------------------------------------------------------------
# X: API v2 recent search
# ----------------------------------------------------------------------------------------

TWITTER_EPOCH_MS = 1288834974657
X_QUERY = "(acme OR @acmecloud) -is:retweet"


def snowflake(t: datetime) -> str:
    ms = int(t.timestamp() * 1000) - TWITTER_EPOCH_MS  # created_at is whole seconds (.000Z)
    while True:
        value = str((ms << 22) | (rng.randint(0, 1023) << 12) | rng.randint(0, 4095))
        if value not in _used:
            _used.add(value)
            return value


def x_time(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def x_user(username: str, name: str, followers: int, verified: bool = False, uid: str | None = None) -> dict:
    if uid is None:
        uid = token(string.digits, rng.choice([8, 9, 17, 18]), rng.choice("123456789"))
    return {
        "id": uid,
        "name": name,
        "username": username,
        "verified": verified,
        "public_metrics": {
            "followers_count": followers,
            "following_count": rng.randint(20, 2000),
            "tweet_count": rng.randint(50, 60000),
            "listed_count": rng.randint(0, max(1, followers // 200)),
            "like_count": rng.randint(10, 90000),
        },
    }


def x_text(text: str) -> str:
    """X API v2 returns &, < and > entity-encoded in tweet text."""
    return html.escape(text, quote=False)


def build_x() -> tuple[list[dict], dict]:
    brand = x_user("acmecloud", "Acme Cloud", 48210, True, uid="1120934275537059840")
    marisol = x_user("marisolvega_sre", "Marisol Vega", 251_340, True, uid="31427710")
    suspended = x_user("acme_refund_desk", "Acme Refund Desk ✅", 12, uid="1878112903384526848")
    people = []
    for _ in range(70):
        handle, name = person()
        followers = int(rng.lognormvariate(5.3, 1.6))
        people.append(x_user(handle, name, followers, verified=followers > 20000 and rng.random() < 0.5))
    # a few oddities: empty display name, a name with emoji, a huge-follower neutral account
    people[3]["name"] = "🦊"
    people[7]["name"] = "Lena ❤️ Kubernetes"
    people[11]["public_metrics"]["followers_count"] = 88_000
    users = {u["id"]: u for u in [brand, marisol, suspended, *people]}

    tweets: list[dict] = []

    def tweet(author: dict, text: str, t: datetime, lang: str = "en", parent: dict | None = None,
              quote: dict | None = None, edited: bool = False, reach: float = 1.0) -> dict:
        tid = snowflake(t)
        item = {
            "id": tid,
            "text": x_text(text),
            "author_id": author["id"],
            "created_at": x_time(t),
            "conversation_id": parent["conversation_id"] if parent else tid,
            "lang": lang,
            "public_metrics": {
                "retweet_count": int(rng.expovariate(1 / 2) * reach),
                "reply_count": int(rng.expovariate(1 / 1.5) * reach),
                "like_count": int(rng.expovariate(1 / 8) * reach),
                "quote_count": int(rng.expovariate(1 / 0.5) * reach),
                "bookmark_count": int(rng.expovariate(1 / 0.7) * reach),
                "impression_count": int(rng.expovariate(1 / 400) * reach) + 20,
            },
            "edit_history_tweet_ids": [tid],
        }
        if parent:
            item["referenced_tweets"] = [{"type": "replied_to", "id": parent["id"]}]
            item["in_reply_to_user_id"] = parent["author_id"]
        if quote:
            item["referenced_tweets"] = item.get("referenced_tweets", []) + [{"type": "quoted", "id": quote["id"]}]
            item["text"] += " https://t.co/" + token(ALNUM, 10)
        if edited:
            original = snowflake(t - timedelta(minutes=rng.randint(2, 25)))
            item["edit_history_tweet_ids"] = [original, tid]
        item["_t"] = t  # removed before writing
        tweets.append(item)
        return item

    # roots from the banks (English twice over with different slot values, plus every foreign line)
    pool = [e for e in ENGLISH if e[0] != "spam"]
    rng.shuffle(pool)
    pool = pool[:82]
    for topic, lang, text in pool:
        author = rng.choice(people)
        text = fill(text)
        if "@acmecloud" not in text and rng.random() < 0.3:
            text = rng.choice(["@acmecloud ", ""]) + text if rng.random() < 0.6 else text + " #acmecloud"
        tweet(author, text, when(topic), lang, edited=rng.random() < 0.04)
    for topic, lang, text in FOREIGN:
        tweet(rng.choice(people), text, when(topic), lang)
    for text in SPAM[:4]:
        tweet(suspended if "DM us" in text else rng.choice(people), text, when("spam"), "en")
    tweet(rng.choice(people), "@acmecloud 😡😡😡", clamp(OUTAGE_START + timedelta(minutes=52)), "und")
    # the hostile ones: a terminal escape sequence pasted from acme-cli output
    tweet(rng.choice(people), "acme-cli says \u001b[31mERROR\u001b[0m deploy failed (exit 137) and that's all it says. @acmecloud what does 137 mean here?",
          when("general"), "en")

    # the high-reach angry author: a thread during the outage, then a follow-up after the postmortem
    t0 = OUTAGE_START + timedelta(minutes=61)
    m1 = tweet(marisol, "Acme Edge has been down for an hour, our status page is red, theirs is green. @acmecloud this is unacceptable for a paid CDN.",
               t0, reach=180)
    m2 = tweet(marisol, "@marisolvega_sre No incident post, no ETA, support auto-replies. We are evaluating a move off Acme Cloud this week.",
               t0 + timedelta(minutes=6), parent=m1, reach=120)
    tweet(marisol, "@marisolvega_sre If you run anything customer-facing on Acme Edge: put a second CDN in front of it. Lesson learned the hard way.",
          t0 + timedelta(minutes=14), parent=m2, reach=140)
    mq = tweet(marisol, "Read the Acme postmortem. An expired cert took down a CDN for 3.5 hours and the refund is 'SLA credits'. Not good enough.",
               POSTMORTEM_AT + timedelta(hours=2, minutes=13), edited=True, reach=90)
    tweet(rng.choice(people), "this is the thread to read if you're on Acme Edge", t0 + timedelta(minutes=40), quote=m1)
    tweet(rng.choice(people), "Hard to argue with this", mq["_t"] + timedelta(minutes=33), quote=mq)

    # replies: users piling on, and the brand answering complaints
    roots = [tw for tw in tweets if "referenced_tweets" not in tw]
    complaints = [tw for tw in roots if tw["author_id"] != marisol["id"] and re.search(
        r"(?i)502|down|refund|charged|bug|crash|stuck|broken|ECONNRESET|pricing|invoice|outage", tw["text"])]
    for parent in rng.sample(roots, 18):
        author = rng.choice(people)
        if author["id"] == parent["author_id"]:
            continue
        handle = users[parent["author_id"]]["username"]
        tweet(author, f"@{handle} " + fill(rng.choice(REPLY_GENERIC)), after(parent["_t"]), parent=parent)
    for parent, text in zip(rng.sample(complaints, 8), BRAND_REPLY):
        who = users[parent["author_id"]]
        text = fill(text, name=(who["name"].split(" ")[0] or who["username"]))
        tweet(brand, f"@{who['username']} " + text, after(parent["_t"], 25), parent=parent)
    tweet(brand, "@marisolvega_sre Marisol, we're very sorry. The incident post is up on the status page now and our team will reach out directly.",
          m1["_t"] + timedelta(minutes=23), parent=m1, reach=30)
    # replies to tweets outside the result set (their parent never matched the query)
    for _ in range(3):
        outsider = snowflake(WINDOW_START + timedelta(hours=rng.randint(1, 100)))
        parent = {"id": outsider, "conversation_id": outsider, "author_id": rng.choice(people)["id"]}
        handle = users[parent["author_id"]]["username"]
        text = rng.choice(["have you looked at Acme Deploy? it does exactly this", "we use Acme DB for that, works fine",
                           "Acme Edge handles this for us, no config"])
        tweet(rng.choice(people), f"@{handle} {text}", when("general"), parent=parent)

    # the newest mention of the whole demo: half a minute before the anchor
    tweet(rng.choice(people), "anyone know if Acme Deploy v3 preview envs work with monorepos? docs say yes, my build says no",
          ANCHOR - timedelta(seconds=25))

    tweets.sort(key=lambda tw: (tw["_t"], tw["id"]), reverse=True)
    sizes = [15, 18, 14, 17, 7, 16, 15, 19, 14, 20, 20]  # page 5 is short yet has a next_token
    pages = paginate(tweets, sizes)
    files = []
    for index, items in enumerate(pages):
        authors = []
        for tw in items:
            if tw["author_id"] not in [a["id"] for a in authors]:
                authors.append(users[tw["author_id"]])
        body: dict = {"data": [{k: v for k, v in tw.items() if k != "_t"} for tw in items]}
        body["includes"] = {"users": [a for a in authors if a["id"] != suspended["id"]]}
        if any(a["id"] == suspended["id"] for a in authors):
            # the scam account was suspended between indexing and the request: its tweet is
            # still in `data`, its user object is replaced by an error
            body["errors"] = [{
                "value": suspended["id"],
                "detail": f"User has been suspended: [{suspended['id']}].",
                "title": "Forbidden",
                "resource_type": "user",
                "parameter": "author_id",
                "resource_id": suspended["id"],
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }]
        meta = {"newest_id": items[0]["id"], "oldest_id": items[-1]["id"], "result_count": len(items)}
        if index < len(pages) - 1:
            meta["next_token"] = token(B36, 27)
        body["meta"] = meta
        name = f"x/search_recent_{index + 1:02d}.json"
        params = "query=" + quote(X_QUERY, safe="") + "&max_results=20&expansions=author_id&tweet.fields=created_at,conversation_id,in_reply_to_user_id,public_metrics,lang,referenced_tweets,edit_history_tweet_ids&user.fields=username,name,public_metrics,verified"
        if index:
            params += "&next_token=" + files[-1]["_next"]
        dump(OUT / name, body)
        files.append({"file": name, "request": "GET /2/tweets/search/recent?" + params, "mentions": len(items),
                      "_next": meta.get("next_token")})
    for f in files:
        f.pop("_next")
    return files, {"tweets": len(tweets)}


# ----------------------------------------------------------------------------------------
# Reddit: Listings
# ----------------------------------------------------------------------------------------

SUBREDDIT_IDS = {"acme": "t5_3k9x2q", "devops": "t5_2qh8y", "sysadmin": "t5_2qnp7", "selfhosted": "t5_32hch",
                 "webdev": "t5_2qs0q", "SaaS": "t5_2qkq6", "startups": "t5_2qh26", "PostgreSQL": "t5_2qh2k"}


def reddit_user() -> tuple[str, str]:
    words = ["quiet", "kernel", "null", "pointer", "yak", "shaver", "cron", "daemon", "latent", "packet", "rusty",
             "bucket", "lambda", "tofu", "pager", "duty", "socket", "fern", "moss", "orbit", "pixel", "vim", "tab"]
    style = rng.random()
    if style < 0.4:
        name = rng.choice(words).capitalize() + rng.choice(words).capitalize() + str(rng.randint(1, 9999))
    elif style < 0.7:
        name = f"{rng.choice(words)}_{rng.choice(words)}"
    elif style < 0.85:
        name = "throwaway_" + rng.choice(words) + str(rng.randint(10, 999))
    else:
        name = person()[0]
    return name, "t2_" + token(B36, rng.choice([7, 8, 9]))


def slug(title: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")
    return "_".join(s.split("_")[:9])


def md_html(text: str) -> str:
    """Reddit's body_html/selftext_html: rendered markdown, then HTML-escaped once more."""
    paras = [p for p in text.split("\n\n") if p.strip()]
    inner = "".join(f"<p>{html.escape(p)}</p>\n" for p in paras)
    return html.escape(f'<div class="md">{inner}</div>')


def epoch(t: datetime) -> float:
    return float(int(t.timestamp()))


R_ACME_POSTS = [
    ("general", "Acme Deploy build stuck at 'Uploading artifacts' for 20 minutes",
     "Third time this week. The build log ends with `uploading artifacts (312 MB)` and then nothing. Cancelling and re-running works. Anyone else? Project is a Next.js monorepo, nothing unusual.", "Bug"),
    ("billing", "New Acme DB pricing: our bill goes from $45 to $230. Are we reading this right?",
     "We run a small B2B app, ~2M queries a day, 3 GB of data. Under the new per-request model we land at ~$230/month. Before it was a flat $45 instance.\n\nDid anyone get a different number from the calculator? Is there a committed-use discount coming?", "Billing"),
    ("billing", "PSA: the Acme DB free tier drops to 1 GB on Feb 1",
     "If you have hobby projects on the free tier, check your storage now. Anything above 1 GB becomes read-only on Feb 1 according to the FAQ. Export your data before then if you don't want to pay.", "Billing"),
    ("outage", "Acme Edge down? 502 on all domains",
     "All our sites behind Acme Edge return 502 since about 13:50 UTC. Dashboard login also fails. Status page is green. Is it just us?", "Outage"),
    ("outage", "Megathread: Acme Edge outage, Jan 12",
     "Please keep reports in this thread. Include your region and what you see (502, TLS error, timeouts).\n\nOfficial updates: status.acmecloud.example (it was slow to update, we know).", "Megathread"),
    ("outage", "We were hacked? No, it was Acme Edge. A cautionary tale",
     "Monday 14:00, every request 502s, the dashboard is unreachable, and my first thought is that we got hacked and someone rotated our creds. Spent 40 minutes on incident response for our own infra before someone posted that Acme Edge was down. Lesson: check your providers first, and have a status page that isn't green during an outage.", "Discussion"),
    ("postmortem", "Acme Edge postmortem is out",
     "", "News"),
    ("refund", "How do I get a refund for the outage, not SLA credits?",
     "We lost about four hours of sales. SLA credits are 10% of a $200 bill. That doesn't cover anything. Has anyone actually gotten a refund from Acme Cloud? Do I need to threaten a lawsuit or is there a form?", "Billing"),
    ("launch", "Acme Deploy v3 is out: preview environments, instant rollbacks",
     "Tried it on a staging project. Preview environments per PR work out of the box with GitHub. Rollback to a previous build took 4 seconds. Build cache is noticeably faster.\n\nMissing: per-branch env vars, still.", "News"),
    ("launch", "Acme Deploy v3 preview envs with a monorepo: anyone got it working?",
     "We have apps/web and apps/api in one repo. v3 creates a preview for web but the api preview never starts. Is there a config for the app root?", "Help"),
    ("general", "Acme DB vs managed Postgres elsewhere: honest comparison after a year",
     "Pros: branching, point-in-time restore, the console. Cons: connection limits on small plans, the new pricing, no logical replication out.\n\nOverall still happy, but the pricing change makes me look around.", "Discussion"),
    ("general", "acme-cli 2.7 breaks login on WSL",
     "After upgrading, `acme login` opens the browser, the browser says success, and the CLI keeps waiting. Downgrading to 2.6.3 fixes it.", "Bug"),
    ("general", "Is there a way to get Acme Edge logs into our own Loki?",
     "We'd like the raw edge logs in our stack instead of the Acme dashboard. Log drains only seem to exist for Acme Deploy.", "Help"),
    ("general", "Tip: Acme Deploy health checks and IPv6",
     "If your health checks fail right after deploy, make sure your app listens on both 0.0.0.0 and ::, or just on ::. Took me a day.", "Tips"),
    ("general", "Acme Cloud support was great today",
     "Accidentally deleted a production DB branch. Support restored it from a snapshot in 20 minutes, on a Saturday. Thank you whoever that was ❤️", "Praise"),
    ("spam", "FREE Acme Cloud credits – limited offer",
     "Get $500 in Acme Cloud credits free!! Just connect your wallet at acme-credits[.]xyz and verify. Offer ends today!!!", None),
    ("general", "Edge functions cold starts on Acme Edge?",
     "What are people seeing for cold starts? We measure ~120 ms in fra1 and ~400 ms in ap-south. Is that expected?", "Help"),
    ("billing", "Got charged twice for January",
     "Invoice shows both the old DB plan and the new one for the same period. Ticket open for 4 days. Anyone else?", "Billing"),
    ("general", "Acme DB read replica lag spikes at night",
     "Replica lag goes up to 30 s every night around 02:00 UTC. Primary is fine. Maintenance window? Nothing in the docs.", "Bug"),
    ("general", "What's your Acme Edge cache hit ratio?",
     "Ours is 71% and I feel like it should be higher. Curious what others get and what you changed.", "Discussion"),
]

SEARCH_POSTS = [
    ("devops", "outage", "Acme Edge outage today — how are you handling CDN single points of failure?",
     "Today's Acme Edge outage took us out for 3 hours. We're now looking at multi-CDN. What's your setup? DNS failover? Something smarter?"),
    ("devops", "general", "Moving from self-hosted k8s to Acme Deploy: what did we lose?",
     "Six months in. We lost some control over networking and sidecars. We gained our weekends. Net positive, but ask me again after the next outage."),
    ("sysadmin", "outage", "Acme Cloud status page showed green during a 3-hour outage",
     "How do you all monitor your providers independently? We only found out from customers."),
    ("sysadmin", "refund", "Vendor refused refund after outage, SLA credits only. Normal?",
     "Provider is Acme Cloud. 3.5 hours down, they offer 10% credit. Our contract says nothing about refunds. Worth escalating or is this standard?"),
    ("selfhosted", "billing", "Leaving Acme DB after the pricing change, self-hosting Postgres instead",
     "Their new per-request pricing would 4x my hobby bill. Moving to a small VPS with Postgres and backups to object storage. Will report back."),
    ("selfhosted", "general", "Self-hosted alternative to Acme Edge image resizing?",
     "Love the feature, don't love the bill. Anything self-hostable that does on-the-fly resizing with caching?"),
    ("webdev", "launch", "Acme Deploy v3 preview environments are really nice",
     "Every PR gets its own URL with its own DB branch. Designers can review without running anything locally."),
    ("webdev", "general", "Acme Edge vs others for a static site?",
     "Small portfolio site, mostly static, some images. Is Acme Edge overkill? Free tier seems enough."),
    ("SaaS", "billing", "Our infra bill will 5x because of one vendor's pricing change (Acme DB). How do you plan for this?",
     "We priced our plans assuming a flat DB cost. Now Acme DB moves to per-request pricing. Do you build vendor price risk into your margins?"),
    ("SaaS", "outage", "Customer churned after an upstream outage. What would you have done?",
     "Acme Edge went down for 3.5 hours. One of our bigger customers left the next day. We communicated as well as we could. Lessons?"),
    ("startups", "general", "Acme Cloud startup credits — worth it?",
     "They offer $10k in credits for a year. Any lock-in gotchas? Migrating off later looks painful for Acme DB."),
    ("PostgreSQL", "general", "Logical replication out of Acme DB?",
     "Trying to stream changes from Acme DB to our warehouse. wal_level seems locked. Anyone done this?"),
    ("devops", "postmortem", "Acme Edge postmortem: expired internal certificate",
     ""),
    ("sysadmin", "general", "Anyone using Acme Cloud for internal tools?",
     "Considering Acme Deploy for a bunch of small internal apps. SSO only on the enterprise plan though?"),
]

R_COMMENTS = [
    "Same here, started around 13:50 UTC for us in {region}.",
    "Status page finally turned yellow. 40 minutes late.",
    "Dashboard login also dead for me, so I can't even open a ticket.",
    "This is the third incident since October. Multi-CDN planning starts tomorrow.",
    "It's back in eu-west, still broken in us-east for us.",
    "The postmortem is actually pretty good. Expired cert on an internal service plus a config push that made it worse.",
    "SLA credits are a joke for a 3.5 hour outage. We want a refund, full stop.",
    "Just ran our numbers through the calculator, we go from $38 to $190. Not happy.",
    "For us it's cheaper. Low traffic, lots of storage. YMMV.",
    "Does anyone know if replica reads count? The FAQ contradicts itself.",
    "You can ask support for the grandfathered pricing until March, they gave it to us.",
    "Rollbacks in v3 are so fast I thought it didn't work.",
    "Preview environments + DB branches is the killer combo. Nobody else does it this smoothly.",
    "Monorepo: set `root_dir` in acme.toml for each app. Undocumented but it works.",
    "I downgraded acme-cli to 2.6.3 and login works again.",
    "Edge logs: there's a beta for log drains on Acme Edge, ask support to enable it.",
    "71% is low for static assets. Check if you're varying on cookies.",
    "This is a scam, don't connect your wallet to anything. Reported.",
    "Mods please remove, it's the third one of these today.",
    "Acme support got back to me in 2 hours, not bad considering the outage.",
    "Not defending them, but expired certs take down bigger companies too.",
    "great, another outage, love it",
    "Honestly the best PaaS experience I've had. The pricing change stings though.",
    "We got double charged too. Support refunded it after a week.",
    "Our lawyer says the SLA is all we get. Lesson learned: read the contract.",
    "Gracias por el aviso, exporté mis datos ayer.",
    "Bei uns war Acme Edge auch weg, ca. 3 Stunden.",
    "Aqui no Brasil a latência do Acme DB é ruim mesmo, uns 180 ms.",
    "Merci pour le retour, on a eu exactement le même problème.",
    "日本からだとAcme Edgeのap-southは速いです",
    "Check your Vary header, Acme Edge normalises it differently from what the docs say.",
    "Yep the 1GB free tier cut kills my side project. Moving it to SQLite on a VPS.",
    "Filed a bug with a repro, they fixed the env var = issue in a day. Credit where due.",
    "I wish they'd post incident updates on the subreddit too, Twitter only is annoying.",
    "Edit: support replied, it was a bug on their side with artifact uploads over 300 MB.",
    "Replica lag at 02:00 is their backup window. Should really be documented.",
    "Cold starts in ap-south are bad for us too. fra1 is fine.",
    "❤️ the new dashboard, much faster than the old one",
    "Has anyone actually received a refund rather than credits? Asking for a friend (me).",
    "They should offer a spending cap before Feb 1. Per-request pricing without a cap is scary.",
]

R_MENTIONS = [
    ("devops", "u/acmecloud any ETA on Acme Edge? we're 2 hours in"),
    ("sysadmin", "Tagging u/acmecloud since their status page isn't helping"),
    ("SaaS", "u/acmecloud will there be refunds or only SLA credits? A lot of us lost real revenue."),
    ("devops", "u/acmecloud the postmortem says alerts will be added for cert expiry. When?"),
    ("webdev", "u/acmecloud preview environments don't start for the second app in a monorepo, is that known?"),
    ("selfhosted", "Not sure u/acmecloud reads this sub but the pricing change is why I'm here"),
    ("startups", "u/acmecloud do startup credits cover Acme DB under the new pricing?"),
    ("PostgreSQL", "u/acmecloud any plans to allow logical replication out?"),
    ("devops", "Pinging u/acmecloud: your status page was green for 40 minutes. Please fix that process."),
    ("sysadmin", "u/acmecloud thanks for the detailed postmortem, appreciated."),
    ("SaaS", "u/acmecloud 3 weeks notice on a pricing change is not enough for B2B customers with annual budgets."),
    ("webdev", "u/acmecloud loving v3 ❤️ rollbacks saved our launch"),
    ("devops", "u/acmecloud is the dashboard login issue related to the edge outage or separate?"),
    ("sysadmin", "u/acmecloud the env var truncation bug is back in v3 builds"),
]

LONG_POST_TITLE = "Six months on Acme Cloud: a long, honest review (Deploy, DB, Edge, billing and the Jan 12 outage)"
LONG_SECTIONS = [
    ("Background", [
        "We are a team of five running a B2B scheduling product with about {n}00 paying customers. Before Acme Cloud we ran three VMs, a managed Postgres elsewhere and a CDN we configured by hand. The move took us about six weeks, mostly because we insisted on moving one service at a time.",
        "I'm writing this because the subreddit has a lot of short posts, either 'it's perfect' or 'it's down again', and very little in between. This is the in-between. It is long. Sorry.",
    ]),
    ("Acme Deploy", [
        "Builds are fast once the cache is warm. Our median build went from about seven minutes on our old CI to under two minutes. The first build after a dependency bump is still slow, about five minutes, because the cache is keyed on the lockfile.",
        "Preview environments changed how we review. Designers click a link on the pull request. Product managers click a link. Nobody asks an engineer to 'just run it locally' anymore. Since v3 each preview also gets a database branch, which removed a whole class of 'works on staging' bugs.",
        "Rollbacks are instant. We used them twice in production. Both times the rollback itself was the least stressful part of the incident.",
        "The rough edges: environment variables cannot differ per branch, build logs sometimes stop streaming, and the health check defaults assume IPv4. None of these are dealbreakers, all of them cost us an afternoon at some point.",
    ]),
    ("Acme DB", [
        "Point-in-time restore is the feature I would miss the most. We restored a dropped table twice in six months. Each time it took minutes and the restore was exact to the second.",
        "Branching is great for tests. Every pull request gets a copy of a sanitized staging dataset. Our test suite stopped fighting over shared fixtures.",
        "Connection limits on the smaller plans are tight. We added a pooler in month two. The docs mention this but not loudly enough.",
        "Replica lag spikes around 02:00 UTC every night. Support told us this is the backup window. It should be in the docs, and it should be configurable.",
    ]),
    ("Acme Edge", [
        "Our cache hit ratio is around 85% after we stopped varying on cookies. Image resizing replaced a small service we used to run ourselves.",
        "Edge functions are nice for redirects and A/B flags. Cold starts outside Europe are noticeably slower, which matters for our customers in Asia.",
    ]),
    ("The January 12 outage", [
        "At 13:50 UTC every request through Acme Edge started returning 502. The dashboard login failed too, so we could not even check our configuration. The status page stayed green for about forty minutes.",
        "We first suspected we had been hacked. We rotated keys, checked our logs, and paged two people who were off that day. Only then did someone find the thread here saying it was Acme.",
        "The outage lasted about three and a half hours for us. Customers emailed, two asked for refunds, one threatened to leave. We offered a month free to the ones who asked.",
        "The postmortem was honest: an internal certificate expired, and a configuration push meant to work around it made things worse. The action items are reasonable. The status page process is the part I care about most.",
        "SLA credits arrived on the next invoice: 10% of the month. I understand why contracts are written like that. It still feels small next to what the afternoon cost us.",
    ]),
    ("The billing change", [
        "Acme DB moves to per-request pricing on February 1. For us the calculator says our database bill goes up about four times. Storage got cheaper, requests got expensive, and we are a chatty application.",
        "To be fair: for teams with little traffic and a lot of data, the new model is cheaper. And support offered to keep our old pricing until March while we optimize.",
        "What I would like: a spending cap, a clear definition of a request unit, and more than three weeks of notice for changes of this size.",
    ]),
    ("Would I choose it again?", [
        "Yes, probably. The developer experience is the best we have had. But we are adding a second CDN in front of Acme Edge, and we are measuring our query volume much more carefully than before.",
        "If you are starting out: use it, enjoy the previews and the restores, and plan for the day your provider is the thing that is down.",
    ]),
]


def long_post_body() -> str:
    parts: list[str] = []
    round_no = 0
    while True:
        round_no += 1
        for heading, paragraphs in LONG_SECTIONS:
            chunk = [f"## {heading}" + (f" (month {round_no})" if round_no > 1 else "")]
            for p in paragraphs:
                text = fill(p)
                if round_no > 1:
                    text = rng.choice(["Update: ", "Still true: ", "Month %d: " % round_no, "Revisited: ", ""]) + text
                chunk.append(text)
            candidate = "\n\n".join(parts + chunk)
            if len(candidate) > 39_900:
                body = "\n\n".join(parts)
                filler = " Thanks for reading this far."
                while len(body) + len(filler) < 39_900:
                    body += filler
                return body
            parts.extend(chunk)


def build_reddit() -> tuple[list[dict], dict]:
    users = [reddit_user() for _ in range(60)]
    brand_user = ("acmecloud", "t2_acm3c1d")
    stats = {}

    def post(sub: str, topic: str, title: str, body: str, flair: str | None, t: datetime, **over) -> dict:
        author, fullname = over.pop("user", None) or rng.choice(users)
        pid = token(B36, 5, "1q")
        permalink = f"/r/{sub}/comments/{pid}/{slug(title)}/"
        data = {
            "approved_at_utc": None,
            "subreddit": sub,
            "selftext": body,
            "author_fullname": fullname,
            "saved": False,
            "title": title,
            "subreddit_name_prefixed": f"r/{sub}",
            "name": f"t3_{pid}",
            "upvote_ratio": round(rng.uniform(0.55, 0.99), 2),
            "ups": 0,
            "score": 0,
            "downs": 0,
            "link_flair_text": flair,
            "is_self": bool(body) or "url" not in over,
            "created": 0.0,
            "created_utc": epoch(t),
            "edited": False,
            "selftext_html": md_html(body) if body else None,
            "id": pid,
            "author": author,
            "num_comments": rng.randint(0, 60),
            "permalink": permalink,
            "url": "https://www.reddit.com" + permalink,
            "domain": f"self.{sub}",
            "subreddit_id": SUBREDDIT_IDS[sub],
            "over_18": False,
            "stickied": False,
            "locked": False,
            "distinguished": None,
            "removed_by_category": None,
            "num_crossposts": 0,
            "subreddit_subscribers": 18_431 if sub == "acme" else rng.randint(100_000, 900_000),
        }
        score = int(rng.expovariate(1 / 25)) + 1
        data["ups"] = data["score"] = score
        data["created"] = data["created_utc"]
        data.update(over)
        if not data["is_self"]:
            data["domain"] = re.sub(r"^https?://([^/]+)/.*$", r"\1", data["url"])
        data["_t"] = t
        return {"kind": "t3", "data": data}

    # r/acme/new ------------------------------------------------------------------------
    acme_posts = []
    for topic, title, body, flair in R_ACME_POSTS:
        t = when(topic)
        extra = {}
        if not body:  # a link post: no selftext, the text is the title
            extra = {"url": "https://status.acmecloud.example/incidents/2026-01-12-edge", "is_self": False}
        acme_posts.append(post("acme", topic, title, body, flair, t, **extra))
    # a post removed by the moderators, author kept; and one whose author deleted the account
    removed = post("acme", "spam", "Acme Cloud refunds processed here (official)", "[removed]", None, when("spam"))
    removed["data"].update(removed_by_category="moderator", selftext_html=None)
    acme_posts.append(removed)
    gone = post("acme", "outage", "Anyone else get logged out of everything during the outage?",
                "Every session got invalidated for us. Had to re-login on all devices. Related?", "Outage", when("outage"))
    gone["data"]["author"] = "[deleted]"
    del gone["data"]["author_fullname"]
    acme_posts.append(gone)
    # the very long review, edited later
    long_t = POSTMORTEM_AT + timedelta(hours=20, minutes=17)
    longp = post("acme", "general", LONG_POST_TITLE, long_post_body(), "Discussion", long_t)
    longp["data"]["edited"] = epoch(long_t + timedelta(hours=3, minutes=41))
    acme_posts.append(longp)
    # an announcement from the brand account, distinguished and stickied
    acme_posts.append(post(
        "acme", "billing", "Upcoming changes to Acme DB pricing (effective Feb 1)",
        "Hi r/acme, we're changing how Acme DB is billed: from instance sizes to request units and storage. "
        "Most small projects will pay less; chatty workloads will pay more. Existing projects keep current "
        "pricing until March 1. Full FAQ and a calculator are linked on the pricing page. We'll answer questions here.",
        "Announcement", BILLING_AT + timedelta(minutes=12), user=brand_user, distinguished="moderator", stickied=True))
    # a few edited posts
    for p in rng.sample(acme_posts[:18], 4):
        p["data"]["edited"] = epoch(p["data"]["_t"] + timedelta(minutes=rng.randint(5, 400)))
        p["data"]["edited"] = min(p["data"]["edited"], epoch(ANCHOR - timedelta(minutes=1)))
    # newest in r/acme: three minutes before the anchor
    acme_posts.append(post("acme", "general", "Is Acme DB slow for anyone else right now?",
                           "Simple selects taking 800 ms in eu-west since a few minutes ago. Nothing on the status page yet.",
                           "Help", ANCHOR - timedelta(minutes=3)))
    acme_posts.sort(key=lambda c: c["data"]["_t"], reverse=True)
    stats["long_post_chars"] = len(longp["data"]["selftext"])

    # r/acme/comments: comments on those posts, some replying to each other ---------------
    comments = []
    commentable = [p for p in acme_posts if p["data"]["selftext"] != "[removed]"]

    def comment(parent_post: dict, body: str, t: datetime, parent: dict | None = None, user=None) -> dict:
        author, fullname = user or rng.choice(users)
        cid = token(B36, 6, "n")
        pd = parent_post["data"]
        data = {
            "subreddit_id": pd["subreddit_id"],
            "approved_at_utc": None,
            "author_is_blocked": False,
            "link_title": pd["title"],
            "ups": 0,
            "author": author,
            "author_fullname": fullname,
            "id": cid,
            "name": f"t1_{cid}",
            "body": body,
            "body_html": md_html(body),
            "link_id": pd["name"],
            "parent_id": parent["data"]["name"] if parent else pd["name"],
            "score": 0,
            "permalink": pd["permalink"] + cid + "/",
            "link_permalink": "https://www.reddit.com" + pd["permalink"],
            "link_author": pd["author"],
            "link_url": pd["url"],
            "subreddit": pd["subreddit"],
            "subreddit_name_prefixed": pd["subreddit_name_prefixed"],
            "created": epoch(t),
            "created_utc": epoch(t),
            "edited": False,
            "is_submitter": author == pd["author"],
            "distinguished": None,
            "stickied": False,
            "controversiality": 0,
            "replies": "",
            "num_comments": pd["num_comments"],
            "over_18": False,
            "quarantine": False,
        }
        data["ups"] = data["score"] = int(rng.expovariate(1 / 6)) - (2 if rng.random() < 0.1 else 0)
        data["_t"] = t
        return {"kind": "t1", "data": data}

    def topic_of(p):
        t = p["data"]["_t"]
        return "outage" if OUTAGE_START <= t <= OUTAGE_END + timedelta(hours=12) else "other"

    bodies = [fill(b) for b in R_COMMENTS]
    rng.shuffle(bodies)
    for body in bodies:
        # outage-ish comments prefer outage posts
        if re.search(r"(?i)13:50|status page|eu-west|outage|incident|refund|credits", body):
            candidates = [p for p in commentable if topic_of(p) == "outage"] or commentable
        else:
            candidates = commentable
        p = rng.choice(candidates)
        same_post = [c for c in comments if c["data"]["link_id"] == p["data"]["name"]]
        parent = rng.choice(same_post) if same_post and rng.random() < 0.4 else None
        base = (parent or p)["data"]["_t"]
        comments.append(comment(p, body, after(base, 90), parent))
    # brand answers in the pricing announcement and the megathread
    announce = next(p for p in acme_posts if p["data"]["distinguished"] == "moderator")
    mega = next(p for p in acme_posts if p["data"]["title"].startswith("Megathread"))
    for p, body in [(announce, "Replica reads count as half a request unit. We'll make that clearer in the FAQ."),
                    (announce, "Yes, a spending cap is coming before Feb 1. We'll post here when it ships."),
                    (mega, "Update from Acme: Edge is recovering in all regions. A full postmortem follows within 24 hours. We're sorry.")]:
        c = comment(p, body, after(p["data"]["_t"], 120), user=brand_user)
        c["data"]["distinguished"] = "moderator"
        comments.append(c)
    # traps: a deleted account, a removed comment, a terminal escape sequence, an edited comment
    c = comment(mega, "Same in us-east. Our on-call is losing it.", after(mega["data"]["_t"], 20))
    c["data"]["author"] = "[deleted]"
    del c["data"]["author_fullname"]
    comments.append(c)
    c = comment(mega, "[removed]", after(mega["data"]["_t"], 30))
    c["data"].update(author="[deleted]", body_html=md_html("[removed]"))
    del c["data"]["author_fullname"]
    comments.append(c)
    stuck = next(p for p in acme_posts if p["data"]["title"].startswith("Acme Deploy build stuck"))
    c = comment(stuck, "Same, here's my acme-cli output:\n\n    \u001b[33mwarn\u001b[0m  artifact upload slow (312 MB)\n    \u001b[31merror\u001b[0m upload timed out after 1200s\n\nRe-running fixed it.",
                after(stuck["data"]["_t"], 60))
    comments.append(c)
    for c in rng.sample(comments, 5):
        c["data"]["edited"] = epoch(min(c["data"]["_t"] + timedelta(minutes=rng.randint(2, 120)), ANCHOR - timedelta(minutes=1)))
    comments.sort(key=lambda c: c["data"]["_t"], reverse=True)

    # site search (other subreddits; r/acme is covered by its own listing) ------------------
    search_posts = []
    for sub, topic, title, body in SEARCH_POSTS:
        extra = {}
        if not body:
            extra = {"url": "https://status.acmecloud.example/incidents/2026-01-12-edge", "is_self": False}
        search_posts.append(post(sub, topic, title, body, None, when(topic), **extra))
    search_posts.sort(key=lambda c: c["data"]["_t"], reverse=True)

    # the account's inbox: username mentions (t1 without link_id/permalink) and private messages (t4)
    inbox = []
    for sub, body in R_MENTIONS:
        topic = "outage" if re.search(r"(?i)ETA|status page|dashboard login", body) else (
            "postmortem" if "postmortem" in body else "billing" if re.search("(?i)pricing|credits", body) else "general")
        # the mention sits in the comments of one of the search results in that subreddit
        on = rng.choice([p for p in search_posts if p["data"]["subreddit"] == sub])["data"]
        t = max(when(topic), after(on["_t"], 90))
        author, fullname = rng.choice(users)
        cid = token(B36, 6, "n")
        post_id = on["id"]
        parent_is_comment = rng.random() < 0.35
        parent_id = f"t1_{token(B36, 6, 'n')}" if parent_is_comment else f"t3_{post_id}"
        link_title = on["title"]
        inbox.append({"kind": "t1", "data": {
            "first_message": None,
            "first_message_name": None,
            "subreddit": sub,
            "likes": None,
            "replies": "",
            "author_fullname": fullname,
            "id": cid,
            "subject": "username mention",
            "associated_awarding_id": None,
            "score": rng.randint(1, 40),
            "author": author,
            "num_comments": on["num_comments"],
            "parent_id": parent_id,
            "subreddit_name_prefixed": f"r/{sub}",
            "new": t > ANCHOR - timedelta(days=1),
            "type": "username_mention",
            "body": body,
            "dest": "acmecloud",
            "was_comment": True,
            "body_html": md_html(body),
            "name": f"t1_{cid}",
            "created": epoch(t),
            "created_utc": epoch(t),
            "context": f"{on['permalink']}{cid}/?context=3",
            "distinguished": None,
            "link_title": link_title,
            "_t": t,
        }})
    for subject, body, t, who in [
        ("Refund for Monday", "Hi, we're a paying customer (project acme-shop-prod). Monday's outage cost us a day of sales. "
         "Who do I talk to about a refund? Ticket #58213 has had no answer.", OUTAGE_END + timedelta(hours=5), rng.choice(users)),
        ("Acme Cloud Verification Team", "Your account will be suspended in 24h. Verify your billing details at acme-verify[.]support",
         OUTAGE_END + timedelta(hours=30), ("Acme_Support_Team_Official", "t2_9xq2lmk0p")),
    ]:
        author, fullname = who
        mid = token(B36, 7, "2")
        inbox.append({"kind": "t4", "data": {
            "first_message": None, "first_message_name": None, "subreddit": None, "likes": None, "replies": "",
            "author_fullname": fullname, "id": mid, "subject": subject, "associated_awarding_id": None,
            "score": 0, "author": author, "num_comments": None, "parent_id": None,
            "subreddit_name_prefixed": None, "new": True, "type": "unknown", "body": body, "dest": "acmecloud",
            "was_comment": False, "body_html": md_html(body), "name": f"t4_{mid}",
            "created": epoch(t), "created_utc": epoch(t), "context": "", "distinguished": None, "_t": t,
        }})
    inbox.sort(key=lambda c: c["data"]["_t"], reverse=True)

    files = []

    def listing(name: str, request: str, children: list[dict], sizes: list[int], limit: int) -> None:
        pages = paginate(children, sizes)
        after_token = None
        for index, items in enumerate(pages):
            last = index == len(pages) - 1
            body = {"kind": "Listing", "data": {
                "after": None if last else items[-1]["data"]["name"],
                "dist": len(items),
                "modhash": None,
                "geo_filter": "",
                "children": [{"kind": c["kind"], "data": {k: v for k, v in c["data"].items() if k != "_t"}} for c in items],
                "before": None,
            }}
            path = f"reddit/{name}_{index + 1:02d}.json"
            dump(OUT / path, body)
            req = request + f"{'&' if '?' in request else '?'}limit={limit}&raw_json=1"
            if after_token:
                req += f"&after={after_token}&count={sum(len(p) for p in pages[:index])}"
            files.append({"file": path, "request": req,
                          "mentions": sum(1 for c in items if c["kind"] in ("t1", "t3"))})
            after_token = body["data"]["after"]

    listing("r_acme_new", "GET /r/acme/new", acme_posts, [14, 14], 25)
    listing("r_acme_comments", "GET /r/acme/comments", comments, [25, 25], 25)
    listing("search", "GET /search?q=%22acme+cloud%22+NOT+subreddit%3Aacme&sort=new&type=link&t=week",
            search_posts, [10, 10], 10)
    listing("inbox", "GET /message/inbox", inbox, [25], 25)
    stats.update(posts=len(acme_posts) + len(search_posts), comments=len(comments),
                 username_mentions=len(R_MENTIONS), private_messages=2)
    return files, stats


# ----------------------------------------------------------------------------------------
# YouTube: commentThreads.list and comments.list
# ----------------------------------------------------------------------------------------

VIDEOS = {
    "k3Lr9QvXw2E": ("Getting started with Acme Edge in 10 minutes", WINDOW_START - timedelta(days=40)),
    "dF4gH7jK0lZ": ("Migrating a Rails app to Acme Deploy", WINDOW_START - timedelta(days=12)),
    "pZ7nB0cYt4M": ("Acme DB pricing changes explained (effective Feb 1)", BILLING_AT + timedelta(hours=1)),
    "Qa1Xs8dWm5o": ("The Jan 12 Acme Edge incident: what happened and what we're changing", POSTMORTEM_AT + timedelta(hours=1)),
    "Vt6uHe2Rj9k": ("Acme Deploy v3: preview environments & instant rollbacks", LAUNCH_AT),
}

YT_COMMENTS = {
    "k3Lr9QvXw2E": [
        "Followed along and had my site on Acme Edge in 8 minutes. Great pace.",
        "At 4:12 you skip the DNS step, took me a while to figure out the CNAME.",
        "Does this still work after the dashboard redesign? The menus look different now.",
        "Great tutorial ❤️",
        "Is the free tier enough for a blog with ~10k visits/month?",
        "How do I make cache rules for /api/* not cache? I tried path < /api but that's not a thing lol",
        "Aged well. Edge was down for 3 hours on Monday 🙃",
        "Muy buen tutorial, gracias. ¿Hay versión en español?",
        "Danke! Genau das habe ich gesucht.",
        "Could you do one on edge functions next?",
    ],
    "dF4gH7jK0lZ": [
        "Migrated our Rails 7 app using this video. The asset precompile tip saved us.",
        "What about Sidekiq? Do workers run as separate services?",
        "The build cache part is gold, our deploys are 3x faster.",
        "ActiveStorage with Acme Edge for images works great btw",
        "Tried this, DB migrations ran twice on deploy. Is there a release phase?",
        "Very clear, thank you!",
        "Obrigado! Funcionou perfeitamente aqui.",
        "if x < 10 workers is it still cheaper than heroku-style pricing? asking before the DB price change",
    ],
    "pZ7nB0cYt4M": [
        "So my bill goes from $40 to $180. Explained, sure. Justified? No.",
        "Thanks for being upfront, but 3 weeks notice is too short.",
        "What exactly is a request unit? The video says 'roughly a query' — roughly?",
        "For my use case this is cheaper. Lots of storage, few queries. Nice.",
        "Will there be a spending cap? Per-request pricing without a cap is a risk for small teams.",
        "Dislike. Moving to self-hosted Postgres.",
        "Do replica reads count as requests?",
        "The free tier going from 5 GB to 1 GB hurts students the most.",
        "Great, so now I need to optimise queries to save money instead of building features. Love it.",
        "料金の説明ありがとうございます。でも高くなりますね…",
        "Refund the annual plan if the pricing changes mid-contract, that's the least you can do.",
    ],
    "Qa1Xs8dWm5o": [
        "Appreciate the transparency. The status page part is what made people angriest, glad you addressed it.",
        "An expired certificate. In 2026. How is there no alert on that?",
        "We lost 3.5 hours of sales. SLA credits don't cover it. We want a refund.",
        "Good postmortem. The config push making it worse is relatable, we've all been there.",
        "Will there be a second region failover for Edge so this can't take everything down?",
        "great, another outage, love it. at least the video has good lighting",
        "Honest question: was any customer data exposed? People on Twitter were saying Acme got hacked.",
        "Our lawyer is reviewing the SLA. A lawsuit isn't off the table for us.",
        "Merci pour les explications, c'est clair.",
        "The timeline at 5:40 is really useful, thanks.",
        "The dashboard login being down at the same time was the worst part. Please separate those.",
        "We moved to multi-CDN yesterday. Sorry Acme, it's not personal.",
    ],
    "Vt6uHe2Rj9k": [
        "Preview environments with DB branches is exactly what we needed ❤️",
        "Rollbacks in 4 seconds?! Tried it, it's true.",
        "Nice features, but after Monday I'd rather see reliability work.",
        "Does v3 support monorepos with multiple apps?",
        "Build cache is insanely fast now",
        "The demo at 2:30 broke my brain in a good way",
        "Per-branch env vars when?",
        "Ótimo lançamento, parabéns ao time!",
        "Acme Deployのv3最高です",
        "Sehr cool. Kommt das auch für Acme Edge Konfigurationen?",
        "Upgraded our staging already, zero issues so far.",
    ],
}

YT_REPLIES = [
    "Same for me",
    "@{handle} you need to add the CNAME at your DNS provider first",
    "@{handle} agreed 100%",
    "This 👆",
    "@{handle} replica reads count as half a unit according to the FAQ",
    "Not my experience, works fine here",
    "@{handle} check the pinned comment",
    "lol",
    "@{handle} they said a spending cap is coming before Feb 1",
    "We got a refund after escalating twice. Keep pushing.",
    "@{handle} set root_dir per app in acme.toml",
    "It's in the docs under 'release commands'",
    "Ha, same thought",
    "@{handle} yes, workers are separate services",
    "@{handle} more like 'roughly a query, unless it isn't' 😅",
    "+1",
    "Facts",
    "@{handle} no customer data was exposed, it's in the written postmortem",
    "The SLA is what it is, read it before signing",
    "@{handle} gracias!",
]

YT_BRAND_REPLIES = [
    "Thanks for watching! Glad it helped.",
    "@{handle} good catch, we'll add the DNS step to the description.",
    "@{handle} a spending cap ships before Feb 1, and existing projects keep current pricing until March 1.",
    "@{handle} no customer data was accessed or exposed. The written postmortem has the details.",
    "@{handle} yes! Set root_dir for each app in acme.toml, docs are being updated this week.",
    "@{handle} we're sorry. Please reply to your support ticket with 'refund review' and we'll look at it personally.",
]


def yt_time(t: datetime) -> str:
    """Both forms occur in real responses: …44Z and …44.000Z."""
    return t.strftime("%Y-%m-%dT%H:%M:%S") + (".000Z" if rng.random() < 0.3 else "Z")


def yt_author() -> dict:
    handle, name = person()
    return {"handle": handle, "channel": "UC" + token(ALNUM + "-_", 22)}


BRAND_YT = {"handle": "acmecloud", "channel": BRAND_CHANNEL_ID}


def build_youtube() -> tuple[list[dict], dict]:
    authors = [yt_author() for _ in range(70)]

    def snippet(author: dict, text: str, t: datetime, video: str | None, parent: str | None = None,
                edited: bool = False, likes: int | None = None) -> dict:
        s = {
            "channelId": BRAND_CHANNEL_ID,
            "videoId": video,
            "textDisplay": text,
            "textOriginal": text,
            "parentId": parent,
            "authorDisplayName": "@" + author["handle"],
            "authorProfileImageUrl": "https://yt3.ggpht.com/ytc/" + token(ALNUM + "-_", 40) + "=s48-c-k-c0x00ffffff-no-rj",
            "authorChannelUrl": "http://www.youtube.com/@" + author["handle"],
            "authorChannelId": {"value": author["channel"]},
            "canRate": True,
            "viewerRating": "none",
            "likeCount": likes if likes is not None else int(rng.expovariate(1 / 4)),
            "publishedAt": yt_time(t),
            "updatedAt": None,
        }
        s["updatedAt"] = yt_time(min(t + timedelta(minutes=rng.randint(1, 90)), ANCHOR - timedelta(seconds=30))) if edited else s["publishedAt"]
        if video is None:
            del s["videoId"]
        if parent is None:
            del s["parentId"]
        return s

    def comment(cid: str, snip: dict) -> dict:
        return {"kind": "youtube#comment", "etag": etag(), "id": cid, "snippet": snip}

    def top_id() -> str:
        return token(ALNUM + "-_", 20, "Ug" + rng.choice("wxyz")) + "4AaABAg"

    def reply_id(parent: str) -> str:
        return parent + "." + token(ALNUM + "-_", 22, rng.choice("89AB"))

    def video_time(video: str) -> datetime:
        published = VIDEOS[video][1]
        start = max(published, WINDOW_START)
        if published >= WINDOW_START:
            t = published + expo(10)
        else:  # old video: a trickle over the whole window
            t = start + timedelta(seconds=rng.randint(0, 7 * 86400))
        return clamp(t)

    threads = []  # (t, thread dict, [all replies])
    for video, texts in YT_COMMENTS.items():
        for text in texts:
            author = rng.choice(authors)
            t = video_time(video)
            threads.append({"t": t, "video": video, "author": author, "text": text, "id": top_id(),
                            "edited": rng.random() < 0.08, "likes": None, "replies": []})
    # hostile and special comments
    threads.append({"t": clamp(OUTAGE_END + timedelta(hours=27)), "video": "Qa1Xs8dWm5o",
                    "author": {"handle": "acme-rewards-center", "channel": "UC" + token(ALNUM, 22)},
                    "text": "[bold red]FREE[/bold red] Acme Cloud credits for everyone affected by the outage 🎁 [link=http://evil]click[/link] to claim",
                    "id": top_id(), "edited": False, "likes": 0, "replies": []})
    threads.append({"t": video_time("Vt6uHe2Rj9k"), "video": "Vt6uHe2Rj9k",
                    "author": {"handle": "cryptowhale.signals", "channel": "UC" + token(ALNUM, 22)},
                    "text": "I turned $500 into $12,000 with the Acme token presale 🚀🚀 message me on telegram @acme_presale_vip",
                    "id": top_id(), "edited": False, "likes": 2, "replies": []})
    threads.append({"t": ANCHOR - timedelta(seconds=90), "video": "Vt6uHe2Rj9k", "author": rng.choice(authors),
                    "text": "Just deployed our first preview env with v3, took 3 min from zero. if build_time < 5 min I'm happy 😄",
                    "id": top_id(), "edited": False, "likes": 0, "replies": []})
    # the big angry thread on the incident video
    big = {"t": POSTMORTEM_AT + timedelta(hours=1, minutes=19), "video": "Qa1Xs8dWm5o", "author": rng.choice(authors),
           "text": "Three and a half hours down and the status page was green for 40 minutes of it. Who is accountable? We want refunds, not credits.",
           "id": top_id(), "edited": True, "likes": 412, "replies": []}
    threads.append(big)

    # replies: most threads get none; some get a few (inline complete); three get more than fit inline
    def add_replies(thread: dict, count: int) -> None:
        t = thread["t"]
        for _ in range(count):
            t = after(t, 50)
            if rng.random() < 0.12:
                author, text = BRAND_YT, rng.choice(YT_BRAND_REPLIES)
            else:
                author, text = rng.choice(authors), rng.choice(YT_REPLIES)
            text = text.format(handle=thread["author"]["handle"])
            thread["replies"].append({"t": t, "author": author, "text": text, "id": reply_id(thread["id"]),
                                      "edited": rng.random() < 0.05})

    add_replies(big, 24)
    partial = [big]
    ordinary = [th for th in threads if th is not big and not th["author"]["handle"].startswith(("acme-rewards", "crypto"))]
    for th in rng.sample(ordinary, 2):
        add_replies(th, rng.randint(6, 9))
        partial.append(th)
    for th in rng.sample([th for th in ordinary if not th["replies"]], 11):
        add_replies(th, rng.randint(1, 3))
    # the scam gets a warning reply
    scam = next(th for th in threads if th["author"]["handle"] == "acme-rewards-center")
    scam["replies"].append({"t": after(scam["t"], 30), "author": BRAND_YT, "id": reply_id(scam["id"]), "edited": False,
                            "text": "This is not us. Acme Cloud will never give out credits through links in comments. Please don't click."})

    threads.sort(key=lambda th: th["t"], reverse=True)
    inline_count = 0
    list_pages: list[tuple[dict, list[dict]]] = []
    items = []
    for th in threads:
        top = comment(th["id"], snippet(th["author"], th["text"], th["t"], th["video"], edited=th["edited"], likes=th["likes"]))
        item = {"kind": "youtube#commentThread", "etag": etag(), "id": th["id"], "snippet": {
            "channelId": BRAND_CHANNEL_ID,
            "videoId": th["video"],
            "topLevelComment": top,
            "canReply": True,
            "totalReplyCount": len(th["replies"]),
            "isPublic": True,
        }}
        replies = sorted(th["replies"], key=lambda r: r["t"], reverse=True)
        if replies:
            # commentThreads carries a few replies inline; for long threads only some of them
            inline = replies[:3] if th in partial else replies
            item["replies"] = {"comments": [
                comment(r["id"], snippet(r["author"], r["text"], r["t"], th["video"], th["id"], r["edited"])) for r in inline]}
            inline_count += len(inline)
            if th in partial:
                list_pages.append((th, replies[3:]))
        items.append(item)

    files = []
    pages = paginate(items, [20, 20, 20, 20])
    prev_token = None
    base = ("GET /youtube/v3/commentThreads?part=snippet,replies&allThreadsRelatedToChannelId=" + BRAND_CHANNEL_ID
            + "&order=time&textFormat=plainText&maxResults=20")
    for index, page in enumerate(pages):
        body = {"kind": "youtube#commentThreadListResponse", "etag": etag()}
        if index < len(pages) - 1:
            body["nextPageToken"] = token(ALNUM + "-_", 40, "QURTSl9p")
        body["pageInfo"] = {"totalResults": len(page), "resultsPerPage": 20}  # looks final; follow the token
        body["items"] = page
        path = f"youtube/comment_threads_{index + 1:02d}.json"
        dump(OUT / path, body)
        mentions = sum(1 + len(it.get("replies", {}).get("comments", [])) for it in page)
        files.append({"file": path, "request": base + (f"&pageToken={prev_token}" if prev_token else ""),
                      "mentions": mentions})
        prev_token = body.get("nextPageToken")

    # comments.list?parentId=…: the replies commentThreads did not carry inline (no videoId here;
    # the real response would repeat the inline ones too: left out so each id appears once)
    list_count = 0
    for n, (th, rest) in enumerate(list_pages, start=1):
        chunks = paginate(rest, [20, 20])
        prev = None
        for index, chunk in enumerate(chunks):
            body = {"kind": "youtube#commentListResponse", "etag": etag()}
            if index < len(chunks) - 1:
                body["nextPageToken"] = token(ALNUM + "-_", 60, "Z2V0X25ld")
            body["pageInfo"] = {"resultsPerPage": 20}  # comments.list has no totalResults
            body["items"] = [comment(r["id"], snippet(r["author"], r["text"], r["t"], None, th["id"], r["edited"])) for r in chunk]
            path = f"youtube/comments_thread{n}_{index + 1:02d}.json"
            dump(OUT / path, body)
            req = f"GET /youtube/v3/comments?part=snippet&parentId={th['id']}&textFormat=plainText&maxResults=20"
            files.append({"file": path, "request": req + (f"&pageToken={prev}" if prev else ""), "mentions": len(chunk),
                          # what the caller knows from the thread it asked about: these replies carry no videoId
                          "context": {"parent_id": th["id"], "video_id": th["video"]}})
            list_count += len(chunk)
            prev = body.get("nextPageToken")
    return files, {"threads": len(items), "inline_replies": inline_count, "listed_replies": list_count}


def main() -> None:
    global OUT
    if len(sys.argv) == 3 and sys.argv[1] == "--out":  # regenerate elsewhere (the tests compare)
        OUT = Path(sys.argv[2])
    elif len(sys.argv) != 1:
        sys.exit("usage: make_demo_data.py [--out DIR]")
    if OUT.exists():
        for old in sorted(OUT.rglob("*.json")):
            old.unlink()
    x_files, x_stats = build_x()
    reddit_files, reddit_stats = build_reddit()
    youtube_files, youtube_stats = build_youtube()
    streams = {"x": x_files, "reddit": reddit_files, "youtube": youtube_files}
    manifest = {
        "about": "Sample traffic about the fictional brand Acme Cloud, as raw API response bodies. "
                 "Generated by tools/make_demo_data.py; every name and sentence is invented.",
        "anchor": ANCHOR.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seed": SEED,
        "brand": {"name": "Acme Cloud", "x": "acmecloud", "subreddit": "acme", "reddit_user": "acmecloud",
                  "youtube_channel_id": BRAND_CHANNEL_ID, "products": PRODUCTS},
        "totals": {name: sum(f["mentions"] for f in files) for name, files in streams.items()},
        "stats": {"x": x_stats, "reddit": reddit_stats, "youtube": youtube_stats},
        "streams": streams,
    }
    dump(OUT / "manifest.json", manifest)
    total = sum(manifest["totals"].values())
    print(f"wrote {sum(len(f) for f in streams.values())} files, {total} mentions: {manifest['totals']}")


if __name__ == "__main__":
    main()
