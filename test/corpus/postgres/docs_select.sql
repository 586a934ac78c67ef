-- Hand-written for Warden from the PostgreSQL 15 documentation's SQL command syntax
-- (category: select). Not copied from PostgreSQL's regression tests. See README.md.
;;
SELECT 1
;;
SELECT now()
;;
SELECT * FROM customers
;;
SELECT id, name, email FROM customers WHERE id = 42
;;
SELECT c.id, c.name FROM public.customers AS c WHERE c.created_at >= '2024-01-01'
;;
SELECT DISTINCT country FROM customers ORDER BY country
;;
SELECT DISTINCT ON (customer_id) customer_id, id, placed_at FROM orders ORDER BY customer_id, placed_at DESC
;;
SELECT count(*) FROM orders WHERE status = 'shipped'
;;
SELECT customer_id, count(*) AS n, sum(total) AS revenue FROM orders GROUP BY customer_id HAVING sum(total) > 1000 ORDER BY revenue DESC LIMIT 10
;;
SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id
;;
SELECT o.id, c.name FROM orders o INNER JOIN customers c USING (customer_id)
;;
SELECT * FROM orders o LEFT JOIN shipments s ON s.order_id = o.id WHERE s.id IS NULL
;;
SELECT * FROM orders o LEFT OUTER JOIN refunds r ON r.order_id = o.id RIGHT JOIN payments p ON p.order_id = o.id
;;
SELECT * FROM a FULL OUTER JOIN b ON a.k = b.k
;;
SELECT * FROM colors CROSS JOIN sizes
;;
SELECT * FROM employees NATURAL JOIN departments
;;
SELECT * FROM t1, t2, t3 WHERE t1.a = t2.a AND t2.b = t3.b
;;
SELECT e.name, m.name AS manager FROM hr.employees e LEFT JOIN hr.employees m ON m.id = e.manager_id
;;
SELECT * FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE country = 'DE')
;;
SELECT * FROM products p WHERE EXISTS (SELECT 1 FROM order_items oi WHERE oi.product_id = p.id)
;;
SELECT * FROM products p WHERE NOT EXISTS (SELECT FROM inventory i WHERE i.product_id = p.id AND i.qty > 0)
;;
SELECT name, (SELECT max(placed_at) FROM orders o WHERE o.customer_id = c.id) AS last_order FROM customers c
;;
SELECT * FROM (SELECT customer_id, sum(total) AS s FROM orders GROUP BY 1) AS totals WHERE s > 100
;;
SELECT x.* FROM (VALUES (1, 'one'), (2, 'two')) AS x(num, word)
;;
SELECT * FROM generate_series(1, 10) AS g(n)
;;
SELECT * FROM customers c, LATERAL (SELECT * FROM orders o WHERE o.customer_id = c.id ORDER BY placed_at DESC LIMIT 3) recent
;;
SELECT * FROM customers c LEFT JOIN LATERAL jsonb_array_elements(c.tags) AS t(tag) ON true
;;
SELECT * FROM unnest(ARRAY[1,2,3], ARRAY['a','b','c']) WITH ORDINALITY AS u(n, s, ord)
;;
SELECT * FROM ROWS FROM (generate_series(1,3), generate_series(10,12)) AS r(a, b)
;;
SELECT id FROM orders UNION SELECT order_id FROM refunds
;;
SELECT id FROM orders UNION ALL SELECT order_id FROM refunds ORDER BY 1 LIMIT 100
;;
SELECT sku FROM products INTERSECT SELECT sku FROM inventory
;;
SELECT sku FROM products EXCEPT ALL SELECT sku FROM discontinued
;;
(SELECT id FROM a ORDER BY id LIMIT 5) UNION (SELECT id FROM b ORDER BY id LIMIT 5)
;;
SELECT * FROM orders ORDER BY placed_at DESC NULLS LAST, id LIMIT 20 OFFSET 40
;;
SELECT * FROM orders ORDER BY total USING > FETCH FIRST 5 ROWS ONLY
;;
SELECT * FROM orders ORDER BY total OFFSET 10 ROWS FETCH NEXT 10 ROWS WITH TIES
;;
SELECT * FROM scores ORDER BY points DESC FETCH FIRST 3 ROWS WITH TIES
;;
SELECT * FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
;;
SELECT * FROM accounts WHERE id = 7 FOR NO KEY UPDATE
;;
SELECT * FROM accounts a JOIN owners o ON o.id = a.owner_id FOR SHARE OF a NOWAIT
;;
SELECT * FROM accounts FOR KEY SHARE
;;
SELECT region, product, sum(amount) FROM sales GROUP BY ROLLUP (region, product)
;;
SELECT region, product, sum(amount) FROM sales GROUP BY CUBE (region, product)
;;
SELECT region, product, sum(amount) FROM sales GROUP BY GROUPING SETS ((region), (product), ())
;;
SELECT region, GROUPING(region) AS g, sum(amount) FROM sales GROUP BY DISTINCT ROLLUP (region)
;;
SELECT name, salary, rank() OVER (PARTITION BY dept ORDER BY salary DESC) FROM hr.employees
;;
SELECT name, salary, avg(salary) OVER w, max(salary) OVER w FROM hr.employees WINDOW w AS (PARTITION BY dept)
;;
SELECT day, sum(amount) OVER (ORDER BY day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS week FROM daily_sales
;;
SELECT day, avg(amount) OVER (ORDER BY day RANGE BETWEEN INTERVAL '7 days' PRECEDING AND CURRENT ROW EXCLUDE CURRENT ROW) FROM daily_sales
;;
SELECT id, lag(value) OVER (ORDER BY id), lead(value, 2, 0) OVER (ORDER BY id) FROM readings
;;
SELECT id, row_number() OVER (), ntile(4) OVER (ORDER BY score GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM players
;;
SELECT first_value(name) OVER (PARTITION BY team ORDER BY goals DESC ROWS UNBOUNDED PRECEDING) FROM players
;;
SELECT count(*) FILTER (WHERE status = 'paid') AS paid, count(*) FILTER (WHERE status = 'open') AS open FROM invoices
;;
SELECT string_agg(name, ', ' ORDER BY name) FROM tags
;;
SELECT array_agg(DISTINCT tag ORDER BY tag) FROM post_tags
;;
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) FROM requests
;;
SELECT mode() WITHIN GROUP (ORDER BY browser) FROM visits
;;
SELECT CASE WHEN total > 100 THEN 'big' WHEN total > 10 THEN 'medium' ELSE 'small' END AS size FROM orders
;;
SELECT CASE status WHEN 'a' THEN 1 WHEN 'b' THEN 2 END FROM tickets
;;
SELECT coalesce(nickname, first_name, 'anonymous'), nullif(code, ''), greatest(a, b, c), least(a, b) FROM people
;;
SELECT price::numeric(10,2), CAST(qty AS bigint), '2024-02-29'::date + 1, 'abc'::text || 'def' FROM products
;;
SELECT '1 day'::interval, interval '2 hours 30 minutes', timestamp '2024-01-01 00:00:00', date '2024-03-01', time with time zone '10:00+02'
;;
SELECT created_at AT TIME ZONE 'UTC' FROM events
;;
SELECT extract(epoch FROM now()), date_part('dow', created_at), date_trunc('month', created_at) FROM events
;;
SELECT EXTRACT(YEAR FROM TIMESTAMP '2001-02-16 20:38:40')
;;
SELECT substring(name FROM 2 FOR 3), position('x' IN name), trim(both ' ' FROM name), overlay(name placing 'zz' from 2 for 2) FROM items
;;
SELECT name FROM people WHERE name LIKE 'A%' OR name ILIKE '%son' OR name NOT LIKE '\_%' ESCAPE '\'
;;
SELECT name FROM people WHERE name SIMILAR TO '(Ann|Bob)%' AND email ~* '@example\.(com|org)$'
;;
SELECT * FROM logs WHERE message ~ 'timeout' AND message !~ 'retry'
;;
SELECT * FROM orders WHERE total BETWEEN 10 AND 100 AND placed_at NOT BETWEEN SYMMETRIC '2024-02-01' AND '2024-01-01'
;;
SELECT * FROM orders WHERE coupon IS NULL AND shipped IS NOT TRUE AND note IS DISTINCT FROM 'x'
;;
SELECT * FROM products WHERE price > ALL (SELECT price FROM competitors) OR price < ANY (ARRAY[1,2,3])
;;
SELECT * FROM products WHERE id = ANY ($1)
;;
SELECT * FROM products WHERE id = ANY ($1::int[]) AND name <> ALL ($2)
;;
SELECT * FROM users WHERE id = $1 AND tenant_id = $2
;;
SELECT ARRAY[1, 2, 3] AS a, ARRAY[[1,2],[3,4]] AS m, '{1,2,3}'::int[] AS b
;;
SELECT tags[1], tags[2:3], scores[array_length(scores, 1)] FROM posts
;;
SELECT ARRAY(SELECT id FROM orders WHERE customer_id = 5)
;;
SELECT * FROM posts WHERE tags @> ARRAY['sql'] AND tags && ARRAY['pg', 'postgres'] AND NOT ('spam' = ANY (tags))
;;
SELECT profile->'address'->>'city' AS city, profile #>> '{phones,0}' AS phone, profile #> '{a,b}' FROM users
;;
SELECT * FROM users WHERE profile @> '{"vip": true}' AND profile ? 'email' AND profile ?| array['a','b'] AND profile ?& array['c']
;;
SELECT jsonb_build_object('id', id, 'name', name) FROM users
;;
SELECT jsonb_path_query(doc, '$.items[*] ? (@.price > 10)') FROM orders_json
;;
SELECT * FROM orders_json WHERE doc @? '$.items[*] ? (@.qty > 5)' AND doc @@ '$.total > 100'
;;
SELECT doc - 'password', doc || '{"seen": true}'::jsonb, doc #- '{tmp}' FROM docs
;;
SELECT json_agg(t) FROM (SELECT id, name FROM products) t
;;
SELECT row_to_json(c) FROM customers c WHERE c.id = 1
;;
SELECT to_tsvector('english', body) @@ to_tsquery('english', 'postgres & parser') FROM articles
;;
SELECT title, ts_rank(search, q) FROM articles, plainto_tsquery('fast parser') q WHERE search @@ q ORDER BY 2 DESC
;;
SELECT ip FROM sessions WHERE ip << inet '10.0.0.0/8'
;;
SELECT * FROM reservations WHERE during && tstzrange(now(), now() + interval '1 day')
;;
SELECT box '((0,0),(1,1))' @> point '(0.5,0.5)'
;;
SELECT ROW(1, 'a', true), (1, 2) < (1, 3), (a, b) = (c, d) FROM pairs
;;
SELECT (compositecol).field, (t.c).x FROM t
;;
SELECT 2 ^ 10, 7 % 3, -5 / 2, |/ 25, ||/ 27, @ -5, 1 << 4, 255 & 15, 1 | 2, 5 # 1, ~ 1
;;
SELECT 'a' COLLATE "C" < 'B' COLLATE "C"
;;
SELECT name FROM people ORDER BY name COLLATE "en_US"
;;
SELECT current_user, session_user, current_schema, current_catalog, current_date, current_time, localtimestamp
;;
SELECT user, current_role, CURRENT_TIMESTAMP(3)
;;
SELECT nextval('orders_id_seq'), currval('orders_id_seq'), setval('orders_id_seq', 1000)
;;
SELECT pg_sleep(0.1)
;;
SELECT version()
;;
SELECT * FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
;;
SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'
;;
SELECT c.relname, pg_size_pretty(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'
;;
SELECT pid, state, query FROM pg_stat_activity WHERE datname = current_database()
;;
SELECT 'orders'::regclass::oid
;;
SELECT relname FROM pg_class WHERE oid = 'public.orders'::regclass
;;
SELECT format('%I.%I', schemaname, tablename) FROM pg_tables
;;
SELECT * FROM dblink('dbname=other', 'SELECT id FROM t') AS t(id int)
;;
SELECT EXISTS (SELECT 1 FROM customers WHERE email = 'a@b.c')
;;
SELECT * FROM orders WHERE (customer_id, status) IN (SELECT id, 'open' FROM customers)
;;
SELECT x FROM t WHERE x = (SELECT max(x) FROM t)
;;
SELECT 1 AS one, 2 two, 3 AS "Three"
;;
SELECT "Order Id", "Customer"."Name" FROM "Sales"."Customer" JOIN "Orders" ON true
;;
SELECT * FROM ONLY parent_table
;;
SELECT * FROM parent_table * WHERE id < 10
;;
SELECT * FROM big_table TABLESAMPLE SYSTEM (10) REPEATABLE (42)
;;
SELECT * FROM big_table TABLESAMPLE BERNOULLI (1)
;;
SELECT count(*) FROM orders WHERE placed_at > now() - interval '30 days'
;;
SELECT date_trunc('day', placed_at) AS d, count(*) FROM orders GROUP BY d ORDER BY d
;;
SELECT customer_id, sum(total) FROM orders GROUP BY customer_id ORDER BY sum(total) DESC NULLS FIRST
;;
SELECT * FROM orders WHERE id = 5 LIMIT ALL
;;
SELECT * FROM orders LIMIT $1 OFFSET $2
;;
SELECT id, total FROM orders WHERE total > 0.5e2 AND discount < .25 AND tax = 1.
;;
SELECT B'1010' | B'0101', X'FF'
;;
SELECT N'national text'
;;
SELECT E'tab\there', E'quote\'s', E'\\backslash', E'\x41\101\u00e9'
;;
SELECT U&'d\0061t\+000061', U&'d!0061t' UESCAPE '!'
;;
SELECT 'it''s', 'multi'
  'line concatenation'
;;
SELECT $$dollar quoted 'text' with ; semicolons$$
;;
SELECT $tag$ $$ nested $$ inside $tag$
;;
SELECT $a$x$a$ || $b_2$y$b_2$
;;
SELECT * FROM "weird ""quoted"" table"
;;
SELECT "col""with""quotes" FROM "MiXeD"
;;
SELECT U&"d\0061t\+000061" FROM U&"t\0061ble"
;;
SELECT U&"!0441!043B!043E!0432!043E" UESCAPE '!' FROM words
;;
SELECT 1 /* block comment */ + /* another /* nested */ comment */ 2
;;
/* leading comment */ SELECT id FROM leading_comment_table
;;
-- line comment before
SELECT id FROM after_line_comment -- trailing
;;
SELECT 1 -- comment; with a semicolon
;;
SELECT 'text /* not a comment */', '-- nor this' FROM t_strings
;;
SELECT café, naïve FROM données
;;
SELECT "ÄÖÜ", ñandú FROM español.tabla
;;
SELECT a$b, c$1 FROM dollar$table
;;
SELECT * FROM "select" WHERE "from" = 1
;;
SELECT all_col, "user", "order" FROM "table"
;;
SELECT name AS value, type, position, data, text FROM catalogue
;;
SELECT 1 AS select
;;
SELECT id AS "limit", id "offset" FROM t
;;
SELECT * FROM t WHERE a = 1 AND (b = 2 OR c = 3) AND NOT d
;;
SELECT * FROM t WHERE 1 = 1
;;
SELECT * FROM t WHERE true OR id = 3
;;
SELECT * FROM t WHERE a IS NOT NULL AND b ISNULL AND c NOTNULL
;;
SELECT a IS TRUE, b IS UNKNOWN, c IS NOT FALSE FROM flags
;;
SELECT 'abc' IS NORMALIZED, normalize('abc', NFC)
;;
SELECT * FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.id = t1.id AND EXISTS (SELECT 1 FROM t3 WHERE t3.id = t2.id))
;;
SELECT (SELECT (SELECT count(*) FROM deep3) FROM deep2 LIMIT 1) FROM deep1
;;
SELECT * FROM a WHERE id IN (SELECT id FROM b UNION SELECT id FROM c)
;;
SELECT s.* FROM sch.tbl s
;;
SELECT t.*, u.id FROM t JOIN u ON u.t_id = t.id
;;
SELECT public.my_func(1, 'a'), app.other_func(named => 1, other := 2)
;;
SELECT make_interval(days => 10), make_date(2024, 1, 1)
;;
SELECT count(DISTINCT customer_id), avg(total)::numeric(10,2), stddev(total) FROM orders
;;
SELECT array_length(ARRAY[1,2], 1), cardinality(ARRAY[1]), array_position(ARRAY['a'], 'a')
;;
SELECT xmlelement(name foo, xmlattributes('x' AS bar), 'content')
;;
SELECT XMLPARSE (DOCUMENT '<a/>'), xmlserialize(content '<b/>' AS text)
;;
SELECT * FROM xmltable('/rows/row' PASSING (SELECT doc FROM xml_docs LIMIT 1) COLUMNS a int PATH '@a')
;;
SELECT * FROM jsonb_to_recordset('[{"a":1}]') AS x(a int)
;;
SELECT * FROM json_each('{"a":1,"b":2}')
;;
SELECT * FROM crosstab('SELECT row_name, cat, value FROM ct ORDER BY 1,2') AS ct(row_name text, c1 int, c2 int)
;;
SELECT * FROM orders WHERE placed_at >= CURRENT_DATE - 7 AND placed_at < CURRENT_DATE
;;
SELECT id FROM t ORDER BY random() LIMIT 1
;;
SELECT a.id FROM a WHERE a.x > (SELECT avg(x) FROM a AS a2 WHERE a2.g = a.g)
;;
SELECT 'infinity'::timestamp, '-infinity'::date, 'NaN'::float8
;;
SELECT pg_catalog.lower(name) FROM pg_catalog.pg_roles
;;
SELECT ALL id FROM t
;;
SELECT int4 '1', float8 '2.5', bool 't', varchar(10) 'x', bit(3) '101'
;;
SELECT 1::"int4", 'x'::"varchar", 2::double precision, 3::character varying(5), 4::timestamp(3) without time zone
;;
SELECT '{"a":1}'::json->'a', '[1,2]'::jsonb->>0
;;
SELECT value FROM settings WHERE key = 'a' UNION ALL SELECT 'default' WHERE NOT EXISTS (SELECT 1 FROM settings WHERE key = 'a')
;;
SELECT
;;
SELECT WHERE false
;;
VALUES (1, 'a'), (2, 'b') ORDER BY 1 DESC LIMIT 1
;;
VALUES (now())
;;
TABLE customers
;;
TABLE ONLY archived_orders ORDER BY id LIMIT 5
;;
SELECT * FROM customers WHERE id = 1
;;
