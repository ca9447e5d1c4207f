"""PostgreSQL advisory-lock keys. A lock takes two int4 keys: the first says what is locked, the
second which one. Fixed numbers, so that every machine of a team agrees on them."""

MIGRATION_LOCK = 0x636D7701  # second key: the schema
SYNC_LOCK = 0x636D7702  # second key: the schema (several inboxes may share one database)
SENDER_LOCK = 0x636D7703  # second key: the outbox row being sent (store.outbox)
