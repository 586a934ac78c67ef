// dialects/postgres/sql/analyzer.cc
//! One analyzer per worker: its own lexer, parser, token stream and DFA caches (the generated
//! recognizers share static DFAs across threads by default; antlr4 #2002/#4954), so no two
//! workers touch the same cache. The lexer is the hand-written PgFastLexer (fast_lexer.h): the
//! exact token stream of PostgresLexer + PgTokenSource without the ANTLR lexer's
//! per-character ATN simulation. Two-stage parse: SLL with a bail-out strategy, then full LL
//! only when SLL fails. A syntax error anywhere makes the whole text one `unparsed` statement
//! (PostgreSQL itself parses a simple-query string as a whole before running any of it).
#include "sql/analyzer.h"

#include <chrono>
#include <exception>
#include <string>
#include <vector>
#include <algorithm>

#include "PostgresParser.h"
#include "antlr4-runtime.h"
#include "sql/fast_lexer.h"
#include "sql/normalizer.h"
#include "sql/visitor.h"

namespace warden::pg::sql {
namespace {

using pggrammar::PostgresParser;
namespace ws = warden::sql;

constexpr int kMaxNesting = 200;          // ( [ depth accepted before parsing
constexpr size_t kMaxRuleDepth = 4000;    // parser rule nesting (stack guard)
constexpr size_t kDfaStateLimit = 300000; // per worker; beyond it the DFA is rebuilt
// Parse-tree depth accepted for the visitor (left-recursive chains such as a OR b OR c ...
// build deep trees without deep parser recursion); deeper statements are unparsed.
constexpr size_t kMaxTreeDepth = 1000;

//! Deepest path of the tree, measured without recursion.
size_t treeDepth(antlr4::tree::ParseTree* root) {
  std::vector<std::pair<antlr4::tree::ParseTree*, size_t>> stack{{root, 1}};
  size_t max = 0;
  while (!stack.empty()) {
    auto [node, d] = stack.back();
    stack.pop_back();
    max = std::max(max, d);
    if (max > kMaxTreeDepth) return max;
    for (auto* c : node->children) stack.emplace_back(c, d + 1);
  }
  return max;
}

struct Abort : std::exception {
  explicit Abort(const char* why) : why_(why) {}
  const char* what() const noexcept override { return why_; }
  const char* why_;
};

//! Records the first syntax error (LL stage).
class ErrorCollector : public antlr4::BaseErrorListener {
 public:
  void syntaxError(antlr4::Recognizer*, antlr4::Token* offending, size_t line, size_t col,
                   const std::string& msg, std::exception_ptr) override {
    if (!message.empty()) return;
    message = "syntax error at line " + std::to_string(line) + ":" + std::to_string(col);
    if (offending && offending->getType() != antlr4::Token::EOF)
      message += " near \"" + offending->getText().substr(0, 40) + "\"";
    else if (offending)
      message += " at end of input";
    (void)msg;
  }
  std::string message;
};

//! Guards depth and time while the parser runs (called on every rule entry/exit).
class Guard : public antlr4::tree::ParseTreeListener {
 public:
  void start(std::chrono::microseconds budget) {
    depth_ = 0;
    ticks_ = 0;
    deadline_ = std::chrono::steady_clock::now() + budget;
  }
  void enterEveryRule(antlr4::ParserRuleContext*) override {
    if (++depth_ > kMaxRuleDepth) throw Abort("statement too deeply nested");
    if ((++ticks_ & 255) == 0 && std::chrono::steady_clock::now() > deadline_)
      throw Abort("statement exceeds the analysis time budget");
  }
  void exitEveryRule(antlr4::ParserRuleContext*) override { --depth_; }
  void visitTerminal(antlr4::tree::TerminalNode*) override {}
  void visitErrorNode(antlr4::tree::ErrorNode*) override {}

