// PostgreSQL literals and identifiers. Imported by PostgresLexer after PgKeywords, so every
// keyword wins over IDENT. Prefixed strings (E'', U&'', B'', X'', N'') win over IDENT by length.
lexer grammar PgLiterals;

// Identifiers in double quotes ("" is a quote); U&"..." with \XXXX escapes (UESCAPE in parser).
UNICODE_QUOTED_IDENT: [uU] '&"' ( ~'"' | '""' )* '"';
QUOTED_IDENT: '"' ( ~'"' | '""' )+ '"';   // "" (zero length) is an error

// Strings.
UNICODE_STRING: [uU] '&\'' ( ~'\'' | '\'\'' )* '\'';
ESCAPE_STRING: [eE] '\'' ( ~[\\'] | '\\' . | '\'\'' )* '\'';
BIT_STRING: [bB] '\'' ~'\''* '\'';
HEX_STRING: [xX] '\'' ~'\''* '\'';
NATIONAL_STRING: [nN] '\'' ( ~'\'' | '\'\'' )* '\'';
STRING: '\'' ( ~'\'' | '\'\'' )* '\'';

// $1, $2 ... (positional parameters).
PARAM: '$' [0-9]+;

NUMERIC
    : DIGITS '.' DIGITS? EXPONENT?
    | '.' DIGITS EXPONENT?
    | DIGITS EXPONENT
    ;
INTEGER: DIGITS;

// Letters (any byte >= 0x80 counts as a letter), digits, `_`, `$` (not first).
IDENT: IDENT_START IDENT_CONT*;

// Any other character: a token no parser rule accepts, so the statement fails to parse instead
// of the lexer silently dropping the character.
ERRCHAR: .;

fragment DIGITS: [0-9]+;
fragment EXPONENT: [eE] [+\-]? DIGITS;
fragment IDENT_START: [a-zA-Z_\u0080-\u{10FFFF}];
fragment IDENT_CONT: [a-zA-Z_0-9$\u0080-\u{10FFFF}];
