"""The PostgreSQL store: a connection that speaks the store's SQL (connection.py), opening and
migrating (open.py), and the schema as numbered SQL files (migrations/). Imported only for a
postgresql:// URL; psycopg is imported nowhere else."""
