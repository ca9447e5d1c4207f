"""The report's cost on a big inbox: CPU seconds of build_report (median of 3) for the last 7 and 30 days
and all time, ending at the newest mention. Run it with another tree on PYTHONPATH (and a copy of the
inbox: an older tree refuses a newer schema) to compare side by side:

    python benchmarks/report_bench.py INBOX.db
    PYTHONPATH=/path/to/old/src:/path/to/old/connectors python benchmarks/report_bench.py COPY.db
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import datetime, timedelta

from commwatch.model import InboxFilter, iso
from commwatch.report.build import build_report
from commwatch.report.scope import Scope
from commwatch.store.db import open_store


def main() -> None:
    start = time.process_time()
    conn = open_store(sys.argv[1])
    print(f"| opening (and upgrading) the inbox | {time.process_time() - start:.2f} CPU s |")
    newest = conn.execute("SELECT max(created_at) FROM mentions").fetchone()[0]
    now = datetime.fromisoformat(newest.replace("Z", "+00:00")) + timedelta(seconds=1)
    for label, since in (("7 days", iso(now - timedelta(days=7))), ("30 days", iso(now - timedelta(days=30))),
                         ("all time", None)):  # fmt: skip
        runs = []
        for _ in range(3):
            start = time.process_time()
            build_report(conn, Scope(InboxFilter(status=None, since=since, limit=None), iso(now)), now)
            runs.append(time.process_time() - start)
        print(f"| report, {label} | {statistics.median(runs):.2f} CPU s |")


if __name__ == "__main__":
    main()
