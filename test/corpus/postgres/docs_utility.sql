-- Hand-written for Warden from the PostgreSQL 15 documentation's SQL command syntax
-- (category: utility). Not copied from PostgreSQL's regression tests. See README.md.
;;
COPY customers FROM STDIN
;;
COPY customers (name, email) FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER ';')
;;
COPY public.customers FROM '/tmp/customers.csv' WITH (FORMAT csv, HEADER)
;;
COPY customers FROM PROGRAM 'gunzip -c /tmp/customers.csv.gz' CSV HEADER
;;
COPY customers FROM STDIN WITH (FORMAT binary)
;;
COPY orders FROM STDIN WHERE total > 0
;;
COPY customers TO STDOUT
;;
COPY customers (id, name) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE (name))
;;
COPY customers TO '/tmp/customers.csv' CSV HEADER
;;
COPY customers TO PROGRAM 'gzip > /tmp/customers.csv.gz'
;;
COPY (SELECT * FROM orders WHERE placed_at > now() - interval '1 day') TO STDOUT WITH CSV
;;
COPY (SELECT c.name, count(*) FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY 1) TO '/tmp/report.csv'
;;
COPY (WITH x AS (SELECT * FROM a) SELECT * FROM x) TO STDOUT
;;
COPY (DELETE FROM logs RETURNING *) TO STDOUT
;;
COPY country TO STDOUT (DELIMITER '|')
;;
COPY country FROM '/usr1/proj/bray/sql/country_data' (FORMAT text, NULL '\N', ENCODING 'UTF8')
;;
COPY "Audit"."Log" TO STDOUT BINARY
;;
COPY binary_tbl FROM STDIN BINARY
;;
EXPLAIN SELECT * FROM orders WHERE id = 1
;;
EXPLAIN ANALYZE SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id
;;
EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT count(*) FROM big_table
;;
EXPLAIN (ANALYZE false, COSTS off, VERBOSE) UPDATE accounts SET balance = 0
;;
EXPLAIN ANALYZE DELETE FROM sessions WHERE expires_at < now()
;;
EXPLAIN VERBOSE INSERT INTO t SELECT * FROM s
;;
EXPLAIN (SETTINGS, WAL, SUMMARY, TIMING false, GENERIC_PLAN false) SELECT 1
;;
EXPLAIN EXECUTE recentfilms('2002-01-01')
;;
EXPLAIN ANALYZE CREATE TABLE t_copy AS SELECT * FROM t
;;
EXPLAIN MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE
;;
EXPLAIN ANALYZE VERBOSE WITH d AS (DELETE FROM q RETURNING *) SELECT * FROM d
;;
EXPLAIN DECLARE c CURSOR FOR SELECT * FROM t
;;
DO $$BEGIN PERFORM pg_sleep(1); END$$
;;
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
    EXECUTE format('ANALYZE %I', r.tablename);
  END LOOP;
