// Root of the PostgreSQL parser. A text is a batch of statements separated by ';'.
// Categories live in the imported grammars; each exposes one entry rule used by `stmt`.
parser grammar PostgresParser;

options { tokenVocab = PostgresLexer; }

import PgKeywordRules, PgBase, PgDml, PgDdl, PgDcl, PgTcl, PgUtility;

root
    : SEMI* (stmt (SEMI+ stmt)*)? SEMI* EOF
    ;

stmt
    : dmlStatement
    | ddlStatement
    | dclStatement
    | tclStatement
    | utilityStatement
    ;