 private:
  size_t depth_ = 0;
  uint64_t ticks_ = 0;
  std::chrono::steady_clock::time_point deadline_;
};

//! The runtime's simulator clears its merge cache after every prediction with
//! unordered_map::clear(), which is O(bucket count): once one cold prediction has grown it, every
//! later prediction memsets the whole bucket array (13 % of a warm parse of a long query). A
//! fresh map after each prediction keeps that cost at zero.
class PgParserSimulator final : public antlr4::atn::ParserATNSimulator {
 public:
  using ParserATNSimulator::ParserATNSimulator;
  size_t adaptivePredict(antlr4::TokenStream* input, size_t decision,
                         antlr4::ParserRuleContext* outerContext) override {
    size_t alt = ParserATNSimulator::adaptivePredict(input, decision, outerContext);
    mergeCache = antlr4::atn::PredictionContextMergeCache();
    return alt;
  }
};

std::vector<antlr4::dfa::DFA> freshDfa(const antlr4::atn::ATN& atn) {
  std::vector<antlr4::dfa::DFA> dfa;
  dfa.reserve(atn.getNumberOfDecisions());
  for (size_t i = 0; i < atn.getNumberOfDecisions(); ++i)
    dfa.emplace_back(atn.getDecisionState(i), i);
  return dfa;
}

// Statements that exercise the common decisions; parsed once per worker at start-up.
constexpr const char* kWarmCorpus[] = {
    "SELECT abalance FROM pgbench_accounts WHERE aid = $1",
    "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2",
    "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, "
    "CURRENT_TIMESTAMP)",
    "BEGIN; SELECT 1; COMMIT",
    "SELECT a.id, b.name, count(*) AS n FROM s.a a JOIN b ON a.id = b.a_id LEFT JOIN c USING "
    "(id) WHERE a.x > 10 AND b.y IN (1, 2, 3) GROUP BY 1, 2 HAVING count(*) > 1 ORDER BY n "
    "DESC LIMIT 10 OFFSET 5",
    "WITH d AS (DELETE FROM t WHERE id = 1 RETURNING *) SELECT * FROM d",
    "SELECT x::text, y->>'k', z[1], CASE WHEN a THEN 1 ELSE 2 END, row_number() OVER "
    "(PARTITION BY a ORDER BY b) FROM t WHERE c ~ 'x' AND d IS NOT NULL",
    "SELECT * FROM t1 UNION ALL SELECT * FROM t2 EXCEPT SELECT * FROM t3",
    "DELETE FROM t USING u WHERE t.id = u.id RETURNING t.id",
    "INSERT INTO t VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET v = excluded.v",
    "CREATE TABLE t (id bigint PRIMARY KEY, name text NOT NULL DEFAULT '')",
    "DROP TABLE IF EXISTS t CASCADE",
    "SET search_path TO public",
    "SHOW server_version",
    "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n "
    "ON n.oid = c.relnamespace WHERE c.relkind = ANY (ARRAY['r', 'v']) AND "
    "pg_catalog.pg_table_is_visible(c.oid)",
    "EXPLAIN ANALYZE SELECT 1",
    "COPY t FROM STDIN",
};

class PgAnalyzer final : public ws::Analyzer {
 public:
  explicit PgAnalyzer(const ws::AnalyzerLimits& limits)
      : limits_(limits), tokens_(lexer_), parser_(&tokens_) {
    parser_.removeErrorListeners();
    parser_.addParseListener(&guard_);
    installDfa();
  }

  ~PgAnalyzer() override { parser_.removeParseListeners(); }

  void normalize(std::string_view text, ws::Normalized& out) noexcept override {
    try {
      sql::normalize(text, out);
    } catch (...) {
      out.clear();
      out.ok = false;
    }
  }

  void analyze(std::string_view text, ws::Analysis& out) noexcept override {
    out.statements.clear();
    out.literal_dependent = false;
    try {
      run(text, out);
    } catch (const std::exception& e) {
      unparsed(text, out, e.what());
    } catch (...) {
      unparsed(text, out, "internal analyzer error");
    }
    ws::finish(out);
    maybeRebuildDfa();
  }

  void warm() noexcept override {
    ws::Analysis a;
    for (const char* q : kWarmCorpus) analyze(q, a);
  }

  void stats(uint64_t& parsed, uint64_t& ll_fallbacks) const noexcept override {
    parsed = parsed_;
    ll_fallbacks = ll_fallbacks_;
  }

 private:
  void installDfa() {
    const auto& patn = parser_.getATN();
    parser_dfa_ = freshDfa(patn);
    parser_ctx_cache_ = std::make_unique<antlr4::atn::PredictionContextCache>();
    // setInterpreter deletes the previous simulator (4.9 runtime).
    parser_.setInterpreter(
        new PgParserSimulator(&parser_, patn, parser_dfa_, *parser_ctx_cache_));
  }

  void maybeRebuildDfa() {
    if (++since_check_ < 1024) return;
    since_check_ = 0;
    size_t states = 0;
    for (const auto& d : parser_dfa_) states += d.states.size();
    if (states > kDfaStateLimit) installDfa();
  }

  static void unparsed(std::string_view text, ws::Analysis& out, std::string why) {
    out.statements.clear();
    ws::Statement s;
    s.kind = ws::Kind::Unparsed;
    s.category = ws::Category::Unknown;
    s.error = std::move(why);
    s.range = {0, static_cast<uint32_t>(text.size())};
    ws::Normalized n;
    sql::normalize(text, n);
    s.normalized = n.ok ? std::move(n.text) : std::string();
    s.fingerprint = ws::fingerprintHex(s.normalized);
    out.statements.push_back(std::move(s));
  }