END
$$
;;
DO LANGUAGE plpgsql $do$ BEGIN RAISE NOTICE 'hi %', 'there'; END $do$
;;
DO 'BEGIN NULL; END'
;;
DO E'BEGIN RAISE NOTICE \'x\'; END'
;;
CALL transfer(1, 2, 100.00)
;;
CALL public.insert_data(1, 2)
;;
CALL do_maintenance()
;;
CALL p(a => 1, b => 'x')
;;
CALL refresh_all($1, $2)
;;
PREPARE fooplan (int, text, bool, numeric) AS INSERT INTO foo VALUES ($1, $2, $3, $4)
;;
PREPARE usrrptplan (int) AS SELECT * FROM users u, logs l WHERE u.usrid = $1 AND u.usrid = l.usrid AND l.date = $2
;;
PREPARE recentfilms AS SELECT * FROM films WHERE date_prod > $1
;;
PREPARE del_old AS DELETE FROM sessions WHERE expires_at < $1
;;
PREPARE upd(int) AS UPDATE accounts SET balance = 0 WHERE id = $1
;;
EXECUTE fooplan(1, 'Hunter Valley', 't', 200.00)
;;
EXECUTE usrrptplan(1, current_date)
;;
EXECUTE recentfilms
;;
DEALLOCATE fooplan
;;
DEALLOCATE PREPARE usrrptplan
;;
DEALLOCATE ALL
;;
SET search_path TO app, public
;;
SET search_path = "$user", public
;;
SET SESSION work_mem = '64MB'
;;
SET LOCAL statement_timeout TO 5000
;;
SET TIME ZONE 'Europe/Berlin'
;;
SET TIME ZONE LOCAL
;;
SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE
;;
SET datestyle TO postgres, dmy
;;
SET client_encoding TO 'UTF8'
;;
SET NAMES 'UTF8'
;;
SET SCHEMA 'app'
;;
SET XML OPTION DOCUMENT
;;
SET application_name = 'warden-test'
;;
SET app.tenant = '42'
;;
SET enable_seqscan = off
;;
SET standard_conforming_strings = on
;;
SET search_path TO DEFAULT
;;
RESET search_path
;;
RESET ALL
;;
RESET TIME ZONE
;;
RESET SESSION AUTHORIZATION
;;
SHOW search_path
;;
SHOW ALL
;;
SHOW TRANSACTION ISOLATION LEVEL
;;
SHOW TIME ZONE
;;
SHOW server_version
;;
SHOW "app.tenant"
;;
SHOW SESSION AUTHORIZATION
;;
VACUUM
;;
VACUUM customers
;;
VACUUM FULL VERBOSE orders
;;
VACUUM (VERBOSE, ANALYZE) public.customers (name, email), orders
;;
VACUUM (FREEZE, PARALLEL 2, INDEX_CLEANUP off, SKIP_LOCKED) big_table
;;
VACUUM ANALYZE
;;
VACUUM (PROCESS_TOAST false, TRUNCATE false) logs
;;
ANALYZE
;;
ANALYZE VERBOSE customers
;;
ANALYZE orders (customer_id, total), order_items
;;
ANALYZE (SKIP_LOCKED) big_table
;;
ANALYSE users
;;
LOCK TABLE orders
;;
LOCK orders IN ACCESS EXCLUSIVE MODE
;;
LOCK TABLE ONLY films, public.films2 IN SHARE ROW EXCLUSIVE MODE NOWAIT
;;
LOCK TABLE accounts IN ROW EXCLUSIVE MODE
;;
LISTEN virtual
;;
LISTEN "Order Events"
;;
NOTIFY virtual
;;
NOTIFY virtual, 'This is the payload'
;;
UNLISTEN virtual
;;
UNLISTEN *
;;
CHECKPOINT
;;
DISCARD ALL
;;
DISCARD PLANS
;;
DISCARD TEMP
;;
DISCARD SEQUENCES
;;
REINDEX INDEX orders_customer_idx
;;
REINDEX TABLE CONCURRENTLY orders
;;
REINDEX (VERBOSE) SCHEMA app
;;
REINDEX DATABASE shop
;;
REINDEX SYSTEM shop
;;
CLUSTER orders USING orders_pkey
;;
CLUSTER VERBOSE orders
;;
CLUSTER
;;
DECLARE c CURSOR FOR SELECT * FROM orders
;;
DECLARE liahona SCROLL CURSOR WITH HOLD FOR SELECT * FROM films
;;
DECLARE b BINARY INSENSITIVE NO SCROLL CURSOR WITHOUT HOLD FOR SELECT id FROM t FOR UPDATE
;;
FETCH FORWARD 5 FROM liahona
;;
FETCH PRIOR FROM liahona
;;
FETCH ALL IN c
;;
FETCH ABSOLUTE 10 FROM liahona
;;
FETCH c
;;
MOVE FORWARD 5 IN liahona
;;
MOVE LAST FROM c
;;
CLOSE liahona
;;
CLOSE ALL
;;
ALTER SYSTEM SET wal_level = replica
;;
ALTER SYSTEM RESET ALL
;;
LOAD 'auto_explain'
;;
CREATE TABLE t_with_default_subquery (a int DEFAULT 1, b int CHECK (b > 0))
;;
SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'bob'
;;
SELECT pg_reload_conf()
;;
SELECT set_config('search_path', 'app', false)
;;
SELECT pg_read_file('/etc/passwd')
;;
SELECT lo_export(12345, '/tmp/out.bin')
;;
SELECT query_to_xml('select * from secrets', true, false, '')
;;
SELECT pg_cancel_backend(1234)
;;
