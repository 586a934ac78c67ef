// PostgreSQL lexer. Keyword tokens come from PgKeywords (generated), literals and identifiers
// from PgLiterals (imported after the keywords, so a keyword wins over IDENT at equal length).
// Two decisions of PostgreSQL's scanner that a lexer grammar cannot express live in the token
// source wrapper dialects/postgres/sql/token_source.{h,cc}:
//  - tagged dollar quotes: this lexer emits DOLLAR_QUOTE_OPEN for `$tag$`/`$$`; the wrapper
//    scans to the matching close tag and emits one DOLLAR_STRING token;
//  - operator trimming: OPERATOR matches any run of operator characters; the wrapper cuts it
//    where PostgreSQL does (never across `--` or `/*`; a multi-character operator ends in + or
//    - only when it contains one of ~ ! @ # % ^ & | ` ?) and re-types the result
//    (`<-` -> LT then MINUS).
//  - string continuation: 'a' <newline> 'b' is one string.
lexer grammar PostgresLexer;

import PgKeywords, PgLiterals;

tokens { DOLLAR_STRING }

// Whitespace and comments first: at equal length they win over OPERATOR ("--").
WS: [ \t\r\n\f\u000B]+ -> channel(HIDDEN);
LINE_COMMENT: '--' ~[\r\n]* -> channel(HIDDEN);
BLOCK_COMMENT: BLOCK_COMMENT_BODY -> channel(HIDDEN);

SEMI: ';';
COMMA: ',';
DOT: '.';
OPEN_PAREN: '(';
CLOSE_PAREN: ')';
OPEN_BRACKET: '[';
CLOSE_BRACKET: ']';
TYPECAST: '::';
COLON_EQUALS: ':=';
COLON: ':';
EQUALS_GREATER: '=>';
LESS_EQUALS: '<=';
GREATER_EQUALS: '>=';
NOT_EQUALS: '<>' | '!=';
EQUAL: '=';
LT: '<';
GT: '>';
STAR: '*';
PLUS: '+';
MINUS: '-';
SLASH: '/';
PERCENT: '%';
CARET: '^';
// Any other operator (trimmed by the token source wrapper, see above).
OPERATOR: [+\-*/<>=~!@#%^&|`?]+;

// `$$` or `$tag$` (the tag cannot start with a digit; `$1` is PARAM).
DOLLAR_QUOTE_OPEN: '$' (DQ_START DQ_CONT*)? '$';

// Nested block comments, as PostgreSQL: `/*` anywhere inside opens one more level.
fragment BLOCK_COMMENT_BODY
    : '/*' ( BLOCK_COMMENT_BODY | '/'+ ~[*/] | '*'+ ~[*/] | ~[*/] )* '*'+ '/'
    ;
fragment DQ_START: [a-zA-Z_\u0080-\u{10FFFF}];
fragment DQ_CONT: [a-zA-Z_0-9\u0080-\u{10FFFF}];
