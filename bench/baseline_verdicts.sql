-- The baseline of the evaluation benchmark: ONE hand-written query computing, for every leader of the
-- campaign, the verdicts `evaluate_probation --as-of 2024-09-01T00:00:00+08:00` reaches (DATA.md).
--
--   psql -v slug=2024-nx2 -v as_of="'2024-09-01 00:00:00+08'" -f bench/baseline_verdicts.sql
--
-- Output, one row per leader in leader_account order:
--   leader_account | status | failed_checks | closed_at | new_merchants_checkpoint | new_merchants_total
--   | qualifying_merchants
-- Thresholds, windows and months are read from the campaign rows (the 2024 defaults after migrate).
-- Every check is computed for every leader; a leader is closed at the FIRST due time at which one of its
-- applicable checks (due after granted_at) fails, with the codes failing at that due time; the later
-- checks do not count for it (it is not evaluated further). Nobody closed and probation over: retained.
-- The 618 rule is written independently of probation/metrics.py: a gaps-and-islands scan of the exits.
-- Violations are not part of the generated data; a leader with one is never retained (as in the code).
WITH c AS (
    SELECT * FROM recruitment_campaign WHERE slug = :'slug'
),
leaders AS (
    SELECT l.id, l.leader_account, l.granted_at,
           EXISTS (SELECT 1 FROM probation_violation v WHERE v.leader_id = l.id) AS has_violation
    FROM probation_leader l JOIN c ON l.campaign_id = c.id
),
months AS (
    SELECT 'basic:' || to_char(m.month, 'YYYY-MM') AS code,
           row_number() OVER (ORDER BY m.month) AS ord,
           m.month::timestamp AT TIME ZONE 'Asia/Shanghai' AS starts_at,
           (m.month + interval '1 month')::timestamp AT TIME ZONE 'Asia/Shanghai' AS due_at,
           m.min_activities, m.min_merchants, m.min_items, m.min_gmv
    FROM recruitment_basiccheckmonth m JOIN c ON m.campaign_id = c.id
),
month_activities AS (
    SELECT a.leader_id, mo.code, count(*) AS n
    FROM probation_activity a JOIN months mo ON a.created_at >= mo.starts_at AND a.created_at < mo.due_at
    GROUP BY 1, 2
),
month_enrollments AS (
    SELECT a.leader_id, mo.code, count(DISTINCT e.merchant_id) AS merchants, count(DISTINCT e.item_id) AS items
    FROM probation_enrollment e
    JOIN probation_activity a ON a.id = e.activity_id
    JOIN months mo ON e.enrolled_at >= mo.starts_at AND e.enrolled_at < mo.due_at
    GROUP BY 1, 2
),
month_gmv AS (
    SELECT o.leader_id, mo.code, sum(o.paid_amount) AS gmv
    FROM probation_order o JOIN months mo ON o.paid_at >= mo.starts_at AND o.paid_at < mo.due_at
    WHERE o.status <> 'invalid'
    GROUP BY 1, 2
),
basic AS (
    SELECT l.id AS leader_id, mo.code, mo.ord, mo.due_at,
           coalesce(ma.n, 0) >= mo.min_activities
           AND coalesce(me.merchants, 0) >= mo.min_merchants
           AND coalesce(me.items, 0) >= mo.min_items
           AND coalesce(mg.gmv, 0) >= mo.min_gmv AS passed
    FROM leaders l CROSS JOIN months mo
    LEFT JOIN month_activities ma ON ma.leader_id = l.id AND ma.code = mo.code
    LEFT JOIN month_enrollments me ON me.leader_id = l.id AND me.code = mo.code
    LEFT JOIN month_gmv mg ON mg.leader_id = l.id AND mg.code = mo.code
),
new_merchants AS (
    SELECT m.id, m.leader_id, m.opened_at <= c.checkpoint_ends_at AS by_checkpoint
    FROM probation_merchant m JOIN c ON m.campaign_id = c.id
    WHERE m.leader_id IS NOT NULL AND m.opened_at BETWEEN c.activity_starts_at AND c.activity_ends_at
),
item_orders AS (
    SELECT o.merchant_id, o.item_id, count(*) AS paid, count(*) FILTER (WHERE o.status = 'settled') AS settled
    FROM probation_order o
    JOIN new_merchants nm ON nm.id = o.merchant_id AND nm.leader_id = o.leader_id
    CROSS JOIN c
    WHERE o.paid_at BETWEEN c.activity_starts_at AND c.activity_ends_at
    GROUP BY 1, 2
),
merchant_orders AS (
    SELECT merchant_id, max(paid) AS best_item, sum(paid) AS paid, sum(settled) AS settled
    FROM item_orders GROUP BY 1
),
-- Exits [exited_at, rejoined_at) touching the window; the window [start, end] is covered when the first
-- starts at or before its start, none starts after the furthest end of those before it, and the furthest
-- end lies after the window's last second.
exits AS (
    SELECT x.merchant_id, x.exited_at, coalesce(x.rejoined_at, 'infinity') AS rejoined_at
    FROM probation_merchantexit x JOIN new_merchants nm ON nm.id = x.merchant_id CROSS JOIN c
    WHERE x.exited_at <= c.window_618_ends_at AND coalesce(x.rejoined_at, 'infinity') > c.window_618_starts_at
),
exits_ordered AS (
    SELECT merchant_id, exited_at, rejoined_at,
           max(rejoined_at) OVER (PARTITION BY merchant_id ORDER BY exited_at, rejoined_at
                                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reached
    FROM exits
),
out_for_618 AS (
    SELECT merchant_id
    FROM exits_ordered CROSS JOIN c
    GROUP BY merchant_id, c.window_618_starts_at, c.window_618_ends_at
    HAVING min(exited_at) <= c.window_618_starts_at
       AND max(rejoined_at) > c.window_618_ends_at
       AND bool_and(reached IS NULL OR exited_at <= reached)
),
special_counts AS (
    SELECT l.id AS leader_id,
           count(nm.id) FILTER (WHERE nm.by_checkpoint) AS checkpoint,
           count(nm.id) AS total,
           count(nm.id) FILTER (
               WHERE mo.best_item >= c.best_item_min_orders
                 AND CASE WHEN mo.paid > 0 THEN mo.settled * 100 >= c.settlement_rate_min_percent * mo.paid
                          ELSE c.settlement_rate_min_percent <= 0 END
                 AND o6.merchant_id IS NULL
           ) AS qualifying
    FROM leaders l CROSS JOIN c
    LEFT JOIN new_merchants nm ON nm.leader_id = l.id
    LEFT JOIN merchant_orders mo ON mo.merchant_id = nm.id
    LEFT JOIN out_for_618 o6 ON o6.merchant_id = nm.id
    GROUP BY l.id
),
checks AS (
    SELECT leader_id, code, ord, due_at, passed FROM basic
    UNION ALL
    SELECT s.leader_id, v.code, v.ord, v.due_at, v.passed
    FROM special_counts s CROSS JOIN c
    CROSS JOIN LATERAL (VALUES
        ('special:checkpoint', 101, c.checkpoint_ends_at + interval '1 second',
         s.checkpoint >= c.checkpoint_min_new_merchants),
        ('special:total', 102, c.final_result_at, s.total >= c.total_min_new_merchants),
        ('special:qualifying', 103, c.final_result_at, s.qualifying >= c.qualifying_min_merchants)
    ) AS v (code, ord, due_at, passed)
),
applicable AS (
    SELECT ch.* FROM checks ch JOIN leaders l ON l.id = ch.leader_id
    WHERE ch.due_at > l.granted_at AND ch.due_at <= :as_of::timestamptz
),
closing AS (
    SELECT leader_id, min(due_at) AS closed_at FROM applicable WHERE NOT passed GROUP BY 1
)
SELECT l.leader_account,
       CASE WHEN cl.closed_at IS NOT NULL THEN 'closed'
            WHEN NOT l.has_violation AND l.granted_at < (c.probation_ends_on + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'
                 AND (c.probation_ends_on + 1)::timestamp AT TIME ZONE 'Asia/Shanghai' <= :as_of::timestamptz
                 AND NOT EXISTS (SELECT 1 FROM checks ch WHERE ch.leader_id = l.id AND ch.due_at > l.granted_at
                                 AND ch.due_at > :as_of::timestamptz)
            THEN 'retained'
            ELSE 'probation' END AS status,
       coalesce((SELECT string_agg(a.code, ';' ORDER BY a.ord) FROM applicable a
                 WHERE a.leader_id = l.id AND NOT a.passed AND a.due_at = cl.closed_at), '') AS failed_checks,
       coalesce(to_char(cl.closed_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"'), '')
           AS closed_at,
       s.checkpoint AS new_merchants_checkpoint,
       s.total AS new_merchants_total,
       s.qualifying AS qualifying_merchants
FROM leaders l CROSS JOIN c
LEFT JOIN closing cl ON cl.leader_id = l.id
JOIN special_counts s ON s.leader_id = l.id
ORDER BY l.leader_account;