  void run(std::string_view text, ws::Analysis& out) {
    if (text.size() > limits_.max_bytes) return unparsed(text, out, "statement too large");
    NormalizeInfo info;
    ws::Normalized probe;
    sql::normalize(text, probe, &info);
    if (!probe.ok) return unparsed(text, out, "unterminated quote, string or comment");
    if (info.max_depth > kMaxNesting) return unparsed(text, out, "statement too deeply nested");

    lexer_.load(text);  // throws on invalid UTF-8 -> unparsed
    tokens_.setTokenSource(&lexer_);
    parser_.setTokenStream(&tokens_);
    ++parsed_;

    auto* sim = parser_.getInterpreter<antlr4::atn::ParserATNSimulator>();
    PostgresParser::RootContext* root = nullptr;
    guard_.start(limits_.time_budget);
    sim->setPredictionMode(antlr4::atn::PredictionMode::SLL);
    parser_.setErrorHandler(bail_);
    try {
      root = parser_.root();
    } catch (const antlr4::ParseCancellationException&) {
      root = nullptr;
    }
    if (root == nullptr) {
      ++ll_fallbacks_;
      tokens_.seek(0);
      parser_.reset();
      guard_.start(limits_.time_budget);
      ErrorCollector errors;
      parser_.addErrorListener(&errors);
      parser_.setErrorHandler(default_);
      sim->setPredictionMode(antlr4::atn::PredictionMode::LL);
      try {
        root = parser_.root();
      } catch (...) {
        parser_.removeErrorListeners();
        throw;
      }
      parser_.removeErrorListeners();
      if (parser_.getNumberOfSyntaxErrors() > 0 || !errors.message.empty())
        return unparsed(text, out, errors.message.empty() ? "syntax error" : errors.message);
    }
    if (treeDepth(root) > kMaxTreeDepth)
      return unparsed(text, out, "statement too deeply nested");
    buildOffsets(text);
    for (auto* stmt : root->stmt()) {
      ws::Statement s;
      buildStatement(stmt, text, s);
      uint32_t begin = byteOffset(stmt->getStart()->getStartIndex());
      uint32_t end = byteOffset(stmt->getStop()->getStopIndex() + 1);
      s.range = {begin, end};
      ws::Normalized n;
      sql::normalize(text.substr(begin, end - begin), n);
      s.normalized = std::move(n.text);
      s.fingerprint = ws::fingerprintHex(s.normalized);
      out.statements.push_back(std::move(s));
    }
    if (out.statements.empty()) {  // only ';' or comments: an empty query
      ws::Statement s;
      s.kind = ws::Kind::Other;
      s.category = ws::Category::Unknown;
      s.fingerprint = ws::fingerprintHex("");
      out.statements.push_back(std::move(s));
    }
  }

  //! ANTLR indexes are code points; ranges are bytes.
  void buildOffsets(std::string_view text) {
    offsets_.clear();
    bool ascii = true;
    for (unsigned char c : text) ascii = ascii && c < 0x80;
    if (ascii) return;
    // A leading U+FEFF is not part of the token stream: code point 0 is the byte after it.
    size_t first = text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
    for (size_t i = first; i < text.size(); ++i)
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) offsets_.push_back(uint32_t(i));
    offsets_.push_back(static_cast<uint32_t>(text.size()));
  }
  uint32_t byteOffset(size_t cp) const {
    if (offsets_.empty()) return static_cast<uint32_t>(cp);
    return cp < offsets_.size() ? offsets_[cp] : offsets_.back();
  }

  ws::AnalyzerLimits limits_;
  PgFastLexer lexer_;
  PgFastTokenStream tokens_;
  PostgresParser parser_;
  Guard guard_;
  std::shared_ptr<antlr4::BailErrorStrategy> bail_ = std::make_shared<antlr4::BailErrorStrategy>();
  std::shared_ptr<antlr4::DefaultErrorStrategy> default_ =
      std::make_shared<antlr4::DefaultErrorStrategy>();
  std::vector<antlr4::dfa::DFA> parser_dfa_;
  std::unique_ptr<antlr4::atn::PredictionContextCache> parser_ctx_cache_;
  std::vector<uint32_t> offsets_;
  uint64_t parsed_ = 0, ll_fallbacks_ = 0;
  unsigned since_check_ = 0;
};

}  // namespace

std::unique_ptr<ws::Analyzer> makeAnalyzer(const ws::AnalyzerLimits& limits) {
  try {
    return std::make_unique<PgAnalyzer>(limits);
  } catch (...) {
    return nullptr;
  }
}

}  // namespace warden::pg::sql
