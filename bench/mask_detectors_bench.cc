// bench/mask_detectors_bench.cc
//! Value detector micro-bench: DetectorSet::all().scan() (and any()) over a realistic mix of
//! text column values, as the masking rewriter calls it once per text value of a result stream.
//!
//! The mix (fixed seed): names (short, some non-ASCII), street addresses (digits, postcodes),
//! free text (notes, comments: numbers, dates, prices, versions, URLs, hyphens), product codes
//! and statuses; about 5% of the values hold PII (email, phone, card, SSN, IBAN, JWT, AWS key).
//! Values sit back to back in one buffer, as in a receive buffer of DataRow messages. Each
//! round scans every value once (findings vector reused and cleared per value, like
//! PlanMasker); a round's figure is bytes / time. Per category and for the whole mix the best
//! and the median over rounds are printed, then adversarial 1 MiB values (one repeated unit).
//! Allocations per value are counted with a replaced global operator new (this binary only).
//! Last line:
//!   RESULT mask_detectors_mbps=X mask_detectors_any_mbps=Y mask_detectors_any_allocs=Z
//! X, Y = median MB/s (10^6 bytes) of scan() / any() over the whole mix; Z = allocations per
//! value in any() (target: 0).
//!
//! usage: mask_detectors_bench [--rounds=N] [--megabytes=N]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "warden/masking/detectors.h"

// ---- allocation counter (replaces the global allocation functions of this process)

namespace {
std::atomic<uint64_t> g_allocs{0};

void* countedAlloc(std::size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  std::abort();
}
}  // namespace

