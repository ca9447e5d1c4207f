"""After every migration, SQLite's schema and PostgreSQL's hold the same tables, columns (of the same
kind), keys and indexes. Full-text search is each engine's own (FTS5 tables; GIN expression indexes)."""

from __future__ import annotations

import psycopg

from commwatch.store.db import SCHEMA_VERSION, open_store
from commwatch.store.pg.open import migrations

KINDS = {"INTEGER": "integer", "TEXT": "text", "FLOAT": "real", "REAL": "real",
         "bigint": "integer", "text": "text", "double precision": "real"}  # fmt: skip
ENGINE_OWN = ("mentions_fts", "notes_fts", "_sqlite_migrations", "sqlite_", "commwatch_schema")


def _sqlite(path) -> tuple[dict, set]:
    conn = open_store(path)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
              if not r[0].startswith(ENGINE_OWN)]  # fmt: skip
    columns, indexes = {}, set()
    for table in tables:
        info = conn.execute(f"PRAGMA table_info({table})").fetchall()
        # (A key column is NOT NULL on PostgreSQL always; SQLite, for old compatibility, enforces it only
        # for an INTEGER PRIMARY KEY, but commwatch never stores NULL in one.)
        columns[table] = {(r["name"], KINDS[r["type"]], bool(r["notnull"]) or r["pk"] > 0, r["pk"] > 0) for r in info}
        for index in conn.execute(f"PRAGMA index_list({table})").fetchall():
            if index["origin"] == "pk":
                continue
            cols = tuple(r["name"] or "<expression>" for r in conn.execute(f"PRAGMA index_info({index['name']})"))
            indexes.add((table, index["name"], cols, bool(index["unique"])))
    conn.close()
    return columns, indexes


def _postgres(url) -> tuple[dict, set]:
    open_store(url).close()
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT c.table_name, c.column_name, c.data_type, c.is_nullable = 'NO', "
            "EXISTS (SELECT 1 FROM information_schema.key_column_usage k JOIN information_schema.table_constraints t "
            "ON t.constraint_name = k.constraint_name AND t.table_schema = k.table_schema "
            "WHERE t.constraint_type = 'PRIMARY KEY' AND k.table_schema = c.table_schema "
            "AND k.table_name = c.table_name AND k.column_name = c.column_name) "
            "FROM information_schema.columns c WHERE c.table_schema = current_schema()"
        ).fetchall()
        columns: dict = {}
        for table, name, kind, not_null, pk in rows:
            if not table.startswith(ENGINE_OWN) and name != "search_document":  # FTS5's counterpart
                columns.setdefault(table, set()).add((name, KINDS[kind], not_null, pk))
        indexes = set()
        for table, name, unique, cols in conn.execute(
            "SELECT t.relname, i.relname, x.indisunique, array(SELECT coalesce(a.attname, '<expression>') "
            "FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, n) LEFT JOIN pg_attribute a "
            "ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum > 0 ORDER BY k.n) "
            "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "JOIN pg_namespace s ON s.oid = t.relnamespace WHERE s.nspname = current_schema() AND NOT x.indisprimary"
        ):
            if not name.endswith("_search"):  # the full-text indexes: FTS5's counterpart
                indexes.add((table, name, tuple(cols), unique))
    return columns, indexes


def test_the_numbered_files_end_at_the_schema_version():
    numbers = [number for number, _, _ in migrations()]
    assert numbers == sorted(set(numbers)) and numbers[-1] == SCHEMA_VERSION


def test_both_engines_hold_the_same_schema(tmp_path, pg_url):
    sqlite_columns, sqlite_indexes = _sqlite(tmp_path / "inbox.db")
    pg_columns, pg_indexes = _postgres(pg_url)
    assert sorted(pg_columns) == sorted(sqlite_columns)
    for table in sqlite_columns:
        assert pg_columns[table] == sqlite_columns[table], table
    assert pg_indexes == sqlite_indexes
