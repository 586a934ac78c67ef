-- Extra schema for the sqlsmith corpus (generate_sqlsmith.sh), on top of `pgbench -i`.
-- Varied types so that sqlsmith generates casts, JSON/array operators, ranges, text search...
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE app.users (
  id bigserial PRIMARY KEY,
  email text NOT NULL UNIQUE,
  display_name varchar(80),
  "CamelCase" integer,
  mood app.mood DEFAULT 'ok',
  profile jsonb,
  tags text[],
  scores int4[],
  created_at timestamptz DEFAULT now(),
  birthday date,
  balance numeric(12,2),
  ratio double precision,
  active boolean DEFAULT true,
  ip inet,
  uid uuid
);
CREATE TABLE app.orders (
  id serial PRIMARY KEY,
  user_id bigint REFERENCES app.users(id),
  amount numeric(10,2),
  status char(1),
  placed timestamp,
  period tsrange,
  note text,
  payload json,
  bits bit varying(16),
  raw bytea,
  dur interval
);
CREATE TABLE public.events (
  id bigint GENERATED ALWAYS AS IDENTITY,
  kind smallint,
  at time,
  doc tsvector,
  loc point,
  box box,
  mac macaddr,
  money_col money,
  x real
);
CREATE VIEW app.big_orders AS SELECT o.*, u.email FROM app.orders o JOIN app.users u ON u.id = o.user_id WHERE o.amount > 100;
CREATE MATERIALIZED VIEW app.order_totals AS SELECT user_id, sum(amount) AS total FROM app.orders GROUP BY user_id;
INSERT INTO app.users (email, display_name, profile, tags, scores) VALUES
  ('a@example.com', 'A', '{"k": 1}', '{x,y}', '{1,2}'),
  ('b@example.com', 'B', '{"k": [1,2]}', '{}', '{3}');
ANALYZE;