void* operator new(std::size_t n) { return countedAlloc(n); }
void* operator new[](std::size_t n) { return countedAlloc(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace {

using namespace warden::masking;
using Clock = std::chrono::steady_clock;

const char* kFirst[] = {"Alice",  "Bob",    "Carol",  "David", "Emma",      "François",
                        "Günter", "Hiro",   "Isabel", "José",  "Katarzyna", "Liam",
                        "María",  "Noah",   "Olivia", "Priya", "Quentin",   "Rahul",
                        "Sofia",  "Thomas", "Ursula", "Wei",   "Zoë"};
const char* kLast[] = {"Smith",   "Johnson",      "García-López", "Müller",
                       "O'Brien", "Nakamura",     "Kowalski",     "Dubois",
                       "Rossi",   "Andersson",    "Nguyen",       "Patel",
                       "Brown",   "van der Berg", "Şahin",        "Ivanova"};
const char* kStreets[] = {"Elm Street",   "Main St",  "Oak Avenue",  "Rue de Rivoli", "Hauptstraße",
                          "Baker Street", "Via Roma", "Sunset Blvd", "Maple Drive",   "High Road"};
const char* kCities[] = {"Springfield, IL", "Paris",        "Berlin",     "London", "Roma",
                         "Los Angeles, CA", "Portland, OR", "Austin, TX", "Kraków", "Lyon"};
const char* kWords[] = {"the",       "customer",
                        "asked",     "about",
                        "delivery",  "of",
                        "order",     "and",
                        "we",        "confirmed",
                        "that",      "package",
                        "was",       "shipped",
                        "on",        "with",
                        "tracking",  "please",
                        "note",      "refund",
                        "issued",    "for",
                        "damaged",   "item",
                        "in",        "box",
                        "will",      "call",
                        "back",      "tomorrow",
                        "after",     "review",
                        "by",        "support",
                        "team",      "account",
                        "updated",   "invoice",
                        "sent",      "payment",
                        "received",  "thanks",
                        "a",         "lot",
                        "is",        "it",
                        "to",        "from",
                        "warehouse", "north-east",
                        "follow-up", "re-opened",
                        "ticket",    "priority",
                        "low",       "high",
                        "version",   "release",
                        "build",     "Kunde",
                        "möchte",    "Rückerstattung",
                        "très",      "bien",
                        "merci"};
const char* kStatuses[] = {"shipped", "pending", "cancelled", "on hold", "delivered", "returned"};

class Gen {
 public:
  explicit Gen(uint32_t seed) : rng_(seed) {}
  size_t below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  template <size_t N>
  const char* pick(const char* (&a)[N]) {
    return a[below(N)];
  }
  std::string digits(size_t n) {
    std::string s;
    for (size_t k = 0; k < n; ++k) s.push_back(static_cast<char>('0' + below(10)));
    return s;
  }

  std::string name() { return std::string(pick(kFirst)) + " " + pick(kLast); }
  std::string address() {
    return std::to_string(1 + below(9999)) + " " + pick(kStreets) + ", Apt " +
           std::to_string(1 + below(40)) + ", " + pick(kCities) + " " + digits(5);
  }
  std::string code() {
    return "SKU-" + digits(5) + "-" + (below(2) ? "XL" : "M") + " " + pick(kStatuses);
  }
  //! A sentence-ish text of about `bytes` bytes with numbers, dates, prices, versions, URLs.
  std::string text(size_t bytes) {
    std::string s;
    while (s.size() < bytes) {
      switch (below(24)) {
        case 0: s += "2024-" + digits(2) + "-" + digits(2); break;
        case 1: s += "$" + std::to_string(below(500)) + "." + digits(2); break;
        case 2: s += "v" + std::to_string(below(9)) + "." + std::to_string(below(20)) + ".1"; break;
        case 3: s += "https://shop.example.com/orders?id=" + digits(6); break;
        case 4: s += "#" + digits(7); break;
        case 5: s += std::to_string(below(100)) + " items"; break;
        case 6: s += "(see above)"; break;
        default: s += pick(kWords);
      }
      s += below(12) == 0 ? ". " : " ";
    }
    return s;
  }
  std::string pii() {
    switch (below(8)) {
      case 0: return "contact " + std::string(pick(kFirst)) + ".smith" + digits(2) + "@example.com";
      case 1: return "call +1 415-555-" + std::to_string(2000 + below(7000)) + " after 5pm";
      case 2: return "card 4242 4242 4242 4242 exp 12/29";
      case 3: return "SSN 536-90-" + std::to_string(1000 + below(8999));
      case 4: return "IBAN GB82 WEST 1234 5698 7654 32 (business)";
      case 5:
        return "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6"
               "IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
      case 6: return "key AKIAIOSFODNN7EXAMPLE rotated";
      default: return text(40) + " reach me at ops" + digits(3) + "@example.org " + text(40);
    }
  }

 private:
  std::mt19937 rng_;
};

//! Values stored back to back, as they sit in a protocol receive buffer (DataRow messages).
struct Category {
  explicit Category(const char* n) : name(n) {}
  const char* name;
  std::string arena;
  std::vector<std::pair<size_t, size_t>> spans;
  std::vector<std::string_view> values;
  size_t bytes = 0;
  void add(const std::string& v) {
    spans.emplace_back(arena.size(), v.size());
    arena += v;
    bytes += v.size();
  }
  void seal() {
    for (auto [at, n] : spans) values.emplace_back(arena.data() + at, n);
  }
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

//! MB/s of one pass over `values` (scan, or any when `use_any`).
double pass(const std::vector<std::string_view>& values, size_t bytes, bool use_any,
            std::vector<Finding>& findings, size_t& hits) {
  const DetectorSet all = DetectorSet::all();
  const auto start = Clock::now();
  for (std::string_view v : values) {
    if (use_any) {
      hits += all.any(v);
    } else {
      findings.clear();
      hits += all.scan(v, findings);
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return static_cast<double>(bytes) / 1e6 / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 7;
  size_t megabytes = 32;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--rounds=", 9) == 0) {
      rounds = std::max(1, std::atoi(argv[i] + 9));
    } else if (std::strncmp(argv[i], "--megabytes=", 12) == 0) {
      megabytes = static_cast<size_t>(std::max(1, std::atoi(argv[i] + 12)));
    } else {
      std::fprintf(stderr, "usage: mask_detectors_bench [--rounds=N] [--megabytes=N]\n");
      return 2;
    }
  }

  // The mix: by value count 30% names, 20% addresses, 15% codes, 30% free text, 5% PII.
  Gen gen(20240501);
  Category names("names"), addresses("addresses"), codes("codes"), texts("free text"), pii("pii"),
      mix("mix");
  while (mix.bytes < megabytes << 20) {
    const size_t r = gen.below(100);
    std::string v;
    Category* c = nullptr;
    if (r < 30) {
      v = gen.name(), c = &names;
    } else if (r < 50) {
      v = gen.address(), c = &addresses;
    } else if (r < 65) {
      v = gen.code(), c = &codes;
    } else if (r < 95) {
      v = gen.text(20 + gen.below(400)), c = &texts;
    } else {
      v = gen.pii(), c = &pii;
    }
    c->add(v);
    mix.add(v);
  }
  for (Category* c : {&names, &addresses, &codes, &texts, &pii, &mix}) c->seal();
  std::printf(
      "values: %zu (%.1f MB, mean %.0f bytes); names %zu, addresses %zu, codes %zu, "
      "free text %zu, pii %zu\n",
      mix.values.size(), mix.bytes / 1e6, double(mix.bytes) / mix.values.size(),
      names.values.size(), addresses.values.size(), codes.values.size(), texts.values.size(),
      pii.values.size());

  std::vector<Finding> findings;
  findings.reserve(256);
  size_t hits = 0;
  double mix_scan = 0, mix_any = 0;
  for (Category* c : {&names, &addresses, &codes, &texts, &pii, &mix}) {
    std::vector<double> scan_rates, any_rates;
    for (int r = 0; r < rounds; ++r) {
      scan_rates.push_back(pass(c->values, c->bytes, false, findings, hits));
      any_rates.push_back(pass(c->values, c->bytes, true, findings, hits));
    }
    const double ms = median(scan_rates), ma = median(any_rates);
    std::printf("%-10s scan %8.1f MB/s (best %8.1f)   any %8.1f MB/s (best %8.1f)\n", c->name, ms,
                *std::max_element(scan_rates.begin(), scan_rates.end()), ma,
                *std::max_element(any_rates.begin(), any_rates.end()));
    if (c == &mix) mix_scan = ms, mix_any = ma;
  }

  // Findings in the mix (one pass), and allocations per value.
  findings.clear();
  size_t values_with = 0, total = 0;
  const DetectorSet all = DetectorSet::all();
  for (std::string_view v : mix.values) {
    findings.clear();
    const size_t n = all.scan(v, findings);
    values_with += n > 0;
    total += n;
  }
  const uint64_t before_any = g_allocs.load();
  for (std::string_view v : mix.values) hits += all.any(v);
  const double any_allocs = double(g_allocs.load() - before_any) / mix.values.size();
  const uint64_t before_scan = g_allocs.load();
  for (std::string_view v : mix.values) {
    findings.clear();
    hits += all.scan(v, findings);
  }
  const double scan_allocs = double(g_allocs.load() - before_scan) / mix.values.size();
  std::printf(
      "findings: %zu in %zu values (%.1f%%); allocations per value: any %.3f, scan "
      "%.3f (findings vector reused)\n",
      total, values_with, 100.0 * values_with / mix.values.size(), any_allocs, scan_allocs);

  // Adversarial values: 1 MiB of one repeated unit, scan() with a limit that never stops it.
  const char* units[] = {"@",
                         "a@",
                         "1",
                         "1 ",
                         "1-",
                         "+1",
                         "(",
                         "AKIA",
                         "key ",
                         "eyJ",
                         "eyJhbGciOiJIUzI1NiJ9.",
                         "-",
                         "-----BEGIN PRIVATE KEY-----",
                         "GB82 ",
                         "ssn 1",
                         "a.b@c.de "};
  std::printf("adversarial 1 MiB values:");
  for (const char* unit : units) {
    std::string s;
    while (s.size() < (1u << 20)) s += unit;
    findings.clear();
    const auto start = Clock::now();
    all.scan(s, findings, 1u << 20);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf(" '%s' %.0f MB/s;", unit, s.size() / 1e6 / seconds);
  }
  std::printf("\n(hits %zu)\n", hits);
  std::printf(
      "RESULT mask_detectors_mbps=%.1f mask_detectors_any_mbps=%.1f "
      "mask_detectors_any_allocs=%.3f\n",
      mix_scan, mix_any, any_allocs);
  return 0;
}
