-- Hand-written for Warden from the PostgreSQL 15 documentation's SQL command syntax
-- (category: dml). Not copied from PostgreSQL's regression tests. See README.md.
;;
INSERT INTO customers (name, email) VALUES ('Ann', 'ann@example.com')
;;
INSERT INTO customers VALUES (DEFAULT, 'Bob', 'bob@example.com', now())
;;
INSERT INTO customers (name, email) VALUES ('C', 'c@x'), ('D', 'd@x'), ('E', 'e@x')
;;
INSERT INTO public.customers (name) VALUES ($1) RETURNING id
;;
INSERT INTO customers AS c (name, email) VALUES ($1, $2) RETURNING c.id, c.created_at
;;
INSERT INTO customers DEFAULT VALUES
;;
INSERT INTO customers DEFAULT VALUES RETURNING *
;;
INSERT INTO order_archive SELECT * FROM orders WHERE placed_at < '2020-01-01'
;;
INSERT INTO order_archive (id, total) SELECT id, total FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.deleted
;;
INSERT INTO stats (day, n) SELECT date_trunc('day', at), count(*) FROM events GROUP BY 1
;;
INSERT INTO kv (k, v) VALUES ('a', 1) ON CONFLICT DO NOTHING
;;
INSERT INTO kv (k, v) VALUES ('a', 1) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v
;;
INSERT INTO kv (k, v) VALUES ('a', 1) ON CONFLICT (k) DO UPDATE SET v = kv.v + EXCLUDED.v WHERE kv.locked IS FALSE
;;
INSERT INTO kv AS t (k, v) VALUES ($1, $2) ON CONFLICT ON CONSTRAINT kv_pkey DO UPDATE SET v = t.v + 1 RETURNING t.v
;;
INSERT INTO inventory (sku, warehouse, qty) VALUES ('X1', 3, 10) ON CONFLICT (sku, warehouse) WHERE active DO UPDATE SET qty = inventory.qty + excluded.qty
;;
INSERT INTO tags (name) SELECT unnest($1::text[]) ON CONFLICT (lower(name)) DO NOTHING
;;
INSERT INTO counters (id, n) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET (n, updated) = (counters.n + 1, now())
;;
INSERT INTO users (id, name) OVERRIDING SYSTEM VALUE VALUES (1, 'root')
;;
INSERT INTO users (name) OVERRIDING USER VALUE SELECT name FROM staging_users
;;
INSERT INTO docs (body) VALUES ($$free text with 'quotes' and ; semicolons$$)
;;
INSERT INTO "Audit"."Log" ("When", "What") VALUES (now(), 'login')
;;
INSERT INTO measurements (sensor, at, vals) VALUES (1, now(), ARRAY[1.5, 2.5]), (2, now(), '{3,4}')
;;
INSERT INTO profiles (user_id, data) VALUES (1, '{"theme": "dark", "langs": ["en", "de"]}'::jsonb)
;;
INSERT INTO t (a) VALUES ((SELECT max(a) + 1 FROM t))
;;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, 1, 100, CURRENT_TIMESTAMP)
;;
WITH new_rows AS (SELECT * FROM staging WHERE valid) INSERT INTO target SELECT * FROM new_rows
;;
UPDATE accounts SET balance = balance - 100 WHERE id = 1
;;
UPDATE accounts SET balance = balance + $1 WHERE id = $2 RETURNING balance
;;
UPDATE products SET price = price * 1.1
;;
UPDATE products SET price = DEFAULT, updated_at = now() WHERE category = 'books'
;;
UPDATE public.products AS p SET stock = p.stock - oi.qty FROM order_items oi WHERE oi.product_id = p.id AND oi.order_id = 99
;;
UPDATE orders o SET status = 'vip' FROM customers c, tiers t WHERE c.id = o.customer_id AND t.id = c.tier_id AND t.name = 'gold'
;;
UPDATE employees SET (salary, title) = (salary * 1.05, 'Senior ' || title) WHERE id = 3
;;
UPDATE employees SET (salary, bonus) = (SELECT avg(salary), max(bonus) FROM employees e2 WHERE e2.dept = employees.dept)
;;
UPDATE ONLY parent_table SET flag = true WHERE id < 100
;;
UPDATE tasks SET state = 'running' WHERE id = (SELECT id FROM tasks WHERE state = 'queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING *
;;
UPDATE films SET kind = 'Dramatic' WHERE CURRENT OF c_films
;;
UPDATE users SET profile = jsonb_set(profile, '{address,city}', '"Berlin"') WHERE id = 1
;;
UPDATE users SET tags[2] = 'x', scores[1:2] = ARRAY[0,0] WHERE id = 1
;;
UPDATE t SET a = 1 WHERE 1 = 1
;;
UPDATE t SET a = 1 WHERE true
;;
UPDATE "Sales"."Customer" SET "Name" = upper("Name")
;;
UPDATE pgbench_accounts SET abalance = abalance + 10 WHERE aid = 5
;;
WITH moved AS (SELECT id FROM queue WHERE ready LIMIT 10) UPDATE queue q SET taken = now() FROM moved WHERE q.id = moved.id
;;
DELETE FROM sessions WHERE expires_at < now()
;;
DELETE FROM sessions
;;
DELETE FROM ONLY logs WHERE at < now() - interval '90 days'
;;
DELETE FROM orders o USING customers c WHERE c.id = o.customer_id AND c.deleted RETURNING o.id
;;
DELETE FROM audit.events AS e WHERE e.id IN (SELECT id FROM audit.events ORDER BY id LIMIT 1000)
;;
DELETE FROM t WHERE 1 = 1
;;
DELETE FROM t WHERE id = $1 RETURNING *
;;
DELETE FROM films WHERE CURRENT OF c_films
;;
DELETE FROM "Temp Table" WHERE "Id" > 10
;;
WITH old AS (SELECT id FROM carts WHERE updated < now() - interval '1 day') DELETE FROM carts WHERE id IN (SELECT id FROM old)
;;
MERGE INTO inventory i USING deliveries d ON i.sku = d.sku WHEN MATCHED THEN UPDATE SET qty = i.qty + d.qty WHEN NOT MATCHED THEN INSERT (sku, qty) VALUES (d.sku, d.qty)
;;
MERGE INTO customer_account ca USING recent_transactions t ON t.customer_id = ca.customer_id WHEN MATCHED THEN UPDATE SET balance = balance + transaction_value WHEN NOT MATCHED THEN INSERT (customer_id, balance) VALUES (t.customer_id, t.transaction_value)
;;
MERGE INTO wines w USING wine_stock_changes s ON s.winename = w.winename WHEN NOT MATCHED AND s.stock_delta > 0 THEN INSERT VALUES (s.winename, s.stock_delta) WHEN MATCHED AND w.stock + s.stock_delta > 0 THEN UPDATE SET stock = w.stock + s.stock_delta WHEN MATCHED THEN DELETE
;;
MERGE INTO public.target t USING (SELECT id, val FROM source WHERE val IS NOT NULL) AS s ON t.id = s.id WHEN MATCHED THEN DO NOTHING WHEN NOT MATCHED THEN INSERT DEFAULT VALUES
;;
MERGE INTO accounts a USING (VALUES (1, 10), (2, 20)) AS v(id, amount) ON a.id = v.id WHEN MATCHED THEN UPDATE SET balance = a.balance + v.amount
;;
MERGE INTO ONLY stock USING staging.stock_in AS si ON stock.item = si.item WHEN NOT MATCHED THEN INSERT (item, n) OVERRIDING USER VALUE VALUES (si.item, si.n)
;;
WITH src AS (SELECT * FROM feed WHERE ok) MERGE INTO dest d USING src ON d.k = src.k WHEN MATCHED THEN UPDATE SET v = src.v
;;
WITH RECURSIVE subordinates AS (SELECT id, manager_id, name FROM hr.employees WHERE id = 1 UNION ALL SELECT e.id, e.manager_id, e.name FROM hr.employees e JOIN subordinates s ON e.manager_id = s.id) SELECT * FROM subordinates
;;
WITH RECURSIVE t(n) AS (VALUES (1) UNION ALL SELECT n + 1 FROM t WHERE n < 100) SELECT sum(n) FROM t
;;
WITH RECURSIVE search_tree(id, link, data) AS (SELECT t.id, t.link, t.data FROM tree t UNION ALL SELECT t.id, t.link, t.data FROM tree t, search_tree st WHERE t.id = st.link) SEARCH DEPTH FIRST BY id SET ordercol SELECT * FROM search_tree ORDER BY ordercol
;;
WITH RECURSIVE g(id, link) AS (SELECT id, link FROM graph UNION ALL SELECT g2.id, g2.link FROM graph g2, g WHERE g2.id = g.link) CYCLE id SET is_cycle USING path SELECT * FROM g
;;
WITH regional_sales AS (SELECT region, sum(amount) AS total_sales FROM orders GROUP BY region), top_regions AS (SELECT region FROM regional_sales WHERE total_sales > (SELECT sum(total_sales)/10 FROM regional_sales)) SELECT region, product, sum(quantity) AS product_units FROM orders WHERE region IN (SELECT region FROM top_regions) GROUP BY region, product
;;
WITH w AS MATERIALIZED (SELECT * FROM big_table) SELECT * FROM w WHERE key = 123
;;
WITH w AS NOT MATERIALIZED (SELECT * FROM big_table) SELECT * FROM w AS w1 JOIN w AS w2 ON w1.key = w2.ref
;;
WITH customers AS (SELECT * FROM archive.customers) SELECT * FROM customers
;;
WITH orders AS (SELECT * FROM orders WHERE total > 10) SELECT * FROM orders
;;
WITH a AS (SELECT 1 AS x), b AS (SELECT x FROM a) SELECT * FROM b, public.a
;;
WITH moved_rows AS (DELETE FROM products WHERE date >= '2010-10-01' AND date < '2010-11-01' RETURNING *) INSERT INTO products_log SELECT * FROM moved_rows
;;
WITH t AS (UPDATE products SET price = price * 1.05 RETURNING *) SELECT * FROM t
;;
WITH d AS (DELETE FROM sessions WHERE user_id = 5 RETURNING id) SELECT count(*) FROM d
;;
WITH ins AS (INSERT INTO audit_log (msg) VALUES ('x') RETURNING id) SELECT id FROM ins
;;
WITH upd AS (UPDATE employees SET sales_count = sales_count + 1 WHERE id = (SELECT sales_person FROM accounts WHERE name = 'Acme Corporation') RETURNING *) INSERT INTO employees_log SELECT *, current_timestamp FROM upd
;;
WITH d AS (DELETE FROM queue WHERE id = 1 RETURNING payload) INSERT INTO done SELECT payload FROM d
;;
WITH x AS (DELETE FROM a RETURNING *), y AS (INSERT INTO b SELECT * FROM x RETURNING *) SELECT count(*) FROM y
;;
WITH m AS (MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE) SELECT 1
;;
WITH src AS (SELECT 1 AS id) DELETE FROM items WHERE id IN (SELECT id FROM src)
;;
WITH cte AS (SELECT id FROM x) UPDATE y SET flag = true WHERE id IN (TABLE cte)
;;
SELECT * FROM (WITH inner_cte AS (SELECT 1 AS a) SELECT * FROM inner_cte) sub
;;
SELECT (WITH c AS (SELECT max(id) AS m FROM big) SELECT m FROM c)
;;
WITH c AS (SELECT * FROM t1) SELECT * FROM c WHERE id IN (WITH c AS (SELECT id FROM t2) SELECT id FROM c)
;;
WITH one AS (SELECT 1) SELECT * FROM one UNION ALL SELECT * FROM two
;;
SELECT * INTO TEMP recent_orders FROM orders WHERE placed_at > now() - interval '1 day'
;;
SELECT id, name INTO UNLOGGED TABLE backup.customers_copy FROM customers
;;
SELECT * INTO new_table FROM old_table
;;
