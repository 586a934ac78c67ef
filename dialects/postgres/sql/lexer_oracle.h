// dialects/postgres/sql/lexer_oracle.h
//! The normalisation computed from the ANTLR lexer's own token stream (hidden tokens -> one
//! space, literal tokens -> '?', '?' in other tokens doubled). Tests and the fuzz target check
//! that the hand-written fingerprint scanner (normalizer.h) agrees with it: equal normalised
//! texts must mean equal token structure, or the analysis cache could serve one statement's
//! analysis for another. The same ANTLR token stream is the reference for the hand-written
//! lexer of the analysis path (diffFastLexer). Not used on the data path.
#pragma once

#include <string>
#include <string_view>

namespace warden::pg::sql {

//! false when the text has a character the lexer rejects (ERRCHAR), an unterminated dollar
//! quote, or is not valid UTF-8; `out` is then unspecified.
bool normalizeWithLexer(std::string_view text, std::string& out);

//! Compares PgFastLexer (fast_lexer.h) with PostgresLexer + PgTokenSource on `text`: every token
//! up to and including EOF (type, channel, start/stop, line, column, text), and that both
//! reject the same texts (invalid UTF-8). Empty when they agree, else the first difference.
//! `fast` is reloaded (reuse is part of what is checked).
class PgFastLexer;
std::string diffFastLexer(std::string_view text, PgFastLexer& fast);
std::string diffFastLexer(std::string_view text);

}  // namespace warden::pg::sql
