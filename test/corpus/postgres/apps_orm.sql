-- Hand-written for Warden: application/ORM-style statements (Django, Rails, Hibernate, Prisma
-- shapes; JDBC '?' written as $n), job queues, monitoring queries. See README.md.
;;
SELECT "auth_user"."id", "auth_user"."password", "auth_user"."last_login", "auth_user"."is_superuser", "auth_user"."username" FROM "auth_user" WHERE "auth_user"."username" = 'admin' LIMIT 21
;;
SELECT "django_session"."session_key", "django_session"."session_data", "django_session"."expire_date" FROM "django_session" WHERE ("django_session"."expire_date" > '2024-05-01T10:00:00+00:00'::timestamptz AND "django_session"."session_key" = 'abc123') LIMIT 21
;;
INSERT INTO "django_admin_log" ("action_time", "user_id", "content_type_id", "object_id", "object_repr", "action_flag", "change_message") VALUES ('2024-05-01T10:00:00+00:00'::timestamptz, 1, 7, '3', 'Order 3', 2, '[]') RETURNING "django_admin_log"."id"
;;
UPDATE "auth_user" SET "last_login" = '2024-05-01T10:00:00+00:00'::timestamptz WHERE "auth_user"."id" = 1
;;
DELETE FROM "django_session" WHERE "django_session"."session_key" IN ('a', 'b')
;;
SELECT COUNT(*) AS "__count" FROM "shop_order" INNER JOIN "shop_customer" ON ("shop_order"."customer_id" = "shop_customer"."id") WHERE "shop_customer"."country" = 'DE'
;;
SELECT DISTINCT "shop_product"."id", "shop_product"."name" FROM "shop_product" INNER JOIN "shop_product_tags" ON ("shop_product"."id" = "shop_product_tags"."product_id") WHERE "shop_product_tags"."tag_id" IN (1, 2, 3) ORDER BY "shop_product"."name" ASC
;;
SELECT "users".* FROM "users" WHERE "users"."email" = $1 LIMIT $2
;;
SELECT "posts".* FROM "posts" WHERE "posts"."user_id" = $1 ORDER BY "posts"."created_at" DESC LIMIT $2 OFFSET $3
;;
INSERT INTO "posts" ("title", "body", "user_id", "created_at", "updated_at") VALUES ($1, $2, $3, $4, $5) RETURNING "id"
;;
UPDATE "posts" SET "title" = $1, "updated_at" = $2 WHERE "posts"."id" = $3
;;
DELETE FROM "comments" WHERE "comments"."post_id" = $1
;;
SELECT 1 AS one FROM "users" WHERE "users"."email" = $1 AND "users"."id" != $2 LIMIT $3
;;
SELECT "schema_migrations"."version" FROM "schema_migrations" ORDER BY "schema_migrations"."version" ASC
;;
SELECT pg_try_advisory_lock(5515543716489164900)
;;
SELECT pg_advisory_unlock(5515543716489164900)
;;
SELECT c.relname FROM pg_class c LEFT JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY (current_schemas(false)) AND c.relkind IN ('r','p')
;;
select customer0_.id as id1_0_, customer0_.email as email2_0_, customer0_.name as name3_0_ from customer customer0_ where customer0_.id=$1
;;
select nextval ('hibernate_sequence')
;;
insert into customer (email, name, id) values ($1, $2, $3)
;;
update customer set email=$1, name=$2 where id=$3
;;
delete from customer where id=$1
;;
select o1_0.id, o1_0.customer_id, o1_0.total from orders o1_0 where o1_0.customer_id=$1 order by o1_0.id fetch first $2 rows only
;;
SELECT t0.id, t0.title FROM public.article AS t0 WHERE (t0.published = TRUE) ORDER BY t0.id DESC LIMIT 10
;;
SELECT "Product"."id", "Product"."name", "Product"."price" FROM "public"."Product" WHERE ("Product"."price" >= $1 AND "Product"."deletedAt" IS NULL) ORDER BY "Product"."id" ASC LIMIT $2 OFFSET $3
;;
INSERT INTO "public"."User" ("email","name") VALUES ($1,$2) RETURNING "public"."User"."id", "public"."User"."email"
;;
SELECT "t0"."id", "t0"."name", "t1"."id" AS "t1_id" FROM "accounts" AS "t0" LEFT JOIN "profiles" AS "t1" ON "t1"."account_id" = "t0"."id" WHERE "t0"."id" = ANY($1::bigint[])
;;
SELECT id, payload FROM job_queue WHERE run_at <= now() AND locked_by IS NULL ORDER BY priority DESC, run_at LIMIT 10 FOR UPDATE SKIP LOCKED
;;
UPDATE job_queue SET locked_by = $1, locked_at = now() WHERE id = ANY($2)
;;
INSERT INTO events (stream_id, version, type, data) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (stream_id, version) DO NOTHING RETURNING id
;;
SELECT data FROM events WHERE stream_id = $1 AND version > $2 ORDER BY version
;;
SELECT date_trunc('hour', ts) AS bucket, avg(value), percentile_disc(0.99) WITHIN GROUP (ORDER BY value) FROM metrics WHERE name = $1 AND ts > now() - interval '24 hours' GROUP BY 1 ORDER BY 1
;;
SELECT u.id, u.email, coalesce(json_agg(r.name) FILTER (WHERE r.name IS NOT NULL), '[]') AS roles FROM users u LEFT JOIN user_roles ur ON ur.user_id = u.id LEFT JOIN roles r ON r.id = ur.role_id GROUP BY u.id
;;
SELECT * FROM accounts WHERE id = $1 FOR UPDATE
;;
UPDATE accounts SET balance = balance - $1 WHERE id = $2 AND balance >= $1
;;
INSERT INTO ledger (account_id, amount, ref) SELECT $1, -$2, $3 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = $1)
;;
SELECT setting FROM pg_settings WHERE name = 'max_connections'
;;
SELECT schemaname, relname, n_live_tup, n_dead_tup, last_autovacuum FROM pg_stat_user_tables ORDER BY n_dead_tup DESC LIMIT 20
;;
SELECT blocked_locks.pid AS blocked_pid, blocking_locks.pid AS blocking_pid FROM pg_catalog.pg_locks blocked_locks JOIN pg_catalog.pg_locks blocking_locks ON blocking_locks.locktype = blocked_locks.locktype AND blocking_locks.pid != blocked_locks.pid WHERE NOT blocked_locks.granted
;;
SELECT indexrelname, idx_scan FROM pg_stat_user_indexes WHERE idx_scan = 0
;;
SELECT query, calls, total_exec_time, mean_exec_time FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 10
;;
SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = 'public.orders'::regclass AND a.attnum > 0 AND NOT a.attisdropped
;;
WITH RECURSIVE deps AS (SELECT id, parent_id, 1 AS depth FROM categories WHERE id = $1 UNION ALL SELECT c.id, c.parent_id, d.depth + 1 FROM categories c JOIN deps d ON c.parent_id = d.id WHERE d.depth < 10) SELECT * FROM deps
;;
WITH inserted AS (INSERT INTO orders (customer_id, total) VALUES ($1, $2) RETURNING id) INSERT INTO order_items (order_id, product_id, qty) SELECT inserted.id, p, 1 FROM inserted, unnest($3::int[]) AS p
;;
WITH deleted AS (DELETE FROM cart_items WHERE cart_id = $1 RETURNING product_id, qty) UPDATE inventory i SET reserved = i.reserved - d.qty FROM deleted d WHERE i.product_id = d.product_id
;;
INSERT INTO daily_totals (day, total) SELECT placed_at::date, sum(total) FROM orders WHERE placed_at >= $1 GROUP BY 1 ON CONFLICT (day) DO UPDATE SET total = EXCLUDED.total
;;
SELECT id FROM users WHERE lower(email) = lower($1) AND deleted_at IS NULL
;;
SELECT to_char(created_at, 'YYYY-MM'), count(*) FROM signups GROUP BY 1 ORDER BY 1
;;
SELECT * FROM products WHERE name ILIKE '%' || $1 || '%' ORDER BY similarity(name, $1) DESC LIMIT 20
;;
SELECT id, ts_headline('english', body, q) FROM articles, websearch_to_tsquery('english', $1) q WHERE search_vector @@ q
;;
SELECT width_bucket(price, 0, 1000, 10) AS bucket, count(*) FROM products GROUP BY bucket ORDER BY bucket
;;
SELECT generate_series('2024-01-01'::date, '2024-01-31'::date, '1 day'::interval)::date AS day
;;
SELECT d.day, coalesce(s.total, 0) FROM generate_series($1::date, $2::date, interval '1 day') AS d(day) LEFT JOIN daily_totals s ON s.day = d.day
;;
UPDATE users SET login_count = login_count + 1, last_seen = now() WHERE id = $1 RETURNING login_count
;;
DELETE FROM notifications WHERE user_id = $1 AND read AND created_at < now() - interval '30 days'
;;
SELECT pg_notify('jobs', json_build_object('id', 1)::text)
;;
SELECT txid_current(), pg_current_wal_lsn(), pg_is_in_recovery()
;;
SELECT current_setting('app.tenant', true)
;;
