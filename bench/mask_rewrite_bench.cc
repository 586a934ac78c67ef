// bench/mask_rewrite_bench.cc
//! Masking rewriter micro-bench: what a PostgreSQL session does per DataRow of a masked result,
//! on one core. Rows of a customers-like table (id int4, name, email, ssn, city, note, amount
//! numeric), text format, ~5% of the notes holding PII; two column rules (email partial, ssn
//! hash) and every detector on (text columns the rules leave: name, city, note). The plan comes
//! from masking::buildPlan with the columns' backend origins, exactly as ResultMasking builds
//! it; each row goes through DataRowRewriter + PlanMasker; the figure is DataRow bytes in / time.
//! Last line:  RESULT mask_mb_s=X mask_rows_per_s=R
//! usage: mask_rewrite_bench [--rows=N] [--rounds=N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "protocol/row_messages.h"
#include "warden/base/byte_io.h"
#include "warden/masking/plan.h"

using namespace warden;
using Clock = std::chrono::steady_clock;

namespace {

void addField(Bytes& body, const std::string& v) {
  appendBe32(body, uint32_t(v.size()));
  appendBytes(body, v);
}

std::vector<Bytes> makeRows(size_t n) {
  std::mt19937 rng(42);
  const char* first[] = {"Alice", "Bruno", "Chiara", "Dmitri", "Esther", "Farid", "Greta", "Zoë"};
  const char* cities[] = {"Lisbon", "Osaka", "Toronto", "Nairobi", "Kraków", "Denver"};
  const char* notes[] = {"called back about the invoice, will pay next week",
                         "prefers e-mail, order 123456789 shipped on 2024-05-01",
                         "VIP customer since 2019; discount code SPRING-24 applied",
                         "address changed, see ticket #88231 for details",
                         "no issues reported"};
  const char* pii[] = {"contact dana.scully@fbi.example.org asap", "card 4242 4242 4242 4242",
                       "ssn 219-09-9999", "iban GB82 WEST 1234 5698 7654 32"};
  std::vector<Bytes> rows;
  rows.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    Bytes body;
    appendBe16(body, 7);
    std::string f = first[rng() % 8];
    addField(body, std::to_string(i + 1));
    addField(body, f + " Tester" + std::to_string(i));
    addField(body, f + ".tester" + std::to_string(i) + "@example.com");
    addField(body, std::to_string(100 + rng() % 600) + "-" + std::to_string(10 + rng() % 89) + "-" +
                       std::to_string(1000 + rng() % 8999));
    addField(body, cities[rng() % 6]);
    addField(body, rng() % 20 == 0 ? pii[rng() % 4] : notes[rng() % 5]);
    addField(body, std::to_string(rng() % 100000) + ".25");
    rows.push_back(std::move(body));
  }
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  size_t nrows = 200000, rounds = 5;
  for (int i = 1; i < argc; ++i) {
    if (!strncmp(argv[i], "--rows=", 7)) nrows = strtoul(argv[i] + 7, nullptr, 10);
    if (!strncmp(argv[i], "--rounds=", 9)) rounds = strtoul(argv[i] + 9, nullptr, 10);
  }
  masking::SessionMasking s;
  masking::CompiledRule email{"pii", {masking::ColumnPattern::parse("public.customers.email")},
                              masking::Method::Partial};
  masking::CompiledRule ssn{"ids", {masking::ColumnPattern::parse("*.ssn")}, masking::Method::Hash};
  s.rules = {email, ssn};
  s.detectors = masking::DetectorSet::all();
  const char* names[] = {"id", "name", "email", "ssn", "city", "note", "amount"};
  masking::ValueType types[] = {masking::ValueType::Int4, masking::ValueType::Text,
                                masking::ValueType::Text, masking::ValueType::Text,
                                masking::ValueType::Text, masking::ValueType::Text,
                                masking::ValueType::Numeric};
  std::vector<masking::ResultColumn> cols(7);
  for (int i = 0; i < 7; ++i) {
    cols[i].name = names[i];
    cols[i].origin = masking::ResultColumn::Origin::Column;
    cols[i].schema = "public";
    cols[i].table = "customers";
    cols[i].column = names[i];
    cols[i].type = types[i];
  }
  masking::ResultPlan plan = masking::buildPlan(s, nullptr, cols, nullptr);
  auto rows = makeRows(nrows);
  size_t bytes = 0;
  for (const auto& r : rows) bytes += r.size() + 5;
  std::vector<double> mbps;
  size_t changed = 0;
  for (size_t round = 0; round < rounds; ++round) {
    masking::PlanMasker masker(s, plan);
    dialect::postgres::DataRowRewriter rw;
    Bytes out;
    changed = 0;
    auto t0 = Clock::now();
    for (const auto& r : rows) {
      auto res = rw.rewrite(r, plan.selected, masker, out);
      if (!res) {
        std::fprintf(stderr, "rewrite failed: %s\n", res.error().message.c_str());
        return 1;
      }
      changed += res.value();
    }
    double s_elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    mbps.push_back(double(bytes) / 1e6 / s_elapsed);
    std::printf("round %zu: %.1f MB/s (%zu rows, %zu rewritten)\n", round + 1, mbps.back(), nrows,
                changed);
  }
  std::sort(mbps.begin(), mbps.end());
  double median = mbps[mbps.size() / 2];
  double row_bytes = double(bytes) / double(nrows);
  std::printf("RESULT mask_mb_s=%.1f mask_rows_per_s=%.0f\n", median, median * 1e6 / row_bytes);
  return 0;
}
