"""The auditor's filters over a large trail (issue 12); prints its figures.

In a PostgreSQL database of its own (``vbench_audit_filters``, created and dropped here),
``--events`` (default 1,000,000) events are generated in SQL — a third about customers
(``customer_id`` set, or a refused look recorded on the file), the rest about access requests
and problem items or without an object — with the trail's indexes as the migrations make them.
Then each query the audit page runs is timed (median of ``--repeat`` runs, with its plan's
first line): the file-number filter (the customer's events OR those about its requests and
items) and its capped count, a purpose filter's capped count, an action page, a person page;
the file-number filter is timed again without the object index (audit 0004) for the ratio.

    .venv/bin/python benchmarks/audit_filters.py [--events 1000000] [--repeat 5] [--keep]
"""

from __future__ import annotations

import argparse
import statistics
import time

import psycopg

PG = "postgres://postgres@127.0.0.1:5432/"
NAME = "vbench_audit_filters"

LOAD = """
CREATE TABLE audit_auditevent (seq bigint primary key, occurred_at timestamptz not null,
  actor_id bigint, actor varchar(150) not null, action varchar(40) not null,
  object_type varchar(60) not null, object_id varchar(64) not null, customer_id bigint,
  purpose varchar(200) not null, ip varchar(45) not null, detail text not null,
  prev_hash varchar(64) not null, hash varchar(64) not null unique);
INSERT INTO audit_auditevent
SELECT i, now() - (%(n)s - i) * interval '1 second', (i %% 50) + 1, 'user' || (i %% 50),
  (ARRAY['view_personal_data','search_personal_data','case_step','approval',
         'access_request','login','access_refused'])[1 + i %% 7],
  CASE i %% 7 WHEN 2 THEN 'problem_item' WHEN 3 THEN 'access_request'
    WHEN 4 THEN 'access_request' WHEN 0 THEN 'customer' WHEN 6 THEN 'customer' ELSE '' END,
  CASE i %% 7 WHEN 2 THEN ((i::bigint * 7919) %% 30000)::text
    WHEN 3 THEN ((i::bigint * 104729) %% 20000)::text
    WHEN 4 THEN ((i::bigint * 104729) %% 20000)::text
    WHEN 0 THEN ((i::bigint * 31) %% 100000)::text
    WHEN 6 THEN ((i::bigint * 31) %% 100000)::text ELSE '' END,
  CASE i %% 7 WHEN 0 THEN (i::bigint * 31) %% 100000 ELSE NULL END,
  (ARRAY['customer_service','problem_item','callback','compliance_check'])[1 + i %% 4],
  '10.0.0.1', '{}', md5((i - 1)::text), md5(i::text)
FROM generate_series(1, %(n)s) i;
CREATE INDEX ON audit_auditevent (occurred_at);
CREATE INDEX ON audit_auditevent (action);
CREATE INDEX ON audit_auditevent (customer_id);
CREATE INDEX audit_event_actor_seq ON audit_auditevent (actor, seq);
CREATE INDEX audit_event_object_seq ON audit_auditevent (object_type, object_id, seq);
ANALYZE audit_auditevent;
"""

ABOUT = (
    "(customer_id = 4242 OR (object_type = 'customer' AND object_id IN ('4242'))"
    " OR (object_type = 'access_request' AND object_id IN ('17', '1700', '5'))"
    " OR (object_type = 'problem_item' AND object_id IN ('99', '2999')))"
)
QUERIES = {
    "file number, page": f"SELECT * FROM audit_auditevent WHERE {ABOUT} ORDER BY seq DESC LIMIT 51",
    "file number, capped count": (
        f"SELECT COUNT(*) FROM (SELECT seq FROM audit_auditevent WHERE {ABOUT} LIMIT 10001) s"
    ),
    "purpose, capped count": (
        "SELECT COUNT(*) FROM (SELECT seq FROM audit_auditevent WHERE purpose = 'callback'"
        " LIMIT 10001) s"
    ),
    "action, page": (
        "SELECT * FROM audit_auditevent WHERE action = 'approval' ORDER BY seq DESC LIMIT 51"
    ),
    "action, position of a later page": (
        "SELECT COUNT(*) FROM (SELECT seq FROM audit_auditevent WHERE action = 'approval'"
        " AND seq > %(half)s LIMIT 10001) s"
    ),
    "person, page": (
        "SELECT * FROM audit_auditevent WHERE actor IN ('user7') ORDER BY seq DESC LIMIT 51"
    ),
}


def timed(cur: psycopg.Cursor, sql: str, repeat: int) -> tuple[float, str]:
    cur.execute("EXPLAIN (COSTS OFF) " + sql)
    plan = " / ".join(r[0].strip() for r in cur.fetchall()[:3])
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        cur.execute(sql)
        cur.fetchall()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs), plan


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    with psycopg.connect(PG + "postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {NAME}")
        admin.execute(f"CREATE DATABASE {NAME}")
    try:
        with psycopg.connect(PG + NAME, autocommit=True) as conn, conn.cursor() as cur:
            start = time.perf_counter()
            cur.execute(LOAD % {"n": args.events})
            print(f"loaded {args.events:,} events in {time.perf_counter() - start:.1f} s")
            half = args.events // 2
            for label, sql in QUERIES.items():
                ms, plan = timed(cur, sql % {"half": half} if "%(" in sql else sql, args.repeat)
                print(f"{label:36} {ms:9.2f} ms   {plan}")
            with_index, _ = timed(cur, QUERIES["file number, page"], args.repeat)
            cur.execute("DROP INDEX audit_event_object_seq")
            cur.execute("ANALYZE audit_auditevent")
            without, plan = timed(cur, QUERIES["file number, page"], args.repeat)
            print(f"{'file number, page, no object index':36} {without:9.2f} ms   {plan}")
            print(f"object index (audit 0004): {without / max(with_index, 1e-6):.0f}x faster")
    finally:
        if not args.keep:
            with psycopg.connect(PG + "postgres", autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {NAME}")


if __name__ == "__main__":
    main()
