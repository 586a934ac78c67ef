// dialects/postgres/sql/fast_token.cc
#include "sql/fast_token.h"

#include "sql/fast_lexer.h"

namespace warden::pg::sql {

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kPooled = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kPooled = false;
#else
constexpr bool kPooled = true;
#endif
#else
constexpr bool kPooled = true;
#endif

// The free list is trivially destructible, so it stays usable while other thread_local objects
// are destroyed (an analyzer held in one frees its tokens then); Cleanup, registered before the
// first node goes on the list, returns the list to the allocator at thread exit and turns
// pooling off for whatever is freed after it.
constexpr size_t kPoolMax = 16384;  // tokens kept per thread (about 1.5 MB)
struct FreeNode {
  FreeNode* next;
};
struct FreeList {
  FreeNode* head;
  size_t count;
  bool closed;
};
thread_local FreeList free_list{nullptr, 0, false};

struct Cleanup {
  ~Cleanup() {
    free_list.closed = true;
    while (free_list.head != nullptr) {
      FreeNode* n = free_list.head;
      free_list.head = n->next;
      ::operator delete(n);
    }
    free_list.count = 0;
  }
};

// CommonToken::toString prints size_t -1 (EOF type, conjured indexes) as -1.
long long numeric(size_t v) { return static_cast<long long>(v); }

void escape(std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else out += c;
  }
  s = std::move(out);
}

}  // namespace

void* PgFastToken::operator new(size_t size) {
  if (kPooled && size == sizeof(PgFastToken)) {
    FreeList& list = free_list;
    if (list.head != nullptr) {
      FreeNode* n = list.head;
      list.head = n->next;
      --list.count;
      return n;
    }
  }
  return ::operator new(size);
}

void PgFastToken::operator delete(void* p, size_t size) noexcept {
  if (p == nullptr) return;
  FreeList& list = free_list;
  if (kPooled && size == sizeof(PgFastToken) && !list.closed && list.count < kPoolMax) {
    if (list.head == nullptr) {
      thread_local Cleanup cleanup;  // registered before the first node goes on the list
      (void)cleanup;
    }
    auto* n = static_cast<FreeNode*>(p);
    n->next = list.head;
    list.head = n;
    ++list.count;
    return;
  }
  ::operator delete(p);
}

// As CommonToken: explicit text first; EOF has no characters and reads "<EOF>".
std::string PgFastToken::getText() const {
  if (text_ && !text_->empty()) return *text_;
  if (span_.type == antlr4::Token::EOF || span_.begin >= span_.end) return "<EOF>";
  return std::string(source_->bytes(span_.begin, span_.end));
}

antlr4::TokenSource* PgFastToken::getTokenSource() const { return source_; }

antlr4::CharStream* PgFastToken::getInputStream() const { return source_->getInputStream(); }

std::string PgFastToken::toString() const {
  std::string text = getText();
  if (text.empty()) text = "<no text>";
  else escape(text);
  std::string out = "[@" + std::to_string(numeric(index_)) + "," +
                    std::to_string(numeric(span_.start)) + ":" +
                    std::to_string(numeric(span_.stop)) + "='" + text + "',<" +
                    std::to_string(numeric(span_.type)) + ">";
  if (span_.channel > 0) out += ",channel=" + std::to_string(span_.channel);
  out += "," + std::to_string(span_.line) + ":" + std::to_string(span_.column) + "]";
  return out;
}

}  // namespace warden::pg::sql
