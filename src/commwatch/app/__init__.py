"""The application layer: every workflow, written once. The CLI and the TUI import this and draw.

session.py is the composition root (config, database, actor, environment, clock);
the rest are the workflows it composes. Nothing here prints or imports a face.
"""
