-- security_downtime_hours (set 3.0) over Acme's generated exports, written by hand for
-- DuckDB: what `yardstick query security_downtime_hours --as-of 2026-12-31` computes.
-- Run from the project folder: `duckdb -csv < security_downtime_hours.sql`.
-- Output: site, period (2022-Q1), value in line-hours; one row per site and quarter with a
-- row, and the pooled row as `all`.
SET TimeZone = 'UTC';

-- Each site's time zone, the first day its downtime data covers, and the instant
-- 2026-12-31 ends there (its next local midnight).
WITH site_list(site, tz, covered_from) AS (
    VALUES ('lyon', 'Europe/Paris', DATE '2022-01-01'),
           ('brno', 'Europe/Prague', DATE '2022-01-01'),
           ('porto', 'Europe/Lisbon', DATE '2022-07-01')
),
sites AS (
    SELECT *, timezone(tz, TIMESTAMP '2027-01-01 00:00:00') AS as_of_end FROM site_list
),
-- Brno's maintenance system writes its own root-cause codes (sites/brno.yaml).
brno_causes(code, term) AS (
    VALUES ('CYB', 'cyber_event'), ('NEOPR-ZMENA', 'unauthorized_change'),
           ('KONFIG', 'configuration_error'), ('PORUCHA', 'equipment_failure'),
           ('PROCES', 'process_issue'), ('ENERGIE', 'utility_outage'),
           ('SETRENI', 'under_investigation'), ('NEZNAMO', 'unknown')
),
-- A datetime with an offset (`Z`) is an instant; one without is the site's wall-clock time
-- (each site read with its own zone).
downtime_read AS (
    SELECT 'lyon' AS site, event_id, duration_min, line, cause,
           CASE WHEN recorded_at LIKE '%Z' THEN recorded_at::TIMESTAMPTZ
                ELSE timezone('Europe/Paris', recorded_at::TIMESTAMP) END AS recorded,
           CASE WHEN started_at LIKE '%Z' THEN started_at::TIMESTAMPTZ
                ELSE timezone('Europe/Paris', started_at::TIMESTAMP) END AS started
    FROM read_csv('data/lyon/downtime.csv', header = true,
                  columns = {'event_id': 'VARCHAR', 'recorded_at': 'VARCHAR', 'started_at': 'VARCHAR',
                             'duration_min': 'DOUBLE', 'line': 'VARCHAR', 'cause': 'VARCHAR',
                             'asset_id': 'VARCHAR', 'incident_id': 'VARCHAR', 'safety_impact': 'BOOLEAN'})
    UNION ALL
    SELECT 'brno' AS site, event_id, duration_min, line, cause,
           CASE WHEN recorded_at LIKE '%Z' THEN recorded_at::TIMESTAMPTZ
                ELSE timezone('Europe/Prague', recorded_at::TIMESTAMP) END AS recorded,
           CASE WHEN started_at LIKE '%Z' THEN started_at::TIMESTAMPTZ
                ELSE timezone('Europe/Prague', started_at::TIMESTAMP) END AS started
    FROM read_csv('data/brno/downtime.csv', header = true,
                  columns = {'event_id': 'VARCHAR', 'recorded_at': 'VARCHAR', 'started_at': 'VARCHAR',
                             'duration_min': 'DOUBLE', 'line': 'VARCHAR', 'cause': 'VARCHAR',
                             'asset_id': 'VARCHAR', 'incident_id': 'VARCHAR', 'safety_impact': 'BOOLEAN'})
    UNION ALL
    SELECT 'porto' AS site, event_id, duration_min, line, cause,
           CASE WHEN recorded_at LIKE '%Z' THEN recorded_at::TIMESTAMPTZ
                ELSE timezone('Europe/Lisbon', recorded_at::TIMESTAMP) END AS recorded,
           CASE WHEN started_at LIKE '%Z' THEN started_at::TIMESTAMPTZ
                ELSE timezone('Europe/Lisbon', started_at::TIMESTAMP) END AS started
    FROM read_csv('data/porto/downtime.csv', header = true,
                  columns = {'event_id': 'VARCHAR', 'recorded_at': 'VARCHAR', 'started_at': 'VARCHAR',
                             'duration_min': 'DOUBLE', 'line': 'VARCHAR', 'cause': 'VARCHAR',
                             'asset_id': 'VARCHAR', 'incident_id': 'VARCHAR', 'safety_impact': 'BOOLEAN'})
),
instants AS (
    SELECT d.*, s.tz, s.covered_from, s.as_of_end FROM downtime_read d JOIN sites s USING (site)
),
-- As of the end of 2026-12-31 at each site: revisions recorded later are not known, and
-- each stop counts in its latest revision.
downtime AS (
    SELECT i.*, coalesce(m.term, i.cause) AS term
    FROM instants i
    LEFT JOIN brno_causes m ON i.site = 'brno' AND m.code = i.cause
    WHERE i.recorded < i.as_of_end
    QUALIFY row_number() OVER (PARTITION BY i.site, i.event_id ORDER BY i.recorded DESC) = 1
),
production AS (
    SELECT regexp_extract(filename, 'data/([a-z]+)/', 1) AS site, line, month, criticality
    FROM read_csv('data/*/production.csv', header = true, filename = true,
                  columns = {'line': 'VARCHAR', 'month': 'DATE', 'criticality': 'VARCHAR',
                             'production_hours': 'DOUBLE'})
),
first_snapshot AS (
    SELECT site, line, arg_min(criticality, month) AS criticality FROM production GROUP BY site, line
),
-- Each stop joins its line's latest production snapshot on or before the day it started
-- (a stop before the line's first snapshot joins that first one).
security_stops AS (
    SELECT *, timezone(tz, started) AS local_start FROM downtime
    WHERE term IN ('cyber_event', 'unauthorized_change', 'configuration_error')
),
joined AS (
    SELECT d.site, d.local_start, d.duration_min, coalesce(p.criticality, f.criticality) AS criticality
    FROM security_stops d
    ASOF LEFT JOIN production p
        ON d.site = p.site AND d.line = p.line AND CAST(d.local_start AS DATE) >= p.month
    LEFT JOIN first_snapshot f ON d.site = f.site AND d.line = f.line
    WHERE CAST(d.local_start AS DATE) >= d.covered_from
      AND d.local_start < TIMESTAMP '2027-01-01 00:00:00'
),
counted AS (
    SELECT site, year(local_start) || '-Q' || quarter(local_start) AS period, duration_min
    FROM joined
    WHERE criticality = 'critical'
)
SELECT site, period, sum(duration_min) / 60 AS value FROM counted GROUP BY site, period
UNION ALL
SELECT 'all', period, sum(duration_min) / 60 FROM counted GROUP BY period
ORDER BY site, period;
