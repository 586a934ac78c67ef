-- Hand-written for Warden from the PostgreSQL 15 documentation's SQL command syntax
-- (category: lexical). Not copied from PostgreSQL's regression tests. See README.md.
;;
SELECT $fn$ BEGIN RETURN 'a;b'; END $fn$ AS body FROM dollar_tab
;;
SELECT $_$x$_$, $Ä$ü$Ä$
;;
SELECT $1 + $2, $10
;;
SELECT $1::text || $$ $1 is not a param here $$
;;
INSERT INTO t (a) VALUES ($$a$$), ($x$b$x$), ('c')
;;
SELECT E'\\', E'\'', E'\n\r\t\b\f', e'lower e prefix'
;;
SELECT E'it''s doubled too'
;;
SELECT 'standard \ backslash is literal'
;;
SELECT U&'\0441\043B\043E\043D', U&'caf\00E9' || 'x'
;;
SELECT u&"c\00E9"
;;
SELECT U&'x' UESCAPE '#', U&"t#0061" UESCAPE '#' FROM t
;;
SELECT "a""b" AS """quoted""", "with space" FROM "Table With ""Quotes"""
;;
SELECT "SELECT", "FROM", "WHERE" FROM "GROUP"
;;
SELECT a/**/FROM/**/t
;;
SELECT /* /* /* triple */ */ */ 1
;;
SELECT 1 /* unclosed-looking -- dash */ FROM comment_tab
;;
SELECT 1--comment directly after
;;
SELECT 'first'
'second' AS joined
;;
SELECT 1::int, 2::int4::text, '3'::"int8", (4)::numeric::float8
;;
SELECT x::int[], y::varchar(3)[], z::public.my_type, w::"MyType"[] FROM casts
;;
SELECT CAST('1' AS int), CAST(x AS double precision), TREAT(x AS int) FROM t
;;
SELECT a->>'b'->'c' FROM j
;;
SELECT a->'b'->>'c', a#>'{x,y}'->>'z' FROM j
;;
SELECT a @> b, a <@ b, a && b, a || b, a -|- b FROM ranges
;;
SELECT a<>b, a!=b, a<=b, a>=b, a=b FROM cmp
;;
SELECT a+-b, a*-1, -a^2, a- -b FROM ops
;;
SELECT 1.5e-3, 2E+10, .001, 100., 1e5 FROM nums
;;
SELECT 'a' ~~ 'b', 'a' !~~* 'B', 'abc' ^@ 'a'
;;
SELECT 1 OPERATOR(pg_catalog.+) 2
;;
SELECT * FROM t WHERE a OPERATOR(public.===) b
;;
SELECT tbl.col1, sch.tbl.col2, db.sch.tbl.col3 FROM sch.tbl
;;
SELECT arr[1][2], (arr)[1:2], (f(x))[1], (r).f FROM t
;;
SELECT array[1,2]::int[] @> '{1}'
;;
SELECT a FROM t WHERE b = ANY('{1,2}'::int[])
;;
select lower_case_keywords from mixed_Case_Table where ID = 1
;;
SeLeCt MiXeD FrOm CaSe_TaBlE
;;
SELECT
	tab_separated
FROM
	whitespace_table
;;
SELECT 1
;;
SELECT 'x' AS "Ünïcödé", 'ß' AS straße FROM ünïcödé_tabelle
;;
SELECT 𝒳 FROM 𝒯
;;
SELECT 1 AS a, 2 AS b
;;
SELECT x FROM (((SELECT 1 AS x))) sub
;;
((SELECT 1))
;;
SELECT (((((((((((1)))))))))))
;;
SELECT count(*) FROM t WHERE a IN (1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20)
;;
SELECT interval '1' day, interval '1:30' hour to minute, '10'::interval second
;;
SELECT timestamp with time zone '2024-01-01 00:00+00', time without time zone '10:00'
;;
SELECT character varying 'x', national character 'y', double precision '1.5'
;;
SELECT * FROM t WHERE d > now() - '1 week'::interval
;;
