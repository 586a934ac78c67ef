// test/fuzz/pg_messages_fuzz.cc
//! libFuzzer target for the PostgreSQL message decoders.
//!
//! Input layout: [selector:1][body...]; selector % 14 picks the decoder. Beyond "no crash", it
//! checks that every returned view lies inside the body and that anything accepted re-encodes
//! to exactly the same bytes where an encoder exists (the decoders are strict, so decode →
//! encode is the identity on accepted input).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/messages.h"
#include "warden/base/byte_io.h"

namespace {

using namespace warden;
using namespace warden::dialect::postgres;

void check(bool ok) {
  if (!ok) std::abort();
}

struct Body {
  ByteView bytes;
  bool inside(std::string_view s) const {
    if (s.empty()) return true;
    auto* p = reinterpret_cast<const uint8_t*>(s.data());
    return p >= bytes.data() && p + s.size() <= bytes.data() + bytes.size();
  }
  bool inside(ByteView s) const { return inside(asStringView(s)); }
};

//! `frame` minus its header equals the body.
void sameBody(const Bytes& frame, size_t header, ByteView body) {
  check(frame.size() == header + body.size());
  check(std::equal(body.begin(), body.end(), frame.begin() + header));
  check(loadBe32(frame.data() + header - 4) == frame.size() - header + 4);
}

void fuzzStartup(const Body& b) {
  auto m = decodeStartupMessage(b.bytes);
  if (!m.ok()) return;
  for (const auto& [k, v] : m->params) check(!k.empty() && m->find(k) == &v);
  Bytes out;
  encodeStartupMessage(out, m.value());
  sameBody(out, 4, b.bytes);
}

void fuzzCancel(const Body& b) {
  auto m = decodeCancelRequest(b.bytes);
  if (!m.ok()) return;
  check(m->secret.size() >= 4 && m->secret.size() <= kMaxCancelSecret);
  Bytes out;
  encodeCancelRequest(out, m->pid, m->secret);
  sameBody(out, 4, b.bytes);
}

void fuzzQuery(const Body& b) {
  auto q = decodeQuery(b.bytes);
  if (!q.ok()) return;
  check(b.inside(q.value()));
  Bytes out;
  encodeQuery(out, q.value());
  sameBody(out, 5, b.bytes);
}

void fuzzParse(const Body& b) {
  auto p = decodeParse(b.bytes);
  if (!p.ok()) return;
  check(b.inside(p->name) && b.inside(p->query));
  check(p->name.size() + p->query.size() + 4 + 4 * p->param_types.size() == b.bytes.size());
}

void fuzzCloseOrDescribe(const Body& b) {
  auto m = decodeCloseOrDescribe(b.bytes);
  if (!m.ok()) return;
  check((m->kind == 'S' || m->kind == 'P') && b.inside(m->name));
  check(m->name.size() + 2 == b.bytes.size());
}

void fuzzBind(const Body& b) {
  auto m = decodeBindHead(b.bytes);
  if (!m.ok()) return;
  check(b.inside(m->portal) && b.inside(m->statement));
}

void fuzzPassword(const Body& b) {
  auto p = decodePasswordMessage(b.bytes);
  if (!p.ok()) return;
  check(b.inside(p.value()));
  Bytes out;
  encodePasswordMessage(out, p.value());
  sameBody(out, 5, b.bytes);
}

void fuzzSaslInitial(const Body& b) {
  auto m = decodeSaslInitialResponse(b.bytes);
  if (!m.ok()) return;
  check(!m->mechanism.empty() && b.inside(m->mechanism));
  if (!m->data) return;
  check(b.inside(*m->data));
  Bytes out;
  encodeSaslInitialResponse(out, m->mechanism, *m->data);
  sameBody(out, 5, b.bytes);
}

void fuzzAuth(const Body& b) {
  auto m = decodeAuthentication(b.bytes);
  if (!m.ok()) return;
  check(b.inside(m->data));
  for (auto mech : m->mechanisms) check(!mech.empty() && b.inside(mech));
  Bytes out;
  switch (m->code) {
    case AuthCode::Ok: encodeAuthOk(out); break;
    case AuthCode::CleartextPassword: encodeAuthCleartext(out); break;
    case AuthCode::Sasl: encodeAuthSasl(out, m->mechanisms); break;
    case AuthCode::SaslContinue: encodeAuthSaslContinue(out, asStringView(m->data)); break;
    case AuthCode::SaslFinal: encodeAuthSaslFinal(out, asStringView(m->data)); break;
    case AuthCode::Md5Password: check(m->data.size() == 4); return;
    default: return;
  }
  sameBody(out, 5, b.bytes);
}

void fuzzParameterStatus(const Body& b) {
  auto m = decodeParameterStatus(b.bytes);
  if (!m.ok()) return;
  check(b.inside(m->name) && b.inside(m->value));
  Bytes out;
  encodeParameterStatus(out, m->name, m->value);
  sameBody(out, 5, b.bytes);
}

void fuzzBackendKeyData(const Body& b) {
  auto m = decodeBackendKeyData(b.bytes);
  if (!m.ok()) return;
  check(b.inside(m->secret));
  Bytes out;
  encodeBackendKeyData(out, m->pid, m->secret);
  sameBody(out, 5, b.bytes);
}

void fuzzReadyForQuery(const Body& b) {
  auto m = decodeReadyForQuery(b.bytes);
  if (!m.ok()) return;
  Bytes out;
  encodeReadyForQuery(out, m.value());
  sameBody(out, 5, b.bytes);
}

void fuzzErrorFields(const Body& b) {
  auto m = decodeErrorFields(b.bytes);
  if (!m.ok()) return;
  size_t total = 1;
  for (const auto& [code, value] : m->fields) {
    check(code != 0 && b.inside(value));
    total += 2 + value.size();
  }
  check(total == b.bytes.size());
  (void)m->get('M');
}

void fuzzNegotiate(const Body& b) {
  auto m = decodeNegotiateProtocolVersion(b.bytes);
  if (!m.ok()) return;
  check(m->newest_minor <= 0xffff);
  std::vector<std::string> names;
  for (auto n : m->unsupported) {
    check(b.inside(n));
    names.emplace_back(n);
  }
  if ((loadBe32(b.bytes.data()) >> 16) != kProtocolMajor3) return;  // bare-minor form
  Bytes out;
  encodeNegotiateProtocolVersion(out, m->newest_minor, names);
  sameBody(out, 5, b.bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // Exactly-sized copy so ASan sees any read past the body.
  const std::vector<uint8_t> copy(data + 1, data + size);
  const Body b{ByteView(copy)};
  switch (data[0] % 14) {
    case 0: fuzzStartup(b); break;
    case 1: fuzzCancel(b); break;
    case 2: fuzzQuery(b); break;
    case 3: fuzzParse(b); break;
    case 4: fuzzCloseOrDescribe(b); break;
    case 5: fuzzBind(b); break;
    case 6: fuzzPassword(b); break;
    case 7: fuzzSaslInitial(b); break;
    case 8: fuzzAuth(b); break;
    case 9: fuzzParameterStatus(b); break;
    case 10: fuzzBackendKeyData(b); break;
    case 11: fuzzReadyForQuery(b); break;
    case 12: fuzzErrorFields(b); break;
    default: fuzzNegotiate(b); break;
  }
  return 0;
}
